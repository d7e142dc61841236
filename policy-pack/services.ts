/** Queues, KMS keys in use by the archive, CloudTrail, VPC Flow Logs and AWS WAF logging. */
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { asArray } from "./documents";
import { bucketNameOf, bucketViews, describe, encryptionRules, logBuckets } from "./model";
import { is, T } from "./types";
import { isUnknown, rawProps } from "./unknowns";

const AWS_MANAGED_SQS_KEY = /(^|:)alias\/aws\/sqs$/;

export const sqsQueueEncrypted: ResourceValidationPolicy = {
  name: "sqs-queue-encrypted",
  description:
    "SQS queues are encrypted at rest, with a customer managed key rather than the aws/sqs key (which S3 notifications cannot use).",
  severity: "high",
  enforcementLevel: "mandatory",
  remediationSteps:
    "Set kmsMasterKeyId to the ARN of a customer managed key whose policy admits the senders.",
  url: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html",
  validateResource: (args, report) => {
    if (!is(args.type, T.queue)) return;
    const p = rawProps(args.props);
    const key = p.kmsMasterKeyId;
    if (key && !isUnknown(key) && AWS_MANAGED_SQS_KEY.test(key))
      report("uses the AWS managed aws/sqs key, whose policy cannot admit S3 event notifications.");
    else if (!key && p.sqsManagedSseEnabled === false) report("has no server-side encryption.");
  },
};

/** The queues a stack's bucket notifications send to, by URN. */
export function notifiedQueues(resources: PolicyResource[]): Map<string, PolicyResource> {
  const queues = resources.filter((r) => is(r.type, T.queue));
  const byArn = new Map(queues.map((q) => [rawProps(q.props).arn, q]));
  const found = new Map<string, PolicyResource>();
  for (const n of resources.filter((r) => is(r.type, T.notification))) {
    for (const dep of n.propertyDependencies?.queues ?? [])
      if (is(dep.type, T.queue)) found.set(dep.urn, dep);
    for (const q of asArray(rawProps(n.props).queues)) {
      const match = byArn.get((q as any)?.queueArn);
      if (match) found.set(match.urn, match);
    }
  }
  return found;
}

export const s3NotificationQueueReady: StackValidationPolicy = {
  name: "s3-notification-queue-cmk-and-dlq",
  description:
    "Queues that receive S3 event notifications use a customer managed key and have a dead-letter queue.",
  severity: "high",
  enforcementLevel: "mandatory",
  remediationSteps:
    "Give the queue kmsMasterKeyId (a customer managed key) and a redrivePolicy to a dead-letter queue.",
  url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/ways-to-add-notification-config-to-bucket.html",
  validateStack: (args, report) => {
    for (const q of notifiedQueues(args.resources).values()) {
      const p = rawProps(q.props);
      if (!p.kmsMasterKeyId)
        report(`queue ${p.name ?? q.name} receives S3 notifications but has no customer managed key.`, q.urn);
      if (!p.redrivePolicy)
        report(`queue ${p.name ?? q.name} receives S3 notifications but has no dead-letter queue.`, q.urn);
    }
  },
};

export const s3LogBucketNotification: StackValidationPolicy = {
  name: "s3-log-bucket-notification",
  description:
    "Every log bucket has exactly one notification configuration that announces new objects on a queue (staging buckets that replicate elsewhere excepted).",
  severity: "medium",
  enforcementLevel: "mandatory",
  remediationSteps:
    "Add one aws.s3.BucketNotification per log bucket with s3:ObjectCreated:* to its queue; declaring two makes them overwrite each other.",
  url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventNotifications.html",
  validateStack: (args, report) => {
    for (const v of logBuckets(args.resources)) {
      if (v.replication.length) continue;
      if (v.notifications.length === 0)
        report(`${describe(v)}: has no S3 event notification for the SIEM.`, v.urn);
      else if (v.notifications.length > 1)
        report(
          `${describe(v)}: has ${v.notifications.length} BucketNotification resources; each overwrites the others.`,
          v.urn,
        );
      else if (!asArray(v.notifications[0].props.queues).length && !v.notifications[0].props.eventbridge)
        report(`${describe(v)}: its notification sends to no queue.`, v.urn);
    }
  },
};

