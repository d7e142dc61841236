/**
 * The central stack's output contract: what member stacks read through their StackReference and what
 * SIEM configuration is rendered from. Bump CONTRACT_VERSION on any incompatible change.
 */
import { Extension } from "./extensions";
import { LogType } from "./naming";
import { Partition } from "./regions";

/**
 * 2: trails admitted by ARN, the accounts admitted for log delivery, and the policy extensions.
 * 3: account trails admitted by account or by ARN; WAF only by replication (no wafDelivery); Object Lock.
 * 4: tamper protection: the access-log bucket, the deploy and break-glass role names, the tamper event bus
 *    and the alarm topic, which member stacks and the guardrails build on.
 */
export const CONTRACT_VERSION = 4;

/** The stack output that holds `CentralArchiveOutputs`. */
export const ARCHIVE_OUTPUT = "archive";
/** The stack output that holds the SIEM role's external ID, as a secret. */
export const EXTERNAL_ID_OUTPUT = "siemExternalId";

export interface LogDestination {
  /** Name of the central bucket for this log type. */
  bucketName: string;
  bucketArn: string;
  /** The SQS queue that receives an `s3:ObjectCreated:*` event for each new object. */
  queueUrl: string;
  queueArn: string;
  deadLetterQueueArn: string;
  /** Regular expressions of object keys a SIEM must skip (for example CloudTrail digest files). */
  skipKeyPatterns: string[];
}

export interface CentralArchiveOutputs {
  contractVersion: number;
  mode: "organization" | "account-list";
  /** The organization ID in organization mode. */
  organizationId?: string;
  /** The member accounts in account-list mode. */
  memberAccountIds?: string[];
  /** The log-archive account. */
  accountId: string;
  region: string;
  partition: Partition;
  /** ARN of the customer managed key that encrypts every log bucket and queue. */
  keyArn: string;
  logs: Record<LogType, LogDestination>;
  siemRoleArn: string;
  /** The read-only role `npm run verify` assumes, when the central stack's `verifier` is configured. */
  verifierRoleArn?: string;
  /**
   * The trails the archive admits. The organization trail is admitted by its ARN. Account trails are
   * admitted by their account (`admitAccountTrailsBy: account`: any trail of an account in
   * `accountTrailAccounts`) or each by its ARN (`trail`: one of `accountTrailArns`). `accountTrailArns`
   * always lists the account trails the archive expects (what `npm run verify` looks for).
   */
  cloudTrail: {
    organizationTrailArn?: string;
    admitAccountTrailsBy: "account" | "trail";
    accountTrailArns: string[];
    accountTrailAccounts: string[];
  };
  /** The log buckets' Object Lock default retention, when on. */
  objectLock?: { mode: "GOVERNANCE" | "COMPLIANCE"; retentionDays: number };
  /** The bucket that receives the log buckets' server access logs. */
  accessLogBucket: { bucketName: string; bucketArn: string };
  /**
   * Tamper protection: the role names (or path/name patterns) exempt from the archive's denies besides
   * break-glass, and where tampering events go. Members forward theirs to `eventBusArn`; the guardrails
   * stack exempts the same roles in every account.
   */
  tamperProtection: {
    deployRoleNames: string[];
    breakGlassRoleName: string;
    eventBusArn?: string;
    alarmTopicArn?: string;
  };
  /**
   * Accounts whose VPC Flow Logs and direct WAF logs the archive admits (aws:SourceAccount); absent when
   * the organization is admitted by aws:SourceOrgID (extension org-id-for-log-delivery).
   */
  logDeliveryAccounts?: string[];
  /** The policy extensions the central stack turned on (shared/extensions.ts). */
  policyExtensions: Extension[];
}

/** Object keys a SIEM must not parse as log records, per log type. */
export const SKIP_KEY_PATTERNS: Record<LogType, string[]> = {
  // Digest files share the `.json.gz` suffix, so no S3 notification filter can exclude them
  // (S3 filters are literal prefixes and suffixes, and the account ID comes first in the key).
  cloudtrail: ["/CloudTrail-Digest/"],
  vpcflowlogs: [],
  waf: [],
};

/** The stack output that holds one `SiemFeed` per log type. */
export const SIEM_OUTPUT = "siem";

/**
 * Everything a queue-driven S3 reader needs for one log type. The external ID is not in here: a secret
 * nested in an output makes the whole output secret, so it lives in its own secret output, named by
 * `externalIdOutput`.
 */
export interface SiemFeed {
  logType: LogType;
  region: string;
  queueUrl: string;
  queueArn: string;
  deadLetterQueueArn: string;
  bucketName: string;
  keyArn: string;
  roleArn: string;
  /** `aws`: sts:AssumeRole with an external ID; `oidc`: web identity (Microsoft Sentinel). */
  trust: "aws" | "oidc";
  /** The secret stack output that holds the external ID (AWS trust only). */
  externalIdOutput?: string;
  /** Object keys to read (a regular expression); everything else in the bucket is not a log of this type. */
  takeKeyPattern: string;
  /** Object keys to skip even when they match `takeKeyPattern`. */
  skipKeyPatterns: string[];
  /** What the objects hold. */
  fileFormat: string;
  /** The queue carries raw S3 event notifications (`Records[].s3`); skip `s3:TestEvent` messages. */
  messageFormat: "s3-event-notification";
}

/** Object keys of each log type as the services write them (account trail, organization trail, Hive). */
export const TAKE_KEY_PATTERNS: Record<LogType, string> = {
  cloudtrail: "^([^/]+/)*AWSLogs/(o-[a-z0-9]{10,32}/)?\\d{12}/CloudTrail/",
  vpcflowlogs: "^([^/]+/)*AWSLogs/(aws-account-id=)?\\d{12}/(aws-service=)?vpcflowlogs/",
  waf: "^([^/]+/)*AWSLogs/\\d{12}/WAFLogs/",
};

export const FILE_FORMATS: Record<LogType, string> = {
  cloudtrail: "gzip JSON, one object with a Records array per file",
  vpcflowlogs: "gzip space-delimited text with a header line (Parquet where a member chooses it)",
  waf: "gzip JSON lines, one request per line",
};
