/**
 * The verifier role's permissions: what `npm run verify` needs to prove delivery on a live archive, and
 * nothing that reads a log's contents or changes anything. It lists keys (names and times, never
 * bodies), reads the buckets', queues' and key's settings, and reads the queue-age metric. No
 * s3:GetObject, no kms:Decrypt, no sqs:ReceiveMessage: a receive would count toward the queue's
 * maxReceiveCount and could push a SIEM's message to the dead-letter queue.
 *
 * The same function serves the central stack (the optional verifier role) and the verify command
 * (`--print-policy`, and the docs), so the shipped policy is the one the command needs.
 */
import { CentralArchiveOutputs } from "../shared/contract";
import { policy, PolicyDocument, PolicyStatement } from "../shared/iam";
import { arn, deadLetterQueueName, LOG_TYPES, LogType } from "../shared/naming";
import { Partition } from "../shared/regions";
import { ArchiveContext, bucketArnOf, queueArnOf } from "./archiveContext";

/** The S3 API calls verify makes on each log bucket, by IAM action. */
export const VERIFIER_BUCKET_ACTIONS = [
  "s3:ListBucket", // ListObjectsV2, by date prefix
  "s3:GetBucketVersioning",
  "s3:GetEncryptionConfiguration", // GetBucketEncryption
  "s3:GetBucketPublicAccessBlock", // GetPublicAccessBlock
  "s3:GetBucketOwnershipControls",
  "s3:GetBucketNotification", // GetBucketNotificationConfiguration
  "s3:GetBucketObjectLockConfiguration", // GetObjectLockConfiguration
];
export const VERIFIER_KEY_ACTIONS = ["kms:DescribeKey", "kms:GetKeyRotationStatus"];
export const VERIFIER_QUEUE_ACTIONS = ["sqs:GetQueueAttributes"];
/** CloudWatch GetMetricData has no resource-level permissions for metrics: Resource "*". */
export const VERIFIER_METRIC_ACTIONS = ["cloudwatch:GetMetricData"];
/** Only effective where the management account delegates it (AWS Organizations resource-based delegation policy). */
export const VERIFIER_ORGANIZATION_ACTIONS = ["organizations:ListAccounts"];

/** What the verifier's policy names: all of it is in the central stack's outputs. */
export interface VerifierScope {
  partition: Partition;
  organization: boolean;
  bucketArns: string[];
  queueArns: string[];
  keyArn: string;
}

export function verifierScopeOfOutputs(outputs: CentralArchiveOutputs): VerifierScope {
  return {
    partition: outputs.partition,
    organization: outputs.mode === "organization",
    bucketArns: LOG_TYPES.map((t) => outputs.logs[t].bucketArn),
    queueArns: LOG_TYPES.flatMap((t) => [outputs.logs[t].queueArn, outputs.logs[t].deadLetterQueueArn]),
    keyArn: outputs.keyArn,
  };
}

export function verifierScopeOfArchive(ctx: ArchiveContext, keyArn: string): VerifierScope {
  return {
    partition: ctx.partition,
    organization: ctx.mode === "organization",
    bucketArns: LOG_TYPES.map((t: LogType) => bucketArnOf(ctx, t)),
    queueArns: LOG_TYPES.flatMap((t) => [
      queueArnOf(ctx, t),
      arn.queue(ctx.partition, ctx.region, ctx.accountId, deadLetterQueueName(t)),
    ]),
    keyArn,
  };
}

export function verifierPermissionsPolicy(scope: VerifierScope): PolicyDocument {
  const statements: PolicyStatement[] = [
    {
      Sid: "ListKeysAndReadBucketSettings",
      Effect: "Allow",
      Action: VERIFIER_BUCKET_ACTIONS,
      Resource: scope.bucketArns,
    },
    { Sid: "ReadQueueDepth", Effect: "Allow", Action: VERIFIER_QUEUE_ACTIONS, Resource: scope.queueArns },
    { Sid: "ReadKeyState", Effect: "Allow", Action: VERIFIER_KEY_ACTIONS, Resource: scope.keyArn },
    { Sid: "ReadQueueAgeMetric", Effect: "Allow", Action: VERIFIER_METRIC_ACTIONS, Resource: "*" },
  ];
  if (scope.organization)
    statements.push({
      Sid: "ListOrganizationAccounts",
      Effect: "Allow",
      Action: VERIFIER_ORGANIZATION_ACTIONS,
      Resource: "*",
    });
  return policy(statements);
}
