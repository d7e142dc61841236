/**
 * What each AWS service puts in the request context when it acts on the archive, per principal and
 * action, with the page that says so. This table is the only source of the service requests the access
 * matrix evaluates (tools/access/accessMatrix.ts) and of the condition keys the stacks may rely on by
 * default (test/provenance.test.ts): a proof can only use a key that this table says the service sends.
 *
 * Each key is graded by the strength of its evidence:
 * - documented: an AWS documentation page shows the key in a policy for this principal and action, or
 *   the IAM user guide documents the key as present in every request of this kind (the source is an AWS
 *   documentation page, and test/access.test.ts checks that it is);
 * - reported: public reports or AWS samples show the key working, but no AWS documentation page;
 * - assumed: neither.
 * Only documented keys are used by default. A reported or assumed key is used only when the opt-in policy
 * extension named by `optIn` is on (shared/extensions.ts), and the proofs say so.
 *
 * `absent` records keys that are publicly reported missing (`reported`), or whose presence the public
 * record contradicts (`unknown`), so that nobody relies on them by default.
 */
import { Extension } from "./extensions";

export interface Source {
  title: string;
  url: string;
}

export const SOURCES = {
  cloudTrailBucket: {
    title: "CloudTrail user guide: Amazon S3 bucket policy for CloudTrail",
    url: "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html",
  },
  cloudTrailOrgBucket: {
    title: "CloudTrail user guide: bucket policy for an organization trail",
    url: "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html#org-trail-bucket-policy",
  },
  cloudTrailMultiAccount: {
    title: "CloudTrail user guide: setting bucket policy for multiple accounts",
    url: "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-set-bucket-policy-for-multiple-accounts.html",
  },
  cloudTrailKms: {
    title: "CloudTrail user guide: configure AWS KMS key policies for CloudTrail",
    url: "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html",
  },
  vendedLogs: {
    title: "CloudWatch Logs user guide: enabling logging from AWS services (logs sent to Amazon S3)",
    url: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-and-resource-policy.html#AWS-logs-infrastructure-S3",
  },
  vendedLogsKms: {
    title: "CloudWatch Logs user guide: Amazon S3 bucket server-side encryption (vended logs)",
    url: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-and-resource-policy.html#AWS-logs-SSE-KMS-S3",
  },
  flowLogsS3: {
    title: "VPC user guide: Amazon S3 bucket permissions for flow logs",
    url: "https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3-permissions.html",
  },
  s3Notifications: {
    title: "S3 user guide: granting permissions to publish event notification messages to a destination",
    url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/grant-destinations-permissions-to-s3.html",
  },
  sqsKms: {
    title: "SQS developer guide: configure KMS permissions for AWS services",
    url: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html#compatibility-with-aws-services",
  },
  s3AccessLogs: {
    title: "S3 user guide: enabling Amazon S3 server access logging (bucket policy)",
    url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html",
  },
  s3Replication: {
    title: "S3 user guide: setting up permissions for live replication",
    url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html",
  },
  s3EncryptionContext: {
    title: "S3 user guide: SSE-KMS encryption context (object ARN, or bucket ARN with an S3 Bucket Key)",
    url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#encryption-context",
  },
  cloudWatchAlarmTopic: {
    title: "CloudWatch user guide: alarm actions to an SNS topic encrypted with a customer managed key",
    url: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html",
  },
  iamGlobalKeys: {
    title: "IAM user guide: AWS global condition context keys (availability of each key)",
    url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html",
  },
  kmsViaService: {
    title: "KMS developer guide: kms:ViaService (the .amazonaws.com suffix in every partition)",
    url: "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service",
  },
  cloudTrailConfusedDeputy: {
    title:
      "CloudTrail user guide: cross-service confused deputy prevention (aws:SourceArn with wildcards, aws:SourceAccount for any resource of an account)",
    url: "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cross-service-confused-deputy-prevention.html",
  },
  s3ReplicationKms: {
    title:
      "S3 user guide: replicating encrypted objects (kms:ViaService and kms:EncryptionContext:aws:s3:arn for the replication role; kms:Decrypt for a destination with an S3 Bucket Key)",
    url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html",
  },
  snsCloudWatchAlarms: {
    title:
      "SNS developer guide: allow any CloudWatch alarm to publish to a topic (aws:SourceArn, aws:SourceAccount)",
    url: "https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html",
  },
  snsEventSourcesKms: {
    title:
      "SNS developer guide: AWS service event sources and encrypted topics (the key policy statement for EventBridge has no condition)",
    url: "https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services",
  },
  iamConfusedDeputy: {
    title:
      "IAM user guide: the confused deputy problem (aws:SourceArn and aws:SourceAccount in trust policies)",
    url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html",
  },
  reportCloudTrailNoOrgIdAcl: {
    title:
      "Public report: CloudTrail's GetBucketAcl carries no aws:SourceOrgID (ministryofjustice/modernisation-platform pull request 11456)",
    url: "https://github.com/ministryofjustice/modernisation-platform/pull/11456",
  },
  reportCloudTrailOrgIdUnknown: {
    title:
      "Conflicting public record on CloudTrail and aws:SourceOrgID for PutObject and KMS: modernisation-platform pull request 11445 was merged and reverted within the hour and that repository's main still conditions CloudTrail's PutObject on it; aws-samples/data-perimeter-policy-examples lists CloudTrail log delivery under its aws:SourceOrgID resource control policy; awsdocs/aws-cloudtrail-user-guide pull requests 16 and 17 predate the key",
    url: "https://github.com/ministryofjustice/modernisation-platform/pull/11445",
  },
  reportLogDeliveryOrgId: {
    title:
      "AWS sample and public reports: aws:SourceOrgID on delivery.logs.amazonaws.com requests (aws-samples/data-perimeter-policy-examples, resource control policies README, lists VPC Flow Logs log delivery; terraform-aws-modules/terraform-aws-s3-bucket pull request 273; ministryofjustice/modernisation-platform pull request 8000)",
    url: "https://github.com/aws-samples/data-perimeter-policy-examples/blob/main/resource_control_policies/README.md",
  },
} satisfies Record<string, Source>;

