/**
 * The central stack's resource policies, as typed documents. Each statement is scoped the way AWS
 * documents for its writer (see docs/policies.md for the sources); the comments say why a statement
 * departs from AWS's own example where it does.
 */
import { Condition, policy, PolicyDocument, PolicyStatement } from "../shared/iam";
import { arn, LOG_TYPES, LogType, WAF_REPLICATION_ROLE_NAME } from "../shared/naming";
import { dnsSuffixOf } from "../shared/regions";
import {
  CLOUDTRAIL,
  denyInsecureTransport,
  LOG_DELIVERY,
  S3_SERVICE,
  serverAccessLogsPolicy,
} from "../shared/statements";
import {
  acceptsDirectWaf,
  acceptsWafReplication,
  ArchiveContext,
  bucketArnOf,
  queueArnOf,
} from "./archiveContext";

/** A service principal acting for a member account: the org, or the listed accounts. */
function sourceScope(ctx: ArchiveContext): Record<string, string | string[]> {
  return ctx.mode === "organization"
    ? { "aws:SourceOrgID": ctx.organizationId! }
    : { "aws:SourceAccount": ctx.memberAccountIds! };
}

/** Merges condition blocks operator by operator. */
export function conditions(...blocks: Condition[]): Condition {
  const out: Condition = {};
  for (const block of blocks)
    for (const [op, entries] of Object.entries(block) as [
      keyof Condition,
      Record<string, string | string[]>,
    ][])
      out[op] = { ...(out[op] ?? {}), ...entries };
  return out;
}

const BUCKET_OWNER_FULL_CONTROL = { "s3:x-amz-acl": "bucket-owner-full-control" };

/**
 * In account-list mode each writer is held to its own prefix with the `${aws:SourceAccount}` policy
 * variable, and the account list appears once per statement: AWS's per-account `Resource` entries
 * would fill a 20 KB bucket policy at a few hundred accounts.
 */
const OWN_PREFIX = "AWSLogs/${aws:SourceAccount}/*";
const OWN_HIVE_PREFIX = "AWSLogs/aws-account-id=${aws:SourceAccount}/*";

function cloudTrailStatements(ctx: ArchiveContext, bucket: string): PolicyStatement[] {
  const bucketArn = arn.bucket(ctx.partition, bucket);
  if (ctx.mode === "organization") {
    // AWS's organization-trail shape, scoped by aws:SourceOrgID as Control Tower does; AWSLogs/* covers
    // account trails (AWSLogs/<account>/) and the organization trail (AWSLogs/<org-id>/<account>/).
    return [
      {
        Sid: "CloudTrailAclCheck",
        Effect: "Allow",
        Principal: { Service: CLOUDTRAIL },
        Action: "s3:GetBucketAcl",
        Resource: bucketArn,
        Condition: { StringEquals: sourceScope(ctx) },
      },
      {
        Sid: "CloudTrailWrite",
        Effect: "Allow",
        Principal: { Service: CLOUDTRAIL },
        Action: "s3:PutObject",
        Resource: arn.objects(ctx.partition, bucket, "AWSLogs/*"),
        Condition: { StringEquals: { ...BUCKET_OWNER_FULL_CONTROL, ...sourceScope(ctx) } },
      },
    ];
  }
  // One statement, so that the account list is written once. The ACL condition becomes ...IfExists
  // because GetBucketAcl carries no ACL header; under BucketOwnerEnforced S3 itself rejects any ACL
  // other than bucket-owner-full-control, so nothing is lost.
  return [
    {
      Sid: "CloudTrailAclCheckAndWrite",
      Effect: "Allow",
      Principal: { Service: CLOUDTRAIL },
      Action: ["s3:GetBucketAcl", "s3:PutObject"],
      Resource: [bucketArn, arn.objects(ctx.partition, bucket, OWN_PREFIX)],
      Condition: { StringEquals: sourceScope(ctx), StringEqualsIfExists: BUCKET_OWNER_FULL_CONTROL },
    },
  ];
}

/**
 * The log delivery service (VPC Flow Logs, WAF) may send no ACL header to a bucket with ACLs disabled,
 * so its ACL condition is ...IfExists: a plain StringEquals would silently deny every header-less write
 * (cloudposse/terraform-aws-vpc-flow-logs-s3-bucket PR 101).
 */
