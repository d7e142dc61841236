/**
 * The central stack's output contract: what member stacks read through their StackReference and what
 * SIEM configuration is rendered from. Bump CONTRACT_VERSION on any incompatible change.
 */
import { LogType } from "./naming";
import { Partition } from "./regions";

export const CONTRACT_VERSION = 1;

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
  /** How member web ACLs deliver to the central WAF bucket. */
  wafDelivery: "replication" | "direct" | "both";
}

/** Object keys a SIEM must not parse as log records, per log type. */
export const SKIP_KEY_PATTERNS: Record<LogType, string[]> = {
  // Digest files share the `.json.gz` suffix, so no S3 notification filter can exclude them
  // (S3 filters are literal prefixes and suffixes, and the account ID comes first in the key).
  cloudtrail: ["/CloudTrail-Digest/"],
  vpcflowlogs: [],
  waf: [],
};
