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

/** Properties that hold a policy document, per resource type token. */
export const POLICY_PROPERTIES: Record<string, string[]> = {
  "aws:s3/bucketPolicy:BucketPolicy": ["policy"],
  "aws:kms/key:Key": ["policy"],
  "aws:kms/keyPolicy:KeyPolicy": ["policy"],
  "aws:sqs/queue:Queue": ["policy"],
  "aws:sqs/queuePolicy:QueuePolicy": ["policy"],
  "aws:iam/role:Role": ["assumeRolePolicy"],
  "aws:iam/rolePolicy:RolePolicy": ["policy"],
  "aws:iam/policy:Policy": ["policy"],
};

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
