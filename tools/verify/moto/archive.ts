/**
 * A log archive built on a test endpoint the way the central stack builds it on AWS (names from
 * shared/naming.ts, the same guards), its outputs in the contract's shape, and log objects seeded with
 * the key layouts and file names AWS documents (docs/operations.md cites them):
 *
 *   CloudTrail  AWSLogs/[<org>/]<acct>/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<16 chars>.json.gz
 *   Flow Logs   AWSLogs/<acct>/vpcflowlogs/<region>/YYYY/MM/DD/<acct>_vpcflowlogs_<region>_<fl-id>_<ts>_<hash>.log.gz
 *               AWSLogs/aws-account-id=<acct>/aws-service=vpcflowlogs/aws-region=<region>/year=/month=/day=/...
 *   WAF         AWSLogs/<acct>/WAFLogs/<region>/<web-acl>/YYYY/MM/DD/HH/mm/<acct>_waflogs_<region>_<web-acl>_<ts>_<hash>.log.gz
 */
import { createHash } from "crypto";
import { gzipSync } from "zlib";
import {
  CreateBucketCommand,
  PutObjectLockConfigurationCommand,
  PutBucketEncryptionCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { CreateKeyCommand, EnableKeyRotationCommand, KMSClient } from "@aws-sdk/client-kms";
import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CentralArchiveOutputs, CONTRACT_VERSION, SKIP_KEY_PATTERNS } from "../../../shared/contract";
import {
  arn,
  deadLetterQueueName,
  LOG_TYPES,
  LogType,
  logBucketName,
  queueName,
} from "../../../shared/naming";
import { bounded } from "../../common/cli";

/** moto's default account: every resource the test endpoint creates belongs to it. */
export const MOTO_ACCOUNT = "123456789012";
export const TEST_REGION = "eu-west-1";

export function testClients(endpoint: string, region = TEST_REGION) {
  const common = {
    endpoint,
    region,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  };
  return {
    s3: new S3Client({ ...common, forcePathStyle: true }),
    sqs: new SQSClient(common),
    kms: new KMSClient(common),
  };
}

export interface TestArchiveOptions {
  suffix: string;
  mode: "organization" | "account-list";
  organizationId?: string;
  /** Member accounts (account-list mode), or the accounts admitted for log delivery (organization mode). */
  members: string[];
  organizationTrail?: { managementAccountId: string; name: string };
  /** Account trails named central-logging in the archive's Region, one per listed account. */
  accountTrails?: string[];
  /** Object Lock with this default retention on every log bucket. */
  objectLock?: { mode: "GOVERNANCE" | "COMPLIANCE"; retentionDays: number };
}

export async function createTestArchive(
  endpoint: string,
  o: TestArchiveOptions,
): Promise<CentralArchiveOutputs> {
  const c = testClients(endpoint);
  const key = await c.kms.send(new CreateKeyCommand({ Description: "central-logging test archive" }));
  const keyArn = key.KeyMetadata!.Arn!;
  await c.kms.send(new EnableKeyRotationCommand({ KeyId: keyArn, RotationPeriodInDays: 365 }));
  const logs = {} as CentralArchiveOutputs["logs"];
  for (const t of LOG_TYPES) {
    const bucket = logBucketName(t, o.suffix);
    await c.sqs.send(
      new CreateQueueCommand({ QueueName: deadLetterQueueName(t), Attributes: { KmsMasterKeyId: keyArn } }),
    );
    const dlqArn = arn.queue("aws", TEST_REGION, MOTO_ACCOUNT, deadLetterQueueName(t));
    const queue = await c.sqs.send(
      new CreateQueueCommand({
        QueueName: queueName(t),
        Attributes: {
          KmsMasterKeyId: keyArn,
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 }),
        },
      }),
    );
    const queueArn = arn.queue("aws", TEST_REGION, MOTO_ACCOUNT, queueName(t));
    await c.s3.send(
      new CreateBucketCommand({
        Bucket: bucket,
        CreateBucketConfiguration: { LocationConstraint: TEST_REGION },
        ...(o.objectLock ? { ObjectLockEnabledForBucket: true } : {}),
      }),
    );
    if (o.objectLock)
      await c.s3.send(
        new PutObjectLockConfigurationCommand({
          Bucket: bucket,
          ObjectLockConfiguration: {
            ObjectLockEnabled: "Enabled",
            Rule: { DefaultRetention: { Mode: o.objectLock.mode, Days: o.objectLock.retentionDays } },
          },
        }),
      );
    await c.s3.send(
      new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }),
    );
    await c.s3.send(
      new PutBucketEncryptionCommand({
        Bucket: bucket,
        ServerSideEncryptionConfiguration: {
          Rules: [
            {
              ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: keyArn },
              BucketKeyEnabled: true,
            },
          ],
        },
      }),
    );
    await c.s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: bucket,
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: true,
        },
      }),
    );
    await c.s3.send(
      new PutBucketOwnershipControlsCommand({
        Bucket: bucket,
        OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] },
      }),
    );
    await c.s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: {
          QueueConfigurations: [{ QueueArn: queueArn, Events: ["s3:ObjectCreated:*"] }],
        },
      }),
    );
    logs[t] = {
      bucketName: bucket,
      bucketArn: arn.bucket("aws", bucket),
      queueUrl: queue.QueueUrl!,
      queueArn,
      deadLetterQueueArn: dlqArn,
      skipKeyPatterns: SKIP_KEY_PATTERNS[t],
    };
  }
  const org = o.mode === "organization";
  return {
    contractVersion: CONTRACT_VERSION,
    mode: o.mode,
    ...(org ? { organizationId: o.organizationId } : { memberAccountIds: o.members }),
    accountId: MOTO_ACCOUNT,
    region: TEST_REGION,
    partition: "aws",
    keyArn,
    logs,
    siemRoleArn: arn.role("aws", MOTO_ACCOUNT, "central-logs-siem-reader"),
    verifierRoleArn: arn.role("aws", MOTO_ACCOUNT, "central-logs-verifier"),
    ...(o.objectLock ? { objectLock: o.objectLock } : {}),
    cloudTrail: {
      ...(o.organizationTrail
        ? {
            organizationTrailArn: arn.trail(
              "aws",
              TEST_REGION,
              o.organizationTrail.managementAccountId,
              o.organizationTrail.name,
            ),
          }
        : {}),
      admitAccountTrailsBy: "account",
      accountTrailArns: (o.accountTrails ?? []).map((a) =>
        arn.trail("aws", TEST_REGION, a, "central-logging"),
      ),
      accountTrailAccounts: o.accountTrails ?? [],
    },
    accessLogBucket: {
      bucketName: "central-logs-access-example-org",
      bucketArn: "arn:aws:s3:::central-logs-access-example-org",
    },
    tamperProtection: {
      deployRoleNames: ["central-logging-deploy"],
      breakGlassRoleName: "central-logging-break-glass",
    },
    logDeliveryAccounts: o.members,
    policyExtensions: [],
  };
}

