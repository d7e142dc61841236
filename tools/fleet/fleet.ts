/**
 * `npm run fleet -- <preview|up|refresh|destroy> [options]`: one Pulumi operation over the project's
 * stacks, the central stack first and then the members with bounded concurrency (members first for
 * destroy), through the Pulumi Automation API. Prints progress per stack on stderr and a summary table
 * on stdout. Run `npm run fleet -- --help` for the options.
 *
 * Exit status: 0 every stack succeeded; 1 a stack failed, was skipped, or raised a mandatory policy
 * violation; 2 usage or configuration errors (one line).
 */
import { ChildProcess, fork } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { StackConfig } from "../../shared/config";
import { PROJECT } from "../../shared/naming";
import { readStackFolder, StackFileError } from "../simulation/stackFiles";
import { checkStackSet } from "../simulation/stackSet";
import {
  bounded,
  runAsProcess,
  textTable,
  UsageError,
  eachFlag,
  addPackConfig,
  checkPackConfigs,
  PackConfigFiles,
  problemLines,
  checkOutputsAreNotInputs,
  projectFiles,
} from "../common/cli";
import { readPackConfig } from "../common/packConfig";
import { PROJECT_ROOT } from "../common/root";
import { endEverythingOnSignal, interruptChildrenOnAbort } from "../common/processes";
import { debugRequested, withoutStackTraces } from "../common/stackTraces";

// Plain JavaScript in the pack's folder, never compiled: required from there, from dist/ too.
const packSources = require(path.join(PROJECT_ROOT, "policy-pack", "sources")) as {
  compiledIsCurrent(dir: string): boolean;
};

export const COMMANDS = ["preview", "up", "refresh", "destroy"] as const;
export type FleetCommand = (typeof COMMANDS)[number];

/**
 * Stacks at a time by default: the machine's cores. A stack's operation keeps about a core busy (the CLI,
 * the analyzer, the provider, the program) while it also waits on them in turn: on 2 cores, 2 at a time
 * took half as long as 1, and 4 or 8 no less than 2.
 */
export const DEFAULT_CONCURRENCY = Math.max(1, os.availableParallelism());

export const USAGE = `usage: npm run fleet -- <preview|up|refresh|destroy> [options]

  Runs one Pulumi operation over the project's stacks: the central stack first, then the members with
  bounded concurrency (destroy: members first). A member whose central stack failed is skipped.

  --stacks a,b            only these stacks (names of Pulumi.<stack>.yaml files)
  --all                   every stack of the project (the default)
  --concurrency N         members run N at a time (default: the machine's cores, ${DEFAULT_CONCURRENCY} here)
  --inline                run the programs through the Automation API instead of the Node.js language
                          host (the Pulumi CLI is still needed), in the fleet's worker processes, one
                          stack at a time each (the Node.js SDK hands an uncaught error to every
                          program running in a process)
  --policy-pack PATH      a policy pack folder, or an executable analyzer such as
                          policy-pack/run-analyzer (default: policy-pack, or policy-pack/run-analyzer
                          with --inline)
  --no-policy-pack        run without the policy pack
  --policy-pack-config F  the pack config for every stack, or ROLE=F for the stacks of one role
                          (central or member; default: policy-pack/config.<role>.json when the
                          project's own pack is used)
  --json FILE             also write the results as JSON to FILE
  --dir DIR               the folder of Pulumi.yaml and the stack files (default: the current folder)
  --org ORG               the Pulumi organization in stack names (default: taken from the members'
                          centralStack, else "organization", as on a self-managed backend)
  --pulumi-root DIR       use the Pulumi CLI at DIR/bin/pulumi instead of the one on PATH
  --yes                   required by destroy
  --help                  this text

  Credentials: each stack runs with AWS_REGION set to its Region and, when its config sets
  central-logging:access.profile, AWS_PROFILE set to that profile; otherwise with the ambient
  credentials. Every stack pins its account with aws:allowedAccountIds, so a stack never runs against
  the wrong account.

  Interrupted (Ctrl-C, SIGTERM, SIGHUP), it interrupts each running Pulumi operation once, as one
  Ctrl-C would, starts no other stack, waits for the operations (a preview at most 10 s; an up,
  refresh or destroy until its CLI has cancelled cleanly; a second signal stops the wait), and ends
  every process it started, the CLI's analyzers and providers included.

  Exit status: 0 every stack succeeded; 1 a stack failed, was skipped or raised a mandatory policy
  violation; 2 usage or configuration errors; 128 + the signal's number when interrupted (130 for
  Ctrl-C).`;

