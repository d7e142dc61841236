/**
 * MemberLogShipping: one workload account's (and Region's) half of the project as a ComponentResource.
 * It ships CloudTrail, VPC Flow Logs and AWS WAF logs to the central archive described by `central`.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { MemberConfig, resolveTrailMode } from "../shared/config";
import { CentralArchiveOutputs } from "../shared/contract";
import { serializeWithinLimit } from "../shared/iam";
import { createAccessLogBucket, hardenBucket } from "../shared/buckets";
import {
  arn,
  memberAccessLogBucketName,
  memberWafBucketName,
  wafReplicationRoleName,
} from "../shared/naming";
import { Extension } from "../shared/extensions";
import { serverAccessLogsPolicy } from "../shared/statements";
import { PROTECTED_TAG } from "../shared/tampering";
import { createReplicationAlarm, REPLICATION_RULE_ID } from "./replicationAlarm";
import { createTamperEvents } from "./tamperEvents";
import {
  MemberContext,
  replicationPermissionsPolicy,
  replicationTrustPolicy,
  wafStagingBucketPolicy,
  wafStagingKeyPolicy,
} from "./policies";

export interface MemberLogShippingArgs {
  /** The validated member stack configuration. */
  config: MemberConfig;
  /** The central stack's output contract, already resolved (see member/program.ts). */
  central: CentralArchiveOutputs;
  /** The VPCs to enable flow logs on, already resolved when the config says "all". */
  vpcIds: string[];
  /** Protect the WAF staging bucket and key (default true). */
  protectStaging?: boolean;
}

export class MemberLogShipping extends pulumi.ComponentResource {
  public readonly trail?: aws.cloudtrail.Trail;
  public readonly flowLogs: aws.ec2.FlowLog[] = [];
  public readonly wafLogging: aws.wafv2.WebAclLoggingConfiguration[] = [];
  public readonly wafStagingBucket?: aws.s3.Bucket;
  public readonly replicationRole?: aws.iam.Role;
  /** The alarm on failed replication of the WAF staging bucket (member `alarms`). */
  public readonly replicationFailedAlarm?: aws.cloudwatch.MetricAlarm;

