/**
 * LogArchive: the log-archive account's half of the project as one ComponentResource, usable from any
 * Pulumi program. It creates the shared CMK, one bucket and one queue (with a dead-letter queue) per log
 * type, the access-log bucket and the SIEM reader role, and returns the output contract.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CentralConfig } from "../shared/config";
import {
  CentralArchiveOutputs,
  CONTRACT_VERSION,
  EXTERNAL_ID_OUTPUT,
  FILE_FORMATS,
  LogDestination,
  SiemFeed,
  SKIP_KEY_PATTERNS,
  TAKE_KEY_PATTERNS,
} from "../shared/contract";
import { createAlarmTopic } from "./alarmTopic";
import { createDeliveryAlarms } from "./deliveryAlarms";
import { createTamperAlarms } from "./tamperAlarms";
import { alarmTopicArn, tamperEventBusArn } from "./tamperPolicies";
import { createAccessLogBucket, hardenBucket } from "../shared/buckets";
import { serializeWithinLimit } from "../shared/iam";
import { arn, deadLetterQueueName, KEY_ALIAS, LOG_TYPES, LogType, queueName } from "../shared/naming";
import { archiveContext, ArchiveContext, bucketArnOf, queueArnOf } from "./archiveContext";
import { accessLogBucketPolicy, keyPolicy, logBucketPolicy, queuePolicy } from "./policies";
import { readerTrustPolicy, siemPermissionsPolicy, siemTrustPolicy } from "./siemPolicies";
import { withSizeAdvice } from "./sizeAdvice";
import { verifierPermissionsPolicy, verifierScopeOfArchive } from "./verifierPolicies";

export interface LogArchiveArgs {
  /** The validated central stack configuration (see shared/config.ts and docs/configuration.md). */
  config: CentralConfig;
  /**
   * Protect the key, the buckets and their guard resources from deletion, and retain the key and buckets
   * if they ever leave the program. Default true; turn off only for throwaway test stacks.
   */
  protectArchive?: boolean;
}

/** SQS's maximum retention, 14 days: a SIEM outage of up to two weeks loses no notification. */
export const QUEUE_RETENTION_SECONDS = 1_209_600;

interface Guard {
  protect: boolean;
  retainOnDelete: boolean;
}

export class LogArchive extends pulumi.ComponentResource {
  public readonly key: aws.kms.Key;
  public readonly buckets: Record<LogType, aws.s3.Bucket>;
  public readonly accessLogBucket: aws.s3.Bucket;
  public readonly queues: Record<LogType, aws.sqs.Queue>;
  public readonly deadLetterQueues: Record<LogType, aws.sqs.Queue>;
  public readonly siemRole: aws.iam.Role;
  /** The read-only role of `npm run verify`, when the config's `verifier` is set. */
  public readonly verifierRole?: aws.iam.Role;
  /** The output contract member stacks and SIEMs consume. */
  public readonly outputs: pulumi.Output<CentralArchiveOutputs>;
  /** Per log type, what a SIEM needs to read it (see shared/contract.ts SiemFeed). */
  public readonly siem: pulumi.Output<Record<LogType, SiemFeed>>;
  /** The SNS topic of the delivery alarms, when notifications are configured. */
  public readonly alarmTopic?: aws.sns.Topic;
  /** The SIEM role's external ID (AWS-principal trust only), as a secret. */
  public readonly siemExternalId: pulumi.Output<string | undefined>;