/** The condition keys the table knows, and which request fact each takes its value from. */
export const CONTEXT_KEYS = {
  "aws:SecureTransport": "secureTransport",
  "aws:SourceArn": "sourceArn",
  "aws:SourceAccount": "sourceAccount",
  "aws:SourceOrgID": "sourceOrgId",
  "aws:PrincipalArn": "principalArn",
  "aws:PrincipalAccount": "principalAccount",
  "aws:PrincipalOrgID": "principalOrgId",
  "s3:x-amz-acl": "acl",
  "kms:ViaService": "viaService",
  "kms:EncryptionContext:aws:cloudtrail:arn": "cloudTrailContext",
  "kms:EncryptionContext:aws:s3:arn": "s3Context",
  "aws:PrincipalIsAWSService": "principalIsAwsService",
  "aws:ResourceTag/central-logging:protected": "protectedTag",
  "aws:TagKeys": "tagKeys",
} as const;
export type ContextKey = keyof typeof CONTEXT_KEYS;
type FactName = (typeof CONTEXT_KEYS)[ContextKey];

/** What a cell knows about a request; the table decides which of it reaches the request context. */
export type RequestFacts = Partial<Record<FactName, string | string[]>>;

export type Evidence = "documented" | "reported" | "assumed";

export interface KeyFact {
  key: ContextKey;
  evidence: Evidence;
  source: Source;
  /** The service may leave the key out; proofs evaluate the request with and without it. */
  optional?: boolean;
  /** Present only in some requests, as the cell's facts decide (`when` says which). */
  when?: string;
  /** The value is always this for the row (aws:PrincipalIsAWSService); cells need not state it. */
  fixed?: string;
  /**
   * The extension that relies on this key: the key is used (by policies and proofs) only when that
   * extension is on. Every reported or assumed key has one.
   */
  optIn?: Extension;
}