function logDeliveryStatements(ctx: ArchiveContext, bucket: string, sidPrefix: string): PolicyStatement[] {
  const bucketArn = arn.bucket(ctx.partition, bucket);
  if (ctx.mode === "organization") {
    return [
      {
        Sid: `${sidPrefix}AclCheck`,
        Effect: "Allow",
        Principal: { Service: LOG_DELIVERY },
        Action: ["s3:GetBucketAcl", "s3:ListBucket"],
        Resource: bucketArn,
        Condition: { StringEquals: sourceScope(ctx) },
      },
      {
        Sid: `${sidPrefix}Write`,
        Effect: "Allow",
        Principal: { Service: LOG_DELIVERY },
        Action: "s3:PutObject",
        Resource: arn.objects(ctx.partition, bucket, "AWSLogs/*"),
        Condition: { StringEquals: sourceScope(ctx), StringEqualsIfExists: BUCKET_OWNER_FULL_CONTROL },
      },
    ];
  }
  return [
    {
      Sid: `${sidPrefix}AclCheckAndWrite`,
      Effect: "Allow",
      Principal: { Service: LOG_DELIVERY },
      Action: ["s3:GetBucketAcl", "s3:ListBucket", "s3:PutObject"],
      Resource: [
        bucketArn,
        arn.objects(ctx.partition, bucket, OWN_PREFIX),
        arn.objects(ctx.partition, bucket, OWN_HIVE_PREFIX),
      ],
      Condition: { StringEquals: sourceScope(ctx), StringEqualsIfExists: BUCKET_OWNER_FULL_CONTROL },
    },
  ];
}

/** ARN pattern of the member replication roles (one per member account, created by the member stack). */
export function replicationRolePattern(ctx: ArchiveContext): string {
  return `arn:${ctx.partition}:iam::*:role/${WAF_REPLICATION_ROLE_NAME}`;
}

/**
 * Member WAF replication roles: replicas only, under their own account's prefix in account-list mode;
 * no ReplicateDelete, so a member cannot remove what it shipped. Principal "*" because a bucket policy
 * may only name roles that already exist, and members deploy after the central stack.
 */
function wafReplicationStatement(ctx: ArchiveContext, bucket: string): PolicyStatement {
  const org = ctx.mode === "organization";
  return {
    Sid: "WafReplicationFromMembers",
    Effect: "Allow",
    Principal: { AWS: "*" },
    Action: [
      "s3:GetBucketVersioning",
      "s3:ListBucket",
      "s3:ReplicateObject",
      "s3:ReplicateTags",
      "s3:ObjectOwnerOverrideToBucketOwner",
    ],
    Resource: [
      arn.bucket(ctx.partition, bucket),
      arn.objects(ctx.partition, bucket, org ? "AWSLogs/*" : "AWSLogs/${aws:PrincipalAccount}/*"),
    ],
    Condition: {
      StringEquals: org
        ? { "aws:PrincipalOrgID": ctx.organizationId! }
        : { "aws:PrincipalAccount": ctx.memberAccountIds! },
      ArnLike: { "aws:PrincipalArn": replicationRolePattern(ctx) },
    },
  };
}

export function logBucketPolicy(ctx: ArchiveContext, logType: LogType): PolicyDocument {
  const bucket = ctx.bucketNames[logType];
  const statements: PolicyStatement[] = [denyInsecureTransport(arn.bucket(ctx.partition, bucket))];
  if (logType === "cloudtrail") statements.push(...cloudTrailStatements(ctx, bucket));
  if (logType === "vpcflowlogs") statements.push(...logDeliveryStatements(ctx, bucket, "LogDelivery"));
  if (logType === "waf") {
    if (acceptsDirectWaf(ctx)) statements.push(...logDeliveryStatements(ctx, bucket, "WafLogDelivery"));
    if (acceptsWafReplication(ctx)) statements.push(wafReplicationStatement(ctx, bucket));
  }
  return policy(statements);
}

/** The archive's access-log bucket receives the server access logs of the three log buckets. */
export function accessLogBucketPolicy(ctx: ArchiveContext): PolicyDocument {
  return serverAccessLogsPolicy(
    ctx.partition,
    ctx.accessLogBucketName,
    LOG_TYPES.map((t) => ctx.bucketNames[t]),
    ctx.accountId,
  );
}

export function viaServices(ctx: ArchiveContext, ...services: string[]): string[] {
  return services.map((s) => `${s}.${ctx.region}.${dnsSuffixOf(ctx.partition)}`);
}