/** This project's folder: the program `--inline` runs and the default policy pack. */
const ROOT = PROJECT_ROOT;

export interface FleetArgs {
  command: FleetCommand;
  stacks?: string[];
  concurrency: number;
  inline: boolean;
  policyPack?: string | false;
  /** Pack configs: for every stack, or per role. */
  policyPackConfigs: PackConfigFiles;
  json?: string;
  dir: string;
  org?: string;
  pulumiRoot?: string;
  yes: boolean;
}

export function parseArgs(argv: string[]): FleetArgs | "help" {
  if (argv.includes("--help") || argv.includes("-h")) return "help";
  const [command, ...rest] = argv;
  if (!COMMANDS.includes(command as FleetCommand))
    throw new UsageError(
      `(command line): expected a command (${COMMANDS.join(", ")}) first, got ${command ?? "nothing"}; see --help`,
    );
  const args: FleetArgs = {
    command: command as FleetCommand,
    concurrency: DEFAULT_CONCURRENCY,
    inline: false,
    dir: ".",
    yes: false,
    policyPackConfigs: {},
  };
  let all = false;
  eachFlag(rest, (flag, value) => {
    if (flag === "--stacks") args.stacks = value().split(",").filter(Boolean);
    else if (flag === "--all") all = true;
    else if (flag === "--concurrency") {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1)
        throw new UsageError(`(command line): --concurrency: expected a whole number of at least 1`);
      args.concurrency = n;
    } else if (flag === "--inline") args.inline = true;
    else if (flag === "--policy-pack") args.policyPack = value();
    else if (flag === "--no-policy-pack") args.policyPack = false;
    else if (flag === "--policy-pack-config") addPackConfig(args.policyPackConfigs, value());
    else if (flag === "--json") args.json = value();
    else if (flag === "--dir") args.dir = value();
    else if (flag === "--org") args.org = value();
    else if (flag === "--pulumi-root") args.pulumiRoot = value();
    else if (flag === "--yes") args.yes = true;
    else throw new UsageError(`(command line): ${flag}: unknown option; see --help`);
  });
  if (all && args.stacks) throw new UsageError("(command line): --stacks and --all: give one of them");
  checkPackConfigs(args.policyPackConfigs);
  if (args.policyPack === false && Object.keys(args.policyPackConfigs).length)
    throw new UsageError("(command line): --policy-pack-config needs a policy pack; drop --no-policy-pack");
  if (args.command === "destroy" && !args.yes)
    throw new UsageError(
      "(command line): destroy: add --yes to confirm; protected resources are refused anyway",
    );
  return args;
}

export interface FleetStack {
  name: string;
  file: string;
  config: StackConfig;
  /** The central stack this member reads, by stack name, when it is one of the project's. */
  central?: string;
}

/**
 * Reads and validates the selected stacks before anything runs: every file's configuration, each
 * member's centralStack, and names two stacks would both create. Throws a UsageError listing every problem.
 */
