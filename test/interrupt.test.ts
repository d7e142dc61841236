/**
 * An interrupted fleet or bench (Ctrl-C, a CI job's timeout) ends every process it started. The Pulumi
 * CLI here is a stand-in that behaves as the real one does where it matters: it starts its plugin (an
 * analyzer, say) in a process group of its own, out of reach of a terminal's Ctrl-C; on SIGINT it exits
 * without ending that plugin (what a real CLI killed with SIGTERM does), or it ignores signals altogether.
 * The commands run as the npm scripts run them (tools/compiled/run.js), in a process group of their own.
 */
import { expect } from "chai";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { carriesMark, descendantsOf, processTable, RUNS_VARIABLE } from "../tools/common/processes";
import { scaled } from "./helpers";

const root = path.join(__dirname, "..");

/** A stand-in CLI root: bin/pulumi answers `version`, and an operation hangs with a plugin of its own. */
function fakePulumi(): { root: string; state: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "interrupt-cli-"));
  fs.mkdirSync(path.join(dir, "bin"));
  fs.mkdirSync(path.join(dir, "state"));
  fs.writeFileSync(
    path.join(dir, "bin", "pulumi"),
    `#!/usr/bin/env bash
case "$1" in
  version) echo v3.274.1 ;;
  stack)
    # Selecting the stack (createOrSelectStack): slow when asked, so that an interruption can come first.
    echo "$$" > "$FAKE_PULUMI_STATE/select.pid"
    exec sleep "\${FAKE_PULUMI_SELECT_SECONDS:-0}"
    ;;
  preview|up|refresh|destroy)
    # As the real CLI: the first SIGINT cancels, which takes a while, then it ends its plugin and exits.
    # Node.js here, because bash merges two signals that arrive while it waits on a command.
    [ "$FAKE_PULUMI_MODE" = cancels-cleanly ] && exec "${process.execPath}" "${path.join(dir, "cancels-cleanly.js")}"
    [ "$FAKE_PULUMI_MODE" = ignores-signals ] && trap '' INT TERM HUP
    set -m
    sleep 600 </dev/null >/dev/null 2>&1 &
    echo "$!" > "$FAKE_PULUMI_STATE/plugin.pid"
    set +m
    [ "$FAKE_PULUMI_MODE" = ignores-signals ] || trap 'exit 1' INT
    echo "$$" > "$FAKE_PULUMI_STATE/cli.pid"
    sleep 600 </dev/null >/dev/null 2>&1 &
    wait $!
    ;;
esac
`,
    { mode: 0o755 },
  );
  fs.writeFileSync(
    path.join(dir, "cancels-cleanly.js"),
    `const { spawn } = require("child_process");
const fs = require("fs");
const state = process.env.FAKE_PULUMI_STATE;
const plugin = spawn("sleep", ["600"], { detached: true, stdio: "ignore" });
fs.writeFileSync(state + "/plugin.pid", String(plugin.pid));
fs.writeFileSync(state + "/cli.pid", String(process.pid));
let cancelling = false;
for (const name of ["SIGINT", "SIGTERM", "SIGHUP"])
  process.on(name, () => {
    // Every signal, recorded as it arrives.
    fs.appendFileSync(state + "/signals", name.slice(3) + "\\n");
    if (name !== "SIGINT" || cancelling) return;
    cancelling = true;
    setTimeout(() => {
      process.kill(plugin.pid, "SIGKILL");
      fs.writeFileSync(state + "/cancelled", "cancelled");
      process.exit(1);
    }, Number(process.env.FAKE_PULUMI_CANCEL_SECONDS) * 1000);
  });
setInterval(() => undefined, 1000);
`,
  );
  return { root: dir, state: path.join(dir, "state") };
}

function project(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "interrupt-project-"));
  for (const f of fs.readdirSync(root).filter((f) => /^Pulumi(\.[^.]+)?\.yaml$/.test(f)))
    fs.copyFileSync(path.join(root, f), path.join(dir, f));
  return dir;
}

/** Whether a process runs (a zombie waiting for its parent to read its status has ended). */
function running(pid: number): boolean {
  const p = processTable().find((t) => t.pid === pid);
  if (!p) return false;
  try {
    return !/^Z/.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1] ?? "");
  } catch {
    return false;
  }
}

async function until<T>(what: string, check: () => T | undefined, ms = scaled(60000)): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Run {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>;
}

/** A command as its npm script starts it, in a process group of its own (as a terminal's job is). */
/** The process groups the tests started: a failed test leaves none of them running (afterEach). */
const groups: number[] = [];

