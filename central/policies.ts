/**
 * The central stack's resource policies, as typed documents. Each statement is scoped the way AWS
 * documents for its writer (see docs/policies.md for the sources); the comments say why a statement
 * departs from AWS's own example where it does.
 */
import { Condition, oneOrMany, policy, PolicyDocument, PolicyStatement } from "../shared/iam";
import { arn, LOG_TYPES, LogType, WAF_REPLICATION_ROLE_NAME } from "../shared/naming";
import { viaService } from "../shared/regions";
import { actionsOf, ARCHIVE_BUCKET_CALLS, ARCHIVE_OBJECT_CALLS } from "../shared/tampering";
import {
  CLOUDTRAIL,
  cloudWatchAlarmsToEncryptedTopic,
  denyInsecureTransport,
  LOG_DELIVERY,
  S3_SERVICE,
  serverAccessLogsPolicy,
} from "../shared/statements";
import { ArchiveContext, bucketArnOf, queueArnOf, trailsAdmittedByArn } from "./archiveContext";

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
const unique = (values: string[]) => [...new Set(values)];

/**
 * CloudTrail tells S3 and KMS which trail it writes for by aws:SourceArn, the trail's ARN, and whose trail
 * it is by aws:SourceAccount; it sends no aws:SourceOrgID (public reports in docs/policies.md).
 *
 * Trails admitted by ARN (the organization trail always; account trails under `admitAccountTrailsBy:
 * trail`) get AWS's multi-account shapes: the trail ARNs in one list, and a Resource per trail owner. The
 * organization trail also writes under its management account's own prefix: CreateTrail checks that
 * write before it accepts the bucket.
 *
 * Account trails admitted by account get one statement keyed by aws:SourceAccount, which the CloudTrail
 * user guide documents "if you want to allow any resource in that account" (cross-service confused deputy
 * prevention), and by aws:SourceArn like arn:<partition>:cloudtrail:*:*:trail/*, the wildcard form the
 * same page documents, so that only trails write (not CloudTrail Lake query results): 15 bytes per
 * account instead of about 200, so 1,000+ accounts fit. Its Resource is AWSLogs/*: a trail writes under
 * its owner's account ID (and cannot be given AWSLogs/ as its key prefix).
 */
function cloudTrailStatements(ctx: ArchiveContext, bucket: string): PolicyStatement[] {
  const p = ctx.partition;
  const byArn = trailsAdmittedByArn(ctx);
  const statements: PolicyStatement[] = [];
  if (byArn.length) {
    const trailArns = byArn.map((t) => t.arn);
    const prefixesOf = (accountId: string, organization: boolean) => [
      `AWSLogs/${accountId}/*`,
      ...(organization ? [`AWSLogs/${ctx.organizationId}/*`] : []),
    ];
    statements.push({
      Sid: "CloudTrailAclCheck",
      Effect: "Allow",
      Principal: { Service: CLOUDTRAIL },
      Action: "s3:GetBucketAcl",
      Resource: arn.bucket(p, bucket),
      Condition: { StringEquals: { "aws:SourceArn": oneOrMany(trailArns) } },
    });
    const write = (sid: string, prefixes: string[], sourceArns: string[]): PolicyStatement => ({
      Sid: sid,
      Effect: "Allow",
      Principal: { Service: CLOUDTRAIL },
      Action: "s3:PutObject",
      Resource: oneOrMany(unique(prefixes).map((k) => arn.objects(p, bucket, k))),
      Condition: { StringEquals: { ...BUCKET_OWNER_FULL_CONTROL, "aws:SourceArn": oneOrMany(sourceArns) } },
    });
    if (ctx.extensions.has("own-account-prefix"))
      byArn.forEach((t, i) =>
        statements.push(write(`CloudTrailWrite${i + 1}`, prefixesOf(t.accountId, t.organization), [t.arn])),
      );
    else
      statements.push(
        write(
          "CloudTrailWrite",
          byArn.flatMap((t) => prefixesOf(t.accountId, t.organization)),
          trailArns,
        ),
      );
  }
  if (ctx.trailAccounts.length)
    statements.push({
      // AclCheck and Write in one statement so that the account list is written once; the ACL condition
      // is ...IfExists because GetBucketAcl carries no ACL header (as for the log delivery service).
      Sid: "CloudTrailAccountTrailsAclCheckAndWrite",
      Effect: "Allow",
      Principal: { Service: CLOUDTRAIL },
      Action: ["s3:GetBucketAcl", "s3:PutObject"],
      Resource: [
        arn.bucket(p, bucket),
        arn.objects(
          p,
          bucket,
          ctx.extensions.has("own-account-prefix") ? "AWSLogs/${aws:SourceAccount}/*" : "AWSLogs/*",
        ),
      ],
      Condition: {
        StringEquals: { "aws:SourceAccount": oneOrMany(ctx.trailAccounts) },
        // Trails only: CloudTrail also writes CloudTrail Lake query results as cloudtrail.amazonaws.com,
        // with an event data store as source (CloudTrail user guide, S3 bucket policy for CloudTrail Lake
        // query results). The wildcard ARN is AWS's documented form (confused deputy prevention).
        ArnLike: { "aws:SourceArn": `arn:${p}:cloudtrail:*:*:trail/*` },
        StringEqualsIfExists: BUCKET_OWNER_FULL_CONTROL,
      },
    });
  return statements;
}