  constructor(name: string, args: LogArchiveArgs, opts?: pulumi.ComponentResourceOptions) {
    // Serialise every resource policy before registering anything (this component included), so an
    // over-size policy stops the preview with the policy's name, size and limit instead of failing the
    // apply at AWS.
    const config = args.config;
    const ctx = archiveContext(config);
    const json = withSizeAdvice(config, () => LogArchive.policyDocuments(ctx, config));
    super("central-logging:central:LogArchive", name, {}, opts);
    const s = config.settings;
    const guarded = args.protectArchive ?? true;
    const keep: Guard = { protect: guarded, retainOnDelete: guarded };
    const guard = { protect: guarded };
    const child = (extra: pulumi.CustomResourceOptions = {}) => ({ parent: this, ...extra });
    const { keyPolicyJson, bucketPolicyJson, queuePolicyJson, accessLogPolicyJson, trustJson } = json;

    // The role exists before the key and queue policies name it: KMS and SQS reject unknown principals.
    this.siemRole = new aws.iam.Role(
      "siem-reader",
      {
        name: config.siemRoleName,
        description: "Reads new log objects announced on the central-logging queues",
        assumeRolePolicy: trustJson,
        maxSessionDuration: 3600,
      },
      child(),
    );

    this.key = new aws.kms.Key(
      "logs-key",
      {
        description: "central-logging: encrypts every log bucket and queue of the archive",
        keyUsage: "ENCRYPT_DECRYPT",
        customerMasterKeySpec: "SYMMETRIC_DEFAULT",
        enableKeyRotation: true,
        rotationPeriodInDays: s.keyRotationDays,
        deletionWindowInDays: 30,
        policy: keyPolicyJson,
      },
      child({ ...keep, dependsOn: [this.siemRole] }),
    );
    new aws.kms.Alias("logs-key-alias", { name: KEY_ALIAS, targetKeyId: this.key.keyId }, child());

    this.accessLogBucket = createAccessLogBucket(this, "access-logs", {
      bucketName: ctx.accessLogBucketName,
      expirationDays: s.accessLogExpirationDays,
      policyJson: accessLogPolicyJson,
      protect: guarded,
    });

    this.buckets = {} as Record<LogType, aws.s3.Bucket>;
    this.queues = {} as Record<LogType, aws.sqs.Queue>;
    this.deadLetterQueues = {} as Record<LogType, aws.sqs.Queue>;
    for (const logType of LOG_TYPES) {
      const bucket = this.createLogBucket(ctx, config, logType, bucketPolicyJson[logType], keep, guard);
      const { queue, dlq, queuePolicyResource } = this.createQueue(
        ctx,
        config,
        logType,
        queuePolicyJson[logType],
      );
      new aws.s3.BucketNotification(
        `${logType}-notification`,
        { bucket: bucket.id, queues: [{ queueArn: queue.arn, events: ["s3:ObjectCreated:*"] }] },
        child({ dependsOn: [queuePolicyResource] }),
      );
      this.buckets[logType] = bucket;
      this.queues[logType] = queue;
      this.deadLetterQueues[logType] = dlq;
    }

    const alarmTopic = ctx.alarmTopic
      ? createAlarmTopic(this, ctx, s.alarms.notifications ?? [], this.key.arn)
      : undefined;
    createDeliveryAlarms(this, {
      settings: s.alarms,
      topic: alarmTopic?.topic,
      queueNames: Object.fromEntries(LOG_TYPES.map((t) => [t, this.queues[t].name])) as Record<
        LogType,
        pulumi.Output<string>
      >,
      deadLetterQueueNames: Object.fromEntries(
        LOG_TYPES.map((t) => [t, this.deadLetterQueues[t].name]),
      ) as Record<LogType, pulumi.Output<string>>,
    });
    this.alarmTopic = alarmTopic?.topic;
    if (ctx.tamperAlarms && alarmTopic)
      createTamperAlarms(this, { ctx, topic: alarmTopic.topic, topicPolicy: alarmTopic.policy });

    new aws.iam.RolePolicy(
      "siem-reader-permissions",
      {
        name: "central-logging-siem-read",
        role: this.siemRole.name,
        policy: this.key.arn.apply((keyArn) =>
          serializeWithinLimit("SIEM role permissions", "inline", siemPermissionsPolicy(ctx, keyArn)),
        ),
      },
      child(),
    );

    if (config.verifierRoleName && json.verifierTrustJson) {
      const verifierRole = new aws.iam.Role(
        "verifier",
        {
          name: config.verifierRoleName,
          description: "Read-only: proves log delivery and reads the archive's guards (npm run verify)",
          assumeRolePolicy: json.verifierTrustJson,
          maxSessionDuration: 3600,
        },
        child(),
      );
      new aws.iam.RolePolicy(
        "verifier-permissions",
        {
          name: "central-logging-verify",
          role: verifierRole.name,
          policy: this.key.arn.apply((keyArn) =>
            serializeWithinLimit(
              "verifier role permissions",
              "inline",
              verifierPermissionsPolicy(verifierScopeOfArchive(ctx, keyArn)),
            ),
          ),
        },
        child(),
      );
      this.verifierRole = verifierRole;
    }

    this.siemExternalId = pulumi.secret(s.siem.trust === "aws" ? s.siem.externalId : undefined);
    this.outputs = pulumi
      .all([
        this.key.arn,
        this.siemRole.arn,
        this.verifierRole?.arn,
        ...LOG_TYPES.map((t) => this.queues[t].url),
        ...LOG_TYPES.map((t) => this.deadLetterQueues[t].arn),
      ])
      .apply(([keyArn, roleArn, verifierRoleArn, ...rest]) => {
        const logs = {} as Record<LogType, LogDestination>;
        LOG_TYPES.forEach((t, i) => {
          logs[t] = {
            bucketName: ctx.bucketNames[t],
            bucketArn: bucketArnOf(ctx, t),
            queueUrl: rest[i]!,
            queueArn: queueArnOf(ctx, t),
            deadLetterQueueArn: rest[LOG_TYPES.length + i]!,
            skipKeyPatterns: SKIP_KEY_PATTERNS[t],
          };
        });
        const out: CentralArchiveOutputs = {
          contractVersion: CONTRACT_VERSION,
          mode: ctx.mode,
          ...(ctx.organizationId ? { organizationId: ctx.organizationId } : {}),
          ...(ctx.memberAccountIds ? { memberAccountIds: ctx.memberAccountIds } : {}),
          accountId: ctx.accountId,
          region: ctx.region,
          partition: ctx.partition,
          keyArn: keyArn!,
          logs,
          siemRoleArn: roleArn!,
          ...(verifierRoleArn ? { verifierRoleArn } : {}),
          cloudTrail: {
            ...(ctx.trails.some((t) => t.organization)
              ? { organizationTrailArn: ctx.trails.find((t) => t.organization)!.arn }
              : {}),
            admitAccountTrailsBy: ctx.admitAccountTrailsBy,
            accountTrailArns: ctx.trails.filter((t) => !t.organization).map((t) => t.arn),
            accountTrailAccounts: ctx.trailAccounts,
          },
          ...(ctx.objectLock ? { objectLock: ctx.objectLock } : {}),
          accessLogBucket: {
            bucketName: ctx.accessLogBucketName,
            bucketArn: arn.bucket(ctx.partition, ctx.accessLogBucketName),
          },
          tamperProtection: {
            deployRoleNames: ctx.tamper.deployRoleNames,
            breakGlassRoleName: ctx.tamper.breakGlassRoleName,
            ...(ctx.tamperAlarms ? { eventBusArn: tamperEventBusArn(ctx) } : {}),
            ...(ctx.alarmTopic ? { alarmTopicArn: alarmTopicArn(ctx) } : {}),
          },
          ...(ctx.logDeliveryAccounts ? { logDeliveryAccounts: ctx.logDeliveryAccounts } : {}),
          policyExtensions: [...ctx.extensions],
        };
        return out;
      });
    this.siem = this.outputs.apply(
      (o) =>
        Object.fromEntries(
          LOG_TYPES.map((t): [LogType, SiemFeed] => [
            t,
            {
              logType: t,
              region: o.region,
              queueUrl: o.logs[t].queueUrl,
              queueArn: o.logs[t].queueArn,
              deadLetterQueueArn: o.logs[t].deadLetterQueueArn,
              bucketName: o.logs[t].bucketName,
              keyArn: o.keyArn,
              roleArn: o.siemRoleArn,
              trust: s.siem.trust,
              ...(s.siem.trust === "aws" ? { externalIdOutput: EXTERNAL_ID_OUTPUT } : {}),
              takeKeyPattern: TAKE_KEY_PATTERNS[t],
              skipKeyPatterns: SKIP_KEY_PATTERNS[t],
              fileFormat: FILE_FORMATS[t],
              messageFormat: "s3-event-notification",
            },
          ]),
        ) as Record<LogType, SiemFeed>,
    );
    this.registerOutputs({ archive: this.outputs, siem: this.siem, siemExternalId: this.siemExternalId });
  }

