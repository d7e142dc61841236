/**
 * The AWS trust of the roles the GitHub workflows assume, built from the stack files and from one table
 * of which workflow job uses which role.
 *
 * GitHub's default subject (`sub`) claim holds the environment of a job that names one and nothing else:
 * `repo:<owner>/<repo>:environment:<name>`, with no branch (GitHub docs, OpenID Connect reference,
 * "Filtering for a specific environment"). Since every job that needs a backend secret must name an
 * environment (secrets live only there), a trust on the default subject cannot tell `main` from a
 * pull request's branch that adds `environment: central` to its own copy of a workflow. So the project
 * asks the repository for a customised subject with the claim keys `repo`, `context` and `ref`
 * (REST API `PUT /repos/{owner}/{repo}/actions/oidc/customization/sub`, GitHub docs "Customizing the
 * subject claims for an organization or repository"): the subject then always carries the ref as well,
 * `repo:<owner>/<repo>:environment:central:ref:refs/heads/main`, and each trust pins both. `ref` is
 * documented for every job ("The git ref that triggered the workflow run"); `job_workflow_ref` is
 * documented for reusable workflows only, so it is not used.
 *
 * Until the template is set, every job sends the default subject, which no trust here matches: the
 * roles fail closed.
 */
import { encryptionContextConditionHolds } from "../access/evaluator";
import { readerTrustPolicy } from "../../central/siemPolicies";
import { GithubAccess, oidcProviderUrl, StackConfig } from "../../shared/config";
import { asList, PolicyDocument, PolicyStatement, policy } from "../../shared/iam";
import { PROJECT } from "../../shared/naming";

export const GITHUB_OIDC_PROVIDER = "token.actions.githubusercontent.com";
/** What aws-actions/configure-aws-credentials requests as the audience by default. */
export const GITHUB_AUDIENCE = "sts.amazonaws.com";
/** The customised subject template the repository must use (docs/operations.md, "GitHub settings"). */
export const SUBJECT_CLAIM_KEYS = ["repo", "context", "ref"] as const;

export type Purpose = "preview" | "deploy" | "verify";

/** One workflow job that assumes a role: its environment and the refs it is meant to run from. */
export interface RoleUse {
  workflow: string;
  job: string;
  environment: string;
  /** The ref the trust admits; `*` only for the pull request number of `refs/pull/<n>/merge`. */
  ref: string;
  /** The roles of the stacks whose role this job assumes. */
  stackRoles: ("central" | "member")[];
}

const MAIN = "refs/heads/main";
/** GitHub runs a pull_request workflow on the merge ref `refs/pull/<number>/merge`. */
const PULL_REQUEST_REF = "refs/pull/*/merge";

/**
 * Which job uses which role. test/trust.test.ts reads the workflows and proves this table right: every
 * job that assumes a role is here, with the environment it names and the refs its triggers give.
 */
export const ROLE_USES: Record<Purpose, RoleUse[]> = {
  deploy: [
    { workflow: "deploy.yml", job: "central", environment: "central", ref: MAIN, stackRoles: ["central"] },
    { workflow: "deploy.yml", job: "members", environment: "members", ref: MAIN, stackRoles: ["member"] },
  ],
  preview: [
    {
      workflow: "pull-request.yml",
      job: "preview",
      environment: "preview",
      ref: PULL_REQUEST_REF,
      stackRoles: ["central", "member"],
    },
    { workflow: "verify.yml", job: "verify", environment: "verify", ref: MAIN, stackRoles: ["central"] },
  ],
  verify: [
    { workflow: "verify.yml", job: "verify", environment: "verify", ref: MAIN, stackRoles: ["central"] },
  ],
};

/** GitHub replaces `:` inside a claim value with `%3A` in the subject (OpenID Connect reference). */
const escape = (value: string) => value.replace(/:/g, "%3A");

/** The `repo:` segment of every subject, in the stack's subject format. */
export function repoSegment(github: GithubAccess): string {
  const [owner, repo] = github.repository.split("/");
  return github.subjectFormat === "immutable"
    ? `repo:${owner}@${github.ownerId}/${repo}@${github.repositoryId}`
    : `repo:${owner}/${repo}`;
}

/** What a job runs as, as far as its subject is concerned. */
export interface JobRun {
  event: string;
  ref: string;
  environment?: string;
}

/** The `context` part of the default subject: the environment, else pull_request, else the ref. */
function context(run: JobRun): string {
  if (run.environment) return `environment:${escape(run.environment)}`;
  if (run.event === "pull_request") return "pull_request";
  return `ref:${escape(run.ref)}`;
}

/** The subject GitHub sends with the template `repo`, `context`, `ref`. */
export function templateSubject(github: GithubAccess, run: JobRun): string {
  return `${repoSegment(github)}:${context(run)}:ref:${escape(run.ref)}`;
}

/** The subject GitHub sends without a customised template (the repository's default). */
export function defaultSubject(github: GithubAccess, run: JobRun): string {
  return `${repoSegment(github)}:${context(run)}`;
}

