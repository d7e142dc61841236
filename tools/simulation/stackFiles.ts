/**
 * Reads `Pulumi.yaml` and its `Pulumi.<stack>.yaml` files into the raw config maps the Pulumi runtime
 * would hand the program (scalars as strings, objects and lists as JSON text).
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { RawConfig } from "../../shared/config";

export class StackFileError extends Error {
  constructor(
    public readonly file: string,
    public readonly key: string,
    message: string,
  ) {
    super(`${file}: ${key}: ${message}`);
  }
}

/** Stand-in for encrypted values (`secure:`), which cannot be decrypted without the stack's secrets provider. */
export const SIMULATED_SECRET = "simulated-secret-value";

export interface StackFile {
  stack: string;
  file: string;
  raw: RawConfig;
  /** Config keys whose value was encrypted in the file. */
  secretKeys: string[];
}

function replaceSecrets(value: unknown, found: { any: boolean }): unknown {
  if (Array.isArray(value)) return value.map((v) => replaceSecrets(v, found));
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1 && entries[0][0] === "secure") {
      found.any = true;
      return SIMULATED_SECRET;
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, replaceSecrets(v, found)]));
  }
  return value;
}

export function readStackFile(file: string): StackFile {
  const stack = path
    .basename(file)
    .replace(/^Pulumi\./, "")
    .replace(/\.ya?ml$/, "");
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new StackFileError(
      file,
      "(file)",
      `cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  let doc: any;
  try {
    doc = parse(text);
  } catch (e) {
    throw new StackFileError(file, "(file)", `is not valid YAML: ${(e as Error).message.split("\n")[0]}`);
  }
  const config = doc?.config;
  if (config === undefined || config === null)
    throw new StackFileError(file, "config", "is missing: expected a config map");
  if (typeof config !== "object" || Array.isArray(config))
    throw new StackFileError(file, "config", "expected a map of config keys");
  const raw: RawConfig = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    const found = { any: false };
    const plain = replaceSecrets(value, found);
    if (found.any) secretKeys.push(key);
    raw[key] =
      typeof plain === "string"
        ? plain
        : plain !== null && typeof plain === "object"
          ? JSON.stringify(plain)
          : String(plain);
  }
  return { stack, file, raw, secretKeys };
}

/**
 * The project's stack files in a folder, `Pulumi.yaml` itself excluded. Only `.yaml`: Pulumi names a
 * stack's file with the extension of the project file (`Pulumi.<stack>` + the extension of `Pulumi.yaml`,
 * pulumi/sdk go/common/workspace/paths.go, ProjectStackPath), so it never reads a `Pulumi.<stack>.yml`.
 */
export function findStackFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

/** The one line for a `Pulumi.<stack>.yml` file: a stack file Pulumi would ignore. */
export function misnamedStackFileProblem(file: string): string {
  const stack = path
    .basename(file)
    .replace(/^Pulumi\./, "")
    .replace(/\.yml$/, "");
  return `${file}: (file): Pulumi ignores it: it reads a stack's settings only from Pulumi.<stack>.yaml, with the extension of the project file Pulumi.yaml; rename it to Pulumi.${stack}.yaml`;
}

/**
 * Every stack file of a folder, read, with a line for each problem instead of stopping at the first: files
 * that cannot be read or parsed, and `Pulumi.<stack>.yml` files, which Pulumi would ignore.
 */
export function readStackFolder(dir: string): { files: StackFile[]; problems: string[] } {
  const problems = fs
    .readdirSync(dir)
    .filter((f) => /^Pulumi\.[^.]+\.yml$/.test(f))
    .sort()
    .map((f) => misnamedStackFileProblem(path.join(dir, f)));
  const files: StackFile[] = [];
  for (const file of findStackFiles(dir)) {
    try {
      files.push(readStackFile(file));
    } catch (e) {
      if (!(e instanceof StackFileError)) throw e;
      problems.push(e.message);
    }
  }
  return { files, problems };
}