  /** Every resource policy of the archive, serialised and checked against its AWS size limit. */
  static policyDocuments(ctx: ArchiveContext, config: CentralConfig) {
    return {
      keyPolicyJson: serializeWithinLimit("central CMK key policy", "key", keyPolicy(ctx)),
      bucketPolicyJson: Object.fromEntries(
        LOG_TYPES.map((t) => [
          t,
          serializeWithinLimit(`${ctx.bucketNames[t]} bucket policy`, "bucket", logBucketPolicy(ctx, t)),
        ]),
      ) as Record<LogType, string>,
      queuePolicyJson: Object.fromEntries(
        LOG_TYPES.map((t) => [
          t,
          serializeWithinLimit(`${queueName(t)} queue policy`, "queue", queuePolicy(ctx, t)),
        ]),
      ) as Record<LogType, string>,
      accessLogPolicyJson: serializeWithinLimit(
        `${ctx.accessLogBucketName} bucket policy`,
        "bucket",
        accessLogBucketPolicy(ctx),
      ),
      trustJson: serializeWithinLimit(
        "SIEM role trust policy",
        "trust",
        siemTrustPolicy(ctx.partition, config.settings.siem),
      ),
      verifierTrustJson: config.settings.verifier
        ? serializeWithinLimit(
            "verifier role trust policy",
            "trust",
            readerTrustPolicy(ctx.partition, config.settings.verifier, "Verifier"),
          )
        : undefined,
    };
  }