export interface AbsentKey {
  key: ContextKey;
  /** documented: AWS says the key is not supported; reported: publicly reported missing; unknown: not settled (the public record conflicts, or says nothing). */
  evidence: "documented" | "reported" | "unknown";
  source: Source;
}

export interface RequestContextRow {
  /** A service principal, or `iam` (a role's own request), `iam-via-s3` / `iam-via-sqs` / `iam-via-other` (KMS calls another service makes for a role), `iam-via-s3-replication` (KMS calls S3 replication makes as the replication role). */
  principal: string;
  /** Actions this row covers; a trailing `*` matches a prefix. */
  actions: string[];
  /** What the row is about, in a few words. */
  what: string;
  keys: KeyFact[];
  absent?: AbsentKey[];
}

const documented = (key: ContextKey, source: Source, optional = false): KeyFact => ({
  key,
  evidence: "documented",
  source,
  ...(optional ? { optional } : {}),
});
const optIn = (
  key: ContextKey,
  evidence: "reported" | "assumed",
  by: Extension,
  source: Source,
): KeyFact => ({
  key,
  evidence,
  optIn: by,
  source,
});
/** aws:SecureTransport is in every request context (IAM global keys); the cells supply its value. */
const tls = documented("aws:SecureTransport", SOURCES.iamGlobalKeys);
/**
 * aws:PrincipalIsAWSService is in every signed request (IAM global keys): true when a service principal
 * makes the request, false for an IAM principal. The guardrails' resource control policy relies on it.
 */
const byService: KeyFact = {
  ...documented("aws:PrincipalIsAWSService", SOURCES.iamGlobalKeys),
  fixed: "true",
};
const notByService: KeyFact = {
  ...documented("aws:PrincipalIsAWSService", SOURCES.iamGlobalKeys),
  fixed: "false",
};
/** A principal's request on a tagged resource carries its tags; one that adds or removes tags, their keys. */
const resourceTag: KeyFact = {
  ...documented("aws:ResourceTag/central-logging:protected", SOURCES.iamGlobalKeys),
  when: "the resource carries the tag",
};
const tagKeys: KeyFact = {
  ...documented("aws:TagKeys", SOURCES.iamGlobalKeys),
  when: "the request adds or removes tags",
};
const principalKeys = [
  documented("aws:PrincipalArn", SOURCES.iamGlobalKeys),
  documented("aws:PrincipalAccount", SOURCES.iamGlobalKeys),
  {
    ...documented("aws:PrincipalOrgID", SOURCES.iamGlobalKeys),
    when: "the principal's account belongs to an organization",
  },
];
const cloudTrailOrgIdUnknown: AbsentKey = {
  key: "aws:SourceOrgID",
  evidence: "unknown",
  source: SOURCES.reportCloudTrailOrgIdUnknown,
};

