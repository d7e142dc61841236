/**
 * Log buckets: encryption and integrity. These are stack policies, because whether a bucket holds logs,
 * and what protects it, is spread over several resources (the bucket and its *Configuration, policy and
 * notification resources, plus the trails, flow logs and WAF configurations that write to it).
 * Unknown values during preview pass here: each is checked again by `pulumi up`, when it is known.
 */
import { StackValidationPolicy } from "@pulumi/policy";
import { glob, list, principals, Statement } from "./documents";
import {
  accessLogBuckets,
  BucketView,
  defaultRetention,
  describe,
  encryptionRules,
  logBuckets,
  parsedDocuments,
} from "./model";
import { containsUnknown, isUnknown } from "./unknowns";

type Check = (v: BucketView, report: (message: string) => void) => void;

function onLogBuckets(check: Check): StackValidationPolicy["validateStack"] {
  return (args, report) => {
    for (const v of logBuckets(args.resources)) check(v, (m) => report(`${describe(v)}: ${m}`, v.urn));
  };
}

const AWS_MANAGED_S3_KEY = /(^|:)alias\/aws\/s3$/;

export const s3LogBucketEncryptionCmk: StackValidationPolicy = {
  name: "s3-log-bucket-encryption-cmk",
  description:
    "Log buckets are encrypted by default with SSE-KMS under a customer managed key (not AES256, not aws/s3) and the S3 Bucket Key on.",
  severity: "high",
  enforcementLevel: "mandatory",
  remediationSteps:
    "Add a BucketServerSideEncryptionConfiguration with sseAlgorithm aws:kms, kmsMasterKeyId set to your key's ARN, and bucketKeyEnabled true.",
  url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html",
  validateStack: onLogBuckets((v, report) => {
    const rules = encryptionRules(v);
    if (rules === "unknown") return;
    const byDefault = rules.map((r) => r?.applyServerSideEncryptionByDefault).filter(Boolean);
    if (!byDefault.length) return report("has no default encryption configuration.");
    for (const d of byDefault) {
      if (isUnknown(d.sseAlgorithm)) continue;
      if (d.sseAlgorithm !== "aws:kms" && d.sseAlgorithm !== "aws:kms:dsse")
        report(`is encrypted with ${d.sseAlgorithm}, not SSE-KMS with a customer managed key.`);
      else if (!d.kmsMasterKeyId)
        report("uses SSE-KMS without a key, which means the AWS managed aws/s3 key.");
      else if (!isUnknown(d.kmsMasterKeyId) && AWS_MANAGED_S3_KEY.test(d.kmsMasterKeyId))
        report(
          "uses the AWS managed aws/s3 key; vended logs and cross-account readers need a customer managed key.",
        );
    }
    if (!rules.some((r) => r?.bucketKeyEnabled === true || isUnknown(r?.bucketKeyEnabled)))
      report("has the S3 Bucket Key off (bucketKeyEnabled is not true).");
  }),
};

export const s3AccessLogBucketSseS3: StackValidationPolicy = {
  name: "s3-access-log-bucket-sse-s3",
  description:
    "Server-access-log target buckets use SSE-S3 and have no Object Lock default retention, set on the bucket or by a separate BucketObjectLockConfiguration: S3 server access logging cannot deliver to SSE-KMS targets or to targets with a default retention.",
  severity: "medium",
  enforcementLevel: "mandatory",
  remediationSteps:
    "Encrypt the access-log bucket with sseAlgorithm AES256 and give it no Object Lock default retention (no BucketObjectLockConfiguration rule); keep its logs with a lifecycle rule instead.",
  url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html",
  validateStack: (args, report) => {
    for (const v of accessLogBuckets(args.resources)) {
      const rules = encryptionRules(v);
      if (rules !== "unknown")
        for (const r of rules) {
          const algo = r?.applyServerSideEncryptionByDefault?.sseAlgorithm;
          if (algo && !isUnknown(algo) && algo !== "AES256")
            report(
              `${describe(v)}: is encrypted with ${algo}; access-log targets must use SSE-S3 (AES256).`,
              v.urn,
            );
        }
      // The S3 user guide: "The destination bucket must not have an S3 Object Lock default retention
      // period configuration." Object Lock enabled without a default retention does not stop delivery.
      const retention = defaultRetention(v);
      if (retention && retention !== "unknown")
        report(
          `${describe(v)}: has an Object Lock default retention (${retention.mode ?? "no mode"}, ${retention.days !== undefined ? `${retention.days} days` : `${retention.years} years`}, from ${retention.from}); S3 server access logging cannot deliver to it, so every access log is lost.`,
          v.urn,
        );
    }
  },
};

