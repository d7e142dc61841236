/**
 * Typed IAM policy documents. Every policy this project writes is built as one of these objects and
 * serialised exactly once by `serializePolicy`, so that tests and the policy pack can parse it back.
 */

import * as pulumi from "@pulumi/pulumi";

export type StringOrList = string | string[];

/** Condition operators this project uses; the map is keyed by condition key, values are one or many. */
export type ConditionOperator =
  | "StringEquals"
  | "StringNotEquals"
  | "StringLike"
  | "StringEqualsIfExists"
  | "StringLikeIfExists"
  | "ArnEquals"
  | "ArnLike"
  | "ArnNotLike"
  | "ArnNotLikeIfExists"
  | "BoolIfExists"
  | "StringNotEqualsIfExists"
  | "ForAnyValue:StringEquals"
  | "Bool"
  | "Null"
  | "NumericLessThan";

export type Condition = Partial<Record<ConditionOperator, Record<string, StringOrList>>>;

export type Principal =
  | "*"
  | { AWS?: StringOrList; Service?: StringOrList; Federated?: StringOrList; CanonicalUser?: StringOrList };

export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: Principal;
  Action: StringOrList;
  Resource?: StringOrList;
  Condition?: Condition;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Id?: string;
  Statement: PolicyStatement[];
}

/** The kinds of policy document whose size AWS limits, with the limit in bytes. */
export const POLICY_SIZE_LIMITS = {
  /** S3 bucket policy: 20 KB (AWS S3 User Guide, "Bucket policies"). */
  bucket: 20 * 1024,
  /** KMS key policy: 32 KB (AWS KMS quotas, "Key policy document size"). */
  key: 32 * 1024,
  /** SQS queue policy: 8,192 bytes (SQS quotas, "Policy quotas"). */
  queue: 8 * 1024,
  /** IAM role trust policy: 2,048 characters by default (IAM quotas). */
  trust: 2048,
  /** IAM inline role policies, all of a role's together: 10,240 characters (IAM quotas). */
  inline: 10240,
  /** Service and resource control policies: 5,120 characters (Organizations quotas). */
  organization: 5120,
  /** EventBridge event bus policy: 10,240 characters by default, adjustable (EventBridge quotas). */
  eventBus: 10240,
  /** SNS topic policy: 30 KB (SNS quotas). */
  topic: 30 * 1024,
} as const;

export type PolicyKind = keyof typeof POLICY_SIZE_LIMITS;

export function policy(statements: PolicyStatement[]): PolicyDocument {
  return { Version: "2012-10-17", Statement: statements };
}

/** The one place where a policy document becomes JSON: compact, the size AWS counts. */
export function serializePolicy(doc: PolicyDocument): string {
  return JSON.stringify(doc);
}

export function policyBytes(doc: PolicyDocument | string): number {
  return Buffer.byteLength(typeof doc === "string" ? doc : serializePolicy(doc), "utf8");
}

/** What to do about a policy over its limit, by kind. */
const OVER_LIMIT_HINTS: Partial<Record<PolicyKind, string>> = {
  eventBus:
    'raise EventBridge\'s adjustable "Event bus policy size" quota in Service Quotas and set central-logging:tamperProtection.eventBusPolicyLimit to the new value, or use organization mode (docs/operations.md, Tamper protection)',
  organization:
    "name fewer exempt roles or trails in the guardrails (Organizations allows 5,120 characters per policy; docs/operations.md, Tamper protection)",
};
const DEFAULT_OVER_LIMIT_HINT =
  "list fewer accounts or trails, admit account trails by account (central-logging:cloudTrail.admitAccountTrailsBy: account), or use organization mode with an organization trail (docs/policies.md, Sizes)";

/** A RunError, so that the Pulumi CLI prints the one-line message without a stack trace. */
export class PolicySizeError extends pulumi.RunError {
  constructor(
    public readonly policyName: string,
    public readonly bytes: number,
    public readonly limit: number,
    kind?: PolicyKind,
  ) {
    super(
      `policy "${policyName}" is ${bytes} bytes, over the AWS limit of ${limit} bytes; ` +
        ((kind && OVER_LIMIT_HINTS[kind]) ?? DEFAULT_OVER_LIMIT_HINT),
    );
    this.name = "PolicySizeError";
  }
}

/**
 * Serialises a document after checking it against the limit AWS applies to its kind, or against a raised
 * quota where AWS lets an account raise it (the event bus policy).
 */
export function serializeWithinLimit(
  name: string,
  kind: PolicyKind,
  doc: PolicyDocument,
  limit: number = POLICY_SIZE_LIMITS[kind],
): string {
  const json = serializePolicy(doc);
  const bytes = policyBytes(json);
  if (bytes > limit) throw new PolicySizeError(name, bytes, limit, kind);
  return json;
}

/** A value that may be one item or a list, as a list. */
export function asList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** A list of one item collapses to that item, as AWS's own examples write it. */
export function oneOrMany(values: string[]): StringOrList {
  return values.length === 1 ? values[0] : values;
}
