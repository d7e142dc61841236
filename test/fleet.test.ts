import { expect } from "chai";
import { ChildProcess, fork, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  DEFAULT_CONCURRENCY,
  exitCodeOf,
  FleetStack,
  main,
  parseArgs,
  reasonOf,
  runFleet,
  StackResult,
  summaryTable,
  USAGE,
  StackJob,
  WorkerPool,
} from "../tools/fleet/fleet";

/** A stand-in Pulumi CLI root (DIR/bin/pulumi answers `version`), for checks that run before any stack. */
function fakePulumiRoot(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-cli-"));
  fs.mkdirSync(path.join(root, "bin"));
  fs.writeFileSync(path.join(root, "bin", "pulumi"), "#!/bin/sh\necho v3.274.1\n", { mode: 0o755 });
  return root;
}

/** Runs `fn` with PATH holding no `pulumi`. */
async function withoutPulumiOnPath<T>(fn: () => Promise<T>): Promise<T> {
  const saved = process.env.PATH;
  process.env.PATH = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-path-"));
  try {
    return await fn();
  } finally {
    process.env.PATH = saved;
  }
}

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
      [
        ["preview", "--stacks", "nope", "--no-policy-pack", "--pulumi-root", fakePulumiRoot()],
        /--stacks: no Pulumi.nope.yaml/,
      ],
      [["preview", "--json", "/nonexistent/dir/r.json"], /--json: folder \/nonexistent\/dir does not exist/],
      [
        ["preview", "--json", "Pulumi.central.yaml"],
        /--json: Pulumi.central.yaml is an input \(--dir\); writing it would destroy it/,
      ],
      [
        [
          "preview",
          "--policy-pack-config",
          "policy-pack/config.member.json",
          "--json",
          "policy-pack/config.member.json",
        ],
        /--json: policy-pack\/config.member.json is an input \(--policy-pack-config\)/,
      ],
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
    const r = await main(["preview", "--dir", dir, "--no-policy-pack", "--pulumi-root", fakePulumiRoot()]);
    expect(r.code).to.equal(2);
    expect(r.err).to.equal(
      `fleet: ${path.join(dir, "Pulumi.broken.yaml")}: stack "broken": config key "central-logging:access.previewRoleArn": expected a role of this stack's account 444444444444, got one of 111111111111\n`,
    );
  });

  it("reports every problem of the fleet in one run, one line each, before running any stack", async () => {
    const member = (account: string, central: string) =>
      `config:\n  aws:region: eu-west-1\n  aws:allowedAccountIds: ["${account}"]\n  central-logging:role: member\n  central-logging:centralStack: ${central}\n`;
    const dir = project({
      "Pulumi.typo.yaml": member("444444444444", "organization/central-logging/centrl"),
      "Pulumi.other.yaml": member("555555555555", "organization/other-project/central"),
      "Pulumi.legacy.yml": member("666666666666", "organization/central-logging/central"),
      "Pulumi.second-central.yaml": fs
        .readFileSync("Pulumi.central.yaml", "utf8")
        .replace(/111111111111/g, "777777777777"),
      "pack.json": JSON.stringify({ "kms-key-rotation-period": { maxRotationDays: 1 } }),
    });
    const r = await withoutPulumiOnPath(() =>
      main(["preview", "--dir", dir, "--policy-pack-config", `central=${path.join(dir, "pack.json")}`]),
    );
    expect(r.code).to.equal(2);
    const f = (name: string) => path.join(dir, name);
    // A fresh clone may not have the pack's dependencies yet: that is a line of its own (tested below).
    const lines = r.err
      .trim()
      .split("\n")
      .filter((l) => !l.includes("the pack's dependencies are not installed"));
    expect(lines).to.deep.equal([
      `fleet: ${f("Pulumi.legacy.yml")}: (file): Pulumi ignores it: it reads a stack's settings only from Pulumi.<stack>.yaml, with the extension of the project file Pulumi.yaml; rename it to Pulumi.legacy.yaml`,
      `fleet: ${f("Pulumi.other.yaml")}: stack "other": config key "central-logging:centralStack": names the project other-project; expected a stack of this project, organization/central-logging/<central stack>`,
      `fleet: ${f("Pulumi.typo.yaml")}: stack "typo": config key "central-logging:centralStack": names centrl, which has no Pulumi.centrl.yaml here; expected the central stack (central, second-central)`,
      `fleet: ${f("Pulumi.central.yaml")} and ${f("Pulumi.second-central.yaml")}: both create the S3 buckets central-logs-cloudtrail-example-org, central-logs-vpcflowlogs-example-org, aws-waf-logs-central-example-org, central-logs-access-example-org (central-logging:bucketSuffix is the same), and bucket names are global across all AWS accounts; the second would fail on them. Give each central stack its own central-logging:bucketSuffix`,
      `fleet: ${f("pack.json")}: kms-key-rotation-period.maxRotationDays: must be >= 90, got 1`,
      "fleet: (command line): no Pulumi CLI on PATH: install Pulumi (https://www.pulumi.com/docs/iac/download-install/), or build a CLI with test/engine/build-cli.sh and pass the folder it prints as --pulumi-root",
    ]);
  });

  it("says when a policy pack's dependencies are not installed, and how to install them", async () => {
    const pack = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-pack-"));
    fs.writeFileSync(path.join(pack, "package.json"), "{}\n");
    fs.writeFileSync(path.join(pack, "PulumiPolicy.yaml"), "runtime: nodejs\n");
    const r = await main(["preview", "--policy-pack", pack, "--pulumi-root", fakePulumiRoot()]);
    expect(r.code).to.equal(2);
    expect(r.err).to.equal(
      `fleet: (command line): --policy-pack: the pack's dependencies are not installed in ${pack}; run npm ci --prefix ${pack} first\n`,
    );
  });

  it("says the Pulumi CLI is missing and how to get one, in one line with exit 2, before anything runs", async () => {
    // Without the pack, whose dependencies a fresh clone may not have installed (a line of its own).
    const missing = await withoutPulumiOnPath(() => main(["preview", "--no-policy-pack"]));
    expect(missing.code).to.equal(2);
    expect(missing.err).to.equal(
      "fleet: (command line): no Pulumi CLI on PATH: install Pulumi (https://www.pulumi.com/docs/iac/download-install/), or build a CLI with test/engine/build-cli.sh and pass the folder it prints as --pulumi-root\n",
    );
    const broken = fakePulumiRoot();
    fs.writeFileSync(path.join(broken, "bin", "pulumi"), "#!/bin/sh\necho boom >&2\nexit 1\n");
    for (const [root, message] of [
      [
        "/nonexistent",
        "fleet: (command line): --pulumi-root /nonexistent: no Pulumi CLI at /nonexistent/bin/pulumi; install Pulumi",
      ],
      [broken, `fleet: (command line): --pulumi-root ${broken}: ${broken}/bin/pulumi does not run (`],
    ]) {
      const r = await main(["preview", "--no-policy-pack", "--pulumi-root", root]);
      expect(r.code, root).to.equal(2);
      expect(r.err.startsWith(message), r.err).to.equal(true);
      expect(r.err).to.contain("test/engine/build-cli.sh");
      expect(r.err.trim().split("\n"), root).to.have.length(1);
    }
    // As a process, the way users run it: one line, exit 2, never an internal error.
    const p = spawnSync(
      process.execPath,
      [
        "-r",
        require.resolve("ts-node/register/transpile-only"),
        "tools/fleet/fleet.ts",
        "preview",
        "--no-policy-pack",
        "--pulumi-root",
        "/nonexistent",
      ],
      { encoding: "utf8" },
    );
    expect(p.status).to.equal(2);
    expect(p.stderr.trim().split("\n")).to.have.length(1);
    expect(p.stderr).to.match(/^fleet: \(command line\): --pulumi-root \/nonexistent: no Pulumi CLI at/);
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

  it("says to log in when the CLI has no backend, without the Automation API's framing", () => {
    expect(
      reasonOf(
        "code: 3\n stdout: \n stderr: error: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions\n err?: Error: Command failed with exit code 3: pulumi stack select",
      ),
    ).to.equal(
      "PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions; log in to the stacks' backend first: pulumi login (README, Deploy for real)",
    );
  });

  describe("worker processes", () => {
    /** A stand-in worker: answers each stack with a result, then behaves as `after` says. */
    function standInWorker(after: "stays" | "exits" | "dies-before-result") {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "worker-")), "worker.js");
      fs.writeFileSync(
        file,
        `process.on("message", (m) => {
  if (m.type !== "run") return;
  if (${JSON.stringify(after)} === "dies-before-result") process.exit(3);
  process.send({ type: "progress", message: "[" + m.job.stack.name + "] ran in " + process.pid });
  process.send({ type: "result", result: { stack: m.job.stack.name, role: "member", result: "succeeded", changes: {}, violations: [], durationSeconds: 0 } });
  if (${JSON.stringify(after)} === "exits") setTimeout(() => process.exit(0), 50);
});
process.on("disconnect", () => process.exit(0));
`,
      );
      const started: ChildProcess[] = [];
      const forkWorker = () => {
        const w = fork(file, [], { stdio: ["ignore", "ignore", "ignore", "ipc"] });
        started.push(w);
        return w;
      };
      return { forkWorker, started };
    }
    const job = (name: string) =>
      ({ stack: { name, config: { role: "member" } }, command: "preview" }) as unknown as StackJob;

    it("reuses a worker for the next stack, one stack at a time each", async () => {
      const { forkWorker, started } = standInWorker("stays");
      const lines: string[] = [];
      const pool = new WorkerPool(2, (m) => lines.push(m), undefined, forkWorker);
      const [a, b] = await Promise.all([pool.run(job("a")), pool.run(job("b"))]);
      const c = await pool.run(job("c"));
      await pool.close();
      expect([a.result, b.result, c.result]).to.deep.equal(["succeeded", "succeeded", "succeeded"]);
      expect(started).to.have.length(2);
      expect(lines).to.have.length(3);
    });

    it("never hands a stack to a worker that ended while idle: it starts another", async () => {
      const { forkWorker, started } = standInWorker("exits");
      const pool = new WorkerPool(1, () => undefined, undefined, forkWorker);
      expect((await pool.run(job("a"))).result).to.equal("succeeded");
      await new Promise<void>((resolve) => started[0].once("exit", () => resolve()));
      const b = await pool.run(job("b"));
      await pool.close();
      expect(b.result, b.error).to.equal("succeeded");
      expect(started).to.have.length(2);
    });

    it("fails only the stack whose worker ended before its result, and names why", async () => {
      const { forkWorker } = standInWorker("dies-before-result");
      const pool = new WorkerPool(1, () => undefined, undefined, forkWorker);
      const a = await pool.run(job("a"));
      const b = await pool.run(job("b"));
      await pool.close();
      expect(a).to.deep.include({ stack: "a", result: "failed" });
      expect(a.error).to.equal("its worker process ended (exit code 3) before the stack's result");
      expect(b).to.deep.include({ stack: "b", result: "failed" });
    });
  });

  it("runs as many stacks at a time as the machine has cores by default, and says how many", () => {
    expect(DEFAULT_CONCURRENCY).to.equal(os.availableParallelism());
    expect(parseArgs(["preview"])).to.deep.include({ concurrency: DEFAULT_CONCURRENCY });
    expect(USAGE).to.contain(`(default: the machine's cores, ${DEFAULT_CONCURRENCY} here)`);
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