export function loadFleet(
  dir: string,
  only?: string[],
  org?: string,
): { stacks: FleetStack[]; organization: string } {
  if (!fs.existsSync(path.join(dir, "Pulumi.yaml")))
    throw new UsageError(
      `${path.join(dir, "Pulumi.yaml")}: (file): not found; --dir must name the project folder`,
    );
  const { files, problems } = readStackFolder(dir);
  const known = files.map((f) => f.stack);
  for (const name of only ?? [])
    if (!known.includes(name))
      throw new UsageError(
        `(command line): --stacks: no Pulumi.${name}.yaml in ${dir} (stacks: ${known.join(", ")})`,
      );
  const selected = only ? files.filter((f) => only.includes(f.stack)) : files;
  if (!selected.length && !problems.length)
    throw new UsageError(`${dir}: (folder): has no Pulumi.<stack>.yaml files`);
  const { stacks, organization } = checkStackSet(selected, {
    organization: org,
    problems,
    centralStacks: "in-folder-if-any",
    folder: files,
  });
  return {
    organization,
    stacks: stacks.map(({ file: f, config }) => {
      const central = config.role === "member" ? config.settings.centralStack.split("/").pop() : undefined;
      return {
        name: f.stack,
        file: f.file,
        config,
        ...(central && known.includes(central) ? { central } : {}),
      };
    }),
  };
}

export interface PolicyViolation {
  policy: string;
  level: string;
  message: string;
  urn: string;
}

export interface StackResult {
  stack: string;
  role: "central" | "member";
  result: "succeeded" | "failed" | "skipped";
  /** Resource changes by operation, as the engine counts them (create, update, delete, same...). */
  changes: Record<string, number>;
  violations: PolicyViolation[];
  durationSeconds: number;
  /** With --inline: how long the program itself ran, from its call until it returned its outputs. */
  programSeconds?: number;
  error?: string;
}

/** The message that explains a failure, in one line, without the CLI's framing or a stack trace. */
export function reasonOf(text: string): string {
  const lines = text.split("\n").map((l) => l.trim().replace(/^stderr:\s*/, ""));
  const config = lines.map((l) => /stack "[^"]+": config key ".*$/.exec(l)?.[0]).find(Boolean);
  if (config) return config;
  const at = lines.findIndex((l) => /^error:/.test(l) && !/(update|preview|refresh|destroy) failed/.test(l));
  if (at < 0) return lines.find((l) => l && !/^at /.test(l)) ?? "failed";
  // The CLI wraps long messages: keep the lines that continue the first error.
  const message: string[] = [lines[at].replace(/^error:\s*/, "")];
  for (const l of lines.slice(at + 1, at + 4)) {
    // The Automation API's own framing (err?:, stdout:, code:) is not the CLI's message.
    if (!l || /^(error|warning|err\?|stdout|stderr|code):/.test(l) || /^at /.test(l)) break;
    message.push(l);
  }
  const reason = message.join(" ");
  return /PULUMI_ACCESS_TOKEN must be set|not logged in/i.test(reason)
    ? `${reason}; log in to the stacks' backend first: pulumi login (README, Deploy for real)`
    : reason;
}

export function summaryTable(results: StackResult[]): string {
  const rows = results.map((r) => {
    const changes = Object.entries(r.changes)
      .filter(([, n]) => n > 0)
      .map(([op, n]) => `${n} ${op}`)
      .join(", ");
    const mandatory = r.violations.filter((v) => v.level === "mandatory").length;
    const advisory = r.violations.length - mandatory;
    return [
      r.stack,
      r.result,
      changes || "-",
      `${mandatory} mandatory, ${advisory} advisory`,
      `${r.durationSeconds.toFixed(1)} s`,
    ];
  });
  const header = ["stack", "result", "changes", "policy violations", "duration"];
  return textTable(header, rows, { rule: true });
}

export function exitCodeOf(results: StackResult[]): 0 | 1 {
  return results.every((r) => r.result === "succeeded" && !r.violations.some((v) => v.level === "mandatory"))
    ? 0
    : 1;
}

export interface FleetRunOptions extends FleetArgs {
  progress?: (message: string) => void;
  /** Extra environment for every stack's Pulumi process. */
  env?: Record<string, string>;
  /** Runs one stack; the Automation API by default (tests replace it to check ordering and skips). */
  runner?: (stack: FleetStack) => Promise<StackResult>;
  /** Aborted: the running operations are interrupted and no other stack starts. */
  signal?: AbortSignal;
}

export const GET_A_PULUMI_CLI =
  "install Pulumi (https://www.pulumi.com/docs/iac/download-install/), or build a CLI with test/engine/build-cli.sh and pass the folder it prints as --pulumi-root";

