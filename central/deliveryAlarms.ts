/**
 * Delivery alarms: the failures the anchors leave silent. Per log type, messages in the dead-letter
 * queue (a SIEM that cannot process an object) and the age of the oldest message (a SIEM that stopped
 * reading), published to the alarm topic when there is one.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CentralSettings } from "../shared/config";
import { LOG_TYPES, LogType } from "../shared/naming";

export interface DeliveryAlarmsArgs {
  settings: CentralSettings["alarms"];
  /** The alarm topic, when there is one (central/alarmTopic.ts). */
  topic?: aws.sns.Topic;
  queueNames: Record<LogType, pulumi.Input<string>>;
  deadLetterQueueNames: Record<LogType, pulumi.Input<string>>;
}

export function createDeliveryAlarms(parent: pulumi.Resource, args: DeliveryAlarmsArgs) {
  const a = args.settings;
  if (!a.enabled) return { alarms: [] as aws.cloudwatch.MetricAlarm[] };
  const actions = args.topic ? [args.topic.arn] : [];
  const alarms: aws.cloudwatch.MetricAlarm[] = [];
  for (const t of LOG_TYPES) {
    alarms.push(
      new aws.cloudwatch.MetricAlarm(
        `${t}-dead-letters`,
        {
          name: `central-logs-${t}-dead-letters`,
          alarmDescription: `Messages in the ${t} dead-letter queue: the SIEM failed to process new ${t} log objects.`,
          namespace: "AWS/SQS",
          metricName: "ApproximateNumberOfMessagesVisible",
          dimensions: { QueueName: args.deadLetterQueueNames[t] },
          statistic: "Maximum",
          period: a.periodSeconds,
          evaluationPeriods: 1,
          threshold: 0,
          comparisonOperator: "GreaterThanThreshold",
          treatMissingData: "notBreaching",
          alarmActions: actions,
          okActions: actions,
        },
        { parent },
      ),
      new aws.cloudwatch.MetricAlarm(
        `${t}-oldest-message`,
        {
          name: `central-logs-${t}-oldest-message`,
          alarmDescription: `The oldest ${t} notification is older than ${a.oldestMessageAgeSeconds} s: the SIEM stopped reading.`,
          namespace: "AWS/SQS",
          metricName: "ApproximateAgeOfOldestMessage",
          dimensions: { QueueName: args.queueNames[t] },
          statistic: "Maximum",
          period: a.periodSeconds,
          evaluationPeriods: 1,
          threshold: a.oldestMessageAgeSeconds,
          comparisonOperator: "GreaterThanThreshold",
          treatMissingData: "notBreaching",
          alarmActions: actions,
          okActions: actions,
        },
        { parent },
      ),
    );
    if (a.noDeliveryLogTypes.includes(t))
      alarms.push(
        new aws.cloudwatch.MetricAlarm(
          `${t}-no-delivery`,
          {
            name: `central-logs-${t}-no-delivery`,
            alarmDescription: `No new ${t} log object announced for ${a.noDeliverySeconds} s: a writer may be silently denied, or the notification broken.`,
            namespace: "AWS/SQS",
            metricName: "NumberOfMessagesSent",
            dimensions: { QueueName: args.queueNames[t] },
            statistic: "Sum",
            period: a.noDeliverySeconds,
            evaluationPeriods: 1,
            threshold: 1,
            comparisonOperator: "LessThanThreshold",
            // No data points means no messages at all.
            treatMissingData: "breaching",
            alarmActions: actions,
            okActions: actions,
          },
          { parent },
        ),
      );
  }
  return { alarms };
}
