/** Why each policy exists, for the README table (tools/docs/policyTable.ts). One line each. */
export const WHY: Record<string, string> = {
  "s3-log-bucket-encryption-cmk":
    "Vended logs (flow logs, WAF) need a customer managed key, and only a CMK lets you control who decrypts; the Bucket Key cuts KMS requests.",
  "s3-access-log-bucket-sse-s3":
    "S3 server access logging silently fails on SSE-KMS targets and on targets with an Object Lock default retention, however it is set.",
  "sqs-queue-encrypted":
    "Notifications name every log object; the aws/sqs key policy cannot admit S3, so such queues never receive events.",
  "s3-notification-queue-cmk-and-dlq":
    "Without a CMK S3 cannot deliver; without a dead-letter queue a poison message is retried forever or lost.",
  "cloudtrail-kms-encrypted":
    "CloudTrail logs are SSE-S3 only unless the trail names a key (Security Hub CloudTrail.2).",
  "kms-key-rotation-enabled": "Rotation limits the data under one key version (Security Hub KMS.4).",
  "kms-key-rotation-period":
    "Organizations often require rotation at least yearly; the period is configurable from 90 to 2560 days.",
  "iam-no-wildcard-actions": "Wildcards grant actions nobody reviewed, including deletes and policy changes.",
  "iam-no-unconditioned-public-principal": "An unconditioned * principal makes the resource public.",
  "iam-service-principal-source-condition":
    "Without source conditions any account can make the service act on your resource (confused deputy).",
  "kms-decrypt-only-readers":
    "Decrypt plus S3 read is the whole archive; member accounts and writers never need it.",
  "iam-cross-account-trust-condition":
    "Without an external ID or OIDC pins, anyone who learns the role ARN can ask the trusted party to assume it.",
  "iam-no-users-reading-logs":
    "Long-lived access keys leak; SIEMs support roles with an external ID or OIDC.",
  "service-principal-condition-keys-sent":
    "A condition on a key the service never sends never matches: CloudTrail scoped by aws:SourceOrgID, or a service scoped by aws:PrincipalOrgPaths, is silently denied.",
  "archive-access-model":
    "Nothing here is a wildcard, yet a member that may delete objects, a reader that may write or an organization that may drain the SIEM's queue erases or hides evidence.",
  "s3-archive-bucket-no-force-destroy":
    "A destroy of a bucket with forceDestroy first deletes every log in it.",
  "kms-archive-key-deletion-window":
    "The deletion window is the only time to notice and cancel a key deletion that would make every log unreadable.",
  "s3-archive-bucket-owner-only-acl":
    "An ACL that grants others exposes the logs, and on an owner-enforced bucket it fails only at apply time.",
  "s3-replication-of-sse-kms-logs":
    "S3 replicates SSE-KMS objects only when the rule selects them and names a replica key; otherwise they are skipped without an error.",
  "cloudtrail-global-service-events":
    "IAM and STS calls are global service events: without them a trail misses who changed access, and AWS refuses the multi-Region trail at apply time.",
  "sqs-dead-letter-queue-cmk":
    "A dead-letter queue holds the same object names as its queue; it needs the same key.",
  "iam-no-not-principal-or-not-action":
    "NotPrincipal/NotAction grant everything not named, and make vended-log auto-attach fail.",
  "s3-log-bucket-versioning": "Versioning keeps overwritten or deleted log objects recoverable.",
  "s3-log-bucket-public-access-block":
    "The four settings stop any policy or ACL from making logs public (Security Hub CloudTrail.6).",
  "s3-log-bucket-owner-enforced":
    "With ACLs disabled the archive owns every object a member writes, and no ACL can leak one.",
  "s3-log-bucket-tls-only":
    "Logs and credentials in transit stay encrypted (Control Tower AllowSSLRequestsOnly); a deny on the bucket ARN alone leaves every object readable over HTTP (Security Hub S3.5).",
  "s3-log-bucket-access-logging":
    "Access logs show who read or tried to change the audit trail (Security Hub CloudTrail.7).",
  "s3-log-bucket-protected": "A `pulumi destroy` or a refactor must never delete the audit trail.",
  "kms-log-key-protected": "Deleting the key makes every log it encrypted unreadable.",
  "cloudtrail-multi-region":
    "Activity in a Region without a trail goes unrecorded (Security Hub CloudTrail.1).",
  "cloudtrail-log-file-validation":
    "Digest files prove that log files were not changed or deleted (Security Hub CloudTrail.4).",
  "vpc-flow-log-traffic-all": "Investigations need accepted and rejected flows.",
  "waf-log-destination-name": "AWS WAF refuses destinations whose name does not start with aws-waf-logs-.",
  "s3-log-bucket-notification":
    "One configuration per bucket: a second one silently replaces the first, and the SIEM stops seeing logs.",
  "member-ships-cloudtrail": "A member account without CloudTrail ships network logs but not who did what.",
  "s3-log-bucket-minimum-retention": "Retention shorter than your obligations deletes evidence early.",
  "sns-alarm-topic-customer-managed-key":
    "CloudWatch cannot use alias/aws/sns, whose policy cannot be changed: every alarm, the no-delivery alarm included, is dropped and nobody is told.",
  "organization-guardrails-keep-delivery":
    "RCPs apply to AWS services and SCPs to the replication role: one deny without its exemption refuses every delivery, and no one sees the AccessDenied.",
  "organization-guardrails-spare-deployments":
    "A guardrail that spares no deploy role locks out the next pulumi up; undoing it needs the management account.",
  "sns-topic-not-public":
    "A topic anyone may publish to forges alarms; one anyone may subscribe to leaks them.",
  "s3-log-notification-every-object":
    "S3 filters are literal prefixes and suffixes; a filter on a log bucket leaves some accounts', Regions' or formats' files unannounced, and a narrower event type misses multipart or copied objects.",
  "s3-staging-replication-covers-logs":
    "A staging bucket is exempt from the SIEM notification because it replicates; a rule that selects other keys replicates nothing, and the logs expire unseen.",
  "cloudtrail-logging-enabled": "A trail with logging off looks configured and records nothing.",
  "cloudtrail-management-events":
    "Management events are who changed what: a selector that drops them, or excludes KMS events, leaves the changes and key use unrecorded (Security Hub CloudTrail.1, CIS 3.1).",
  "member-organization-trail-mode":
    "Members covered by an organization trail create none of their own; if the management account's trail is an account trail, their activity is never recorded.",
  "vpc-flow-log-default-fields":
    "Without addresses, ports, times or the action, a flow record cannot say who talked to whom, when, or whether it was allowed.",
  "sqs-log-queue-retention":
    "A notification that expires before the SIEM reads it is gone; the log object stays, but nothing announces it again.",
  "sqs-dead-letter-queue-retention":
    "A standard queue's messages keep their enqueue time in the dead-letter queue; a shorter retention there deletes them before anyone can redrive them (SQS developer guide).",
  "s3-log-noncurrent-version-retention":
    "Versioning keeps a deleted or overwritten log only as a noncurrent version; expiring those within days makes a tamperer's delete final before anyone looks.",
  "iam-external-id-pinned":
    "An external ID compared with a wildcard, only for presence or negated matches every caller: the confused-deputy protection is gone.",
  "iam-web-identity-trust-pinned":
    "GitHub lets the workflow choose the session name, and every Sentinel workspace shares Microsoft's provider and audience: only the subject (GitHub) or the session name (Sentinel) pins the caller, and a wildcard there admits everyone.",
  "iam-web-identity-trust-scope":
    "A pattern in the subject admits every branch or repository it matches; whether that is intended is a judgment call.",
  "iam-archive-role-managed-policy-known":
    "A managed policy's grants are outside the stack; the access model can judge only the ones whose document it knows.",
  "iam-policy-document-valid":
    "A document without Version 2012-10-17 does not substitute policy variables; a broken one fails the apply.",
  "iam-policy-unique-sids": "S3 and SQS reject policies with duplicate statement IDs.",
  "iam-policy-arns-well-formed":
    "A malformed ARN (like AWSLogs/<account-id>-5/*) matches nothing and silently denies the writer.",
  "iam-policy-size-limit": "AWS rejects an over-size policy at apply time, after the preview looked fine.",
};
