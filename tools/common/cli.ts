/**
 * What every command under tools/ shares: the usage error (exit 2, one line), output-path checks made
 * before any work, bounded concurrency, and reading a JSON input file with a one-line error.
 */
import * as fs from "fs";
import * as path from "path";
import { exitWhenDone } from "./processes";
import { debugVariable } from "./stackTraces";

/**
 * Mistakes on the command line or in input files: one line each, exit status 2. A command that checks many
 * files (the plan, the fleet) reports every problem it found in one run, not one per run.
 */
export class UsageError extends Error {
  readonly problems: string[];
  constructor(...problems: string[]) {
    super(problems.join("\n"));
    this.problems = problems;
  }
}

/** The lines a command prints for its usage errors, each prefixed with the command's name. */
export function problemLines(command: string, e: Error): string {
  const problems = e instanceof UsageError ? e.problems : [e.message];
  return problems.map((p) => `${command}: ${p}\n`).join("");
}

/** An output file's folder must exist and be writable before the command does any work. */
export function checkOutputPath(option: string, file: string | undefined) {
  if (!file || file === "-") return;
  const dir = path.dirname(path.resolve(file));
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    throw new UsageError(
      `(command line): ${option}: cannot write ${file}: folder ${dir} does not exist or is not writable`,
    );
  }
}

/** Whether two paths name the same file: the same path, or the same file through a link. */
export function sameFile(a: string, b: string): boolean {
  if (path.resolve(a) === path.resolve(b)) return true;
  try {
    const [x, y] = [fs.statSync(a), fs.statSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

/**
 * Refuses, before any work, an output file that is one of the command's inputs (writing it would destroy
 * the input) or that two output options would both write. Entries are [option, file]; `-` (standard
 * output or input) and unset options are skipped.
 */
export function checkOutputsAreNotInputs(
  outputs: [string, string | undefined][],
  inputs: [string, string | undefined][],
) {
  const given = (entries: [string, string | undefined][]) =>
    entries.filter((e): e is [string, string] => !!e[1] && e[1] !== "-");
  const outs = given(outputs);
  for (const [i, [option, file]] of outs.entries()) {
    const input = given(inputs).find(([, f]) => sameFile(f, file));
    if (input)
      throw new UsageError(
        `(command line): ${option}: ${file} is ${input[1] === file ? "" : `the same file as ${input[1]}, `}an input (${input[0]}); writing it would destroy it. Write to another file`,
      );
    const other = outs.slice(0, i).find(([, f]) => sameFile(f, file));
    if (other)
      throw new UsageError(
        `(command line): ${other[0]} and ${option}: both would write ${file}; give each its own file`,
      );
  }
}

/** Pulumi.yaml and the stack files of a folder (inputs no output may overwrite); none if it cannot be read. */
export function projectFiles(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir)
      .filter((f) => /^Pulumi(\.[^.]+)?\.ya?ml$/.test(f))
      .map((f) => path.join(dir, f));
  } catch {
    return [];
  }
}

/** Runs `fn` over items, at most `limit` at a time, keeping the order of the results. */
export async function bounded<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}

/** Parses a JSON file, or fails in one line naming the file. */
export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(`${file}: (file): cannot be read: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file}: (file): is not valid JSON: ${(e as Error).message}`);
  }
}

/** What a command's `main` returns: the exit status and what to print, without touching the process. */
export interface CommandRun {
  code: number;
  out: string;
  err: string;
}

/**
 * Runs a command's `main` as the process: progress and errors on stderr, the report on stdout, then the
 * exit status once stdout is flushed (a large report to a pipe is written asynchronously). A thrown error
 * is a bug, not a usage error: one line and exit 3; `<NAME>_DEBUG=1` adds the stack. Resolves once the
 * output is written; an interrupted command (tools/common/processes.ts) then exits with its signal's status.
 */
export function runAsProcess(
  name: string,
  main: (argv: string[], progress: (message: string) => void) => Promise<CommandRun>,
): Promise<void> {
  const debug = debugVariable(name);
  return main(process.argv.slice(2), (m) => process.stderr.write(`${name}: ${m}\n`)).then(
    (r) =>
      new Promise<void>((resolve) => {
        process.stderr.write(r.err);
        process.stdout.write(r.out, () => {
          resolve();
          exitWhenDone(r.code);
        });
      }),
    (e) => {
      // One line even when the error's message has several (a child process's output, for example).
      const first = String((e as Error)?.message ?? e)
        .split("\n")
        .map((l) => l.trim())
        .find(Boolean);
      process.stderr.write(
        `${name}: internal error: ${first ?? "unknown"}${process.env[debug] ? `\n${(e as Error).stack}` : ` (rerun with ${debug}=1 for details)`}\n`,
      );
      exitWhenDone(3);
    },
  );
}

/** A plain-text table: columns padded to their widest cell, an optional rule under the header. */
export function textTable(header: string[], rows: string[][], options: { rule?: boolean } = {}): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  return [
    line(header),
    ...(options.rule ? [line(widths.map((w) => "-".repeat(w)))] : []),
    ...rows.map(line),
  ].join("\n");
}

/**
 * Walks a command line flag by flag. `value()` takes the flag's value (`-` allowed, for standard
 * output), or fails in one line when the value is missing.
 */
export function eachFlag(argv: string[], handle: (flag: string, value: () => string) => void) {
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    handle(flag, () => {
      const v = argv[++i];
      if (v === undefined || (v.startsWith("--") && v !== "-"))
        throw new UsageError(`(command line): ${flag}: expected a value`);
      return v;
    });
  }
}

/** Pack configs from `--policy-pack-config`: one file for every stack, or one per role. */
export interface PackConfigFiles {
  all?: string;
  central?: string;
  member?: string;
}

/** Adds one `--policy-pack-config [central=|member=]FILE`, refusing a role given twice. */
export function addPackConfig(files: PackConfigFiles, value: string) {
  const m = /^(central|member)=(.+)$/.exec(value);
  // ROLE=FILE with a role this project does not have; a file whose name holds "=" is still a file.
  const other = /^([A-Za-z][\w-]*)=(.+)$/.exec(value);
  if (!m && other && !fs.existsSync(value))
    throw new UsageError(
      `(command line): --policy-pack-config: unknown role ${other[1]} in ${value}; the roles are central and member (ROLE=FILE), or give one FILE for every stack`,
    );
  const role = (m?.[1] ?? "all") as keyof PackConfigFiles;
  if (files[role])
    throw new UsageError(
      `(command line): --policy-pack-config: given twice for ${role === "all" ? "every stack" : `${role} stacks`}`,
    );
  files[role] = m ? m[2] : value;
}

/** One pack config for every stack, or one per role, never both. */
export function checkPackConfigs(files: PackConfigFiles) {
  if (files.all && (files.central || files.member))
    throw new UsageError(
      "(command line): --policy-pack-config: give one file for every stack, or one per role, not both",
    );
}
