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

/** The project's stack files in a folder, `Pulumi.yaml` itself excluded. */
export function findStackFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^Pulumi\.[^.]+\.ya?ml$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

/**
 * Two stacks of the same role for the same account and Region would create the same named resources
 * (a member's aws-waf-logs-<account>-<region> bucket and replication role; a central stack's queues and
 * roles): the second apply collides with the first. Returns the first such pair.
 */
export function collidingStacks(
  stacks: { file: string; role: string; accountId: string; region: string }[],
): [string, string, { role: string; accountId: string; region: string }] | undefined {
  const seen = new Map<string, string>();
  for (const s of stacks) {
    const key = `${s.role}/${s.accountId}/${s.region}`;
    const other = seen.get(key);
    if (other) return [other, s.file, s];
    seen.set(key, s.file);
  }
  return undefined;
}

export function collisionMessage([a, b, s]: [
  string,
  string,
  { role: string; accountId: string; region: string },
]): string {
  const what =
    s.role === "member"
      ? `the bucket aws-waf-logs-${s.accountId}-${s.region} and the replication role central-logging-waf-replication-${s.region}`
      : "the archive's queues, key alias and roles";
  return `${a} and ${b}: both deploy a ${s.role} stack to account ${s.accountId} in ${s.region}; the second would collide with the first on ${what}. Keep one stack file per account and Region`;
}
