/**
 * Reading IAM policy documents out of resource properties, as a Pulumi program produces them: a JSON
 * string (or, rarely, an object). Unknown values during preview are reported by the caller.
 */
export interface Statement {
  Sid?: string;
  Effect?: string;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface Document {
  Version?: string;
  Statement: Statement[];
}

/** The AWS size limit of each kind of policy document, in bytes. */
export const SIZE_LIMITS = {
  bucket: 20480,
  key: 32768,
  queue: 8192,
  trust: 2048,
  inline: 10240,
  managed: 6144,
  // Organizations: SCPs and RCPs, 5,120 characters (Organizations user guide, quotas).
  organization: 5120,
  // EventBridge: an event bus's resource policy, 10,240 characters (an adjustable quota).
  eventBus: 10240,
} as const;
export type DocumentKind = keyof typeof SIZE_LIMITS;

/** Properties that hold a policy document, per resource type token, and the kind of document. */
export const POLICY_PROPERTIES: Record<string, [string, DocumentKind][]> = {
  "aws:s3/bucketPolicy:BucketPolicy": [["policy", "bucket"]],
  "aws:s3/bucket:Bucket": [["policy", "bucket"]],
  "aws:s3/bucketV2:BucketV2": [["policy", "bucket"]],
  "aws:kms/key:Key": [["policy", "key"]],
  "aws:kms/keyPolicy:KeyPolicy": [["policy", "key"]],
  "aws:sqs/queue:Queue": [["policy", "queue"]],
  "aws:sqs/queuePolicy:QueuePolicy": [["policy", "queue"]],
  "aws:iam/role:Role": [["assumeRolePolicy", "trust"]],
  "aws:iam/rolePolicy:RolePolicy": [["policy", "inline"]],
  "aws:iam/userPolicy:UserPolicy": [["policy", "inline"]],
  "aws:iam/policy:Policy": [["policy", "managed"]],
  "aws:organizations/policy:Policy": [["content", "organization"]],
  "aws:cloudwatch/eventBusPolicy:EventBusPolicy": [["policy", "eventBus"]],
};

export interface FoundDocument {
  /** Where the document sits, e.g. `policy` or `inlinePolicies[0].policy`. */
  path: string;
  kind: DocumentKind;
  value: unknown;
}

/** Every policy document a resource carries, including a role's inline policies. */
export function documentsOf(type: string, props: Record<string, any>): FoundDocument[] {
  const found: FoundDocument[] = [];
  for (const [prop, kind] of POLICY_PROPERTIES[type] ?? []) {
    const value = props[prop];
    if (value !== undefined && value !== null && value !== "") found.push({ path: prop, kind, value });
  }
  if (type === "aws:iam/role:Role" && Array.isArray(props.inlinePolicies))
    props.inlinePolicies.forEach((p: any, i: number) => {
      if (p && p.policy) found.push({ path: `inlinePolicies[${i}].policy`, kind: "inline", value: p.policy });
    });
  return found;
}

export type ParseResult = { ok: true; doc: Document } | { ok: false; error: string };

export function parseDocument(value: unknown): ParseResult {
  let doc: unknown = value;
  if (typeof value === "string") {
    try {
      doc = JSON.parse(value);
    } catch (e) {
      return { ok: false, error: `is not valid JSON (${(e as Error).message})` };
    }
  }
  if (!doc || typeof doc !== "object") return { ok: false, error: "is not a JSON object" };
  const statements = (doc as { Statement?: unknown }).Statement;
  if (statements === undefined) return { ok: false, error: "has no Statement" };
  return {
    ok: true,
    doc: { ...(doc as object), Statement: Array.isArray(statements) ? statements : [statements] } as Document,
  };
}

/** A value that may be one item or a list, as a list (items kept as they are). */
export const asArray = <T>(v: T | T[] | undefined | null): T[] =>
  v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];

/** Like asArray, for strings (actions, resources, principals). */
export const list = (v: unknown): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)];

export function principals(s: Statement): {
  aws: string[];
  service: string[];
  federated: string[];
  star: boolean;
} {
  const p = s.Principal;
  if (p === "*") return { aws: ["*"], service: [], federated: [], star: true };
  const o = (p ?? {}) as Record<string, unknown>;
  const aws = list(o.AWS);
  return { aws, service: list(o.Service), federated: list(o.Federated), star: aws.includes("*") };
}

/** Every condition key a statement tests, lower-cased. */
export function conditionKeys(s: Statement): string[] {
  return Object.values(s.Condition ?? {}).flatMap((entries) =>
    Object.keys(entries ?? {}).map((k) => k.toLowerCase()),
  );
}

export const SOURCE_KEYS = ["aws:sourcearn", "aws:sourceaccount", "aws:sourceorgid"];

/** IAM's wildcard match: `*` any run of characters, `?` one, case-insensitive. */
export const glob = (pattern: string, value: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    "i",
  ).test(value);

/** True if an IAM string value contains a wildcard. */
export const hasWildcard = (value: string) => /[*?]/.test(value);