/** An executable file named `name` in a folder of PATH, if any. */
function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * The Pulumi CLI the fleet runs: DIR/bin/pulumi of --pulumi-root (or CENTRAL_LOGGING_PULUMI_ROOT), else
 * `pulumi` on PATH. Without one, a UsageError that says how to get one.
 */
export async function pulumiCli(root: string | undefined) {
  const { PulumiCommand } = await import("@pulumi/pulumi/automation");
  if (!root) {
    if (!onPath("pulumi")) throw new UsageError(`(command line): no Pulumi CLI on PATH: ${GET_A_PULUMI_CLI}`);
    return undefined;
  }
  const option =
    process.env.CENTRAL_LOGGING_PULUMI_ROOT === root ? "CENTRAL_LOGGING_PULUMI_ROOT" : "--pulumi-root";
  const bin = path.join(path.resolve(root), "bin", "pulumi");
  try {
    fs.accessSync(bin, fs.constants.X_OK);
  } catch {
    throw new UsageError(`(command line): ${option} ${root}: no Pulumi CLI at ${bin}; ${GET_A_PULUMI_CLI}`);
  }
  try {
    return await PulumiCommand.get({ root: path.resolve(root), skipVersionCheck: true });
  } catch (e) {
    const why = String((e as Error)?.message ?? e)
      .split("\n")
      .map((l) => l.trim())
      .find(Boolean);
    throw new UsageError(
      `(command line): ${option} ${root}: ${bin} does not run (${why}); ${GET_A_PULUMI_CLI}`,
    );
  }
}

/** A folder policy pack, or the folder of an executable analyzer, whose dependencies are not installed. */
function packDependencyProblem(pack: string): string | undefined {
  const folder = fs.statSync(pack).isDirectory() ? pack : path.dirname(pack);
  if (!fs.existsSync(path.join(folder, "package.json")) || fs.existsSync(path.join(folder, "node_modules")))
    return undefined;
  const own = path.resolve(folder) === path.join(ROOT, "policy-pack");
  return `(command line): --policy-pack: the pack's dependencies are not installed in ${folder}; run ${own ? "npm run setup:policy-pack" : `npm ci --prefix ${folder}`} first`;
}

/** What running one stack takes, as plain data: a worker process receives it in a message. */
export interface StackJob {
  stack: FleetStack;
  command: FleetCommand;
  /** The project folder. */
  dir: string;
  organization: string;
  inline: boolean;
  pack?: string;
  packConfig?: string;
  env?: Record<string, string>;
  /** DIR of DIR/bin/pulumi; the `pulumi` on PATH without it. */
  pulumiRoot?: string;
}

