import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  exitCodeOf,
  FleetStack,
  main,
  parseArgs,
  reasonOf,
  runFleet,
  StackResult,
  summaryTable,
  USAGE,
} from "../tools/fleet/fleet";

function project(extra: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-"));
  for (const f of fs.readdirSync(".").filter((f) => /^Pulumi(\.[^.]+)?\.yaml$/.test(f)))
    fs.copyFileSync(f, path.join(dir, f));
  for (const [name, text] of Object.entries(extra)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

const result = (
  s: FleetStack,
  outcome: StackResult["result"],
  extra: Partial<StackResult> = {},
): StackResult => ({
  stack: s.name,
  role: s.config.role,
  result: outcome,
  changes: { same: 1 },
  violations: [],
  durationSeconds: 0.1,
  ...extra,
});

describe("fleet command", () => {
  it("prints usage on --help and exits 0", async () => {
    const r = await main(["--help"]);
    expect(r.code).to.equal(0);
    expect(r.out).to.equal(`${USAGE}\n`);
    expect(r.out).to.contain("AWS_PROFILE");
  });

  it("refuses bad usage in one line with exit 2", async () => {
    const cases: [string[], RegExp][] = [
      [[], /expected a command \(preview, up, refresh, destroy\) first, got nothing/],
      [["deploy"], /got deploy/],
      [["preview", "--stacks", "a", "--all"], /--stacks and --all: give one of them/],
      [["preview", "--concurrency", "0"], /--concurrency: expected a whole number of at least 1/],
      [["destroy"], /destroy: add --yes/],
      [["preview", "--bogus"], /--bogus: unknown option/],
      [["preview", "--no-policy-pack", "--policy-pack-config", "x.json"], /needs a policy pack/],
      [["preview", "--stacks", "nope"], /--stacks: no Pulumi.nope.yaml/],
      [["preview", "--json", "/nonexistent/dir/r.json"], /--json: folder \/nonexistent\/dir does not exist/],
    ];
    for (const [argv, message] of cases) {
      const r = await main(argv);
      expect(r.code, argv.join(" ")).to.equal(2);
      expect(r.err).to.match(message);
      expect(r.err.trim().split("\n"), argv.join(" ")).to.have.length(1);
    }
  });

  it("validates every selected stack before running any, naming the file and the key", async () => {
    const dir = project({
      "Pulumi.broken.yaml":
        'config:\n  aws:region: eu-west-1\n  aws:allowedAccountIds: ["444444444444"]\n  central-logging:role: member\n  central-logging:centralStack: organization/central-logging/central\n  central-logging:access:\n    previewRoleArn: arn:aws:iam::111111111111:role/preview\n',
    });
    const r = await main(["preview", "--dir", dir]);
    expect(r.code).to.equal(2);
    expect(r.err).to.equal(
      `fleet: ${path.join(dir, "Pulumi.broken.yaml")}: stack "broken": config key "central-logging:access.previewRoleArn": expected a role of this stack's account 444444444444, got one of 111111111111\n`,
    );
  });

  it("runs the central stack first, then members with bounded concurrency, and skips members of a failed central", async () => {
    const order: string[] = [];
    let running = 0;
    let most = 0;
    const runner = (fail: string[]) => async (s: FleetStack) => {
      order.push(s.name);
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 20));
      running--;
      return result(s, fail.includes(s.name) ? "failed" : "succeeded");
    };
    const base = {
      command: "up" as const,
      concurrency: 1,
      inline: true,
      dir: ".",
      yes: false,
      policyPackConfigs: {},
    };
    const ok = await runFleet({ ...base, runner: runner([]) });
    expect(order).to.deep.equal(["central", "management", "workload-web-us-east-1", "workload-web"]);
    expect(most).to.equal(1);
    expect(ok.map((r) => r.result)).to.deep.equal(["succeeded", "succeeded", "succeeded", "succeeded"]);
    expect(exitCodeOf(ok)).to.equal(0);

    order.length = 0;
    const failed = await runFleet({ ...base, concurrency: 4, runner: runner(["central"]) });
    expect(order).to.deep.equal(["central"]);
    expect(failed.map((r) => [r.stack, r.result, r.error ?? ""])).to.deep.equal([
      ["central", "failed", ""],
      ["management", "skipped", "its central stack central failed"],
      ["workload-web-us-east-1", "skipped", "its central stack central failed"],
      ["workload-web", "skipped", "its central stack central failed"],
    ]);
    expect(exitCodeOf(failed)).to.equal(1);

    order.length = 0;
    await runFleet({ ...base, command: "destroy", yes: true, concurrency: 2, runner: runner([]) });
    expect(order.slice(0, 3)).to.have.members(["management", "workload-web-us-east-1", "workload-web"]);
    expect(order[3]).to.equal("central");
  });

  it("exits 1 on a mandatory violation even when every stack succeeded, and prints a summary table", () => {
    const results: StackResult[] = [
      {
        stack: "central",
        role: "central",
        result: "succeeded",
        changes: { create: 60 },
        violations: [{ policy: "kms-key-rotation-enabled", level: "mandatory", message: "off", urn: "u" }],
        durationSeconds: 9.94,
      },
      { stack: "web", role: "member", result: "skipped", changes: {}, violations: [], durationSeconds: 0 },
    ];
    expect(exitCodeOf(results)).to.equal(1);
    expect(summaryTable(results).split("\n")).to.deep.equal([
      "stack    result     changes    policy violations        duration",
      "-------  ---------  ---------  -----------------------  --------",
      "central  succeeded  60 create  1 mandatory, 0 advisory  9.9 s",
      "web      skipped    -          0 mandatory, 0 advisory  0.0 s",
    ]);
  });

  it("reduces the CLI's failure text to the one line that explains it", () => {
    expect(
      reasonOf(
        '+  pulumi:pulumi:Stack central-logging-x create error: stack "x": config key "central-logging:centralStack": stack "y" exports no "archive" output\n    at foo (bar.js:1:1)',
      ),
    ).to.equal('stack "x": config key "central-logging:centralStack": stack "y" exports no "archive" output');
    expect(
      reasonOf(
        'Diagnostics:\n  pulumi:pulumi:Stack:\n    error: resource "urn:x" cannot be deleted\n    because it is protected. To unprotect the resource, either remove the `protect` flag\n\n    error: update failed',
      ),
    ).to.equal(
      'resource "urn:x" cannot be deleted because it is protected. To unprotect the resource, either remove the `protect` flag',
    );
  });

  it("parses the documented options", () => {
    expect(
      parseArgs([
        "up",
        "--stacks",
        "a,b",
        "--concurrency",
        "8",
        "--inline",
        "--policy-pack",
        "p",
        "--json",
        "r.json",
      ]),
    ).to.deep.include({
      command: "up",
      stacks: ["a", "b"],
      concurrency: 8,
      inline: true,
      policyPack: "p",
      json: "r.json",
    });
  });
});