/** The shared CMK's key policy: one statement per party, each scoped. */
export function keyPolicy(ctx: ArchiveContext): PolicyDocument {
  const p = ctx.partition;
  const trailContext = {
    "kms:EncryptionContext:aws:cloudtrail:arn": `arn:${p}:cloudtrail:*:\${aws:SourceAccount}:trail/*`,
  };
  const statements: PolicyStatement[] = [
    {
      Sid: "KeyAdministration",
      Effect: "Allow",
      Principal: { AWS: arn.root(p, ctx.accountId) },
      Action: "kms:*",
      Resource: "*",
    },
  ];
  if (ctx.mode === "organization") {
    statements.push(
      {
        // The trail named in the encryption context must belong to the account the request is for.
        Sid: "CloudTrailEncryptLogs",
        Effect: "Allow",
        Principal: { Service: CLOUDTRAIL },
        Action: "kms:GenerateDataKey*",
        Resource: "*",
        Condition: { StringEquals: sourceScope(ctx), StringLike: trailContext },
      },
      {
        // Decrypt: CloudTrail needs it to create or update a trail on a bucket with an S3 Bucket Key.
        Sid: "CloudTrailDescribeKey",
        Effect: "Allow",
        Principal: { Service: CLOUDTRAIL },
        Action: ["kms:DescribeKey", "kms:Decrypt"],
        Resource: "*",
        Condition: { StringEquals: sourceScope(ctx) },
      },
    );
  } else {
    // One statement so the account list is written once (32 KB key policy limit). DescribeKey carries no
    // encryption context, hence ...IfExists; GenerateDataKey from CloudTrail always carries it.
    statements.push({
      Sid: "CloudTrailUseKey",
      Effect: "Allow",
      Principal: { Service: CLOUDTRAIL },
      Action: ["kms:GenerateDataKey*", "kms:DescribeKey", "kms:Decrypt"],
      Resource: "*",
      Condition: { StringEquals: sourceScope(ctx), StringLikeIfExists: trailContext },
    });
  }
  statements.push(
    {
      // The actions AWS documents for vended logs to SSE-KMS buckets (CloudWatch Logs guide,
      // AWS-logs-and-resource-policy); Decrypt covers multipart uploads of large log files.
      Sid: "LogDeliveryUseKey",
      Effect: "Allow",
      Principal: { Service: LOG_DELIVERY },
      Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
      Resource: "*",
      Condition: { StringEquals: sourceScope(ctx) },
    },
    {
      // S3 event notifications into the SSE-KMS queues (an AWS managed key cannot be used for that).
      Sid: "S3NotificationsToEncryptedQueues",
      Effect: "Allow",
      Principal: { Service: S3_SERVICE },
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: "*",
      Condition: { StringEquals: { "aws:SourceAccount": ctx.accountId } },
    },
    {
      Sid: "SiemDecryptViaS3AndSqs",
      Effect: "Allow",
      Principal: { AWS: ctx.siemRoleArn },
      Action: "kms:Decrypt",
      Resource: "*",
      Condition: { StringEquals: { "kms:ViaService": viaServices(ctx, "s3", "sqs") } },
    },
  );
  if (ctx.alarmTopic) {
    // CloudWatch alarms publish to the SSE-KMS alarm topic (CloudWatch user guide, "encrypted SNS topic").
    statements.push({
      Sid: "CloudWatchAlarmsToEncryptedTopic",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
      Resource: "*",
      Condition: { StringEquals: { "aws:SourceAccount": ctx.accountId } },
    });
  }
  if (acceptsWafReplication(ctx)) {
    const wafBucketArn = bucketArnOf(ctx, "waf");
    // Only through S3, only into the central WAF bucket (the encryption context S3 sends is the bucket
    // ARN with a Bucket Key, the object ARN without). Which accounts may write there is decided by the
    // WAF bucket policy; repeating the account list here would cost a third of the 32 KB limit.
    statements.push({
      Sid: "WafReplicationEncryptReplicas",
      Effect: "Allow",
      Principal: { AWS: "*" },
      Action: ["kms:Encrypt", "kms:GenerateDataKey"],
      Resource: "*",
      Condition: conditions(
        {
          StringEquals: { "kms:ViaService": viaServices(ctx, "s3") },
          StringLike: { "kms:EncryptionContext:aws:s3:arn": [wafBucketArn, `${wafBucketArn}/*`] },
          ArnLike: { "aws:PrincipalArn": replicationRolePattern(ctx) },
        },
        ctx.mode === "organization" ? { StringEquals: { "aws:PrincipalOrgID": ctx.organizationId! } } : {},
      ),
    });
  }
  return policy(statements);
}

export const SIEM_QUEUE_ACTIONS = [
  "sqs:ReceiveMessage",
  "sqs:DeleteMessage",
  "sqs:ChangeMessageVisibility",
  "sqs:GetQueueAttributes",
];

export function queuePolicy(ctx: ArchiveContext, logType: LogType): PolicyDocument {
  const queueArn = queueArnOf(ctx, logType);
  return policy([
    {
      Sid: "S3NotificationsFromOwnBucket",
      Effect: "Allow",
      Principal: { Service: S3_SERVICE },
      Action: "sqs:SendMessage",
      Resource: queueArn,
      Condition: {
        ArnEquals: { "aws:SourceArn": bucketArnOf(ctx, logType) },
        StringEquals: { "aws:SourceAccount": ctx.accountId },
      },
    },
    {
      Sid: "SiemReader",
      Effect: "Allow",
      Principal: { AWS: ctx.siemRoleArn },
      Action: SIEM_QUEUE_ACTIONS,
      Resource: queueArn,
    },
  ]);
}
