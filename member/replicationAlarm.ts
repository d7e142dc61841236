/**
 * The alarm that makes a failed WAF replication visible. Without it, a replica the archive refuses (a
 * bucket or key policy, a missing permission) leaves the object in the staging bucket, marked FAILED,
 * until the staging lifecycle deletes it: the WAF logs are lost, and nothing says so.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { MemberSettings } from "../shared/config";

/** The staging bucket's one replication rule; the metric's RuleId dimension. */
export const REPLICATION_RULE_ID = "to-central-archive";
export const REPLICATION_ALARM_NAME = "central-logging-waf-replication-failed";
export const REPLICATION_ALARM_TOPIC_NAME = "central-logging-waf-replication-alarms";

export interface ReplicationAlarmArgs {
  sourceBucket: string;
  destinationBucket: string;
  periodSeconds: number;
  notifications: NonNullable<MemberSettings["alarms"]["notifications"]>;
  /** The staging bucket's key: an alarm topic must use a customer managed key CloudWatch may use. */
  keyArn: pulumi.Input<string>;
}

/**
 * OperationsFailedReplication (namespace AWS/S3, dimensions SourceBucket, DestinationBucket, RuleId),
 * published once the replication rule has metrics enabled (S3 user guide, replication metrics;
 * metrics-dimensions). Any failed operation in a period raises it; no data means nothing failed.
 */
export function createReplicationAlarm(
  parent: pulumi.Resource,
  args: ReplicationAlarmArgs,
): aws.cloudwatch.MetricAlarm {
  let topic: aws.sns.Topic | undefined;
  if (args.notifications.length) {
    topic = new aws.sns.Topic(
      "waf-replication-alarms",
      { name: REPLICATION_ALARM_TOPIC_NAME, kmsMasterKeyId: args.keyArn },
      { parent },
    );
    args.notifications.forEach(
      (n, i) =>
        new aws.sns.TopicSubscription(
          `waf-replication-alarms-${i}`,
          { topic: topic!.arn, protocol: n.protocol, endpoint: n.endpoint },
          { parent },
        ),
    );
  }
  const actions = topic ? [topic.arn] : [];
  return new aws.cloudwatch.MetricAlarm(
    "waf-replication-failed",
    {
      name: REPLICATION_ALARM_NAME,
      alarmDescription:
        `WAF log objects failed to replicate from ${args.sourceBucket} to the archive bucket ` +
        `${args.destinationBucket}: they stay in the staging bucket until its lifecycle deletes them. ` +
        "Fix the cause, then re-replicate them with S3 Batch Replication (docs/operations.md).",
      namespace: "AWS/S3",
      metricName: "OperationsFailedReplication",
      dimensions: {
        SourceBucket: args.sourceBucket,
        DestinationBucket: args.destinationBucket,
        RuleId: REPLICATION_RULE_ID,
      },
      statistic: "Sum",
      period: args.periodSeconds,
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
      alarmActions: actions,
      okActions: actions,
    },
    { parent },
  );
}