  constructor(name: string, args: MemberLogShippingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("central-logging:member:MemberLogShipping", name, {}, opts);
    const { config, central } = args;
    const s = config.settings;

    const trailMode = resolveTrailMode(s, central);
    if (trailMode === "account" || trailMode === "organization") {
      const organization = trailMode === "organization";
      this.trail = new aws.cloudtrail.Trail(
        organization ? "organization-trail" : "account-trail",
        {
          name: s.cloudTrail.name,
          s3BucketName: central.logs.cloudtrail.bucketName,
          kmsKeyId: central.keyArn,
          isMultiRegionTrail: true,
          isOrganizationTrail: organization,
          includeGlobalServiceEvents: true,
          enableLogFileValidation: true,
          enableLogging: true,
          eventSelectors: [{ readWriteType: "All", includeManagementEvents: true }],
        },
        { parent: this },
      );
    }

    const flow = s.flowLogs;
    for (const vpcId of flow ? args.vpcIds : []) {
      this.flowLogs.push(
        new aws.ec2.FlowLog(
          `flow-log-${vpcId}`,
          {
            vpcId,
            trafficType: "ALL",
            logDestinationType: "s3",
            logDestination: central.logs.vpcflowlogs.bucketArn,
            maxAggregationInterval: flow!.maxAggregationInterval,
            ...(flow!.logFormat ? { logFormat: flow!.logFormat } : {}),
            destinationOptions: {
              fileFormat: flow!.fileFormat,
              hiveCompatiblePartitions: flow!.hiveCompatiblePartitions,
              perHourPartition: flow!.perHourPartition,
            },
            // The guardrails protect flow logs by this tag (guardrails/policies.ts).
            tags: { Name: `central-logging-${vpcId}`, [PROTECTED_TAG]: "true" },
          },
          { parent: this },
        ),
      );
    }

    const waf = s.waf;
    const staging = waf ? this.createWafStaging(config, central, args.protectStaging ?? true) : undefined;
    if (waf && staging) {
      this.wafStagingBucket = staging.bucket;
      this.replicationRole = staging.role;
      this.replicationFailedAlarm = staging.alarm;
      waf.webAclArns.forEach((webAclArn, i) => {
        this.wafLogging.push(
          new aws.wafv2.WebAclLoggingConfiguration(
            `waf-logging-${i}`,
            {
              resourceArn: webAclArn,
              logDestinationConfigs: [staging.bucket.arn],
              redactedFields: waf.redactedHeaders.map((header) => ({ singleHeader: { name: header } })),
            },
            // The first files must not land before the bucket's policy, key, encryption and replication
            // exist: an early write would be denied, or stored without replicating.
            { parent: this, dependsOn: staging.readyForLogs },
          ),
        );
      });
    }

    const bus = central.tamperProtection.eventBusArn;
    if (bus)
      createTamperEvents(this, {
        eventBusArn: bus,
        region: config.region,
        breakGlassRoleName: central.tamperProtection.breakGlassRoleName,
        ...(staging
          ? {
              staging: {
                bucketName: memberWafBucketName(config.accountId, config.region),
                keyArn: staging.key.arn,
              },
            }
          : {}),
      });

    // The trail mode is a registered output because the engine shows a component to stack policies with
    // its registered outputs as props: member-ships-cloudtrail reads it there to see that an
    // organization trail covers a member that creates no trail of its own.
    this.registerOutputs({
      cloudTrailMode: trailMode,
      trailArn: this.trail?.arn,
      flowLogIds: this.flowLogs.map((f) => f.id),
      wafStagingBucket: this.wafStagingBucket?.bucket,
    });
  }

