/**
 * What every command under tools/ shares: the usage error (exit 2, one line), output-path checks made
 * before any work, bounded concurrency, and reading a JSON input file with a one-line error.
 */
import * as fs from "fs";
import * as path from "path";

/** A mistake on the command line or in an input file: printed as one line, exit status 2. */
export class UsageError extends Error {}

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
 * is a bug, not a usage error: one line and exit 3; `<NAME>_DEBUG=1` adds the stack.
 */
export function runAsProcess(
  name: string,
  main: (argv: string[], progress: (message: string) => void) => Promise<CommandRun>,
) {
  const debug = `${name.toUpperCase().replace(/\W/g, "_")}_DEBUG`;
  main(process.argv.slice(2), (m) => process.stderr.write(`${name}: ${m}\n`)).then(
    (r) => {
      process.stderr.write(r.err);
      process.stdout.write(r.out, () => process.exit(r.code));
    },
    (e) => {
      process.stderr.write(
        `${name}: internal error: ${(e as Error).message ?? e}${process.env[debug] ? `\n${(e as Error).stack}` : ` (rerun with ${debug}=1 for details)`}\n`,
      );
      process.exit(3);
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