export const REQUEST_CONTEXTS: RequestContextRow[] = [
  {
    principal: "cloudtrail.amazonaws.com",
    actions: ["s3:GetBucketAcl"],
    what: "CloudTrail checks the bucket ACL before writing (also as CreateTrail's pre-flight)",
    keys: [
      documented("aws:SourceArn", SOURCES.cloudTrailMultiAccount),
      documented("aws:SourceAccount", SOURCES.cloudTrailConfusedDeputy),
      byService,
      tls,
    ],
    absent: [{ key: "aws:SourceOrgID", evidence: "reported", source: SOURCES.reportCloudTrailNoOrgIdAcl }],
  },
  {
    principal: "cloudtrail.amazonaws.com",
    actions: ["s3:PutObject"],
    what: "CloudTrail writes a log or digest file",
    keys: [
      documented("aws:SourceArn", SOURCES.cloudTrailOrgBucket),
      documented("aws:SourceAccount", SOURCES.cloudTrailConfusedDeputy),
      documented("s3:x-amz-acl", SOURCES.cloudTrailOrgBucket),
      byService,
      tls,
    ],
    absent: [cloudTrailOrgIdUnknown],
  },
  {
    principal: "cloudtrail.amazonaws.com",
    actions: ["kms:GenerateDataKey*"],
    what: "CloudTrail encrypts a log file",
    keys: [
      documented("aws:SourceArn", SOURCES.cloudTrailKms),
      // "also supported, but not recommended": the trail owner, for organization trails the management account.
      documented("aws:SourceAccount", SOURCES.cloudTrailKms),
      documented("kms:EncryptionContext:aws:cloudtrail:arn", SOURCES.cloudTrailKms),
      byService,
      tls,
    ],
    absent: [cloudTrailOrgIdUnknown],
  },
  {
    principal: "cloudtrail.amazonaws.com",
    actions: ["kms:DescribeKey", "kms:Decrypt"],
    what: "CloudTrail describes the key, and decrypts to validate an S3 Bucket Key",
    keys: [
      documented("aws:SourceArn", SOURCES.cloudTrailKms),
      documented("aws:SourceAccount", SOURCES.cloudTrailKms),
      byService,
      tls,
    ],
    absent: [cloudTrailOrgIdUnknown],
  },
  {
    principal: "delivery.logs.amazonaws.com",
    actions: ["s3:GetBucketAcl", "s3:ListBucket"],
    what: "The log delivery service (VPC Flow Logs, AWS WAF) checks the bucket",
    keys: [
      documented("aws:SourceAccount", SOURCES.vendedLogs),
      documented("aws:SourceArn", SOURCES.vendedLogs),
      optIn("aws:SourceOrgID", "reported", "org-id-for-log-delivery", SOURCES.reportLogDeliveryOrgId),
      byService,
      tls,
    ],
  },
  {
    principal: "delivery.logs.amazonaws.com",
    actions: ["s3:PutObject"],
    what: "The log delivery service writes a log file",
    keys: [
      documented("aws:SourceAccount", SOURCES.vendedLogs),
      documented("aws:SourceArn", SOURCES.vendedLogs),
      // Documented in AWS's statement; with ACLs disabled the service may send none (cloudposse
      // terraform-aws-vpc-flow-logs-s3-bucket pull request 101), so proofs try both.
      documented("s3:x-amz-acl", SOURCES.vendedLogs, true),
      optIn("aws:SourceOrgID", "reported", "org-id-for-log-delivery", SOURCES.reportLogDeliveryOrgId),
      byService,
      tls,
    ],
  },
  {
    principal: "delivery.logs.amazonaws.com",
    actions: ["kms:*"],
    what: "The log delivery service encrypts a log file with the bucket's key",
    keys: [
      documented("aws:SourceAccount", SOURCES.vendedLogsKms),
      documented("aws:SourceArn", SOURCES.vendedLogsKms),
      optIn("aws:SourceOrgID", "reported", "org-id-for-log-delivery", SOURCES.reportLogDeliveryOrgId),
      byService,
      tls,
    ],
  },
  {
    principal: "s3.amazonaws.com",
    actions: ["sqs:SendMessage"],
    what: "S3 sends an event notification to a queue",
    keys: [
      documented("aws:SourceArn", SOURCES.s3Notifications),
      documented("aws:SourceAccount", SOURCES.s3Notifications),
      byService,
      tls,
    ],
  },
  {
    principal: "s3.amazonaws.com",
    actions: ["kms:GenerateDataKey", "kms:Decrypt"],
    what: "S3 encrypts an event notification for an SSE-KMS queue",
    keys: [optIn("aws:SourceAccount", "assumed", "kms-source-account", SOURCES.sqsKms), byService, tls],
  },
  {
    principal: "s3.amazonaws.com",
    actions: ["sts:AssumeRole"],
    what: "S3 replication assumes a member's replication role (AWS's trust policy has no condition)",
    keys: [
      optIn("aws:SourceAccount", "assumed", "replication-trust-source", SOURCES.iamConfusedDeputy),
      optIn("aws:SourceArn", "assumed", "replication-trust-source", SOURCES.iamConfusedDeputy),
      byService,
      tls,
    ],
  },
  {
    principal: "logging.s3.amazonaws.com",
    actions: ["s3:PutObject"],
    what: "S3 server access logging writes a log",
    keys: [
      documented("aws:SourceArn", SOURCES.s3AccessLogs),
      documented("aws:SourceAccount", SOURCES.s3AccessLogs),
      byService,
      tls,
    ],
  },
  {
    principal: "cloudwatch.amazonaws.com",
    actions: ["sns:Publish"],
    what: "A CloudWatch alarm publishes to the alarm topic",
    keys: [
      documented("aws:SourceArn", SOURCES.snsCloudWatchAlarms),
      documented("aws:SourceAccount", SOURCES.snsCloudWatchAlarms),
      byService,
      tls,
    ],
  },
  {
    principal: "events.amazonaws.com",
    actions: ["sns:Publish"],
    what: "An EventBridge rule publishes a tampering event to the alarm topic (AWS's statement has no condition)",
    keys: [byService, tls],
  },
  {
    principal: "events.amazonaws.com",
    actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
    what: "EventBridge encrypts an event for the SSE-KMS alarm topic",
    keys: [byService, tls],
    absent: [
      { key: "aws:SourceAccount", evidence: "unknown", source: SOURCES.snsEventSourcesKms },
      { key: "aws:SourceArn", evidence: "unknown", source: SOURCES.snsEventSourcesKms },
    ],
  },
  {
    principal: "events.amazonaws.com",
    actions: ["sts:AssumeRole"],
    what: "EventBridge assumes a member's role to forward tampering events to the archive's event bus",
    keys: [byService, tls],
  },
  {
    principal: "cloudwatch.amazonaws.com",
    actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
    what: "CloudWatch publishes an alarm to an SSE-KMS topic",
    keys: [
      optIn("aws:SourceAccount", "assumed", "kms-source-account", SOURCES.cloudWatchAlarmTopic),
      byService,
      tls,
    ],
  },
  {
    principal: "iam",
    actions: ["*"],
    what: "A role calls an AWS API itself (the SIEM reader, the verifier, a replication role writing replicas, an administrator)",
    keys: [...principalKeys, notByService, resourceTag, tagKeys, tls],
  },
  {
    principal: "iam-via-s3",
    actions: ["kms:*"],
    what: "S3 calls KMS for a role (reading or writing an SSE-KMS object)",
    keys: [
      ...principalKeys,
      notByService,
      documented("kms:ViaService", SOURCES.kmsViaService),
      documented("kms:EncryptionContext:aws:s3:arn", SOURCES.s3EncryptionContext),
      tls,
    ],
  },
  {
    principal: "iam-via-s3-replication",
    actions: ["kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt"],
    what: "S3 replication calls KMS as the replication role: Encrypt or GenerateDataKey for a replica, and Decrypt on the destination key to verify its S3 Bucket Key",
    keys: [
      ...principalKeys,
      notByService,
      documented("kms:ViaService", SOURCES.s3ReplicationKms),
      documented("kms:EncryptionContext:aws:s3:arn", SOURCES.s3ReplicationKms),
      tls,
    ],
  },
  {
    principal: "iam-via-sqs",
    actions: ["kms:*"],
    what: "SQS calls KMS for a role (receiving from an SSE-KMS queue)",
    keys: [...principalKeys, notByService, documented("kms:ViaService", SOURCES.kmsViaService), tls],
  },
  {
    principal: "iam-via-other",
    actions: ["kms:*"],
    what: "Another AWS service (EC2, for example) calls KMS for a role",
    keys: [...principalKeys, notByService, documented("kms:ViaService", SOURCES.kmsViaService), tls],
  },
  {
    principal: "anonymous",
    actions: ["*"],
    what: "An unauthenticated request",
    keys: [tls],
  },
];