  /**
   * AWS WAF's current documentation requires the aws-waf-logs- bucket in the web ACL's own account, so
   * logs land in a short-lived local bucket that replicates every object to the central WAF bucket.
   */
  private createWafStaging(config: MemberConfig, central: CentralArchiveOutputs, protect: boolean) {
    const m: MemberContext = {
      partition: config.partition,
      region: config.region,
      accountId: config.accountId,
      wafBucketName: memberWafBucketName(config.accountId, config.region),
      replicationRoleArn: arn.role(config.partition, config.accountId, wafReplicationRoleName(config.region)),
    };
    const waf = config.settings.waf!;
    const alarms = config.settings.alarms;
    const extensions = new Set<Extension>(central.policyExtensions);
    const alarmTopic = alarms.enabled && (alarms.notifications?.length ?? 0) > 0;
    const keep = { protect, retainOnDelete: protect };
    const tags = { "central-logging:purpose": "waf-staging", [PROTECTED_TAG]: "true" };

    const role = new aws.iam.Role(
      "waf-replication-role",
      {
        name: wafReplicationRoleName(config.region),
        description: "Replicates AWS WAF logs from the local staging bucket to the central archive",
        assumeRolePolicy: serializeWithinLimit(
          "WAF replication role trust policy",
          "trust",
          replicationTrustPolicy(m, extensions),
        ),
      },
      { parent: this },
    );
    const key = new aws.kms.Key(
      "waf-staging-key",
      {
        description: "central-logging: encrypts this account's WAF logs until they replicate to the archive",
        enableKeyRotation: true,
        rotationPeriodInDays: 365,
        deletionWindowInDays: 30,
        policy: serializeWithinLimit(
          "WAF staging key policy",
          "key",
          wafStagingKeyPolicy(m, { alarmTopic, extensions }),
        ),
        tags,
      },
      { parent: this, ...keep, dependsOn: [role] },
    );
    const bucket = new aws.s3.Bucket(
      "waf-staging",
      { bucket: m.wafBucketName, forceDestroy: false, tags },
      { parent: this, ...keep },
    );
    const guard = { parent: this, protect };
    const versioning = hardenBucket(this, "waf-staging", bucket, protect);
    // The staging bucket is a log bucket too: its server access logs go to a bucket of this account.
    const accessLogs = createAccessLogBucket(this, "waf-staging-access-logs", {
      bucketName: memberAccessLogBucketName(m.accountId, m.region),
      expirationDays: waf.accessLogExpirationDays,
      policyJson: serializeWithinLimit(
        "member access-log bucket policy",
        "bucket",
        serverAccessLogsPolicy(
          m.partition,
          memberAccessLogBucketName(m.accountId, m.region),
          [m.wafBucketName],
          m.accountId,
          central.policyExtensions.includes("access-log-tls-deny"),
        ),
      ),
      protect,
    });
    new aws.s3.BucketLogging(
      "waf-staging-access-logging",
      { bucket: bucket.id, targetBucket: accessLogs.id, targetPrefix: `${m.wafBucketName}/` },
      guard,
    );
    const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
      "waf-staging-encryption",
      {
        bucket: bucket.id,
        rules: [
          {
            applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn },
            bucketKeyEnabled: true,
          },
        ],
      },
      guard,
    );
    new aws.s3.BucketLifecycleConfiguration(
      "waf-staging-lifecycle",
      {
        bucket: bucket.id,
        rules: [
          {
            id: "expire-replicated-staging-copies",
            status: "Enabled",
            filter: {},
            // Long enough to fix a failed replication and re-replicate with S3 Batch Replication
            // (docs/operations.md); 14 days by default.
            expiration: { days: waf.localBucketExpirationDays },
            noncurrentVersionExpiration: { noncurrentDays: 1 },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
          },
        ],
      },
      { parent: this, dependsOn: [versioning] },
    );
    const bucketPolicy = new aws.s3.BucketPolicy(
      "waf-staging-policy",
      {
        bucket: bucket.id,
        policy: serializeWithinLimit(`${m.wafBucketName} bucket policy`, "bucket", wafStagingBucketPolicy(m)),
      },
      guard,
    );
    const permissions = new aws.iam.RolePolicy(
      "waf-replication-permissions",
      {
        name: "central-logging-waf-replication",
        role: role.name,
        policy: key.arn.apply((keyArn) =>
          serializeWithinLimit(
            "WAF replication role permissions",
            "inline",
            replicationPermissionsPolicy(m, central, keyArn),
          ),
        ),
      },
      { parent: this },
    );
    const replication = new aws.s3.BucketReplicationConfig(
      "waf-replication",
      {
        bucket: bucket.id,
        role: role.arn,
        rules: [
          {
            id: REPLICATION_RULE_ID,
            status: "Enabled",
            priority: 1,
            filter: {},
            deleteMarkerReplication: { status: "Disabled" },
            sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
            destination: {
              bucket: central.logs.waf.bucketArn,
              account: central.accountId,
              accessControlTranslation: { owner: "Destination" },
              encryptionConfiguration: { replicaKmsKeyId: central.keyArn },
              storageClass: "STANDARD",
              // Replication metrics, for OperationsFailedReplication (S3 user guide, replication metrics).
              metrics: { status: "Enabled" },
            },
          },
        ],
      },
      { parent: this, dependsOn: [versioning, permissions] },
    );
    const alarm = alarms.enabled
      ? createReplicationAlarm(this, {
          sourceBucket: m.wafBucketName,
          destinationBucket: central.logs.waf.bucketName,
          periodSeconds: alarms.periodSeconds,
          notifications: alarms.notifications ?? [],
          keyArn: key.arn,
        })
      : undefined;
    return {
      bucket,
      key,
      role,
      alarm,
      readyForLogs: [bucket, bucketPolicy, encryption, key, replication] as pulumi.Resource[],
    };
  }
}