/**
 * The accounts whose vended logs the archive accepts: aws:SourceAccount, the key AWS documents for the
 * log delivery service; aws:SourceOrgID only with the org-id-for-log-delivery extension.
 */
function logDeliveryScope(ctx: ArchiveContext): Condition {
  return ctx.logDeliveryAccounts
    ? { StringEquals: { "aws:SourceAccount": oneOrMany(ctx.logDeliveryAccounts) } }
    : { StringEquals: { "aws:SourceOrgID": ctx.organizationId! } };
}

/**
 * The log delivery service (VPC Flow Logs, WAF): AWS's AclCheck and Write statements in one, so that the
 * account list is written once. The ACL condition is ...IfExists because GetBucketAcl carries no ACL
 * header and, with ACLs disabled, the service may send none on PutObject either: a plain StringEquals
 * silently denies every such write (cloudposse/terraform-aws-vpc-flow-logs-s3-bucket pull request 101).
 */
function logDeliveryStatements(ctx: ArchiveContext, bucket: string): PolicyStatement[] {
  const own = ctx.extensions.has("own-account-prefix");
  return [
    {
      Sid: "LogDeliveryAclCheckAndWrite",
      Effect: "Allow",
      Principal: { Service: LOG_DELIVERY },
      Action: ["s3:GetBucketAcl", "s3:ListBucket", "s3:PutObject"],
      Resource: [
        arn.bucket(ctx.partition, bucket),
        ...(own
          ? [
              arn.objects(ctx.partition, bucket, "AWSLogs/${aws:SourceAccount}/*"),
              arn.objects(ctx.partition, bucket, "AWSLogs/aws-account-id=${aws:SourceAccount}/*"),
            ]
          : [arn.objects(ctx.partition, bucket, "AWSLogs/*")]),
      ],
      Condition: conditions(logDeliveryScope(ctx), { StringEqualsIfExists: BUCKET_OWNER_FULL_CONTROL }),
    },
  ];
}

/**
 * ARN patterns of the member replication roles, one per member account and Region, created by the member
 * stacks: `central-logging-waf-replication-<region>`. Release 3 named them without the Region: that name
 * stays admitted so that WAF logs keep replicating while members upgrade (docs/policies.md, migration).
 */
export function replicationRolePattern(ctx: ArchiveContext): string[] {
  return [
    `arn:${ctx.partition}:iam::*:role/${WAF_REPLICATION_ROLE_NAME}`,
    `arn:${ctx.partition}:iam::*:role/${WAF_REPLICATION_ROLE_NAME}-*`,
  ];
}

