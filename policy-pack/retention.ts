/**
 * Retention that loses notifications or versions: a log queue that keeps a notification for minutes
 * (a SIEM outage longer than that loses it), a dead-letter queue that expires messages before their
 * source queue would, and noncurrent versions of log objects (the only copy after an overwrite or a
 * delete) that expire within days.
 */
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { asArray } from "./documents";
import { defaultRetention, describe, logBuckets } from "./model";
import { notifiedQueues } from "./services";
import { is, T } from "./types";
import { isUnknown, rawProps } from "./unknowns";

/** SQS keeps messages 4 days unless told otherwise (SQS API reference, CreateQueue). */
export const SQS_DEFAULT_RETENTION_SECONDS = 345_600;
/** SQS's maximum, 14 days. */
export const SQS_MAX_RETENTION_SECONDS = 1_209_600;

const retentionOf = (q: PolicyResource): number | "unknown" => {
  const v = rawProps(q.props).messageRetentionSeconds;
  if (isUnknown(v)) return "unknown";
  return typeof v === "number" ? v : SQS_DEFAULT_RETENTION_SECONDS;
};

const queueName = (q: PolicyResource) => rawProps(q.props).name ?? q.name;

const duration = (seconds: number) =>
  seconds % 86_400 === 0
    ? `${seconds / 86_400} days`
    : seconds % 3_600 === 0
      ? `${seconds / 3_600} hours`
      : seconds % 60 === 0
        ? `${seconds / 60} minutes`
        : `${seconds} seconds`;

export const sqsLogQueueRetention: StackValidationPolicy = {
  name: "sqs-log-queue-retention",
  description:
    "Queues that receive S3 notifications of log objects keep messages at least the configured time (default 4 days, SQS's own default): a SIEM outage longer than the retention loses the notifications, and the SIEM never learns of those logs.",
  severity: "high",
  enforcementLevel: "mandatory",
  remediationSteps:
    "Raise messageRetentionSeconds (the archive uses 1209600, SQS's maximum of 14 days), or lower minMessageRetentionSeconds in the pack config.",
  url: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html",
  configSchema: {
    properties: {
      minMessageRetentionSeconds: {
        type: "integer",
        minimum: 60,
        maximum: SQS_MAX_RETENTION_SECONDS,
        default: SQS_DEFAULT_RETENTION_SECONDS,
        description: "The shortest message retention of a log queue, in seconds.",
      },
    },
  },
  validateStack: (args, report) => {
    const { minMessageRetentionSeconds = SQS_DEFAULT_RETENTION_SECONDS } = args.getConfig<{
      minMessageRetentionSeconds?: number;
    }>();
    for (const q of notifiedQueues(args.resources).values()) {
      const seconds = retentionOf(q);
      if (seconds !== "unknown" && seconds < minMessageRetentionSeconds)
        report(
          `queue ${queueName(q)} receives S3 notifications of log objects but keeps messages ${duration(seconds)}; the minimum is ${duration(minMessageRetentionSeconds)}: a longer SIEM outage loses the notifications for good.`,
          q.urn,
        );
    }
  },
};

/** The dead-letter queue of a queue: through the engine's property dependencies, or by ARN. */
export function deadLetterQueueOf(
  q: PolicyResource,
  resources: PolicyResource[],
): PolicyResource | undefined {
  const dep = (q.propertyDependencies?.redrivePolicy ?? []).find((d) => is(d.type, T.queue));
  if (dep) return dep;
  const redrive = rawProps(q.props).redrivePolicy;
  if (typeof redrive !== "string" || isUnknown(redrive)) return undefined;
  try {
    const target = JSON.parse(redrive).deadLetterTargetArn;
    return resources.find((r) => is(r.type, T.queue) && rawProps(r.props).arn === target);
  } catch {
    return undefined; // a malformed redrive policy is the provider's to refuse
  }
}

export const sqsDeadLetterRetention: StackValidationPolicy = {
  name: "sqs-dead-letter-queue-retention",
  description:
    "The dead-letter queue of a log queue keeps messages at least as long as its source queue: a standard queue's message keeps its original enqueue time in the dead-letter queue, so a shorter retention deletes it before anyone can redrive it.",
  severity: "high",
  enforcementLevel: "mandatory",
  remediationSteps:
    "Set the dead-letter queue's messageRetentionSeconds longer than the source queue's (AWS's advice), or both to 1209600, SQS's maximum.",
  url: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html",
  validateStack: (args, report) => {
    for (const q of notifiedQueues(args.resources).values()) {
      if (rawProps(q.props).fifoQueue === true) continue; // FIFO dead-letter queues reset the enqueue time
      const dlq = deadLetterQueueOf(q, args.resources);
      if (!dlq) continue;
      const source = retentionOf(q);
      const dead = retentionOf(dlq);
      if (source === "unknown" || dead === "unknown" || dead >= source) continue;
      report(
        `dead-letter queue ${queueName(dlq)} keeps messages ${duration(dead)}, less than its source queue ${queueName(q)} (${duration(source)}): a notification that failed late in the source's retention expires in the dead-letter queue at once.`,
        dlq.urn,
      );
    }
  },
};

export const s3LogNoncurrentVersionRetention: StackValidationPolicy = {
  name: "s3-log-noncurrent-version-retention",
  description:
    "Lifecycle rules of log buckets keep noncurrent versions at least the configured minimum (default 30 days), unless an Object Lock default retention keeps them that long: a noncurrent version is the only copy left after an overwrite or a delete (staging buckets that replicate elsewhere excepted).",
  severity: "high",
  enforcementLevel: "mandatory",
  remediationSteps:
    "Raise noncurrentVersionExpiration.noncurrentDays (the archive's default is 365), or lower minNoncurrentDays in the pack config.",
  url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html",
  configSchema: {
    properties: {
      minNoncurrentDays: {
        type: "integer",
        minimum: 1,
        default: 30,
        description: "The shortest time a noncurrent version of a log object is kept, in days.",
      },
    },
  },
  validateStack: (args, report) => {
    const { minNoncurrentDays = 30 } = args.getConfig<{ minNoncurrentDays?: number }>();
    for (const v of logBuckets(args.resources)) {
      if (v.replication.length) continue; // a staging bucket: its objects live on in the archive
      const lock = defaultRetention(v);
      if (lock === "unknown") continue;
      const lockDays = lock ? (lock.days ?? 0) + (lock.years ?? 0) * 365 : 0;
      if (lockDays >= minNoncurrentDays) continue;
      for (const l of v.lifecycle)
        for (const rule of asArray<any>(l.props.rules)) {
          const days = rule?.noncurrentVersionExpiration?.noncurrentDays;
          if (rule?.status === "Enabled" && typeof days === "number" && days < minNoncurrentDays)
            report(
              `${describe(v)}: lifecycle rule ${rule.id ?? "(no id)"} deletes noncurrent versions after ${days} days; the minimum is ${minNoncurrentDays}: a deleted or overwritten log object is gone for good before anyone notices.`,
              v.urn,
            );
        }
    }
  },
};