const AWS_DOCUMENTATION = /^https:\/\/docs\.(aws\.amazon\.com|amazonaws\.cn)\//;

/**
 * What is wrong with the evidence of a table: a key that claims `documented` without an AWS documentation
 * page as its source, or a reported or assumed key that no extension opts into.
 */
export function evidenceProblems(rows: RequestContextRow[] = REQUEST_CONTEXTS): string[] {
  const problems: string[] = [];
  for (const row of rows)
    for (const k of row.keys) {
      const where = `${row.principal} ${row.actions.join(", ")} ${k.key}`;
      if (k.evidence === "documented" && !AWS_DOCUMENTATION.test(k.source.url))
        problems.push(`${where}: claims documented, but its source ${k.source.url} is not AWS documentation`);
      if (k.evidence !== "documented" && !k.optIn)
        problems.push(`${where}: ${k.evidence}, so only an opt-in extension may rely on it`);
    }
  return problems;
}

/** Whether a key of a row is used, given the extensions that are on: documented ones always, others by opt-in. */
export const keyInUse = (k: KeyFact, extensions: ReadonlySet<Extension>) =>
  k.optIn ? extensions.has(k.optIn) : k.evidence === "documented";

/** Whether an IAM action pattern (a trailing `*` matches a prefix) matches an action, ignoring case. */
export const actionMatches = (pattern: string, action: string) =>
  pattern === "*" ||
  pattern.toLowerCase() === action.toLowerCase() ||
  (pattern.endsWith("*") && action.toLowerCase().startsWith(pattern.slice(0, -1).toLowerCase()));