/**
 * Member WAF replication roles: replicas only, never ReplicateDelete, so a member cannot remove what it
 * shipped. Principal "*" because a bucket policy may only name roles that already exist, and members
 * deploy after the central stack; aws:PrincipalOrgID / aws:PrincipalAccount and aws:PrincipalArn are in
 * every signed request (IAM global condition keys). Each role may write only under its own account's
 * prefix, AWSLogs/${aws:PrincipalAccount}/: the policy variable AWS documents for IAM principals (IAM
 * user guide, policy variables). Without it an administrator of one member could widen its own role and
 * write files under another account's prefix, which the SIEM would take for that account's logs.
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
      arn.objects(ctx.partition, bucket, "AWSLogs/${aws:PrincipalAccount}/*"),
    ],
    Condition: {
      StringEquals: org
        ? { "aws:PrincipalOrgID": ctx.organizationId! }
        : { "aws:PrincipalAccount": oneOrMany(ctx.memberAccountIds!) },
      ArnLike: { "aws:PrincipalArn": replicationRolePattern(ctx) },
    },
  };
}

/**
 * Defence in depth, with or without AWS Organizations: the archive's buckets refuse the calls that would
 * change who may read or write them, how long they keep logs, or where their events go, to every
 * principal but the deploy roles and break-glass; and the calls that would erase or unlock a log object
 * to everyone but break-glass. Only an S3 bucket policy can hold such a deny with a way back: the
 * account's root user can always delete a bucket policy. (A key policy never gets one: KMS has no way
 * back from a lockout.) The conditions are aws:PrincipalArn, in every request a principal signs; a request
 * without it (a service principal, which never makes these calls) is denied too.
 */
export function tamperingDenies(ctx: ArchiveContext, bucket: string): PolicyStatement[] {
  if (!ctx.tamper.bucketPolicyDenies) return [];
  const bucketArn = arn.bucket(ctx.partition, bucket);
  return [
    {
      Sid: "DenySettingChangesExceptDeployAndBreakGlass",
      Effect: "Deny",
      Principal: "*",
      Action: actionsOf(ARCHIVE_BUCKET_CALLS),
      Resource: bucketArn,
      Condition: {
        ArnNotLike: { "aws:PrincipalArn": [...ctx.tamper.deployRoleArns, ctx.tamper.breakGlassRoleArn] },
      },
    },
    {
      Sid: "DenyErasingLogsExceptBreakGlass",
      Effect: "Deny",
      Principal: "*",
      Action: actionsOf(ARCHIVE_OBJECT_CALLS),
      Resource: `${bucketArn}/*`,
      Condition: { ArnNotLike: { "aws:PrincipalArn": ctx.tamper.breakGlassRoleArn } },
    },
  ];
}

export function logBucketPolicy(ctx: ArchiveContext, logType: LogType): PolicyDocument {
  const bucket = ctx.bucketNames[logType];
  const statements: PolicyStatement[] = [
    denyInsecureTransport(arn.bucket(ctx.partition, bucket)),
    ...tamperingDenies(ctx, bucket),
  ];
  if (logType === "cloudtrail") statements.push(...cloudTrailStatements(ctx, bucket));
  if (logType === "vpcflowlogs") statements.push(...logDeliveryStatements(ctx, bucket));
  if (logType === "waf") statements.push(wafReplicationStatement(ctx, bucket));
  return policy(statements);
}

/** The archive's access-log bucket receives the server access logs of the three log buckets. */
export function accessLogBucketPolicy(ctx: ArchiveContext): PolicyDocument {
  const doc = serverAccessLogsPolicy(
    ctx.partition,
    ctx.accessLogBucketName,
    LOG_TYPES.map((t) => ctx.bucketNames[t]),
    ctx.accountId,
    ctx.extensions.has("access-log-tls-deny"),
  );
  return policy([...tamperingDenies(ctx, ctx.accessLogBucketName), ...doc.Statement]);
}

