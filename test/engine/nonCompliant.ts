/**
 * A deliberately non-compliant program for the engine lane: each resource breaks one mandatory rule of
 * the policy pack, the way a hand-written log archive often does.
 */
import * as aws from "@pulumi/aws";

export const NON_COMPLIANT_RULES = [
  "kms-key-rotation-enabled",
  "s3-log-bucket-tls-only",
  "iam-no-users-reading-logs",
  "service-principal-condition-keys-sent",
  "sns-alarm-topic-customer-managed-key",
  "vpc-flow-log-default-fields",
];

export function nonCompliantProgram() {
  // Rotation off.
  new aws.kms.Key("unrotated", {
    description: "no rotation",
    enableKeyRotation: false,
    deletionWindowInDays: 30,
  });
  // A log bucket (CloudTrail writes to it) with no TLS deny, whose CloudTrail grant relies on
  // aws:SourceOrgID, which CloudTrail does not send.
  const bucket = new aws.s3.Bucket("hand-made-trail-logs", { bucket: "hand-made-trail-logs" });
  new aws.s3.BucketPolicy("hand-made-trail-logs-policy", {
    bucket: bucket.id,
    policy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "CloudTrailWrite",
          Effect: "Allow",
          Principal: { Service: "cloudtrail.amazonaws.com" },
          Action: "s3:PutObject",
          Resource: "arn:aws:s3:::hand-made-trail-logs/AWSLogs/*",
          Condition: {
            StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceOrgID": "o-a1b2c3d4e5" },
          },
        },
      ],
    }),
  });
  // An IAM user as the SIEM's reader.
  const user = new aws.iam.User("siem-reader-user", { name: "siem-reader" });
  new aws.iam.UserPolicy("siem-reader-user-policy", {
    user: user.name,
    policy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::hand-made-trail-logs/*" },
      ],
    }),
  });
  // An alarm topic under the AWS managed aws/sns key: CloudWatch cannot publish to it. In a preview the
  // topic's ARN is unknown, so the pack links the alarm to it through the engine's property dependencies.
  const topic = new aws.sns.Topic("alarms-on-aws-managed-key", { kmsMasterKeyId: "alias/aws/sns" });
  new aws.cloudwatch.MetricAlarm("dead-letters", {
    namespace: "AWS/SQS",
    metricName: "ApproximateNumberOfMessagesVisible",
    statistic: "Maximum",
    period: 300,
    evaluationPeriods: 1,
    threshold: 0,
    comparisonOperator: "GreaterThanThreshold",
    alarmActions: [topic.arn],
  });
  // A flow log whose custom format leaves out the ports, the times and the action.
  new aws.ec2.FlowLog("thin-flow-log", {
    vpcId: "vpc-0123456789abcdef0",
    trafficType: "ALL",
    logDestinationType: "s3",
    logDestination: "arn:aws:s3:::hand-made-trail-logs",
    logFormat: "${srcaddr} ${dstaddr} ${bytes}",
  });
  return {};
}