/** One stack's operation through the Automation API, its inline program (if any) in this process. */
export async function runStackJob(
  job: StackJob,
  progress: (message: string) => void,
  signal?: AbortSignal,
  pulumiCommand?: Awaited<ReturnType<typeof pulumiCli>>,
): Promise<StackResult> {
  const { LocalWorkspace } = await import("@pulumi/pulumi/automation");
  const s = job.stack;
  const started = Date.now();
  let programSeconds: number | undefined;
  // This project's program: compiled when the fleet runs compiled (tools/compiled/run.js).
  const program = job.inline
    ? async () => {
        const begun = process.hrtime.bigint();
        try {
          return await (require("../../index") as () => Promise<Record<string, unknown>>)();
        } finally {
          programSeconds = Number(process.hrtime.bigint() - begun) / 1e9;
        }
      }
    : undefined;
  const violations: PolicyViolation[] = [];
  const base = { stack: s.name, role: s.config.role, violations };
  const envVars: Record<string, string> = {
    AWS_REGION: s.config.region,
    CENTRAL_LOGGING_ACCOUNT_ID: s.config.accountId,
    ...(s.config.settings.access?.profile ? { AWS_PROFILE: s.config.settings.access.profile } : {}),
    ...(job.env ?? {}),
  };
  const stackName = `${job.organization}/${PROJECT}/${s.name}`;
  progress(`[${s.name}] ${job.command} started`);
  let output = "";
  // Interrupted, every CLI this process starts for the stack gets one SIGINT (as one Ctrl-C would: it
  // cancels and ends its plugins), including one that starts after the abort.
  const stopInterrupting = signal ? interruptChildrenOnAbort(signal) : () => undefined;
  const interruptedYet = () => {
    if (signal?.aborted) throw new Error("interrupted");
  };
  try {
    interruptedYet();
    const workspaceOptions = { workDir: job.dir, envVars, ...(pulumiCommand ? { pulumiCommand } : {}) };
    const stack = program
      ? await LocalWorkspace.createOrSelectStack(
          { stackName, projectName: PROJECT, program },
          workspaceOptions,
        )
      : await LocalWorkspace.createOrSelectStack({ stackName, workDir: job.dir }, workspaceOptions);
    const common = {
      onOutput: (text: string) => (output += text),
      onEvent: (e: any) => {
        if (e.policyEvent)
          violations.push({
            policy: e.policyEvent.policyName,
            level: e.policyEvent.enforcementLevel,
            message: String(e.policyEvent.message ?? "").trim(),
            urn: e.policyEvent.resourceUrn ?? "",
          });
      },
      ...(job.pack ? { policyPacks: [job.pack] } : {}),
      ...(job.pack && job.packConfig ? { policyPackConfigs: [job.packConfig] } : {}),
    };
    const plain = { onOutput: common.onOutput, onEvent: common.onEvent };
    const operate = async (): Promise<Record<string, number>> => {
      if (job.command === "preview") return (await stack.preview(common)).changeSummary ?? {};
      if (job.command === "up") return (await stack.up(common)).summary.resourceChanges ?? {};
      if (job.command === "refresh") return (await stack.refresh(plain)).summary.resourceChanges ?? {};
      return (await stack.destroy(plain)).summary.resourceChanges ?? {};
    };
    interruptedYet();
    // An inline program runs in this process: without the SDK's per-promise stack traces, unless
    // FLEET_DEBUG asks for them (tools/common/stackTraces.ts).
    const changes = await withoutStackTraces(!program || debugRequested("fleet"), operate);
    const seconds = (Date.now() - started) / 1000;
    progress(`[${s.name}] ${job.command} succeeded in ${seconds.toFixed(1)} s`);
    return {
      ...base,
      result: "succeeded",
      changes,
      durationSeconds: seconds,
      ...(programSeconds !== undefined ? { programSeconds } : {}),
    };
  } catch (e) {
    const seconds = (Date.now() - started) / 1000;
    const err = e as { stderr?: string; stdout?: string; message?: string };
    const reason = signal?.aborted
      ? "interrupted"
      : reasonOf(`${err.stderr ?? ""}\n${output}\n${err.stdout ?? ""}\n${err.message ?? e}`);
    progress(`[${s.name}] ${job.command} failed in ${seconds.toFixed(1)} s: ${reason}`);
    return { ...base, result: "failed", changes: {}, durationSeconds: seconds, error: reason };
  } finally {
    stopInterrupting();
  }
}

/** A message between the fleet and one of its worker processes (tools/fleet/worker.ts). */
export type WorkerMessage =
  | { type: "run"; job: StackJob }
  | { type: "abort" }
  | { type: "progress"; message: string }
  | { type: "result"; result: StackResult };

/**
 * The worker processes that run the stacks (tools/fleet/worker.ts): each runs one stack at a time, so
 * that an uncaught error in one inline program reaches no other (the Node.js SDK hands it to every
 * program running in a process). Started on demand, at most `size`.
 *
 * Each worker leads a process group of its own, which the Pulumi CLIs it starts share: a terminal's Ctrl-C
 * or a CI job's SIGTERM to the fleet's process group reaches the fleet alone, which interrupts each
 * running operation once (runStackJob sends its CLI one SIGINT: the CLI cancels cleanly). A CLI that got
 * a second SIGINT would terminate at once, leaving pending operations in its state. Workers ignore
 * SIGINT, SIGTERM and SIGHUP: the fleet ends them by closing their channel, or with SIGKILL.
 */
