/** Policies of the member-side resources: the WAF staging bucket and key, and the replication role. */
import { CentralArchiveOutputs } from "../shared/contract";
import { Extension } from "../shared/extensions";
import { policy, PolicyDocument, PolicyStatement } from "../shared/iam";
import { arn } from "../shared/naming";
import { Partition, viaService } from "../shared/regions";
import {
  cloudWatchAlarmsToEncryptedTopic,
  denyInsecureTransport,
  LOG_DELIVERY,
  S3_SERVICE,
} from "../shared/statements";

export interface MemberContext {
  partition: Partition;
  region: string;
  accountId: string;
  wafBucketName: string;
  replicationRoleArn: string;
}

/**
 * The staging bucket receives WAF logs from this account only; no other writer. Scoped by
 * aws:SourceAccount alone. The WAF guide's bucket policy also shows aws:SourceArn =
 * arn:aws:logs:<region>:<account>:*, which adds nothing here (the account already confines the writer to
 * this account's own deliveries), while a Region that differs from the one WAF sends (a CloudFront web
 * ACL's logs, for instance) would silently deny every write.
 */
export function wafStagingBucketPolicy(m: MemberContext): PolicyDocument {
  const bucketArn = arn.bucket(m.partition, m.wafBucketName);
  return policy([
    denyInsecureTransport(bucketArn),
    {
      Sid: "WafLogDeliveryAclCheck",
      Effect: "Allow",
      Principal: { Service: LOG_DELIVERY },
      Action: ["s3:GetBucketAcl", "s3:ListBucket"],
      Resource: bucketArn,
      Condition: {
        StringEquals: { "aws:SourceAccount": m.accountId },
      },
    },
    {
      Sid: "WafLogDeliveryWrite",
      Effect: "Allow",
      Principal: { Service: LOG_DELIVERY },
      Action: "s3:PutObject",
      Resource: arn.objects(m.partition, m.wafBucketName, `AWSLogs/${m.accountId}/*`),
      Condition: {
        StringEquals: { "aws:SourceAccount": m.accountId },
        StringEqualsIfExists: { "s3:x-amz-acl": "bucket-owner-full-control" },
      },
    },
  ]);
}

/**
 * The member-local key of the WAF staging bucket: WAF's log delivery writes, the replication role reads,
 * and, when the member has an alarm topic, CloudWatch publishes to that topic (encrypted with this key:
 * CloudWatch cannot use the AWS managed alias/aws/sns key).
 */
export function wafStagingKeyPolicy(
  m: MemberContext,
  options: { alarmTopic: boolean; extensions: ReadonlySet<Extension> } = {
    alarmTopic: false,
    extensions: new Set(),
  },
): PolicyDocument {
  const bucketArn = arn.bucket(m.partition, m.wafBucketName);
  const statements: PolicyStatement[] = [
    {
      Sid: "KeyAdministration",
      Effect: "Allow",
      Principal: { AWS: arn.root(m.partition, m.accountId) },
      Action: "kms:*",
      Resource: "*",
    },
    {
      Sid: "LogDeliveryUseKey",
      Effect: "Allow",
      Principal: { Service: LOG_DELIVERY },
      Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
      Resource: "*",
      Condition: {
        StringEquals: { "aws:SourceAccount": m.accountId },
      },
    },
    {
      Sid: "ReplicationDecryptSource",
      Effect: "Allow",
      Principal: { AWS: m.replicationRoleArn },
      Action: "kms:Decrypt",
      Resource: "*",
      Condition: {
        StringEquals: { "kms:ViaService": viaService("s3", m.region) },
        StringLike: { "kms:EncryptionContext:aws:s3:arn": [bucketArn, `${bucketArn}/*`] },
      },
    },
  ];
  if (options.alarmTopic)
    statements.push(
      cloudWatchAlarmsToEncryptedTopic(m.accountId, options.extensions.has("kms-source-account")),
    );
  return policy(statements);
}