/** The row for a principal and action; throws if the table has none (a cell may not invent one). */
export function contextRow(principal: string, action: string): RequestContextRow {
  const row = REQUEST_CONTEXTS.find(
    (r) => r.principal === principal && r.actions.some((a) => actionMatches(a, action)),
  );
  if (!row) throw new Error(`no request-context row for ${principal} ${action}`);
  return row;
}

export interface BuiltContext {
  context: Record<string, string | string[]>;
  /** Keys in this context that rest on an extension's assumption rather than on documentation. */
  assumptions: ContextKey[];
}

/**
 * The request contexts a service really sends for these facts: only the row's keys, and only assumed
 * keys of the extensions that are on. One context per combination of optional keys present or absent.
 * A fact the row needs but the cell did not give is an error, not a silently smaller context.
 */
export function requestContexts(
  principal: string,
  action: string,
  facts: RequestFacts,
  extensions: ReadonlySet<Extension> = new Set(),
): BuiltContext[] {
  const row = contextRow(principal, action);
  let variants: BuiltContext[] = [{ context: {}, assumptions: [] }];
  for (const k of row.keys) {
    if (!keyInUse(k, extensions)) continue;
    const value = k.fixed ?? facts[CONTEXT_KEYS[k.key]];
    if (value === undefined) {
      if (k.optional || k.when) continue;
      throw new Error(`${principal} ${action}: the request needs ${k.key} (${CONTEXT_KEYS[k.key]})`);
    }
    const withKey = variants.map((v) => ({
      context: { ...v.context, [k.key]: value },
      assumptions: k.evidence !== "documented" ? [...v.assumptions, k.key] : v.assumptions,
    }));
    variants = k.optional ? [...variants, ...withKey] : withKey;
  }
  return variants;
}

/** Keys a principal sends for every one of these actions, given the extensions that are on. */
export function usableKeys(
  principal: string,
  actions: string[],
  extensions: ReadonlySet<Extension> = new Set(),
): Set<ContextKey> {
  let common: Set<ContextKey> | undefined;
  for (const action of actions) {
    const keys = new Set(
      contextRow(principal, action)
        .keys.filter((k) => keyInUse(k, extensions))
        .map((k) => k.key),
    );
    common = common ? new Set([...common].filter((k) => keys.has(k))) : keys;
  }
  return common ?? new Set();
}
