/**
 * The one-line messages for configuration mistakes: what the stack file got wrong in the user's terms,
 * never the validation library's wording. A key that belongs to the other role or to the other kind of
 * trust says so; a misspelt key or namespace gets its likely spelling; unquoted account IDs, which YAML
 * turns into numbers (dropping a leading zero), are named as such.
 */
import { closest, distance } from "fastest-levenshtein";
import { z } from "zod";
import { PROJECT } from "./naming";

/** Other namespaces a stack file may use: the AWS provider's and Pulumi's own (pulumi:tags...). */
const OTHER_NAMESPACES = ["aws", "pulumi"];

export function keyOf(path: PropertyKey[]): string {
  const [head, ...rest] = path.map(String);
  return `${PROJECT}:${head}${rest.map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join("")}`;
}

/** A setting's path as the stack file nests it, without the namespace: `siem.trust`. */
const settingOf = (path: PropertyKey[]) => keyOf(path).slice(PROJECT.length + 1);

export function describeInput(input: unknown): string {
  if (input === undefined) return "nothing";
  // Pulumi hands scalars over as strings: show numbers and booleans as the stack file wrote them.
  if (typeof input === "string" && /^(-?\d+(\.\d+)?|true|false)$/.test(input)) return input;
  const text = JSON.stringify(input);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The value the stack file gave at a path of the config, before any coercion. */
export function valueAt(data: unknown, path: PropertyKey[]): unknown {
  let v: any = data;
  for (const p of path) v = v === null || v === undefined ? undefined : v[p as any];
  return v;
}

/**
 * Why a value that should be an account ID is not one, when YAML made it a number: an unquoted ID is read
 * as a number, and one with a leading zero loses it (033333333333 becomes 33333333333).
 */
export function unquotedAccountId(value: unknown): string | undefined {
  if (typeof value !== "number") return undefined;
  const digits = String(value);
  const lost =
    /^\d+$/.test(digits) && digits.length < 12
      ? `; ${digits} has ${digits.length} digits: YAML dropped the leading zero${digits.length < 11 ? "s" : ""} of ${digits.padStart(12, "0")}`
      : "";
  return `got the number ${digits}: quote account IDs ("${/^\d+$/.test(digits) ? digits.padStart(12, "0") : digits}"), YAML reads unquoted digits as a number${lost}`;
}

/** Zod's definition of a schema, through its wrappers. */
function defOf(s: any): any {
  return s?._zod?.def ?? s?.def;
}

/**
 * The object schemas a path of the config may reach (through defaults, optionals, pipes, arrays and
 * unions). At a discriminated union whose discriminator the data sets, only that branch is followed.
 */
function objectsAt(schema: z.ZodType, path: PropertyKey[], data?: unknown): any[] {
  const found: any[] = [];
  const visit = (s: any, rest: PropertyKey[], value: unknown) => {
    const def = defOf(s);
    if (!def) return;
    if (def.innerType) return visit(def.innerType, rest, value);
    if (def.type === "pipe") return visit(def.in, rest, value);
    if (def.options) {
      const chosen =
        def.discriminator && value && typeof value === "object"
          ? def.options.filter(
              (o: any) => branchValue(o, def.discriminator) === (value as any)[def.discriminator],
            )
          : [];
      return (chosen.length ? chosen : def.options).forEach((o: any) => visit(o, rest, value));
    }
    if (def.type === "array") return visit(def.element, rest.slice(1), (value as any)?.[rest[0] as any]);
    if (def.type === "object") {
      if (!rest.length) return found.push(def);
      return visit(def.shape[rest[0] as string], rest.slice(1), (value as any)?.[rest[0] as any]);
    }
  };
  visit(schema, path, data);
  return found;
}

/** The literal a discriminated union's branch sets its discriminator to. */
function branchValue(option: any, discriminator: string): unknown {
  const d = defOf(defOf(option)?.shape?.[discriminator]);
  return d?.values?.[0] ?? d?.value;
}

/** The keys the schema knows at a path of the config (the branch the data chose, at a union). */
export function knownKeysAt(schema: z.ZodType, path: PropertyKey[], data?: unknown): string[] {
  return [...new Set(objectsAt(schema, path, data).flatMap((d) => Object.keys(d.shape)))];
}

/** The branches of the discriminated union at a path: its discriminator, and each branch's value and keys. */
function unionAt(schema: z.ZodType, path: PropertyKey[]) {
  let union: any;
  const visit = (s: any, rest: PropertyKey[]) => {
    const def = defOf(s);
    if (!def || union) return;
    if (def.innerType) return visit(def.innerType, rest);
    if (def.type === "pipe") return visit(def.in, rest);
    if (def.options) {
      if (!rest.length && def.discriminator) return (union = def);
      return def.options.forEach((o: any) => visit(o, rest));
    }
    if (def.type === "array") return visit(def.element, rest.slice(1));
    if (def.type === "object" && rest.length) return visit(def.shape[rest[0] as string], rest.slice(1));
  };
  visit(schema, path);
  if (!union) return undefined;
  const discriminator: string = union.discriminator;
  return {
    discriminator,
    branches: union.options.map((o: any) => ({
      value: String(branchValue(o, discriminator)),
      keys: Object.keys(defOf(o).shape).filter((k) => k !== discriminator),
    })) as { value: string; keys: string[] }[],
  };
}

const withKeys = (b: { value: string; keys: string[] }) => `"${b.value}" (${b.keys.join(", ")})`;

/** The other role a stack file may take, to name a key that belongs to it. */
export interface OtherRole {
  role: string;
  schema: z.ZodType;
}

/** The message for a key the schema does not know at `path` (its parent object). */
export function unknownKeyMessage(
  schema: z.ZodType,
  data: unknown,
  path: PropertyKey[],
  unknown: string,
  role: string,
  other?: OtherRole,
): string {
  // A key of another branch of a discriminated union: siem.externalId with siem.trust oidc.
  const union = unionAt(schema, path);
  const chosen = union && (valueAt(data, path) as any)?.[union.discriminator];
  if (union && chosen !== undefined) {
    const mine = union.branches.find((b) => b.value === String(chosen));
    const theirs = union.branches.find((b) => b.value !== String(chosen) && b.keys.includes(unknown));
    if (mine && theirs && !mine.keys.includes(unknown))
      return `is a key of ${settingOf([...path, union.discriminator])} ${withKeys(theirs)}, and this stack's ${settingOf([...path, union.discriminator])} is ${withKeys(mine)}: remove it, or set ${keyOf([...path, union.discriminator])} to ${theirs.value}`;
  }
  // A key of the other role: centralStack in a central stack, bucketSuffix in a member stack.
  if (other && knownKeysAt(other.schema, path).includes(unknown))
    return `is a setting of ${other.role} stacks (${PROJECT}:role ${other.role}), and this stack's role is ${role}: remove it from this stack`;
  const known = knownKeysAt(schema, path, data);
  const near = known.length ? closest(unknown, known) : undefined;
  return near &&
    distance(unknown.toLowerCase(), near.toLowerCase()) <= Math.max(2, Math.floor(near.length / 3))
    ? `is not a setting this project knows; did you mean ${keyOf([...path, near])}?`
    : `is not a setting this project knows${known.length && known.length <= 8 ? ` (here: ${known.join(", ")})` : ""}; check its spelling`;
}

/** The message for a discriminator that matches no branch (siem.trust missing or unknown). */
export function discriminatorMessage(schema: z.ZodType, path: PropertyKey[], given: unknown): string {
  const union = unionAt(schema, path.slice(0, -1));
  const expected = union
    ? `expected ${union.branches.map(withKeys).join(" or ")}`
    : "expected one of the documented values";
  return given === undefined ? `is required: ${expected}` : `${expected}, got ${describeInput(given)}`;
}

const TYPE_NAMES: Record<string, string> = {
  string: "text",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  object: "a map of settings",
  array: "a list",
};

/**
 * Zod's own wording ("Invalid input: expected string, received undefined", "Too small: ...") in the
 * project's terms. Messages the schemas set themselves are kept.
 */
export function plainIssueMessage(issue: z.core.$ZodIssue, given: unknown): string {
  const own = !/^(Invalid|Too (small|big)|Unrecognized|Expected)/.test(issue.message);
  if (own) return issue.message;
  if (issue.code === "invalid_type") {
    if (given === undefined)
      return `expected ${TYPE_NAMES[issue.expected] ?? issue.expected} (docs/configuration.md)`;
    const account = unquotedAccountId(given);
    if (issue.expected === "string" && account) return `expected an account ID in quotes, ${account}`;
    return `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
  }
  if (issue.code === "too_small" || issue.code === "too_big") {
    const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
    const most = issue.code === "too_small" ? "at least" : "at most";
    if (issue.origin === "string")
      return issue.code === "too_small" && Number(bound) === 1
        ? "expected a non-empty value"
        : `expected ${most} ${bound} characters`;
    if (issue.origin === "array") return `expected ${most} ${bound} item${Number(bound) === 1 ? "" : "s"}`;
    return `expected ${most} ${bound}`;
  }
  if (issue.code === "invalid_value")
    return `expected ${issue.values.map((v) => JSON.stringify(v)).join(" or ")}`;
  if (issue.code === "invalid_format") return "is not in the documented format (docs/configuration.md)";
  return "is not a valid value (docs/configuration.md)";
}

/**
 * A config key whose namespace is not this project's but looks like it (`centrallogging:role`), or that
 * has no namespace: Pulumi passes it to no setting, so the stack would run without it.
 */
export function namespaceProblem(keys: string[]): { key: string; message: string } | undefined {
  for (const key of keys) {
    const at = key.indexOf(":");
    if (at < 0)
      return {
        key,
        message: `expected a namespaced key such as ${PROJECT}:${key} (Pulumi reads stack settings only as <namespace>:<name>)`,
      };
    const namespace = key.slice(0, at);
    if (namespace === PROJECT || OTHER_NAMESPACES.includes(namespace)) continue;
    const squashed = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, "");
    if (squashed(namespace) === squashed(PROJECT) || distance(namespace.toLowerCase(), PROJECT) <= 3)
      return {
        key,
        message: `has the namespace ${namespace}, which is not this project's; did you mean ${PROJECT}:${key.slice(at + 1)}?`,
      };
  }
  return undefined;
}
