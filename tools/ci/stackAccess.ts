/**
 * `npm run --silent stack-access -- <stack> <preview|deploy|verify>`: what a GitHub workflow needs to reach a
 * stack's account, read from the stack's own file (Pulumi.<stack>.yaml), as `key=value` lines for
 * $GITHUB_OUTPUT:
 *
 *   role=central|member            the stack's role (selects policy-pack/config.<role>.json)
 *   account=<12 digits>            aws:allowedAccountIds, for configure-aws-credentials' allowed-account-ids
 *   region=<region>                aws:region
 *   role-arn=<arn>                 central-logging:access.previewRoleArn or .deployRoleArn; for verify
 *                                  (central stack only), the verifier role the stack creates
 *
 * `--print-trust` prints instead the role's IAM trust policy (tools/ci/trust.ts): for preview and deploy,
 * the policy to put on the role named in the stack file, built from central-logging:access.github; for
 * verify, the trust the central stack gives the verifier role.
 *
 * GitHub variable names allow only letters, digits and underscores, so per-stack roles cannot be
 * variables named after stacks such as workload-web; they live where the stack is described instead.
 * Stack names are checked against ^[A-Za-z0-9._-]+$ before any use. Exit 2 with one line when the stack
 * name, the stack file or the role is wrong or missing.
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigError, parseStackConfig } from "../../shared/config";
import { PolicySizeError, serializeWithinLimit } from "../../shared/iam";
import { arn } from "../../shared/naming";
import { runAsProcess } from "../common/cli";
import { readStackFile, StackFileError } from "../simulation/stackFiles";
import { ciTrustPolicy, TrustError, verifierSubjectProblem, verifierTrustPolicy } from "./trust";

export const USAGE = `usage: npm run --silent stack-access -- <stack> <preview|deploy|verify> [--dir DIR] [--print-trust]

  Prints role=, account=, region= and role-arn= lines for the stack's Pulumi.<stack>.yaml: the role ARN
  is central-logging:access.previewRoleArn (preview), central-logging:access.deployRoleArn (deploy), or
  the verifier role the central stack creates from central-logging:verifier (verify).

  --print-trust   print the role's IAM trust policy (JSON) instead: for preview and deploy, the trust to
                  give the role, pinned to the subjects of the workflow jobs that use it
                  (central-logging:access.github); for verify, the trust the central stack creates`;

/** Stack names reach file paths and workflow matrices: nothing but these characters. */
export const STACK_NAME = /^[A-Za-z0-9._-]+$/;

export function stackAccess(argv: string[]): { code: number; out: string; err: string } {
  if (argv.includes("--help")) return { code: 0, out: `${USAGE}\n`, err: "" };
  const [stack, purpose, ...rest] = argv;
  const fail = (message: string) => ({ code: 2, out: "", err: `stack-access: ${message}\n` });
  if (!stack || (purpose !== "preview" && purpose !== "deploy" && purpose !== "verify"))
    return fail(
      `(command line): expected <stack> <preview|deploy|verify>, got ${argv.join(" ") || "nothing"}`,
    );
  if (!STACK_NAME.test(stack))
    return fail(
      `(command line): <stack>: expected a stack name of letters, digits, . _ - only, got ${JSON.stringify(stack)}`,
    );
  let dir = ".";
  let printTrust = false;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === "--dir" && rest[i + 1] !== undefined) dir = rest[++i];
    else if (rest[i] === "--print-trust") printTrust = true;
    else return fail(`(command line): ${rest[i]}: unknown option`);
  }
  const file = path.join(dir, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) return fail(`${file}: (file): not found`);
  try {
    const config = parseStackConfig(stack, readStackFile(file).raw);
    if (printTrust) {
      const doc = purpose === "verify" ? verifierTrustPolicy(config) : ciTrustPolicy(config, purpose);
      const problem = purpose === "verify" ? verifierSubjectProblem(config) : undefined;
      if (problem) return fail(`${file}: ${problem}`);
      return {
        code: 0,
        out: `${serializeWithinLimit(`${stack} ${purpose} trust`, "trust", doc)}\n`,
        err: "",
      };
    }
    const line = (roleArn: string) => ({
      code: 0,
      out: `role=${config.role}\naccount=${config.accountId}\nregion=${config.region}\nrole-arn=${roleArn}\n`,
      err: "",
    });
    if (purpose === "verify") {
      if (config.role !== "central")
        return fail(
          `${file}: stack "${stack}": verify runs against the central stack, and ${stack} is a member stack`,
        );
      if (!config.verifierRoleName)
        return fail(
          `${file}: stack "${stack}": config key "central-logging:verifier": is required by the verify workflow: the read-only role it assumes (trust oidc for GitHub; docs/operations.md, "Verify delivery")`,
        );
      const problem = verifierSubjectProblem(config);
      if (problem) return fail(`${file}: ${problem}`);
      return line(arn.role(config.partition, config.accountId, config.verifierRoleName));
    }
    const key = purpose === "preview" ? "previewRoleArn" : "deployRoleArn";
    const roleArn = config.settings.access?.[key];
    if (!roleArn)
      return fail(
        `${file}: stack "${stack}": config key "central-logging:access.${key}": is required by the ${purpose} workflow: the role GitHub OIDC assumes in account ${config.accountId}`,
      );
    return line(roleArn);
  } catch (e) {
    if (e instanceof ConfigError || e instanceof TrustError || e instanceof PolicySizeError)
      return fail(`${file}: ${e.message}`);
    if (e instanceof StackFileError) return fail(e.message);
    throw e;
  }
}

if (require.main === module) runAsProcess("stack-access", async (argv) => stackAccess(argv));
