/** Policies of the member-side resources: the WAF staging bucket and key, and the replication role. */
import { CentralArchiveOutputs } from "../shared/contract";
import { policy, PolicyDocument } from "../shared/iam";
import { arn } from "../shared/naming";
import { Partition, viaService } from "../shared/regions";
import { denyInsecureTransport, LOG_DELIVERY, S3_SERVICE } from "../shared/statements";

export interface MemberContext {
  partition: Partition;
  region: string;
  accountId: string;
  wafBucketName: string;
  replicationRoleArn: string;
}

/**
 * The staging bucket receives WAF logs from this account only; no other writer. Scoped by
 * aws:SourceAccount alone: the source ARN WAF's log delivery sends is not documented, and a wrong
 * ArnLike would silently deny every write.
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

/** The member-local key of the WAF staging bucket: WAF's log delivery writes, the replication role reads. */
export function wafStagingKeyPolicy(m: MemberContext): PolicyDocument {
  const bucketArn = arn.bucket(m.partition, m.wafBucketName);
  return policy([
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
  ]);
}

export function replicationTrustPolicy(m: MemberContext): PolicyDocument {
  return policy([
    {
      Sid: "S3ReplicationForThisAccount",
      Effect: "Allow",
      Principal: { Service: S3_SERVICE },
      Action: "sts:AssumeRole",
      Condition: {
        StringEquals: { "aws:SourceAccount": m.accountId },
        ArnEquals: { "aws:SourceArn": arn.bucket(m.partition, m.wafBucketName) },
      },
    },
  ]);
}

/** Read from the staging bucket, write replicas under this account's own prefix in the archive. */
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
      Action: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"],
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
      Sid: "EncryptReplicasViaS3",
      Effect: "Allow",
      Action: ["kms:Encrypt", "kms:GenerateDataKey"],
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
