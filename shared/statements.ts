/** Policy statements and service principals that both the central and the member programs write. */
import { policy, PolicyDocument, PolicyStatement } from "./iam";
import { arn } from "./naming";
import { Partition } from "./regions";

export const CLOUDTRAIL = "cloudtrail.amazonaws.com";
export const LOG_DELIVERY = "delivery.logs.amazonaws.com";
export const S3_SERVICE = "s3.amazonaws.com";
export const S3_LOGGING = "logging.s3.amazonaws.com";

/**
 * A key policy's grant to CloudWatch alarms that publish to an SSE-KMS SNS topic encrypted with that key.
 * AWS's statement has no condition (CloudWatch user guide, alarms to an encrypted SNS topic);
 * aws:SourceAccount only with the kms-source-account extension, an assumption about what CloudWatch sends.
 */
export function cloudWatchAlarmsToEncryptedTopic(accountId: string, sourceAccount: boolean): PolicyStatement {
  return {
    Sid: "CloudWatchAlarmsToEncryptedTopic",
    Effect: "Allow",
    Principal: { Service: "cloudwatch.amazonaws.com" },
    Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
    Resource: "*",
    ...(sourceAccount ? { Condition: { StringEquals: { "aws:SourceAccount": accountId } } } : {}),
  };
}

export function denyInsecureTransport(bucketArn: string): PolicyStatement {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

/**
 * An access-log target bucket's policy. Under BucketOwnerEnforced the logging service is granted by
 * bucket policy, scoped to the source buckets of this account (S3 User Guide, enable-server-access-logging);
 * each source writes under its own name as prefix.
 */
export function serverAccessLogsPolicy(
  partition: Partition,
  target: string,
  sourceBuckets: string[],
  accountId: string,
  tlsDeny: boolean,
): PolicyDocument {
  return policy([
    // Only with the access-log-tls-deny extension: AWS does not say that log delivery uses TLS.
    ...(tlsDeny ? [denyInsecureTransport(arn.bucket(partition, target))] : []),
    {
      Sid: "S3ServerAccessLogsWrite",
      Effect: "Allow",
      Principal: { Service: S3_LOGGING },
      Action: "s3:PutObject",
      Resource: sourceBuckets.map((b) => arn.objects(partition, target, `${b}/*`)),
      Condition: {
        ArnLike: { "aws:SourceArn": sourceBuckets.map((b) => arn.bucket(partition, b)) },
        StringEquals: { "aws:SourceAccount": accountId },
      },
    },
  ]);
}