/**
 * kms:ViaService values: `<service>.<region>.amazonaws.com` in every partition, China included (KMS
 * developer guide, kms:ViaService: "Use the .amazonaws.com suffix ... in all AWS partitions").
 */
export function viaServices(ctx: { region: string }, ...services: string[]): string[] {
  return services.map((s) => viaService(s, ctx.region));
}

/** The shared CMK's key policy: one statement per party, each scoped by the keys that party sends. */
export function keyPolicy(ctx: ArchiveContext): PolicyDocument {
  const p = ctx.partition;
  const statements: PolicyStatement[] = [
    {
      Sid: "KeyAdministration",
      Effect: "Allow",
      Principal: { AWS: arn.root(p, ctx.accountId) },
      Action: "kms:*",
      Resource: "*",
    },
  ];
  const byArn = trailsAdmittedByArn(ctx);
  if (byArn.length) {
    const trailArns = oneOrMany(byArn.map((t) => t.arn));
    statements.push(
      {
        // AWS's statement: the encryption context names a trail of an admitted owner account, and
        // aws:SourceArn is one of the admitted trails (CloudTrail user guide, KMS key policies).
        Sid: "CloudTrailEncryptLogs",
        Effect: "Allow",
        Principal: { Service: CLOUDTRAIL },
        Action: "kms:GenerateDataKey*",
        Resource: "*",
        Condition: {
          StringLike: {
            "kms:EncryptionContext:aws:cloudtrail:arn": oneOrMany(
              unique(byArn.map((t) => `arn:${p}:cloudtrail:*:${t.accountId}:trail/*`)),
            ),
          },
          StringEquals: { "aws:SourceArn": trailArns },
        },
      },
      {
        // DescribeKey, and Decrypt, which CloudTrail needs to create or update a trail on a bucket with
        // an S3 Bucket Key (same guide); both scoped by aws:SourceArn, as the guide recommends.
        Sid: "CloudTrailDescribeKeyAndDecrypt",
        Effect: "Allow",
        Principal: { Service: CLOUDTRAIL },
        Action: ["kms:DescribeKey", "kms:Decrypt"],
        Resource: "*",
        Condition: { StringEquals: { "aws:SourceArn": trailArns } },
      },
    );
  }
  const thisAccount: Condition = ctx.extensions.has("kms-source-account")
    ? { StringEquals: { "aws:SourceAccount": ctx.accountId } }
    : {};
  const scoped = (c: Condition) => (Object.keys(c).length ? { Condition: c } : {});
  // The actions AWS documents for vended logs to SSE-KMS buckets (CloudWatch Logs user guide,
  // AWS-logs-and-resource-policy); Decrypt covers multipart uploads of large log files.
  const logDeliveryKeyActions = [
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:DescribeKey",
  ];
  // Account trails admitted by account: CloudTrail's key use keyed by aws:SourceAccount ("also
  // supported", CloudTrail user guide, KMS key policies; the trail owner's account). When the log delivery
  // service is admitted for exactly the same accounts, one statement serves both services, so that the
  // account list appears once: the 32 KB key policy then holds 1,000+ accounts. CloudTrail is thereby
  // allowed kms:Encrypt and kms:ReEncrypt* too, which it never calls; both services still act only for
  // the listed accounts.
  const sameAccounts =
    ctx.trailAccounts.length > 0 &&
    ctx.logDeliveryAccounts !== undefined &&
    sameSet(ctx.trailAccounts, ctx.logDeliveryAccounts);
  if (sameAccounts)
    statements.push({
      Sid: "LogDeliveryAndCloudTrailUseKey",
      Effect: "Allow",
      Principal: { Service: [CLOUDTRAIL, LOG_DELIVERY] },
      Action: logDeliveryKeyActions,
      Resource: "*",
      Condition: {
        StringEquals: { "aws:SourceAccount": oneOrMany(ctx.trailAccounts) },
        // CloudTrail's trails (not its Lake event data stores) and the log delivery service's deliveries
        // (arn:aws:logs:<region>:<account>:*, the vended-logs guide's form).
        ArnLike: {
          "aws:SourceArn": [`arn:${ctx.partition}:cloudtrail:*:*:trail/*`, `arn:${ctx.partition}:logs:*:*:*`],
        },
      },
    });
  else {
    if (ctx.trailAccounts.length)
      statements.push({
        Sid: "CloudTrailAccountTrailsUseKey",
        Effect: "Allow",
        Principal: { Service: CLOUDTRAIL },
        Action: ["kms:GenerateDataKey*", "kms:DescribeKey", "kms:Decrypt"],
        Resource: "*",
        Condition: {
          StringEquals: { "aws:SourceAccount": oneOrMany(ctx.trailAccounts) },
          ArnLike: { "aws:SourceArn": `arn:${ctx.partition}:cloudtrail:*:*:trail/*` },
        },
      });
    statements.push({
      Sid: "LogDeliveryUseKey",
      Effect: "Allow",
      Principal: { Service: LOG_DELIVERY },
      Action: logDeliveryKeyActions,
      Resource: "*",
      Condition: logDeliveryScope(ctx),
    });
  }
  statements.push(
    {
      // S3 event notifications into the SSE-KMS queues: AWS's statement has no condition (SQS developer
      // guide, sqs-key-management); aws:SourceAccount only with the kms-source-account extension.
      Sid: "S3NotificationsToEncryptedQueues",
      Effect: "Allow",
      Principal: { Service: S3_SERVICE },
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: "*",
      ...scoped(thisAccount),
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
    // CloudWatch alarms publish to the SSE-KMS alarm topic.
    statements.push(
      cloudWatchAlarmsToEncryptedTopic(ctx.accountId, ctx.extensions.has("kms-source-account")),
    );
  }
  if (ctx.tamperAlarms)
    // EventBridge rules publish tampering calls to the SSE-KMS alarm topic. AWS's statement (SNS
    // developer guide, event sources and encrypted topics) has no condition, and no AWS page says which
    // source keys EventBridge sends on these KMS calls: a condition on one could drop every tamper alarm.
    statements.push({
      Sid: "EventBridgeToEncryptedTopic",
      Effect: "Allow",
      Principal: { Service: "events.amazonaws.com" },
      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
      Resource: "*",
    });
  const wafBucketArn = bucketArnOf(ctx, "waf");
  // Only through S3, only into the central WAF bucket (the encryption context S3 sends is the bucket ARN
  // with a Bucket Key, the object ARN without), only for the organization or the listed accounts.
  // kms:Decrypt because the archive's buckets use an S3 Bucket Key: "To use replication with an S3
  // Bucket Key, the AWS KMS key policy for the KMS key that's used to encrypt the object replica must
  // include the kms:Decrypt permission for the calling principal" (S3 user guide, replicating encrypted
  // objects). Without it every WAF object fails to replicate. Reading objects still needs s3:GetObject,
  // which no replication role holds on the archive.
  statements.push({
    Sid: "WafReplicationEncryptReplicas",
    Effect: "Allow",
    Principal: { AWS: "*" },
    Action: REPLICATION_KEY_ACTIONS,
    Resource: "*",
    Condition: conditions(
      {
        StringEquals: { "kms:ViaService": viaServices(ctx, "s3") },
        StringLike: { "kms:EncryptionContext:aws:s3:arn": [wafBucketArn, `${wafBucketArn}/*`] },
        ArnLike: { "aws:PrincipalArn": replicationRolePattern(ctx) },
      },
      ctx.mode === "organization"
        ? { StringEquals: { "aws:PrincipalOrgID": ctx.organizationId! } }
        : { StringEquals: { "aws:PrincipalAccount": oneOrMany(ctx.memberAccountIds!) } },
    ),
  });
  return policy(statements);
}

/** What a replication role does with the archive key, through S3, when it writes a replica. */
export const REPLICATION_KEY_ACTIONS = ["kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt"];

const sameSet = (a: string[], b: string[]) => {
  const x = new Set(a);
  return x.size === new Set(b).size && b.every((v) => x.has(v));
};

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
