/**
 * Names of everything the project creates. Bucket names are global, so each carries the stack's
 * configured suffix; everything else is scoped to an account and Region and keeps a fixed name, which
 * lets policies name ARNs before the resources exist (and keeps previews free of unknowns).
 */
import { Partition } from "./regions";

export const LOG_TYPES = ["cloudtrail", "vpcflowlogs", "waf"] as const;
export type LogType = (typeof LOG_TYPES)[number];

/** AWS WAF only delivers to buckets whose name starts with this (WAF developer guide, logging-s3). */
export const WAF_BUCKET_PREFIX = "aws-waf-logs-";

export const PROJECT = "central-logging";

export function logBucketName(logType: LogType, suffix: string): string {
  return logType === "waf" ? `${WAF_BUCKET_PREFIX}central-${suffix}` : `central-logs-${logType}-${suffix}`;
}

export function accessLogBucketName(suffix: string): string {
  return `central-logs-access-${suffix}`;
}

export function queueName(logType: LogType): string {
  return `central-logs-${logType}`;
}

export function deadLetterQueueName(logType: LogType): string {
  return `central-logs-${logType}-dlq`;
}

export const KEY_ALIAS = "alias/central-logs";
export const DEFAULT_SIEM_ROLE_NAME = "central-logs-siem-reader";
/** Microsoft Sentinel only assumes roles whose name starts with `OIDC_`. */
export const DEFAULT_OIDC_SIEM_ROLE_NAME = "OIDC_central-logs-siem-reader";

/** The read-only role `npm run verify` assumes, when the central stack's `verifier` is configured. */
export const DEFAULT_VERIFIER_ROLE_NAME = "central-logs-verifier";

/**
 * The role that may change the archive and the member resources that feed it when the guardrails deny
 * everyone else; it announces every use (docs/operations.md, "Break-glass").
 */
export const DEFAULT_BREAK_GLASS_ROLE_NAME = "central-logging-break-glass";

/** Tamper detection: the archive's event bus for members' events, and each member's forwarding rule and role. */
export const TAMPER_EVENT_BUS_NAME = "central-logging-tamper-events";
export const TAMPER_RULE_NAME = "central-logging-tamper-events";
/**
 * IAM role names are account-wide, and a member may have stacks in several Regions: the forwarding role
 * carries its Region. Policies match every Region's by the prefix.
 */
export const TAMPER_FORWARDER_ROLE_PREFIX = "central-logging-tamper-events";
export const tamperForwarderRoleName = (region: string) => `${TAMPER_FORWARDER_ROLE_PREFIX}-${region}`;

/** Member-side names (each member account has its own copy). */
export const MEMBER_TRAIL_NAME = "central-logging";
/**
 * The member WAF replication roles: one per member account and Region (IAM names are account-wide, and an
 * account may ship WAF logs from several Regions, CloudFront's us-east-1 among them), named
 * `central-logging-waf-replication-<region>`. Policies admit them by the prefix.
 */
export const WAF_REPLICATION_ROLE_NAME = "central-logging-waf-replication";
export const wafReplicationRoleName = (region: string) => `${WAF_REPLICATION_ROLE_NAME}-${region}`;

export function memberWafBucketName(accountId: string, region: string): string {
  return `${WAF_BUCKET_PREFIX}${accountId}-${region}`;
}

export function memberAccessLogBucketName(accountId: string, region: string): string {
  return `central-logging-access-${accountId}-${region}`;
}

/** S3 bucket naming rules (S3 User Guide, "General purpose bucket naming rules"). */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return `"${name}" is ${name.length} characters; S3 allows 3 to 63`;
  if (!/^[a-z0-9][a-z0-9-]*[a-z0-9]$/.test(name))
    return `"${name}" may use only lowercase letters, digits and hyphens, and must start and end with a letter or digit`;
  const reservedPrefix = ["xn--", "sthree-", "amzn-s3-demo-"].find((p) => name.startsWith(p));
  if (reservedPrefix) return `"${name}" must not start with the reserved prefix "${reservedPrefix}"`;
  const reservedSuffix = ["-s3alias", "--ol-s3", "--x-s3", "--table-s3"].find((s) => name.endsWith(s));
  if (reservedSuffix) return `"${name}" must not end with the reserved suffix "${reservedSuffix}"`;
  return undefined;
}

export const arn = {
  bucket: (p: Partition, name: string) => `arn:${p}:s3:::${name}`,
  objects: (p: Partition, name: string, keyPattern = "*") => `arn:${p}:s3:::${name}/${keyPattern}`,
  queue: (p: Partition, region: string, account: string, name: string) =>
    `arn:${p}:sqs:${region}:${account}:${name}`,
  role: (p: Partition, account: string, name: string) => `arn:${p}:iam::${account}:role/${name}`,
  root: (p: Partition, account: string) => `arn:${p}:iam::${account}:root`,
  trail: (p: Partition, region: string, account: string, name: string) =>
    `arn:${p}:cloudtrail:${region}:${account}:trail/${name}`,
};

export function queueUrl(region: string, account: string, name: string, partition: Partition): string {
  const suffix = partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
  return `https://sqs.${region}.${suffix}/${account}/${name}`;
}