  private createLogBucket(
    ctx: ArchiveContext,
    config: CentralConfig,
    logType: LogType,
    policyJson: string,
    keep: Guard,
    guard: { protect: boolean },
  ): aws.s3.Bucket {
    const s = config.settings;
    const name = `${logType}-logs`;
    // Object Lock is turned on by the BucketObjectLockConfiguration below, which works for new and
    // existing buckets alike; objectLockEnabled on the bucket itself would replace an existing bucket.
    const bucket = new aws.s3.Bucket(
      name,
      { bucket: ctx.bucketNames[logType], forceDestroy: false },
      { parent: this, ...keep, ignoreChanges: ["objectLockEnabled"] },
    );
    const versioning = hardenBucket(this, name, bucket, guard.protect);
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        bucket: bucket.id,
        rules: [
          {
            // The key ARN, not its ID: flow-log delivery fails with a bare key ID (VPC guide, flow-logs-s3).
            applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: this.key.arn },
            bucketKeyEnabled: true,
          },
        ],
      },
      { parent: this, ...guard },
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        bucket: bucket.id,
        rules: [
          {
            id: "archive-retention",
            status: "Enabled",
            filter: {},
            transitions: [
              { days: s.lifecycle.transitionDays, storageClass: s.lifecycle.transitionStorageClass },
            ],
            expiration: { days: s.lifecycle.expirationDays },
            noncurrentVersionTransitions: [
              {
                noncurrentDays: s.lifecycle.noncurrentTransitionDays,
                storageClass: s.lifecycle.transitionStorageClass,
              },
            ],
            noncurrentVersionExpiration: { noncurrentDays: s.lifecycle.noncurrentExpirationDays },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
          },
        ],
      },
      { parent: this, dependsOn: [versioning] },
    );
    new aws.s3.BucketLogging(
      `${name}-access-logging`,
      {
        bucket: bucket.id,
        targetBucket: this.accessLogBucket.id,
        targetPrefix: `${ctx.bucketNames[logType]}/`,
      },
      { parent: this, ...guard },
    );
    if (s.objectLock) {
      new aws.s3.BucketObjectLockConfiguration(
        `${name}-object-lock`,
        {
          bucket: bucket.id,
          objectLockEnabled: "Enabled",
          rule: { defaultRetention: { mode: s.objectLock.mode, days: s.objectLock.retentionDays } },
        },
        { parent: this, ...guard, dependsOn: [versioning] },
      );
    }
    new aws.s3.BucketPolicy(
      `${name}-policy`,
      { bucket: bucket.id, policy: policyJson },
      { parent: this, ...guard },
    );
    return bucket;
  }

  private createQueue(ctx: ArchiveContext, config: CentralConfig, logType: LogType, policyJson: string) {
    const q = config.settings.queue;
    const dlq = new aws.sqs.Queue(
      `${logType}-dlq`,
      {
        name: deadLetterQueueName(logType),
        messageRetentionSeconds: QUEUE_RETENTION_SECONDS,
        kmsMasterKeyId: this.key.arn,
        kmsDataKeyReusePeriodSeconds: 300,
      },
      { parent: this },
    );
    const queue = new aws.sqs.Queue(
      `${logType}-queue`,
      {
        name: queueName(logType),
        messageRetentionSeconds: QUEUE_RETENTION_SECONDS,
        visibilityTimeoutSeconds: q.visibilityTimeoutSeconds,
        receiveWaitTimeSeconds: 20,
        kmsMasterKeyId: this.key.arn,
        kmsDataKeyReusePeriodSeconds: 300,
        redrivePolicy: dlq.arn.apply((deadLetterTargetArn) =>
          JSON.stringify({ deadLetterTargetArn, maxReceiveCount: q.maxReceiveCount }),
        ),
      },
      { parent: this },
    );
    new aws.sqs.RedriveAllowPolicy(
      `${logType}-dlq-redrive-allow`,
      {
        queueUrl: dlq.url,
        redriveAllowPolicy: JSON.stringify({
          redrivePermission: "byQueue",
          sourceQueueArns: [queueArnOf(ctx, logType)],
        }),
      },
      { parent: this, dependsOn: [queue] },
    );
    const queuePolicyResource = new aws.sqs.QueuePolicy(
      `${logType}-queue-policy`,
      { queueUrl: queue.url, policy: policyJson },
      { parent: this, dependsOn: [this.siemRole] },
    );
    return { queue, dlq, queuePolicyResource };
  }
}