/**
 * S3 replication assumes the role. AWS's trust policy for replication has no condition (S3 user guide,
 * setting up permissions for live replication), and S3 is not documented to send aws:SourceAccount or
 * aws:SourceArn when it assumes a replication role: a condition on a key S3 does not send would deny
 * every assumption and every WAF log would silently stop replicating. So the conditions are the
 * replication-trust-source extension.
 */
export function replicationTrustPolicy(m: MemberContext, extensions: ReadonlySet<Extension>): PolicyDocument {
  return policy([
    {
      Sid: "S3ReplicationAssumesRole",
      Effect: "Allow",
      Principal: { Service: S3_SERVICE },
      Action: "sts:AssumeRole",
      ...(extensions.has("replication-trust-source")
        ? {
            Condition: {
              StringEquals: { "aws:SourceAccount": m.accountId },
              ArnEquals: { "aws:SourceArn": arn.bucket(m.partition, m.wafBucketName) },
            },
          }
        : {}),
    },
  ]);
}

/**
 * Read from the staging bucket, write replicas under this account's own prefix in the archive.
 * s3:GetObjectRetention and s3:GetObjectLegalHold are what replication needs when the destination has
 * Object Lock (S3 user guide, managing Object Lock, "Using S3 Object Lock with replication"); they are
 * granted always, because the central stack can turn Object Lock on after members deploy, and a missing
 * read fails replication silently. They read only this account's own staging bucket.
 */
export function replicationPermissionsPolicy(
  m: MemberContext,
  central: CentralArchiveOutputs,
  localKeyArn: string,
): PolicyDocument {
  const local = m.wafBucketName;
  const centralWaf = central.logs.waf;
  return policy([
    {
      Sid: "ReadReplicationSource",
      Effect: "Allow",
      Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"],
      Resource: arn.bucket(m.partition, local),
    },
    {
      Sid: "ReadSourceVersions",
      Effect: "Allow",
      Action: [
        "s3:GetObjectVersionForReplication",
        "s3:GetObjectVersionAcl",
        "s3:GetObjectVersionTagging",
        "s3:GetObjectRetention",
        "s3:GetObjectLegalHold",
      ],
      Resource: arn.objects(m.partition, local),
    },
    {
      Sid: "WriteReplicasToArchive",
      Effect: "Allow",
      Action: ["s3:ReplicateObject", "s3:ReplicateTags", "s3:ObjectOwnerOverrideToBucketOwner"],
      Resource: `${centralWaf.bucketArn}/AWSLogs/${m.accountId}/*`,
    },
    {
      Sid: "DecryptSourceViaS3",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: localKeyArn,
      Condition: { StringEquals: { "kms:ViaService": viaService("s3", m.region) } },
    },
    {
      // kms:Decrypt as well: the archive's buckets use an S3 Bucket Key, and S3 verifies it with a
      // Decrypt call as the replication role (S3 user guide, replicating encrypted objects).
      Sid: "UseArchiveKeyForReplicasViaS3",
      Effect: "Allow",
      Action: ["kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt"],
      Resource: central.keyArn,
      Condition: {
        StringEquals: { "kms:ViaService": viaService("s3", central.region) },
        StringLike: {
          "kms:EncryptionContext:aws:s3:arn": [centralWaf.bucketArn, `${centralWaf.bucketArn}/*`],
        },
      },
    },
  ]);
}

/** EventBridge assumes the forwarding role to put this account's tamper events on the archive's bus. */
export function tamperForwarderTrust(): PolicyDocument {
  return policy([
    {
      Sid: "EventBridgeAssumesRole",
      Effect: "Allow",
      Principal: { Service: "events.amazonaws.com" },
      Action: "sts:AssumeRole",
    },
  ]);
}

export function tamperForwarderPermissions(eventBusArn: string): PolicyDocument {
  return policy([
    { Sid: "PutEventsOnArchiveBus", Effect: "Allow", Action: "events:PutEvents", Resource: eventBusArn },
  ]);
}
