/**
 * Ending everything a command started when the command is interrupted (Ctrl-C, a CI job's timeout).
 *
 * The Pulumi CLI starts each plugin (the policy pack's analyzer, the providers) in a process group of
 * its own, so a terminal's Ctrl-C never reaches them, and it ends them only when it shuts down cleanly:
 * a CLI killed with SIGTERM leaves its analyzers running with no parent. So a command that installs
 * endEverythingOnSignal marks every process it starts, however deep (an environment variable they all
 * inherit: the CLI passes its environment to its plugins), and on the first SIGINT, SIGTERM or SIGHUP it
 * asks its work to stop (the fleet interrupts its Pulumi operations as Ctrl-C would; a bench forwards the
 * signal to its child), waits for that, at most a grace period, then kills with SIGKILL every process
 * below it or carrying its mark that still runs, and exits with 128 + the signal's number. A second
 * signal cuts the wait short (the same signal within SAME_INTERRUPTION_MS is the first one again). SIGKILL itself cannot be caught: nothing is cleaned up then.
 */
import { ChildProcess, execFileSync, spawn, SpawnOptions } from "child_process";
import * as fs from "fs";
import * as os from "os";

export interface ProcessEntry {
  pid: number;
  ppid: number;
  pgid: number;
  command: string;
}

/** Every process of the machine, from `ps` (Linux and macOS). */
export function processTable(): ProcessEntry[] {
  const out = execFileSync("ps", ["-A", "-o", "pid=,ppid=,pgid=,args="], { encoding: "utf8" });
  return out
    .split("\n")
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), pgid: Number(m[3]), command: m[4] }));
}

/**
 * The processes below `pid`: its children, theirs, and so on, and every member of a process group one
 * of them leads (a plugin's own children stay in its group).
 */
export function descendantsOf(pid: number, table: ProcessEntry[] = processTable()): ProcessEntry[] {
  const found = new Map<number, ProcessEntry>();
  const queue = [pid];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const p of table)
      if (p.ppid === parent && !found.has(p.pid)) {
        found.set(p.pid, p);
        queue.push(p.pid);
      }
  }
  const leaders = new Set(found.keys());
  for (const p of table) if (leaders.has(p.pgid) && !found.has(p.pid) && p.pid !== pid) found.set(p.pid, p);
  return [...found.values()];
}

/** The variable that lists the marks of the commands above a process, separated by commas (no spaces: `ps eww` on macOS shows the environment space-separated). */
export const RUNS_VARIABLE = "CENTRAL_LOGGING_RUNS";
const MARK = `${process.pid}.${Date.now()}`;

/** Whether an environment (NUL-separated NAME=value entries) carries `mark`. */
export function carriesMark(environment: string, mark: string): boolean {
  return environment
    .split(/\0/)
    .filter((e) => e.startsWith(`${RUNS_VARIABLE}=`))
    .some((e) =>
      e
        .slice(RUNS_VARIABLE.length + 1)
        .split(",")
        .includes(mark),
    );
}

/** The PIDs of the processes whose environment carries `mark`: /proc on Linux, `ps eww` elsewhere. */
export function markedProcesses(mark: string = MARK): number[] {
  const found: number[] = [];
  if (fs.existsSync("/proc/self/environ")) {
    for (const pid of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d)))
      try {
        if (carriesMark(fs.readFileSync(`/proc/${pid}/environ`, "latin1"), mark)) found.push(Number(pid));
      } catch {
        // ended, or not ours to read
      }
  } else {
    const out = execFileSync("ps", ["eww", "-A", "-o", "pid=,command="], { encoding: "utf8" });
    for (const line of out.split("\n")) {
      const m = /^\s*(\d+)\s+(.*)$/.exec(line);
      if (m && carriesMark(m[2].split(" ").join("\0"), mark)) found.push(Number(m[1]));
    }
  }
  return found.filter((pid) => pid !== process.pid);
}

/**
 * The direct children of `pid`: from /proc on Linux (starting no process to look), from `ps` elsewhere
 * (whose own entry has ended by the time anyone signals it).
 */
export function childrenOf(pid: number): number[] {
  if (!fs.existsSync("/proc/self/stat"))
    return processTable()
      .filter((p) => p.ppid === pid)
      .map((p) => p.pid);
  const found: number[] = [];
  for (const entry of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d)))
    try {
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ")".
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid) found.push(Number(entry));
    } catch {
      // ended meanwhile
    }
  return found;
}

/**
 * Once `signal` is aborted, sends SIGINT, once each, to every process this one starts directly, until the
 * returned function is called: the processes already running, and those that start later (an operation
 * the Automation API was about to start when the abort came). The Automation API's own `signal` option
 * cannot do that: it listens only once its CLI runs, and an abort before is lost.
 */
export function interruptChildrenOnAbort(signal: AbortSignal, everyMs = 100): () => void {
  const interrupted = new Set<number>();
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    for (const pid of childrenOf(process.pid))
      if (!interrupted.has(pid)) {
        interrupted.add(pid);
        try {
          process.kill(pid, "SIGINT");
        } catch {
          // ended meanwhile
        }
      }
  };
  const begin = () => {
    tick();
    timer = setInterval(tick, everyMs);
  };
  if (signal.aborted) begin();
  else signal.addEventListener("abort", begin, { once: true });
  return () => {
    signal.removeEventListener("abort", begin);
    if (timer) clearInterval(timer);
  };
}

