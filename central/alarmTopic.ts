/**
 * The archive's alarm topic: delivery alarms and tamper alarms publish to it, encrypted with the archive's
 * CMK (CloudWatch and EventBridge can use a customer managed key, never the AWS managed alias/aws/sns).
 * Subscriptions come from central-logging:alarms.notifications.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CentralSettings } from "../shared/config";
import { serializeWithinLimit } from "../shared/iam";
import { ArchiveContext } from "./archiveContext";
import { ALARM_TOPIC_NAME, alarmTopicPolicy } from "./tamperPolicies";

export function createAlarmTopic(
  parent: pulumi.Resource,
  ctx: ArchiveContext,
  notifications: NonNullable<CentralSettings["alarms"]["notifications"]>,
  keyArn: pulumi.Input<string>,
) {
  const topic = new aws.sns.Topic(
    "delivery-alarms",
    { name: ALARM_TOPIC_NAME, kmsMasterKeyId: keyArn },
    { parent },
  );
  const policy = new aws.sns.TopicPolicy(
    "delivery-alarms-policy",
    {
      arn: topic.arn,
      policy: serializeWithinLimit(`${ALARM_TOPIC_NAME} topic policy`, "topic", alarmTopicPolicy(ctx)),
    },
    { parent },
  );
  notifications.forEach(
    (n, i) =>
      new aws.sns.TopicSubscription(
        `delivery-alarms-${i}`,
        { topic: topic.arn, protocol: n.protocol, endpoint: n.endpoint },
        { parent },
      ),
  );
  return { topic, policy };
}