export class WorkerPool {
  private readonly idle: ChildProcess[] = [];
  private readonly all = new Set<ChildProcess>();

  constructor(
    private readonly size: number,
    private readonly progress: (message: string) => void,
    private readonly signal?: AbortSignal,
    /** Starts one worker process (tests start a stand-in). */
    private readonly forkWorker: () => ChildProcess = forkFleetWorker,
  ) {
    signal?.addEventListener("abort", () => {
      for (const w of this.all) tell(w, { type: "abort" });
    });
  }

  private start(): ChildProcess {
    const worker = this.forkWorker();
    this.all.add(worker);
    // A worker that ended, or whose channel failed, is never handed another stack.
    const forget = () => {
      this.all.delete(worker);
      const i = this.idle.indexOf(worker);
      if (i >= 0) this.idle.splice(i, 1);
    };
    worker.on("exit", forget);
    worker.on("error", forget);
    return worker;
  }

  async run(job: StackJob): Promise<StackResult> {
    let worker = this.idle.pop();
    while (worker && !worker.connected) {
      // Disconnected while idle: ending. It no longer counts against the pool's size.
      this.all.delete(worker);
      worker = this.idle.pop();
    }
    worker ??= this.all.size < this.size ? this.start() : undefined;
    if (!worker) throw new Error("fleet: more stacks at once than worker processes");
    const w = worker;
    if (this.signal?.aborted) tell(w, { type: "abort" });
    const started = Date.now();
    const result = await new Promise<StackResult>((resolve) => {
      const failed = (why: string) =>
        done({
          stack: job.stack.name,
          role: job.stack.config.role,
          result: "failed",
          changes: {},
          violations: [],
          durationSeconds: (Date.now() - started) / 1000,
          error: this.signal?.aborted ? "interrupted" : why,
        });
      const onMessage = (m: WorkerMessage) => {
        if (m.type === "progress") this.progress(m.message);
        else if (m.type === "result") done(m.result);
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
        failed(`its worker process ended (${signal ?? `exit code ${code}`}) before the stack's result`);
      const onError = (e: Error) => failed(`its worker process failed: ${e.message}`);
      const done = (r: StackResult) => {
        w.off("message", onMessage);
        w.off("exit", onExit);
        w.off("error", onError);
        resolve(r);
      };
      w.on("message", onMessage);
      w.on("exit", onExit);
      w.on("error", onError);
      tell(w, { type: "run", job }, (e) => failed(`its worker process could not be reached: ${e.message}`));
    });
    if (this.all.has(w) && w.connected) this.idle.push(w);
    return result;
  }

  /** Lets every worker end (they exit once disconnected) and waits for them. */
  async close(): Promise<void> {
    await Promise.all(
      [...this.all].map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.exitCode !== null || w.signalCode !== null) return resolve();
            w.once("exit", () => resolve());
            if (w.connected) w.disconnect();
          }),
      ),
    );
  }
}

/** A worker process of the fleet, through the commands' launcher (compiled when the fleet is). */
function forkFleetWorker(): ChildProcess {
  return fork(path.join(PROJECT_ROOT, "tools/compiled/run.js"), ["tools/fleet/worker.ts"], {
    cwd: PROJECT_ROOT,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    // A process group of its own (see WorkerPool).
    detached: true,
  });
}

/**
 * Sends a worker a message. A channel that is closed, or fails before the message is delivered, is
 * reported to `failed` (never thrown: an unhandled channel error would end the fleet). `send` returning
 * false only says the queue is long; the message is still delivered.
 */
function tell(worker: ChildProcess, message: WorkerMessage, failed?: (e: Error) => void): void {
  if (!worker.connected) return void failed?.(new Error("its channel is closed"));
  try {
    worker.send(message, (e) => e && failed?.(e));
  } catch (e) {
    failed?.(e as Error);
  }
}