/**
 * A signal that arrives this soon after the first one, and is the same signal, is taken for the same
 * interruption: npm passes a terminal's Ctrl-C on to the script it runs, which got it from the terminal
 * already (with bash as npm's script shell, the command itself is that child).
 */
export const SAME_INTERRUPTION_MS = 1000;

let interruption: { code: number; done: Promise<void> } | undefined;
let first: { signal: NodeJS.Signals; at: number } | undefined;
let cutShort: (() => void) | undefined;
/** Set by endEverythingOnSignal: where to say what was killed. */
let installed: { progress: (message: string) => void } | undefined;

/** Whether this process was interrupted and is ending what it started. */
export const interrupted = () => interruption !== undefined;

/**
 * Exits with `code`, or, when the process was interrupted, once everything it started has ended, with
 * the interruption's status (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP). A process that installed
 * endEverythingOnSignal ends what it started on a normal exit too: nothing should be left then, but a
 * Pulumi CLI killed by someone else (a CI timeout signalling the whole process group, before this
 * process saw its own signal) leaves its plugins behind.
 */
export function exitWhenDone(code: number): void {
  if (!interruption) {
    if (installed) {
      const killed = killTheRest();
      if (killed)
        installed.progress(
          `ended ${killed} process${killed === 1 ? "" : "es"} it had started that still ran`,
        );
    }
    return void process.exit(code);
  }
  const { code: status, done } = interruption;
  void done.then(() => process.exit(status));
}

export interface EndOnSignalOptions {
  /** Writes one line of progress (stderr). */
  progress: (message: string) => void;
  /** Asks the work to stop; resolves when it has (the fleet: once its summary is written). */
  stop: (signal: NodeJS.Signals) => Promise<unknown> | void;
  /** How long `stop` may take before the rest is killed (default 10 s; Infinity: as long as it takes). */
  graceMs?: number;
  /** What the interruption's progress line says it does while it waits (default: stopping what it started). */
  waiting?: string;
}

/** Kills every process below this one or carrying its mark; returns how many were still running. */
function killTheRest(): number {
  const targets = new Set<number>(markedProcesses());
  try {
    for (const p of descendantsOf(process.pid)) targets.add(p.pid);
  } catch {
    // no process table: the marked processes are all there is
  }
  let killed = 0;
  for (const pid of targets)
    try {
      process.kill(pid, "SIGKILL");
      killed++;
    } catch {
      // ended meanwhile
    }
  return killed;
}

/** See the module's comment. Call once per process, before it starts anything. */
export function endEverythingOnSignal(options: EndOnSignalOptions): void {
  const marks = (process.env[RUNS_VARIABLE] ?? "").split(",").filter(Boolean);
  process.env[RUNS_VARIABLE] = [...marks, MARK].join(",");
  installed = { progress: options.progress };
  const grace = options.graceMs ?? 10000;
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as NodeJS.Signals[])
    process.on(signal, () => {
      if (interruption) {
        if (first && first.signal === signal && Date.now() - first.at < SAME_INTERRUPTION_MS) return;
        return void cutShort?.();
      }
      first = { signal, at: Date.now() };
      options.progress(`interrupted (${signal}): ${options.waiting ?? "stopping what it started"}`);
      const waited = new Promise<void>((resolve) => {
        const timer = Number.isFinite(grace) ? setTimeout(resolve, grace) : undefined;
        cutShort = () => {
          clearTimeout(timer);
          resolve();
        };
        Promise.resolve()
          .then(() => options.stop(signal))
          .catch(() => undefined)
          .then(() => {
            clearTimeout(timer);
            resolve();
          });
      });
      const code = 128 + os.constants.signals[signal];
      const done = waited.then(() => {
        const killed = killTheRest();
        if (killed)
          options.progress(`killed ${killed} process${killed === 1 ? "" : "es"} that had not ended`);
        process.exit(code);
      });
      interruption = { code, done };
    });
}

const children = new Set<ChildProcess>();

export interface ChildRun {
  code: number;
  stdout: string;
  stderr: string;
  seconds: number;
}

/**
 * Runs a command to its end, collecting its output, as a child `stopChildren` can reach. Once the
 * process is interrupted it starts nothing, and a child's end settles nothing: the process is ending.
 */
export function runChild(command: string, args: string[], options: SpawnOptions = {}): Promise<ChildRun> {
  if (interrupted()) return new Promise(() => undefined);
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d) => (stdout += d));
    child.stderr!.on("data", (d) => (stderr += d));
    child.on("error", (e) => {
      children.delete(child);
      reject(e);
    });
    child.on("close", (code, signal) => {
      children.delete(child);
      if (interrupted()) return;
      resolve({
        code: code ?? 128 + (signal ? os.constants.signals[signal] : 0),
        stdout,
        stderr,
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
      });
    });
  });
}

/**
 * Forwards `signal` to every child runChild started; resolves when they have all exited (whatever they
 * left behind, holding their output open or not, is killed next).
 */
export function stopChildren(signal: NodeJS.Signals): Promise<void> {
  return Promise.all(
    [...children].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once("exit", () => resolve());
          child.kill(signal);
        }),
    ),
  ).then(() => undefined);
}
