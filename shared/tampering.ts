/**
 * The calls that tamper with the archive or with what feeds it, in one place: the guardrails (SCPs and the
 * archive's bucket-policy denies) deny them, the detective rules announce them (EventBridge patterns on
 * CloudTrail events), and the access matrix proves an account administrator cannot make them.
 *
 * Each entry pairs the IAM action with the CloudTrail event names that record it: they differ for S3,
 * where one permission covers a Put and a Delete (s3:PutReplicationConfiguration authorizes both
 * PutBucketReplication and DeleteBucketReplication; S3 user guide, required permissions for S3 API
 * operations).
 */

export interface TamperingCall {
  /** The IAM action a policy allows or denies. */
  action: string;
  /** The CloudTrail eventSource and eventNames of the calls it authorizes, when EventBridge can match them. */
  event?: { source: string; names: string[] };
}

const s3 = (action: string, ...events: string[]): TamperingCall => ({
  action: `s3:${action}`,
  ...(events.length ? { event: { source: "s3.amazonaws.com", names: events } } : {}),
});
const kms = (action: string): TamperingCall => ({
  action: `kms:${action}`,
  event: { source: "kms.amazonaws.com", names: [action] },
});
const sqs = (action: string): TamperingCall => ({
  action: `sqs:${action}`,
  event: { source: "sqs.amazonaws.com", names: [action] },
});
const same = (service: string, source: string) => (action: string) => ({
  action: `${service}:${action}`,
  event: { source, names: [action] },
});
const cloudtrail = same("cloudtrail", "cloudtrail.amazonaws.com");
const ec2 = same("ec2", "ec2.amazonaws.com");
const wafv2 = same("wafv2", "wafv2.amazonaws.com");
const iam = same("iam", "iam.amazonaws.com");

/** Settings of an archive bucket that decide who may read, write, keep or erase the logs. */
export const ARCHIVE_BUCKET_CALLS: TamperingCall[] = [
  s3("PutBucketPolicy", "PutBucketPolicy"),
  s3("DeleteBucketPolicy", "DeleteBucketPolicy"),
  s3("PutLifecycleConfiguration", "PutBucketLifecycle", "DeleteBucketLifecycle"),
  s3("PutBucketVersioning", "PutBucketVersioning"),
  s3("PutBucketObjectLockConfiguration", "PutObjectLockConfiguration"),
  s3("PutBucketNotification", "PutBucketNotification"),
  s3("PutEncryptionConfiguration", "PutBucketEncryption", "DeleteBucketEncryption"),
  s3("PutBucketLogging", "PutBucketLogging"),
  s3("PutReplicationConfiguration", "PutBucketReplication", "DeleteBucketReplication"),
  s3("PutBucketPublicAccessBlock", "PutBucketPublicAccessBlock", "DeleteBucketPublicAccessBlock"),
  s3("PutBucketOwnershipControls", "PutBucketOwnershipControls", "DeleteBucketOwnershipControls"),
  s3("PutBucketAcl", "PutBucketAcl"),
  s3("DeleteBucket", "DeleteBucket"),
];

/**
 * Calls on the archive's objects that only break-glass may make: bypassing governance retention (which
 * also shortens or removes a retention), and deleting a version. CloudTrail records them as data events,
 * which EventBridge sees only where a trail logs S3 data events: they are denied, not announced.
 */
export const ARCHIVE_OBJECT_CALLS: TamperingCall[] = [
  s3("BypassGovernanceRetention"),
  s3("PutObjectRetention"),
  s3("DeleteObjectVersion"),
  s3("DeleteObject"),
];

export const ARCHIVE_KEY_CALLS: TamperingCall[] = [
  kms("PutKeyPolicy"),
  kms("ScheduleKeyDeletion"),
  kms("DisableKey"),
  kms("DisableKeyRotation"),
  kms("CreateGrant"),
];

export const ARCHIVE_QUEUE_CALLS: TamperingCall[] = [
  sqs("DeleteQueue"),
  sqs("PurgeQueue"),
  sqs("SetQueueAttributes"),
  sqs("AddPermission"),
  sqs("RemovePermission"),
];

/** What stops or narrows a member's trails. */
export const TRAIL_CALLS: TamperingCall[] = [
  cloudtrail("StopLogging"),
  cloudtrail("DeleteTrail"),
  cloudtrail("UpdateTrail"),
  cloudtrail("PutEventSelectors"),
];
export const FLOW_LOG_CALLS: TamperingCall[] = [ec2("DeleteFlowLogs")];
export const WAF_LOGGING_CALLS: TamperingCall[] = [
  wafv2("DeleteLoggingConfiguration"),
  wafv2("PutLoggingConfiguration"),
];
/** The WAF staging bucket: where its objects go, how long they stay, who may write, how they are encrypted. */
export const STAGING_BUCKET_CALLS: TamperingCall[] = [
  s3("PutReplicationConfiguration", "PutBucketReplication", "DeleteBucketReplication"),
  s3("PutLifecycleConfiguration", "PutBucketLifecycle", "DeleteBucketLifecycle"),
  s3("PutBucketPolicy", "PutBucketPolicy"),
  s3("DeleteBucketPolicy", "DeleteBucketPolicy"),
  s3("PutEncryptionConfiguration", "PutBucketEncryption", "DeleteBucketEncryption"),
  s3("PutBucketVersioning", "PutBucketVersioning"),
  s3("DeleteBucket", "DeleteBucket"),
];
export const STAGING_KEY_CALLS: TamperingCall[] = [
  kms("PutKeyPolicy"),
  kms("ScheduleKeyDeletion"),
  kms("DisableKey"),
];
/** Changes to a role the project relies on: the replication role, and the exempt deploy and break-glass roles. */
export const ROLE_CALLS: TamperingCall[] = [
  iam("CreateRole"),
  iam("DeleteRole"),
  iam("UpdateAssumeRolePolicy"),
  iam("PutRolePolicy"),
  iam("DeleteRolePolicy"),
  iam("AttachRolePolicy"),
  iam("DetachRolePolicy"),
  iam("PutRolePermissionsBoundary"),
  iam("DeleteRolePermissionsBoundary"),
];

/** The tag the member stacks put on the resources the guardrails protect by tag (flow logs, staging key). */
export const PROTECTED_TAG = "central-logging:protected";

export const actionsOf = (calls: TamperingCall[]) => calls.map((c) => c.action);
