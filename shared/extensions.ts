/**
 * Policy extensions: statement shapes or condition keys that AWS does not document for the service
 * principal they apply to. The default policies use only documented shapes and keys, so they deliver
 * logs with every extension off. Each extension is opt-in through `central-logging:policyExtensions`,
 * and each states what it changes and what breaks if AWS does not behave as assumed.
 */

export const EXTENSIONS = [
  "own-account-prefix",
  "org-id-for-log-delivery",
  "kms-source-account",
  "access-log-tls-deny",
  "replication-trust-source",
] as const;
export type Extension = (typeof EXTENSIONS)[number];

export interface ExtensionInfo {
  /** What the extension changes in the emitted policies. */
  changes: string;
  /** What goes wrong, and how it shows, if AWS does not behave as the extension assumes. */
  risk: string;
  /** Why it is not in the default: what AWS does (not) document, and what is publicly reported. */
  evidence: string;
}

export const EXTENSION_INFO: Record<Extension, ExtensionInfo> = {
  "own-account-prefix": {
    changes:
      "Each service writer may write only under its own AWSLogs/<account>/ prefix: the log delivery service " +
      "and account trails admitted by account by the policy variable ${aws:SourceAccount} in Resource, and each " +
      "trail admitted by ARN by a statement of its own (its prefix, its trail ARN). (Member WAF replication " +
      "roles are confined to AWSLogs/${aws:PrincipalAccount}/ by default: AWS documents that variable for IAM " +
      "principals.)",
    risk:
      "If S3 does not substitute ${aws:SourceAccount} for a service principal's requests, every flow-log write " +
      "(DeliverLogsStatus FAILED) and every account-trail write (LatestDeliveryError) is silently denied; the " +
      "no-delivery alarm fires. The per-trail CloudTrail statements use documented keys only and cost policy " +
      "size, not delivery.",
    evidence:
      "The IAM user guide says global condition keys can be used as policy variables, but no AWS example puts " +
      "one in the Resource of a service-principal statement. Without the extension the services still choose " +
      "the prefix themselves: CloudTrail and the log delivery service write under the account they act for, " +
      "and AWSLogs/ cannot be chosen as a key prefix.",
  },
  "org-id-for-log-delivery": {
    changes:
      "Organization mode: the log delivery service (VPC Flow Logs) is admitted by aws:SourceOrgID " +
      "instead of an aws:SourceAccount list, so memberAccountIds need not list every account that ships flow logs.",
    risk:
      "If delivery.logs.amazonaws.com does not send aws:SourceOrgID on a request (S3 write or KMS call), that " +
      "delivery is silently denied: flow logs show DeliverLogsStatus FAILED and the no-delivery alarm fires.",
    evidence:
      "AWS's vended-logs guide (CloudWatch Logs user guide, AWS-logs-and-resource-policy) documents only " +
      "aws:SourceAccount and aws:SourceArn for this principal. Its presence is reported: AWS's own " +
      "aws-samples/data-perimeter-policy-examples (resource control policies README) lists VPC Flow Logs log " +
      "delivery among the requests that carry it, and it is used for S3 writes by " +
      "terraform-aws-modules/terraform-aws-s3-bucket pull request 273 and ministryofjustice/modernisation-platform " +
      "pull request 8000; nothing public covers the KMS calls specifically. CloudTrail, by contrast, is " +
      "reported not to send it for GetBucketAcl (modernisation-platform pull request 11456).",
  },
  "kms-source-account": {
    changes:
      "aws:SourceAccount = the archive account on the key statements for S3 (event notifications into the " +
      "SSE-KMS queues) and CloudWatch (alarms publishing to the SSE-KMS alarm topic).",
    risk:
      "If S3 does not send aws:SourceAccount on these KMS calls, PutBucketNotificationConfiguration fails its " +
      'destination test at apply time ("Unable to validate the following destination configurations"). If ' +
      "CloudWatch does not, alarm notifications stop silently (the alarms still change state).",
    evidence:
      "AWS's statements have no condition (SQS developer guide, sqs-key-management; CloudWatch user guide, " +
      "encrypted SNS topics). Community modules add aws:SourceAccount; no AWS page says which source keys these " +
      "services send on their KMS calls, and the SNS developer guide's statements for AWS event sources " +
      "to encrypted topics have no source condition either.",
  },
  "access-log-tls-deny": {
    changes:
      "The server-access-log buckets (central and member WAF staging) also deny every request made without TLS.",
    risk:
      "If S3 server access logging delivers without TLS, access logs stop silently (the log buckets themselves " +
      "keep working).",
    evidence:
      "The S3 user guide's access-log bucket policy (enable-server-access-logging) has no TLS deny, and AWS does " +
      "not say whether log delivery uses TLS.",
  },
  "replication-trust-source": {
    changes:
      "The member WAF replication role's trust policy admits s3.amazonaws.com only with aws:SourceAccount = the " +
      "member account and aws:SourceArn = its staging bucket.",
    risk:
      "If S3 replication does not send these keys when it assumes the role, every assumption is denied and every " +
      "WAF log fails to replicate (replication status FAILED, reason AssumeRoleNotPermitted; the member's " +
      "failed-replication alarm fires). The staging bucket keeps the objects for waf.localBucketExpirationDays.",
    evidence:
      "AWS's trust policy for replication has no condition (S3 user guide, setting up permissions for live " +
      "replication), and no AWS page says which keys S3 sends when it assumes a replication role. The IAM user " +
      "guide recommends these keys against the confused deputy problem in general.",
  },
};

/** The config value `all`, or a list of names, resolved to a set. */
export function resolveExtensions(value: "none" | "all" | readonly Extension[]): Set<Extension> {
  if (value === "all") return new Set(EXTENSIONS);
  if (value === "none") return new Set();
  return new Set(value);
}