/** The subject a role use admits (with `*` where the pull request number goes). */
export function admittedSubject(github: GithubAccess, use: RoleUse): string {
  return `${repoSegment(github)}:environment:${escape(use.environment)}:ref:${use.ref}`;
}

export function githubProviderArn(config: StackConfig): string {
  return `arn:${config.partition}:iam::${config.accountId}:oidc-provider/${GITHUB_OIDC_PROVIDER}`;
}

const pascal = (text: string) =>
  text
    .split(/[^A-Za-z0-9]+/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");
/** DeployCentralOnMain, PullRequestPreviewOnPullRequests, VerifyVerifyOnMain. */
const sidOf = (use: RoleUse) =>
  `${pascal(use.workflow.replace(/\.ya?ml$/, ""))}${pascal(use.job)}${use.ref === MAIN ? "OnMain" : "OnPullRequests"}`;

/** A one-line problem with the stack file, naming the key (stack-access prints it and exits 2). */
export class TrustError extends Error {}

/**
 * The trust policy of a CI role (preview or deploy) of one stack: one statement per job that uses it,
 * each pinning the audience and the exact subject that job sends from its environment and ref.
 */
export function ciTrustPolicy(config: StackConfig, purpose: "preview" | "deploy"): PolicyDocument {
  const github = config.settings.access?.github;
  if (!github)
    throw new TrustError(
      `stack "${config.stack}": config key "${PROJECT}:access.github": is required to build the trust of the ${purpose} role: expected repository (<owner>/<repo>) and subjectFormat (classic or immutable)`,
    );
  const provider = githubProviderArn(config);
  const statements: PolicyStatement[] = ROLE_USES[purpose]
    .filter((use) => use.stackRoles.includes(config.role))
    .map((use) => {
      const subject = admittedSubject(github, use);
      return {
        Sid: sidOf(use),
        Effect: "Allow",
        Principal: { Federated: provider },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${GITHUB_OIDC_PROVIDER}:aud`]: GITHUB_AUDIENCE,
            ...(subject.includes("*") ? {} : { [`${GITHUB_OIDC_PROVIDER}:sub`]: subject }),
          },
          // Only the pull request number is left open, and only inside refs/pull/<n>/merge.
          ...(subject.includes("*") ? { StringLike: { [`${GITHUB_OIDC_PROVIDER}:sub`]: subject } } : {}),
        },
      };
    });
  return policy(statements);
}

/** The verifier's trust as the central stack creates it (central/siemPolicies.ts). */
export function verifierTrustPolicy(config: StackConfig): PolicyDocument {
  if (config.role !== "central" || !config.settings.verifier)
    throw new TrustError(
      `stack "${config.stack}": config key "${PROJECT}:verifier": is required: the verify workflow assumes the verifier role the central stack creates from it`,
    );
  return readerTrustPolicy(config.partition, config.settings.verifier, "Verifier");
}

/**
 * With `access.github` set and a GitHub OIDC verifier, its subject must be the one the verify job sends;
 * otherwise the scheduled run is refused by AWS with nothing but AccessDenied to go on.
 */
export function verifierSubjectProblem(config: StackConfig): string | undefined {
  if (config.role !== "central") return undefined;
  const github = config.settings.access?.github;
  const verifier = config.settings.verifier;
  if (!github || verifier?.trust !== "oidc" || oidcProviderUrl(verifier.providerArn) !== GITHUB_OIDC_PROVIDER)
    return undefined;
  const expected = ROLE_USES.verify.map((use) => admittedSubject(github, use));
  if (verifier.subject !== undefined && expected.includes(verifier.subject)) return undefined;
  return `stack "${config.stack}": config key "${PROJECT}:verifier.subject": expected ${expected.join(" or ")} (what the verify job of .github/workflows/verify.yml sends, environment and ref, with the subject template ${SUBJECT_CLAIM_KEYS.join(", ")}), got ${verifier.subject ?? "nothing"}`;
}

/** The claims of a GitHub OIDC token as far as a trust policy looks at them. */
export interface OidcToken {
  providerArn: string;
  aud: string;
  sub: string;
}

/**
 * Whether a trust policy lets a web-identity token assume the role: some Allow statement for
 * sts:AssumeRoleWithWebIdentity names the provider and every one of its conditions holds (StringEquals,
 * StringLike, as IAM evaluates them). The trusts here have no Deny statements.
 */
export function admits(doc: PolicyDocument, token: OidcToken): boolean {
  const provider = oidcProviderUrl(token.providerArn);
  const context = { [`${provider}:aud`]: token.aud, [`${provider}:sub`]: token.sub };
  return doc.Statement.some((s) => {
    if (s.Effect !== "Allow" || !asList(s.Action).includes("sts:AssumeRoleWithWebIdentity")) return false;
    const federated = s.Principal && s.Principal !== "*" ? asList(s.Principal.Federated) : [];
    if (!federated.includes(token.providerArn)) return false;
    return Object.entries(s.Condition ?? {}).every(([operator, entries]) =>
      Object.entries(entries as Record<string, string | string[]>).every(([key, expected]) =>
        encryptionContextConditionHolds(operator, key, asList(expected), context),
      ),
    );
  });
}