export const s3LogBucketVersioning: StackValidationPolicy = {
  name: "s3-log-bucket-versioning",
  description: "Log buckets keep every version of every object (versioning enabled).",
  severity: "high",
  enforcementLevel: "mandatory",
  remediationSteps: "Add a BucketVersioning with versioningConfiguration.status Enabled.",
  url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html",
  validateStack: onLogBuckets((v, report) => {
    const statuses = v.versioning.map((x) => x.props.versioningConfiguration?.status);
    if (v.props.versioning?.enabled === true || v.props.objectLockEnabled === true) return;
    if ((Array.isArray(v.props.versionings) ? v.props.versionings : []).some((x: any) => x?.enabled === true))
      return;
    if (statuses.some((s) => s === "Enabled" || isUnknown(s))) return;
    report(statuses.length ? `has versioning ${statuses.join(", ")}, not Enabled.` : "has no versioning.");
  }),
};

export const s3LogBucketPublicAccessBlock: StackValidationPolicy = {
  name: "s3-log-bucket-public-access-block",
  description: "Log buckets block public access with all four settings.",
  severity: "critical",
  enforcementLevel: "mandatory",
  remediationSteps:
    "Add a BucketPublicAccessBlock with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true.",
  url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html",
  validateStack: onLogBuckets((v, report) => {
    const flags = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
    if (!v.publicAccessBlock.length) return report("has no public access block.");
    const off = flags.filter(
      (f) => !v.publicAccessBlock.some((b) => b.props[f] === true || isUnknown(b.props[f])),
    );
    if (off.length) report(`has ${off.join(", ")} off.`);
  }),
};

export const s3LogBucketOwnerEnforced: StackValidationPolicy = {
  name: "s3-log-bucket-owner-enforced",
  description:
    "Log buckets disable ACLs (BucketOwnerEnforced), so the archive owns every object a writer puts.",
  severity: "high",
  enforcementLevel: "mandatory",
  remediationSteps: "Add a BucketOwnershipControls with rule.objectOwnership BucketOwnerEnforced.",
  url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html",
  validateStack: onLogBuckets((v, report) => {
    const modes = v.ownership.map((o) => o.props.rule?.objectOwnership);
    if (modes.some((m) => m === "BucketOwnerEnforced" || isUnknown(m))) return;
    report(
      modes.length
        ? `has object ownership ${modes.join(", ")}.`
        : "has no ownership controls (ACLs stay enabled).",
    );
  }),
};

/** A Deny of every S3 action to everyone when the request is not made over TLS. */
function isTlsDeny(s: Statement): boolean {
  if (s.Effect !== "Deny" || !principals(s).star) return false;
  if (!list(s.Action).some((a) => a === "s3:*" || a === "*")) return false;
  const bool = Object.entries(s.Condition?.Bool ?? {}).find(
    ([k]) => k.toLowerCase() === "aws:securetransport",
  );
  return bool !== undefined && list(bool[1]).includes("false");
}

/** Whether a statement's Resource covers an ARN (partitions compared as one). */
const covers = (s: Statement, arn: string) =>
  list(s.Resource).some((r) => glob(r.replace(/^arn:aws[a-z-]*:/, "arn:aws:"), arn));