export const kmsLogKeyProtected: StackValidationPolicy = {
  name: "kms-log-key-protected",
  description: "KMS keys that encrypt log buckets or trails are protected: losing the key loses the logs.",
  severity: "critical",
  enforcementLevel: "mandatory",
  remediationSteps: "Set the resource options protect: true and retainOnDelete: true on the key.",
  url: "https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html",
  validateStack: (args, report) => {
    const keys = args.resources.filter((r) => is(r.type, T.key));
    const used = new Map<string, PolicyResource>();
    const byValue = (value: unknown) =>
      keys.find((k) => {
        const p = rawProps(k.props);
        return value !== undefined && (value === p.arn || value === p.keyId || value === p.id);
      });
    const logBucketUrns = new Set(logBuckets(args.resources).map((v) => v.urn));
    for (const v of bucketViews(args.resources).filter((b) => logBucketUrns.has(b.urn))) {
      for (const sse of v.sse)
        for (const d of sse.resource.propertyDependencies?.rules ?? [])
          if (is(d.type, T.key)) used.set(d.urn, d);
      const rules = encryptionRules(v);
      if (rules !== "unknown")
        for (const r of rules) {
          const k = byValue(r?.applyServerSideEncryptionByDefault?.kmsMasterKeyId);
          if (k) used.set(k.urn, k);
        }
    }
    for (const t of args.resources.filter((r) => is(r.type, T.trail))) {
      for (const d of t.propertyDependencies?.kmsKeyId ?? []) if (is(d.type, T.key)) used.set(d.urn, d);
      const k = byValue(rawProps(t.props).kmsKeyId);
      if (k) used.set(k.urn, k);
    }
    for (const k of used.values())
      if (!k.opts?.protect) report(`KMS key ${k.name} encrypts logs but is not protected.`, k.urn);
  },
};

const TRAIL_URL = "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/best-practices-security.html";

export const cloudTrailEncrypted: ResourceValidationPolicy = {
  name: "cloudtrail-kms-encrypted",
  description: "CloudTrail trails encrypt their log files with a KMS key (kmsKeyId set).",
  severity: "high",
  enforcementLevel: "mandatory",
  remediationSteps: "Set kmsKeyId to the ARN of the archive's customer managed key.",
  url: "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/encrypting-cloudtrail-log-files-with-aws-kms.html",
  validateResource: (args, report) => {
    if (is(args.type, T.trail) && !rawProps(args.props).kmsKeyId)
      report("has no kmsKeyId: log files are only SSE-S3 encrypted.");
  },
};

export const cloudTrailMultiRegion: ResourceValidationPolicy = {
  name: "cloudtrail-multi-region",
  description: "CloudTrail trails record every Region (isMultiRegionTrail true).",
  severity: "high",
  enforcementLevel: "mandatory",
  remediationSteps: "Set isMultiRegionTrail: true.",
  url: TRAIL_URL,
  validateResource: (args, report) => {
    const v = rawProps(args.props).isMultiRegionTrail;
    if (is(args.type, T.trail) && v !== true && !isUnknown(v))
      report("records a single Region (isMultiRegionTrail is not true).");
  },
};

export const cloudTrailLogFileValidation: ResourceValidationPolicy = {
  name: "cloudtrail-log-file-validation",
  description: "CloudTrail trails write digest files so that tampering with log files can be detected.",
  severity: "high",
  enforcementLevel: "mandatory",
  remediationSteps: "Set enableLogFileValidation: true.",
  url: "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-intro.html",
  validateResource: (args, report) => {
    const v = rawProps(args.props).enableLogFileValidation;
    if (is(args.type, T.trail) && v !== true && !isUnknown(v)) report("has log file validation off.");
  },
};

export const flowLogTrafficAll: ResourceValidationPolicy = {
  name: "vpc-flow-log-traffic-all",
  description: "VPC flow logs record accepted and rejected traffic (trafficType ALL).",
  severity: "medium",
  enforcementLevel: "mandatory",
  remediationSteps: 'Set trafficType: "ALL".',
  url: "https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html",
  validateResource: (args, report) => {
    const v = rawProps(args.props).trafficType;
    if (is(args.type, T.flowLog) && v !== "ALL" && !isUnknown(v))
      report(`records only ${v ?? "no"} traffic, not ALL.`);
  },
};

export const wafLogDestinationName: ResourceValidationPolicy = {
  name: "waf-log-destination-name",
  description:
    "AWS WAF log destinations (S3 bucket, Firehose stream, log group) have names starting with aws-waf-logs-.",
  severity: "high",
  enforcementLevel: "mandatory",
  remediationSteps: "Name the destination aws-waf-logs-...; AWS WAF refuses any other.",
  url: "https://docs.aws.amazon.com/waf/latest/developerguide/logging-destinations.html",
  validateResource: (args, report) => {
    if (!is(args.type, T.wafLogging)) return;
    for (const dest of asArray(rawProps(args.props).logDestinationConfigs)) {
      if (typeof dest !== "string" || isUnknown(dest)) continue;
      const s3 = bucketNameOf(dest);
      const name =
        dest.startsWith("arn:aws") && !dest.includes(":s3:::")
          ? dest.split(/[:/]/).filter(Boolean).pop()
          : s3;
      const resourceName = dest.includes(":log-group:") ? dest.split(":log-group:")[1].split(":")[0] : name;
      if (resourceName && !resourceName.startsWith("aws-waf-logs-"))
        report(`logs to ${dest}, whose name does not start with aws-waf-logs-.`);
    }
  },
};
