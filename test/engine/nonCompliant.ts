/**
 * A deliberately non-compliant program for the engine lane: each resource breaks one mandatory rule of
 * the policy pack, the way a hand-written log archive often does.
 */
import * as aws from "@pulumi/aws";

export const NON_COMPLIANT_RULES = [
  "kms-key-rotation-enabled",
  "s3-log-bucket-tls-only",
  "iam-no-users-reading-logs",
  "service-principal-condition-keys-sent",
];

export function nonCompliantProgram() {
  // Rotation off.
  new aws.kms.Key("unrotated", {
    description: "no rotation",
    enableKeyRotation: false,
    deletionWindowInDays: 30,
  });
  // A log bucket (CloudTrail writes to it) with no TLS deny, whose CloudTrail grant relies on
  // aws:SourceOrgID, which CloudTrail does not send.
  const bucket = new aws.s3.Bucket("hand-made-trail-logs", { bucket: "hand-made-trail-logs" });
  new aws.s3.BucketPolicy("hand-made-trail-logs-policy", {
    bucket: bucket.id,
    policy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "CloudTrailWrite",
          Effect: "Allow",
          Principal: { Service: "cloudtrail.amazonaws.com" },
          Action: "s3:PutObject",
          Resource: "arn:aws:s3:::hand-made-trail-logs/AWSLogs/*",
          Condition: {
            StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceOrgID": "o-a1b2c3d4e5" },
          },
        },
      ],
    }),
  });
  // An IAM user as the SIEM's reader.
  const user = new aws.iam.User("siem-reader-user", { name: "siem-reader" });
  new aws.iam.UserPolicy("siem-reader-user-policy", {
    user: user.name,
    policy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::hand-made-trail-logs/*" },
      ],
    }),
  });
  return {};
}