export const s3LogBucketTlsOnly: StackValidationPolicy = {
  name: "s3-log-bucket-tls-only",
  description:
    "Log bucket policies deny every request made without TLS (aws:SecureTransport false), on the bucket and on its objects (Resource bucket and bucket/*).",
  severity: "high",
  enforcementLevel: "mandatory",
  remediationSteps:
    'Add a Deny of "s3:*" for Principal "*" with {"Bool": {"aws:SecureTransport": "false"}} whose Resource lists both the bucket ARN and the bucket ARN followed by /*.',
  url: "https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-5",
  validateStack: onLogBuckets((v, report) => {
    if (v.policies.some((p) => containsUnknown(p.props.policy))) return;
    const denies = parsedDocuments(v.policies)
      .flatMap((d) => d.Statement)
      .filter(isTlsDeny);
    if (!denies.length) return report("has no policy statement denying requests without TLS.");
    if (!v.name) return; // the name is unknown: the Resource cannot be compared
    const bucketArn = `arn:aws:s3:::${v.name}`;
    // Object ARNs are the bucket ARN, a slash and the key; any key stands for all of them.
    const objects = denies.some((s) => covers(s, `${bucketArn}/AWSLogs/any-key`));
    const bucket = denies.some((s) => covers(s, bucketArn));
    const resources = [...new Set(denies.flatMap((s) => list(s.Resource)))].join(", ");
    if (!objects)
      report(
        `denies requests without TLS only on ${resources || "no resource"}, not on its objects (${bucketArn}/*): log objects can still be read and written over plain HTTP.`,
      );
    if (!bucket)
      report(
        `denies requests without TLS only on ${resources || "no resource"}, not on the bucket itself (${bucketArn}): its policy and settings can still be read over plain HTTP.`,
      );
  }),
};

export const s3LogBucketAccessLogging: StackValidationPolicy = {
  name: "s3-log-bucket-access-logging",
  description: "Log buckets record server access logs in a separate bucket.",
  severity: "medium",
  enforcementLevel: "mandatory",
  remediationSteps: "Add a BucketLogging whose targetBucket is a separate SSE-S3 access-log bucket.",
  url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html",
  validateStack: onLogBuckets((v, report) => {
    if (v.logging.length || v.props.logging?.targetBucket) return;
    if ((Array.isArray(v.props.loggings) ? v.props.loggings : []).length) return;
    report("has no server access logging.");
  }),
};

export const s3LogBucketProtected: StackValidationPolicy = {
  name: "s3-log-bucket-protected",
  description: "Log buckets are protected, so that no `pulumi destroy` or accidental removal deletes a log.",
  severity: "high",
  enforcementLevel: "mandatory",
  remediationSteps: "Set the resource options protect: true (and retainOnDelete: true) on the bucket.",
  url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html",
  validateStack: onLogBuckets((v, report) => {
    if (!v.resource.opts?.protect) report("is not protected (resource option protect).");
  }),
};

export const s3LogBucketMinimumRetention: StackValidationPolicy = {
  name: "s3-log-bucket-minimum-retention",
  description: "Lifecycle rules keep current log objects at least the configured minimum number of days.",
  severity: "medium",
  enforcementLevel: "advisory",
  remediationSteps: "Raise the lifecycle expiration days, or lower minRetentionDays in the pack config.",
  url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lifecycle-mgmt.html",
  configSchema: { properties: { minRetentionDays: { type: "integer", minimum: 1, default: 365 } } },
  validateStack: (args, report) => {
    const { minRetentionDays = 365 } = args.getConfig<{ minRetentionDays?: number }>();
    for (const v of logBuckets(args.resources)) {
      if (v.replication.length) continue; // a staging bucket: its objects live on in the archive
      for (const l of v.lifecycle)
        for (const rule of Array.isArray(l.props.rules) ? l.props.rules : []) {
          const days = rule?.expiration?.days;
          if (rule?.status === "Enabled" && typeof days === "number" && days < minRetentionDays)
            report(
              `${describe(v)}: lifecycle rule ${rule.id ?? ""} expires objects after ${days} days; the minimum is ${minRetentionDays}.`,
              v.urn,
            );
        }
    }
  },
};