const pad = (n: number) => String(n).padStart(2, "0");
function parts(at: Date) {
  return {
    Y: String(at.getUTCFullYear()),
    M: pad(at.getUTCMonth() + 1),
    D: pad(at.getUTCDate()),
    h: pad(at.getUTCHours()),
    m: pad(at.getUTCMinutes()),
    stamp: `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}T${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}Z`,
  };
}
const unique = (seed: string, n: number) => createHash("sha256").update(seed).digest("base64url").slice(0, n);

export type SeedObject =
  | { logType: "cloudtrail"; account: string; region: string; at: Date; organizationId?: string }
  | { logType: "vpcflowlogs"; account: string; region: string; at: Date; hive?: boolean; flowLogId?: string }
  | { logType: "waf"; account: string; region: string; at: Date; webAcl: string };

/** The object key AWS would write for one log file. */
export function seedKey(o: SeedObject): string {
  const p = parts(o.at);
  const id = unique(JSON.stringify(o), 16);
  if (o.logType === "cloudtrail")
    return `AWSLogs/${o.organizationId ? `${o.organizationId}/` : ""}${o.account}/CloudTrail/${o.region}/${p.Y}/${p.M}/${p.D}/${o.account}_CloudTrail_${o.region}_${p.stamp}_${id}.json.gz`;
  if (o.logType === "vpcflowlogs") {
    const file = `${o.account}_vpcflowlogs_${o.region}_${o.flowLogId ?? "fl-0a1b2c3d4e5f60718"}_${p.stamp}_${id.slice(0, 8).toLowerCase()}.log.gz`;
    return o.hive
      ? `AWSLogs/aws-account-id=${o.account}/aws-service=vpcflowlogs/aws-region=${o.region}/year=${p.Y}/month=${p.M}/day=${p.D}/${file}`
      : `AWSLogs/${o.account}/vpcflowlogs/${o.region}/${p.Y}/${p.M}/${p.D}/${file}`;
  }
  return `AWSLogs/${o.account}/WAFLogs/${o.region}/${o.webAcl}/${p.Y}/${p.M}/${p.D}/${p.h}/${p.m}/${o.account}_waflogs_${o.region}_${o.webAcl}_${p.stamp}_${id.slice(0, 8).toLowerCase()}.log.gz`;
}

const BODIES: Record<LogType, Buffer> = {
  cloudtrail: gzipSync(JSON.stringify({ Records: [] })),
  vpcflowlogs: gzipSync(
    "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n",
  ),
  waf: gzipSync(""),
};

export async function seed(
  endpoint: string,
  outputs: CentralArchiveOutputs,
  objects: SeedObject[],
  concurrency = 16,
): Promise<string[]> {
  const { s3 } = testClients(endpoint);
  return bounded(objects, concurrency, async (o) => {
    const Key = seedKey(o);
    await s3.send(
      new PutObjectCommand({ Bucket: outputs.logs[o.logType].bucketName, Key, Body: BODIES[o.logType] }),
    );
    return Key;
  });
}