export async function runFleet(options: FleetRunOptions): Promise<StackResult[]> {
  const dir = path.resolve(options.dir);
  const progress = options.progress ?? (() => undefined);
  // Everything is checked before the first stack runs, and every problem reported at once.
  const problems: string[] = [];
  const collect = <T>(check: () => T): T | undefined => {
    try {
      return check();
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      problems.push(...e.problems);
      return undefined;
    }
  };
  const ownPack = options.policyPack === undefined;
  const pack =
    options.policyPack === false
      ? undefined
      : path.resolve(
          options.policyPack ?? path.join(ROOT, "policy-pack", options.inline ? "run-analyzer" : ""),
        );
  if (pack && !fs.existsSync(pack)) problems.push(`(command line): --policy-pack: ${pack} does not exist`);
  else if (pack && !options.runner) {
    const problem = packDependencyProblem(pack);
    if (problem) problems.push(problem);
  }
  const given = options.policyPackConfigs ?? {};
  const packConfigFor = (s: FleetStack) => {
    const chosen = given[s.config.role] ?? given.all;
    if (chosen) return path.resolve(chosen);
    const own = path.join(ROOT, "policy-pack", `config.${s.config.role}.json`);
    return ownPack && pack && fs.existsSync(own) ? own : undefined;
  };
  const loaded = collect(() => loadFleet(dir, options.stacks, options.org));
  // This project's pack: its configs are validated against its policies, as the plan does. Another pack's
  // configs are its own business; they must exist.
  const projectPack = path.join(ROOT, "policy-pack");
  if (pack && (pack === projectPack || path.dirname(pack) === projectPack)) {
    const files = new Set((loaded?.stacks ?? []).map(packConfigFor).filter((f): f is string => !!f));
    for (const f of Object.values(given)) if (f) files.add(path.resolve(f));
    for (const file of files) collect(() => readPackConfig(file));
  } else
    for (const file of Object.values(given))
      if (file && !fs.existsSync(file))
        problems.push(`(command line): --policy-pack-config: ${file} does not exist`);
  const givenRoot = options.pulumiRoot ?? process.env.CENTRAL_LOGGING_PULUMI_ROOT;
  const pulumiRoot = givenRoot ? path.resolve(givenRoot) : undefined;
  if (!options.runner)
    try {
      await pulumiCli(givenRoot);
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      problems.push(...e.problems);
    }
  if (problems.length || !loaded) throw new UsageError(...problems);
  // This project's pack runs compiled only while bin/ matches its sources (policy-pack/main.js); otherwise
  // every stack's analyzer type-checks the TypeScript, seconds each.
  const ownPackFolder = pack && (pack === projectPack || path.dirname(pack) === projectPack);
  if (ownPackFolder && !options.runner && !packSources.compiledIsCurrent(projectPack))
    progress(
      "the policy pack is not compiled from its current sources: each stack's analyzer type-checks its TypeScript (seconds a stack); npm run build:policy-pack compiles it",
    );
  const { stacks: fleet, organization: org } = loaded;
  const signal = options.signal;
  const jobOf = (s: FleetStack): StackJob => ({
    stack: s,
    command: options.command,
    dir,
    organization: org,
    inline: options.inline,
    ...(pack ? { pack } : {}),
    ...(pack && packConfigFor(s) ? { packConfig: packConfigFor(s) } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(pulumiRoot ? { pulumiRoot } : {}),
  });
  // Every stack runs in a worker process (WorkerPool: one stack at a time each, out of reach of the
  // signals sent to the fleet's process group).
  const concurrency = options.concurrency;
  const workers = options.runner
    ? undefined
    : new WorkerPool(Math.min(concurrency, fleet.length), progress, signal);
  const runStack = options.runner ?? ((s: FleetStack) => workers!.run(jobOf(s)));
  // Once interrupted, no other stack starts.
  const run = async (s: FleetStack) => (signal?.aborted ? skipped(s, "interrupted") : runStack(s));
  const centrals = fleet.filter((s) => s.config.role === "central");
  const members = fleet.filter((s) => s.config.role === "member");
  const results = new Map<string, StackResult>();
  const skipped = (s: FleetStack, why: string): StackResult => {
    progress(`[${s.name}] skipped: ${why}`);
    return {
      stack: s.name,
      role: s.config.role,
      result: "skipped",
      changes: {},
      violations: [],
      durationSeconds: 0,
      error: why,
    };
  };
  try {
    await runInOrder();
  } finally {
    await workers?.close();
  }
  return fleet
    .map((s) => results.get(s.name)!)
    .sort((a, b) => (a.role === b.role ? 0 : a.role === "central" ? -1 : 1));

  async function runInOrder() {
    if (options.command === "destroy") {
      for (const r of await bounded(members, concurrency, run)) results.set(r.stack, r);
      for (const c of centrals) {
        const failedMember = members.find(
          (m) => m.central === c.name && results.get(m.name)?.result !== "succeeded",
        );
        results.set(
          c.name,
          failedMember ? skipped(c, `member ${failedMember.name} was not destroyed`) : await run(c),
        );
      }
    } else {
      for (const c of centrals) results.set(c.name, await run(c));
      const memberResults = await bounded(members, concurrency, async (m) => {
        const central = m.central ? results.get(m.central) : undefined;
        if (signal?.aborted) return skipped(m, "interrupted");
        if (central && central.result !== "succeeded")
          return skipped(m, `its central stack ${m.central} ${central.result}`);
        return run(m);
      });
      for (const r of memberResults) results.set(r.stack, r);
    }
  }
}

export async function main(
  argv: string[],
  progress?: (m: string) => void,
  signal?: AbortSignal,
): Promise<{ code: number; out: string; err: string }> {
  let args: FleetArgs | "help";
  try {
    args = parseArgs(argv);
    if (args === "help") return { code: 0, out: `${USAGE}\n`, err: "" };
    if (args.json) {
      const parent = path.dirname(path.resolve(args.json));
      if (!fs.existsSync(parent))
        throw new UsageError(`(command line): --json: folder ${parent} does not exist`);
    }
    checkOutputsAreNotInputs(
      [["--json", args.json]],
      [
        ...Object.values(args.policyPackConfigs).map((f): [string, string | undefined] => [
          "--policy-pack-config",
          f,
        ]),
        ...projectFiles(args.dir).map((f): [string, string] => ["--dir", f]),
      ],
    );
    const results = await runFleet({ ...args, progress, signal });
    const code = exitCodeOf(results);
    if (args.json)
      fs.writeFileSync(
        args.json,
        `${JSON.stringify({ command: args.command, exitCode: code, stacks: results }, null, 2)}\n`,
      );
    return { code, out: `${summaryTable(results)}\n`, err: "" };
  } catch (e) {
    if (e instanceof UsageError || e instanceof StackFileError)
      return { code: 2, out: "", err: problemLines("fleet", e) };
    throw e;
  }
}

if (require.main === module) {
  // Ctrl-C, SIGTERM or SIGHUP: interrupt the running operations, print what ran, and end every
  // process started on the way (tools/common/processes.ts).
  const interrupt = new AbortController();
  let written: Promise<void> = Promise.resolve();
  // A preview may be cut short after 10 s; an up, refresh or destroy is waiting on AWS, and killing its
  // CLI then would leave pending operations and a locked stack: the fleet waits for it to cancel cleanly,
  // however long that takes, unless a second signal says to stop at once.
  let parsed: ReturnType<typeof parseArgs> | undefined;
  try {
    parsed = parseArgs(process.argv.slice(2));
  } catch {
    // a usage error: main reports it, and nothing runs
  }
  const changesState = typeof parsed === "object" && parsed.command !== "preview";
  endEverythingOnSignal({
    progress: (m) => process.stderr.write(`fleet: ${m}\n`),
    stop: () => {
      interrupt.abort();
      return written;
    },
    graceMs: changesState ? Infinity : 10000,
    waiting: changesState
      ? "waiting for the running operations to cancel cleanly; a second signal kills them at once (their stacks may then hold pending operations: docs/operations.md)"
      : undefined,
  });
  written = runAsProcess("fleet", (argv, progress) => main(argv, progress, interrupt.signal));
}