function start(args: string[], env: NodeJS.ProcessEnv): Run {
  const child = spawn(process.execPath, [path.join(root, "tools/compiled/run.js"), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  groups.push(child.pid!);
  let out = "";
  let err = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (err += d));
  const exited = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    out: string;
    err: string;
  }>((resolve) => child.on("close", (code, signal) => resolve({ code, signal, out, err })));
  return { child, exited };
}

/**
 * The fleet on the example's stack files, without the policy pack, with the stand-in CLI `cli` in `mode`
 * (and more of its settings in `env`).
 */
function startFleet(
  cli: { root: string; state: string },
  args: string[],
  mode: string,
  env: NodeJS.ProcessEnv = {},
): Run {
  return start(
    ["tools/fleet/fleet.ts", ...args, "--no-policy-pack", "--dir", project(), "--pulumi-root", cli.root],
    { FAKE_PULUMI_STATE: cli.state, FAKE_PULUMI_MODE: mode, ...env },
  );
}

const pidIn = (file: string) => (fs.existsSync(file) ? Number(fs.readFileSync(file, "utf8")) || 0 : 0);

describe("an interrupted fleet or bench", function () {
  this.timeout(scaled(120000));

  // A command a failed test left running is killed with everything below it (its detached workers, their
  // CLIs and plugins included: everything it started carries a mark with its process ID).
  afterEach(() => {
    for (const pgid of groups.splice(0)) {
      const below = (() => {
        try {
          return descendantsOf(pgid);
        } catch {
          return [];
        }
      })();
      for (const pid of [pgid, ...below.map((p) => p.pid)])
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // ended
        }
    }
  });

  it("marks what it starts: an environment entry a plugin keeps after its CLI died", () => {
    expect(carriesMark(`PATH=/bin\0${RUNS_VARIABLE}=11.22,33.44\0HOME=/`, "33.44")).to.equal(true);
    expect(carriesMark(`${RUNS_VARIABLE}=11.22\0`, "11.2")).to.equal(false);
    expect(carriesMark(`OTHER=${RUNS_VARIABLE}=33.44\0`, "33.44")).to.equal(false);
  });

  for (const [title, signal, whole] of [
    ["Ctrl-C", "SIGINT", false],
    ["a CI timeout's SIGTERM to the whole process group", "SIGTERM", true],
  ] as const)
    it(`fleet, on ${title}: interrupts the operation, starts no other stack, ends the CLI and the plugin it left behind`, async () => {
      const cli = fakePulumi();
      const run = startFleet(cli, ["preview", "--all"], "dies-on-interrupt");
      const plugin = await until("the plugin", () => pidIn(path.join(cli.state, "plugin.pid")));
      const pulumi = await until("the CLI", () => pidIn(path.join(cli.state, "cli.pid")));
      expect(running(plugin)).to.equal(true);
      process.kill(whole ? -run.child.pid! : run.child.pid!, signal);
      const r = await run.exited;
      // The summary says what ran: the central stack failed (interrupted), no member started.
      expect(r.out).to.match(/^central\s+failed\s/m);
      expect(r.out).to.match(/^workload-web\s+skipped\s/m);
      expect(r.code, r.err).to.equal(signal === "SIGINT" ? 130 : 143);
      expect(r.err).to.contain(`fleet: interrupted (${signal})`);
      await until("the CLI and its plugin to end", () => !running(plugin) && !running(pulumi), scaled(10000));
    });

  it("fleet --inline with worker processes, on Ctrl-C: the workers, their CLI and its plugin all end", async () => {
    const cli = fakePulumi();
    const run = startFleet(cli, ["preview", "--inline", "--concurrency", "2"], "dies-on-interrupt");
    const plugin = await until("the plugin", () => pidIn(path.join(cli.state, "plugin.pid")));
    const pulumi = await until("the CLI", () => pidIn(path.join(cli.state, "cli.pid")));
    const below = descendantsOf(run.child.pid!);
    expect(below.some((p) => /tools[/]fleet[/]worker\.(ts|js)/.test(p.command))).to.equal(true);
    process.kill(run.child.pid!, "SIGINT");
    const r = await run.exited;
    expect(r.code, r.err).to.equal(130);
    expect(r.out).to.match(/^central\s+failed\s/m);
    expect(r.err).to.contain("[central] preview failed");
    expect(r.err).to.contain("interrupted");
    await until(
      "the workers, the CLI and its plugin to end",
      () => !running(plugin) && !running(pulumi) && below.every((p) => !running(p.pid)),
      scaled(10000),
    );
  });

  it("fleet, on a terminal's Ctrl-C to its whole process group: each running CLI gets exactly one SIGINT (a second would make it terminate at once)", async () => {
    const cli = fakePulumi();
    const run = startFleet(cli, ["preview", "--all", "--inline"], "cancels-cleanly", {
      FAKE_PULUMI_CANCEL_SECONDS: "1",
    });
    const plugin = await until("the plugin", () => pidIn(path.join(cli.state, "plugin.pid")));
    const pulumi = await until("the CLI", () => pidIn(path.join(cli.state, "cli.pid")));
    process.kill(-run.child.pid!, "SIGINT");
    const r = await run.exited;
    expect(r.code, r.err).to.equal(130);
    expect(fs.readFileSync(path.join(cli.state, "signals"), "utf8")).to.equal("INT\n");
    expect(fs.existsSync(path.join(cli.state, "cancelled")), "the CLI cancelled on its own").to.equal(true);
    expect(r.out).to.match(/^central\s+failed\s/m);
    await until("the CLI and its plugin to end", () => !running(plugin) && !running(pulumi), scaled(10000));
  });

  it("fleet up, on a CI timeout's SIGTERM to its process group: waits for the CLI to cancel cleanly, past the preview's 10 s grace", async () => {
    const cli = fakePulumi();
    const run = startFleet(cli, ["up", "--stacks", "central"], "cancels-cleanly", {
      FAKE_PULUMI_CANCEL_SECONDS: "12",
    });
    const pulumi = await until("the CLI", () => pidIn(path.join(cli.state, "cli.pid")));
    const started = Date.now();
    process.kill(-run.child.pid!, "SIGTERM");
    const r = await run.exited;
    expect(r.code, r.err).to.equal(143);
    expect(Date.now() - started, "past the 10 s a preview gets").to.be.at.least(10500);
    expect(r.err).to.contain("waiting for the running operations to cancel cleanly");
    expect(fs.readFileSync(path.join(cli.state, "signals"), "utf8")).to.equal("INT\n");
    expect(fs.existsSync(path.join(cli.state, "cancelled")), "the CLI cancelled on its own").to.equal(true);
    expect(r.err).not.to.match(/killed \d+ process/);
    expect(running(pulumi)).to.equal(false);
  });

  it("fleet up, interrupted twice while its CLI cancels: kills everything at once", async () => {
    const cli = fakePulumi();
    const run = startFleet(cli, ["up", "--stacks", "central"], "cancels-cleanly", {
      FAKE_PULUMI_CANCEL_SECONDS: "60",
    });
    const plugin = await until("the plugin", () => pidIn(path.join(cli.state, "plugin.pid")));
    const pulumi = await until("the CLI", () => pidIn(path.join(cli.state, "cli.pid")));
    process.kill(-run.child.pid!, "SIGINT");
    await until(
      "the CLI to get its SIGINT",
      () => fs.existsSync(path.join(cli.state, "signals")),
      scaled(10000),
    );
    // Past the second within which the same signal counts as the first (npm passes Ctrl-C on too).
    await new Promise((r) => setTimeout(r, 1200));
    const started = Date.now();
    process.kill(-run.child.pid!, "SIGINT");
    const r = await run.exited;
    expect(r.code, r.err).to.equal(130);
    expect(Date.now() - started).to.be.below(scaled(5000));
    expect(fs.existsSync(path.join(cli.state, "cancelled"))).to.equal(false);
    expect(r.err).to.match(/killed \d+ process/);
    await until("the CLI and its plugin to end", () => !running(plugin) && !running(pulumi), scaled(10000));
  });

  it("npm run fleet -- up, with bash as npm's script shell, on one Ctrl-C: npm's copy of the signal is the same interruption, and the CLI cancels cleanly", async () => {
    const cli = fakePulumi();
    const child = spawn(
      "npm",
      [
        "run",
        "--silent",
        "fleet",
        "--",
        "up",
        "--stacks",
        "central",
        "--no-policy-pack",
        "--dir",
        project(),
      ].concat(["--pulumi-root", cli.root]),
      {
        cwd: root,
        env: {
          ...process.env,
          npm_config_script_shell: "/bin/bash",
          FAKE_PULUMI_STATE: cli.state,
          FAKE_PULUMI_MODE: "cancels-cleanly",
          FAKE_PULUMI_CANCEL_SECONDS: "2",
        },
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    groups.push(child.pid!);
    let err = "";
    child.stderr!.on("data", (d) => (err += d));
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    const pulumi = await until("the CLI", () => pidIn(path.join(cli.state, "cli.pid")));
    process.kill(-child.pid!, "SIGINT");
    const code = await exited;
    expect(err).to.contain("waiting for the running operations to cancel cleanly");
    expect(err).not.to.match(/killed \d+ process/);
    expect(fs.readFileSync(path.join(cli.state, "signals"), "utf8")).to.equal("INT\n");
    expect(fs.existsSync(path.join(cli.state, "cancelled")), "the CLI cancelled on its own").to.equal(true);
    expect(code).to.not.equal(0);
    expect(running(pulumi)).to.equal(false);
  });

  it("fleet up, interrupted while the stack is still being selected: the operation never starts", async () => {
    const cli = fakePulumi();
    const run = startFleet(cli, ["up", "--stacks", "central"], "cancels-cleanly", {
      FAKE_PULUMI_CANCEL_SECONDS: "1",
      FAKE_PULUMI_SELECT_SECONDS: "5",
    });
    const select = await until("the stack selection", () => pidIn(path.join(cli.state, "select.pid")));
    const started = Date.now();
    process.kill(-run.child.pid!, "SIGINT");
    const r = await run.exited;
    expect(r.code, r.err).to.equal(130);
    expect(Date.now() - started, "the selection was interrupted, not waited for").to.be.below(4000);
    expect(r.out).to.match(/^central\s+failed\s/m);
    expect(r.err).to.contain("[central] up failed");
    expect(fs.existsSync(path.join(cli.state, "cli.pid")), "no operation started").to.equal(false);
    expect(running(select)).to.equal(false);
  });

  it("fleet, with a CLI that ignores signals: a second signal ends the wait, and everything is killed", async () => {
    const cli = fakePulumi();
    const run = startFleet(cli, ["up", "--stacks", "central"], "ignores-signals");
    const plugin = await until("the plugin", () => pidIn(path.join(cli.state, "plugin.pid")));
    const pulumi = await until("the CLI", () => pidIn(path.join(cli.state, "cli.pid")));
    const started = Date.now();
    process.kill(run.child.pid!, "SIGTERM");
    // Past the second within which the same signal counts as the first (npm passes Ctrl-C on too).
    await new Promise((r) => setTimeout(r, 1200));
    expect(running(pulumi), "the CLI ignored the first signal").to.equal(true);
    process.kill(run.child.pid!, "SIGTERM");
    const r = await run.exited;
    expect(r.code, r.err).to.equal(143);
    expect(
      Date.now() - started,
      "an up waits for its CLI without a limit: the second signal ended it",
    ).to.be.below(scaled(8000));
    expect(r.err).to.match(/killed \d+ process/);
    await until("the CLI and its plugin to end", () => !running(plugin) && !running(pulumi), scaled(10000));
  });

  it("bench:engine, on SIGTERM while its fleet runs: the fleet, its CLI and the plugin all end", async () => {
    const cli = fakePulumi();
    // Without the pack: the README's two commands (npm ci, npm test) do not install its dependencies.
    const run = start(["tools/bench/engine.ts", "--no-policy-pack"], {
      FAKE_PULUMI_STATE: cli.state,
      FAKE_PULUMI_MODE: "dies-on-interrupt",
      CENTRAL_LOGGING_PULUMI_ROOT: cli.root,
    });
    const plugin = await until("the plugin", () => pidIn(path.join(cli.state, "plugin.pid")), scaled(120000));
    const below = descendantsOf(run.child.pid!);
    expect(below.some((p) => p.command.includes("tools/fleet/fleet"))).to.equal(true);
    process.kill(run.child.pid!, "SIGTERM");
    const r = await run.exited;
    expect(r.code, r.err).to.equal(143);
    await until(
      "every process below the bench to end",
      () => !running(plugin) && below.every((p) => !running(p.pid)),
      scaled(15000),
    );
  });

  it("bench, on Ctrl-C while a plan runs: the plan ends too", async () => {
    const run = start(["tools/bench/bench.ts", "--quick"], {});
    const plan = await until(
      "a plan",
      () => descendantsOf(run.child.pid!).find((p) => /tools[/]plan[/]plan\.(ts|js)/.test(p.command)),
      scaled(120000),
    );
    const below = descendantsOf(run.child.pid!);
    process.kill(run.child.pid!, "SIGINT");
    const r = await run.exited;
    expect(r.code, r.err).to.equal(130);
    await until(
      "the plan and everything below the bench to end",
      () => !running(plan.pid) && below.every((p) => !running(p.pid)),
      scaled(15000),
    );
  });
});
