/**
 * The engine lane's scenario: the real Pulumi engine (CLI built by test/engine/build-cli.sh) runs the
 * example organization through `npm run fleet -- --inline`, with the stand-in AWS provider on PATH, a
 * file backend in a temporary folder, and the policy pack as an executable analyzer.
 *
 * What it proves that the mocks cannot: StackReference through a real backend (secrets included), the
 * pack in the engine's analyzer with the props the engine really sends (components show their
 * registered outputs), protect, a second preview with no changes, and one-line config errors.
 */
import { LocalWorkspace, PulumiCommand } from "@pulumi/pulumi/automation";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { NON_COMPLIANT_RULES, nonCompliantProgram } from "./nonCompliant";

const ROOT = path.join(__dirname, "..", "..");
const PULUMI_ROOT = process.env.CENTRAL_LOGGING_PULUMI_ROOT;
const PACK = path.join(ROOT, "policy-pack", "run-analyzer");

interface FleetRun {
  code: number;
  stdout: string;
  stderr: string;
  json?: { exitCode: number; stacks: any[] };
}

describe("the real Pulumi engine", function () {
  let work: string;
  let env: Record<string, string>;

  /** `npm run fleet -- ...` as a user runs it, with the engine lane's environment. */
  function fleet(dir: string, args: string[], extraEnv: Record<string, string> = {}): FleetRun {
    const json = path.join(work, `fleet-${Date.now()}.json`);
    const r = spawnSync(
      process.execPath,
      [
        "-r",
        "ts-node/register/transpile-only",
        path.join(ROOT, "tools/fleet/fleet.ts"),
        ...args,
        "--inline",
        "--dir",
        dir,
        "--pulumi-root",
        PULUMI_ROOT!,
        "--json",
        json,
      ],
      { cwd: ROOT, env: { ...process.env, ...env, ...extraEnv }, encoding: "utf8", maxBuffer: 1 << 28 },
    );
    process.stderr.write(
      r.stderr
        .split("\n")
        .map((l) => (l ? `      ${l}\n` : ""))
        .join(""),
    );
    return {
      code: r.status ?? -1,
      stdout: r.stdout,
      stderr: r.stderr,
      ...(fs.existsSync(json) ? { json: JSON.parse(fs.readFileSync(json, "utf8")) } : {}),
    };
  }

  async function workspaceStack(dir: string, stack: string, program?: () => Promise<any>) {
    const pulumiCommand = await PulumiCommand.get({ root: PULUMI_ROOT!, skipVersionCheck: true });
    const opts = { workDir: dir, envVars: env, pulumiCommand };
    return program
      ? LocalWorkspace.createOrSelectStack(
          { stackName: `organization/central-logging/${stack}`, projectName: "central-logging", program },
          opts,
        )
      : LocalWorkspace.selectStack(
          { stackName: `organization/central-logging/${stack}`, workDir: dir },
          opts,
        );
  }

  function copyProject(name: string, edit: (file: string, text: string) => string = (_f, t) => t): string {
    const dir = path.join(work, name);
    fs.mkdirSync(dir);
    for (const f of fs.readdirSync(ROOT).filter((f) => /^Pulumi(\.[^.]+)?\.yaml$/.test(f)))
      fs.writeFileSync(path.join(dir, f), edit(f, fs.readFileSync(path.join(ROOT, f), "utf8")));
    return dir;
  }

  const mandatory = (r: FleetRun) =>
    r.json!.stacks.flatMap((s) => s.violations.filter((v: any) => v.level === "mandatory"));

  before(function () {
    if (!PULUMI_ROOT)
      throw new Error(
        "run through `npm run test:engine`, which builds the CLI and sets CENTRAL_LOGGING_PULUMI_ROOT",
      );
    work = fs.mkdtempSync(path.join(os.tmpdir(), "central-logging-engine-"));
    fs.mkdirSync(path.join(work, "state"));
    env = {
      PATH: `${path.join(ROOT, "test/engine/standin-aws")}${path.delimiter}${process.env.PATH}`,
      PULUMI_BACKEND_URL: `file://${path.join(work, "state")}`,
      PULUMI_HOME: path.join(work, "pulumi-home"),
      PULUMI_CONFIG_PASSPHRASE: "engine-lane",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    };
  });

  describe("the example organization", function () {
    let project: string;
    before(() => {
      project = copyProject("example");
    });

    it("previews the central stack of a fresh organization with zero mandatory violations", () => {
      const r = fleet(project, ["preview", "--stacks", "central"]);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.json!.stacks[0]).to.include({ stack: "central", result: "succeeded" });
      // 69 archive resources (tamper alarms included), and the verifier role with its policy (central-logging:verifier in the example).
      expect(r.json!.stacks[0].changes.create).to.equal(73);
      expect(mandatory(r)).to.deep.equal([]);
    });

    it("runs `up` for the central stack, then every member through its StackReference, with zero mandatory violations", () => {
      const r = fleet(project, ["up", "--all"]);
      expect(r.code, r.stderr + r.stdout).to.equal(0);
      expect(r.json!.stacks.map((s: any) => [s.stack, s.result])).to.deep.equal([
        ["central", "succeeded"],
        ["management", "succeeded"],
        ["workload-web-us-east-1", "succeeded"],
        ["workload-web", "succeeded"],
      ]);
      expect(mandatory(r)).to.deep.equal([]);
      expect(r.stdout).to.match(/^stack\s+result\s+changes\s+policy violations\s+duration/);
    });

    it("resolves the real central outputs in the members, and keeps a central secret secret", async () => {
      const central = await (await workspaceStack(project, "central")).outputs();
      const keyArn = central.archive.value.keyArn;
      expect(keyArn).to.match(/^arn:aws:kms:eu-west-1:111111111111:key\//);
      expect(central.siemExternalId.secret).to.equal(true);
      for (const member of ["management", "workload-web-us-east-1", "workload-web"]) {
        const outputs = await (await workspaceStack(project, member)).outputs();
        expect(outputs.centralKeyArn.value, member).to.equal(keyArn);
        expect(outputs.centralStack.value).to.equal("organization/central-logging/central");
      }
      const probeDir = path.join(work, "secret-probe");
      fs.mkdirSync(probeDir);
      fs.writeFileSync(path.join(probeDir, "Pulumi.yaml"), "name: central-logging\nruntime: nodejs\n");
      const probe = await workspaceStack(probeDir, "secret-probe", async () => {
        const ref = new pulumi.StackReference("central", { name: "organization/central-logging/central" });
        return { externalId: ref.getOutput("siemExternalId") };
      });
      await probe.setConfig("aws:region", { value: "eu-west-1" });
      await probe.up();
      const out = await probe.outputs();
      expect(out.externalId.secret).to.equal(true);
      expect(out.externalId.value).to.equal("example-external-id-change-me");
      await probe.destroy();
    });

    it("reports no changes on a second preview", () => {
      const r = fleet(project, ["preview", "--all"]);
      expect(r.code, r.stderr).to.equal(0);
      for (const s of r.json!.stacks)
        expect(
          Object.keys(s.changes).filter((k) => k !== "same"),
          s.stack,
        ).to.deep.equal([]);
      expect(r.json!.stacks.map((s: any) => s.changes.same)).to.deep.equal([73, 18, 27, 28]);
    });

    it("refuses to destroy the central stack: its buckets and key are protected, and stay in the state", async () => {
      const r = fleet(project, ["destroy", "--stacks", "central", "--yes"]);
      expect(r.code).to.equal(1);
      expect(r.json!.stacks[0].result).to.equal("failed");
      expect(r.json!.stacks[0].error).to.match(/protect/);
      const state = (await (await workspaceStack(project, "central")).exportStack()).deployment;
      const types = state.resources.map((x: any) => x.type);
      expect(types.filter((t: string) => t === "aws:s3/bucket:Bucket")).to.have.length(4);
      expect(types).to.include("aws:kms/key:Key");
    });

    it("refuses a config error in one line, in the fleet command and in the engine, never with a stack trace", async () => {
      const bad = copyProject("bad", (f, text) =>
        f === "Pulumi.central.yaml" ? text.replace("o-a1b2c3d4e5", "o-123") : text,
      );
      const r = fleet(bad, ["preview", "--stacks", "central"]);
      expect(r.code).to.equal(2);
      expect(r.stderr.trim().split("\n")).to.deep.equal([
        `fleet: ${path.join(bad, "Pulumi.central.yaml")}: stack "central": config key "central-logging:organizationId": expected an AWS Organizations ID matching o-[a-z0-9]{10,32}, got "o-123"`,
      ]);
      // The same file straight into the engine: the program's ConfigError is a RunError.
      const stack = await workspaceStack(bad, "central", async () =>
        (require(path.join(ROOT, "index.ts")) as () => Promise<any>)(),
      );
      const failure = await stack.preview().then(
        () => undefined,
        (e: any) => String(e.message ?? e),
      );
      expect(failure).to.be.a("string");
      expect(failure).to.contain(
        'stack "central": config key "central-logging:organizationId": expected an AWS Organizations ID matching o-[a-z0-9]{10,32}, got "o-123"',
      );
      expect(failure).not.to.match(/^\s+at /m);
    });
  });

  describe("a deliberately non-compliant stack", function () {
    let dir: string;
    const preview = async (configs: string[]) => {
      const stack = await workspaceStack(dir, "non-compliant", async () => nonCompliantProgram());
      await stack.setConfig("aws:region", { value: "eu-west-1" });
      const events: any[] = [];
      const outcome = await stack
        .preview({
          policyPacks: [PACK],
          policyPackConfigs: configs,
          onEvent: (e) => e.policyEvent && events.push(e.policyEvent),
        })
        .then(
          () => "succeeded",
          () => "failed",
        );
      return { outcome, events };
    };
    before(() => {
      dir = path.join(work, "non-compliant");
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: central-logging\nruntime: nodejs\n");
      fs.writeFileSync(
        path.join(dir, "Pulumi.non-compliant.yaml"),
        'config:\n  aws:region: eu-west-1\n  aws:allowedAccountIds:\n    - "444444444444"\n',
      );
    });

    it("fails preview, naming each violated mandatory policy", async () => {
      const { outcome, events } = await preview([path.join(ROOT, "policy-pack", "config.central.json")]);
      expect(outcome).to.equal("failed");
      const names = new Set(
        events.filter((e) => e.enforcementLevel === "mandatory").map((e) => e.policyName),
      );
      expect([...names]).to.include.members(NON_COMPLIANT_RULES);
    });

    it("passes with warnings when a pack config makes those policies advisory", async () => {
      const first = await preview([path.join(ROOT, "policy-pack", "config.central.json")]);
      // The hand-made bucket breaks more than the four rules (encryption, versioning...): make every
      // policy the first preview named advisory.
      const named = [...new Set(first.events.map((e) => e.policyName as string))];
      expect(named).to.include.members(NON_COMPLIANT_RULES);
      const config = path.join(dir, "advisory.json");
      fs.writeFileSync(config, JSON.stringify(Object.fromEntries(named.map((r) => [r, "advisory"]))));
      const { outcome, events } = await preview([config]);
      expect(outcome).to.equal("succeeded");
      expect(events.filter((e) => e.enforcementLevel === "mandatory")).to.deep.equal([]);
      const advisory = new Set(
        events.filter((e) => e.enforcementLevel === "advisory").map((e) => e.policyName),
      );
      expect([...advisory]).to.include.members(NON_COMPLIANT_RULES);
    });
  });

  describe("an account-list organization", function () {
    it("runs `up` with zero mandatory violations and no changes on a second preview", () => {
      const dir = copyProject("account-list", (f, text) => {
        if (f === "Pulumi.central.yaml")
          return text
            .replace(/ {2}central-logging:organizationId: .*\n/, "")
            .replace(/ {2}central-logging:cloudTrail:\n(?: {4}.*\n)+/, "");
        if (f === "Pulumi.management.yaml")
          // No organization, no guardrails: the archive's bucket policies deny tampering on their own.
          return text
            .replace(/mode: organization\n\s+name: organization-trail/, "mode: account")
            .replace(/ {2}central-logging:guardrails:\n(?: {4}.*\n)+/, "");
        // The account's trail is multi-Region: its second Region's stack says so instead of making another.
        if (f === "Pulumi.workload-web-us-east-1.yaml")
          return text.replace(
            "  central-logging:waf:",
            "  central-logging:cloudTrail:\n    mode: covered-by-account-trail\n  central-logging:waf:",
          );
        return text;
      });
      const state = path.join(work, "state-account-list");
      fs.mkdirSync(state);
      const backend = { PULUMI_BACKEND_URL: `file://${state}` };
      // The pack configs of an account-list archive: the access model follows the central stack's mode.
      const configs = ["central", "member"].flatMap((role) => {
        const config = JSON.parse(
          fs.readFileSync(path.join(ROOT, "policy-pack", `config.${role}.json`), "utf8"),
        );
        config["archive-access-model"].mode = "account-list";
        const file = path.join(work, `account-list-${role}.json`);
        fs.writeFileSync(file, JSON.stringify(config));
        return ["--policy-pack-config", `${role}=${file}`];
      });
      const up = fleet(dir, ["up", "--all", ...configs], backend);
      expect(up.code, up.stderr).to.equal(0);
      expect(mandatory(up)).to.deep.equal([]);
      const again = fleet(dir, ["preview", "--all", ...configs], backend);
      expect(again.code).to.equal(0);
      for (const s of again.json!.stacks)
        expect(
          Object.keys(s.changes).filter((k) => k !== "same"),
          s.stack,
        ).to.deep.equal([]);
    });
  });
});
