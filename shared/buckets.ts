/** Bucket plumbing both programs share: the hardening every bucket gets, and the access-log bucket. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Ownership enforced (ACLs off), all four public access blocks, versioning; returns the versioning. */
export function hardenBucket(
  parent: pulumi.Resource,
  name: string,
  bucket: aws.s3.Bucket,
  protect: boolean,
): aws.s3.BucketVersioning {
  const opts = { parent, protect };
  new aws.s3.BucketOwnershipControls(
    `${name}-ownership`,
    { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
    opts,
  );
  new aws.s3.BucketPublicAccessBlock(
    `${name}-public-access-block`,
    {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    opts,
  );
  return new aws.s3.BucketVersioning(
    `${name}-versioning`,
    { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
    opts,
  );
}

export interface AccessLogBucketArgs {
  bucketName: string;
  expirationDays: number;
  policyJson: string;
  /** protect (and retainOnDelete on the bucket). */
  protect: boolean;
}

/**
 * S3 server access logging only writes to SSE-S3 targets without Object Lock, in the same account and
 * Region, so each account that has log buckets gets one such bucket, never locked.
 */
export function createAccessLogBucket(
  parent: pulumi.Resource,
  name: string,
  args: AccessLogBucketArgs,
): aws.s3.Bucket {
  const bucket = new aws.s3.Bucket(
    name,
    { bucket: args.bucketName, forceDestroy: false, tags: { "central-logging:purpose": "access-logs" } },
    { parent, protect: args.protect, retainOnDelete: args.protect },
  );
  const versioning = hardenBucket(parent, name, bucket, args.protect);
  new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}-encryption`,
    { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
    { parent, protect: args.protect },
  );
  new aws.s3.BucketLifecycleConfiguration(
    `${name}-lifecycle`,
    {
      bucket: bucket.id,
      rules: [
        {
          id: "expire-access-logs",
          status: "Enabled",
          filter: {},
          expiration: { days: args.expirationDays },
          noncurrentVersionExpiration: { noncurrentDays: 30 },
          abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
        },
      ],
    },
    { parent, dependsOn: [versioning] },
  );
  new aws.s3.BucketPolicy(
    `${name}-policy`,
    { bucket: bucket.id, policy: args.policyJson },
    { parent, protect: args.protect },
  );
  return bucket;
}
