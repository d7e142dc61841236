/**
 * The archive's guards, read back from AWS: what `pulumi up` set and someone may have changed since,
 * outside Pulumi. One row per bucket and check, and per key check. This is not a preview: it reads the
 * few settings whose loss silently breaks delivery or exposes the logs.
 */
import {
  GetBucketEncryptionCommand,
  GetObjectLockConfigurationCommand,
  GetBucketNotificationConfigurationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
} from "@aws-sdk/client-s3";
import { DescribeKeyCommand, GetKeyRotationStatusCommand } from "@aws-sdk/client-kms";
import { CentralArchiveOutputs } from "../../shared/contract";
import { LOG_TYPES } from "../../shared/naming";
import { Aws } from "./aws";
import { sameKey } from "./handoff";
import { DeliveryRow, GuardRow } from "./report";

const RESTORE = "run pulumi up on the central stack to restore it, and find who changed it in CloudTrail";

/** The error names S3 and KMS return when a setting is absent (a finding, not a failure of the run). */
const ABSENT =
  /NoSuchBucket|ServerSideEncryptionConfigurationNotFound|NoSuchPublicAccessBlockConfiguration|OwnershipControlsNotFound|ObjectLockConfigurationNotFound|NotFoundException/;

async function read<T>(
  aws: Aws,
  action: string,
  resource: string,
  fn: () => Promise<T>,
): Promise<T | { absent: string }> {
  try {
    return await aws.call(action, resource, fn, ABSENT);
  } catch (e) {
    return { absent: (e as Error)?.name ?? "absent" };
  }
}
const absent = (x: unknown): x is { absent: string } => typeof x === "object" && x !== null && "absent" in x;

function row(
  resource: string,
  check: string,
  ok: boolean,
  found: string,
  expected: string,
  fix: string,
): GuardRow {
  return ok
    ? { resource, check, status: "ok", found, expected }
    : { resource, check, status: "off", found, expected, fix };
}

export async function checkBuckets(aws: Aws, outputs: CentralArchiveOutputs): Promise<GuardRow[]> {
  const rows: GuardRow[] = [];
  const s3 = aws.clients.s3;
  for (const t of LOG_TYPES) {
    const Bucket = outputs.logs[t].bucketName;
    const versioning = await read(aws, "s3:GetBucketVersioning", Bucket, () =>
      s3.send(new GetBucketVersioningCommand({ Bucket })),
    );
    if (absent(versioning)) {
      rows.push(
        row(
          Bucket,
          "bucket exists",
          false,
          versioning.absent,
          "the log bucket",
          `the bucket is gone: ${RESTORE} (DeleteBucket)`,
        ),
      );
      continue;
    }
    rows.push(
      row(
        Bucket,
        "versioning",
        versioning.Status === "Enabled",
        versioning.Status ?? "never enabled",
        "Enabled",
        `versioning keeps overwritten or deleted logs recoverable: ${RESTORE} (PutBucketVersioning)`,
      ),
    );

    const enc = await read(aws, "s3:GetEncryptionConfiguration", Bucket, () =>
      s3.send(new GetBucketEncryptionCommand({ Bucket })),
    );
    const rule = absent(enc) ? undefined : enc.ServerSideEncryptionConfiguration?.Rules?.[0];
    const sse = rule?.ApplyServerSideEncryptionByDefault;
    const keyOk =
      sse?.SSEAlgorithm === "aws:kms" && !!sse.KMSMasterKeyID && sameKey(sse.KMSMasterKeyID, outputs.keyArn);
    rows.push(
      row(
        Bucket,
        "default encryption with the archive key",
        keyOk,
        !sse
          ? "none"
          : sse.SSEAlgorithm === "aws:kms"
            ? `aws:kms ${sse.KMSMasterKeyID ?? "(AWS managed key)"}`
            : (sse.SSEAlgorithm ?? "none"),
        `aws:kms ${outputs.keyArn}`,
        `the key and bucket policies admit writers for the archive key only; another key breaks or weakens delivery: ${RESTORE} (PutBucketEncryption)`,
      ),
    );
    rows.push(
      row(
        Bucket,
        "S3 Bucket Key",
        rule?.BucketKeyEnabled === true,
        rule?.BucketKeyEnabled ? "enabled" : "disabled",
        "enabled",
        `without it every object is its own KMS request, and KMS quotas can throttle delivery: ${RESTORE} (PutBucketEncryption)`,
      ),
    );

    const pab = await read(aws, "s3:GetBucketPublicAccessBlock", Bucket, () =>
      s3.send(new GetPublicAccessBlockCommand({ Bucket })),
    );
    const c = absent(pab) ? undefined : pab.PublicAccessBlockConfiguration;
    const off = c
      ? (
          ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"] as const
        ).filter((k) => c[k] !== true)
      : ["all four"];
    rows.push(
      row(
        Bucket,
        "public access block",
        off.length === 0,
        off.length ? `off: ${off.join(", ")}` : "all four on",
        "all four on",
        `${RESTORE} (PutPublicAccessBlock, DeletePublicAccessBlock)`,
      ),
    );

    const own = await read(aws, "s3:GetBucketOwnershipControls", Bucket, () =>
      s3.send(new GetBucketOwnershipControlsCommand({ Bucket })),
    );
    const ownership = absent(own) ? undefined : own.OwnershipControls?.Rules?.[0]?.ObjectOwnership;
    rows.push(
      row(
        Bucket,
        "object ownership",
        ownership === "BucketOwnerEnforced",
        ownership ?? "none",
        "BucketOwnerEnforced",
        `with ACLs enabled a writer may own objects the archive cannot read: ${RESTORE} (PutBucketOwnershipControls)`,
      ),
    );

    const n = await read(aws, "s3:GetBucketNotification", Bucket, () =>
      s3.send(new GetBucketNotificationConfigurationCommand({ Bucket })),
    );
    const queueArn = outputs.logs[t].queueArn;
    const configs = absent(n) ? [] : (n.QueueConfigurations ?? []).filter((q) => q.QueueArn === queueArn);
    const announces = configs.some(
      (q) => (q.Events ?? []).includes("s3:ObjectCreated:*") && !(q.Filter?.Key?.FilterRules ?? []).length,
    );
    const others = absent(n) ? [] : (n.QueueConfigurations ?? []).filter((q) => q.QueueArn !== queueArn);
    rows.push(
      row(
        Bucket,
        "notification to its queue",
        announces,
        configs.length
          ? configs
              .map(
                (q) =>
                  `${(q.Events ?? []).join(",")}${q.Filter?.Key?.FilterRules?.length ? " with a key filter" : ""}`,
              )
              .join("; ")
          : others.length
            ? `other queues only: ${others.map((q) => q.QueueArn).join(", ")}`
            : "none",
        `s3:ObjectCreated:* to ${queueArn}, no filter`,
        `the SIEM hears of new objects only through it: ${RESTORE} (PutBucketNotification)`,
      ),
    );

    if (outputs.objectLock) {
      const lock = await read(aws, "s3:GetBucketObjectLockConfiguration", Bucket, () =>
        s3.send(new GetObjectLockConfigurationCommand({ Bucket })),
      );
      const c = absent(lock) ? undefined : lock.ObjectLockConfiguration;
      const retention = c?.Rule?.DefaultRetention;
      const want = outputs.objectLock;
      rows.push(
        row(
          Bucket,
          "Object Lock default retention",
          c?.ObjectLockEnabled === "Enabled" &&
            retention?.Mode === want.mode &&
            retention?.Days === want.retentionDays,
          c?.ObjectLockEnabled !== "Enabled"
            ? "Object Lock off"
            : retention
              ? `${retention.Mode} ${retention.Days ?? `${retention.Years} years`} days`.replace(
                  " years days",
                  " years",
                )
              : "no default retention",
          `${want.mode} ${want.retentionDays} days`,
          `a shorter or absent default retention leaves new logs erasable: ${RESTORE} (PutObjectLockConfiguration)`,
        ),
      );
    }
  }
  return rows;
}

/**
 * Object Lock requires Content-MD5 or a checksum on every PUT of an object (S3 user guide, Object Lock
 * considerations). AWS does not document that CloudTrail or the log delivery service send one. A bucket
 * under Object Lock that received nothing in the window is reported as a guard off, naming that cause, on
 * top of its late or missing rows, so the first day after turning Object Lock on tells.
 */
export function objectLockDeliveryGuards(
  outputs: CentralArchiveOutputs,
  delivery: DeliveryRow[],
): GuardRow[] {
  if (!outputs.objectLock) return [];
  const rows: GuardRow[] = [];
  for (const t of LOG_TYPES) {
    const expected = delivery.filter((d) => d.logType === t && d.status !== "unexpected");
    if (!expected.length) continue;
    const arrived = expected.filter((d) => d.status === "ok").length;
    rows.push(
      row(
        outputs.logs[t].bucketName,
        "receives objects under Object Lock",
        arrived > 0,
        `${arrived} of ${expected.length} expected prefixes with a new object`,
        "new objects under at least one expected prefix",
        "nothing arrives under Object Lock: if the writers' requests carry no Content-MD5 or checksum, S3 refuses them; see docs/operations.md, Object Lock, for the check and the way back",
      ),
    );
  }
  return rows;
}

export async function checkKey(aws: Aws, outputs: CentralArchiveOutputs): Promise<GuardRow[]> {
  const KeyId = outputs.keyArn;
  const resource = `key ${KeyId.slice(KeyId.lastIndexOf("/") + 1)}`;
  const described = await read(aws, "kms:DescribeKey", KeyId, () =>
    aws.clients.kms.send(new DescribeKeyCommand({ KeyId })),
  );
  if (absent(described))
    return [
      row(
        resource,
        "key exists",
        false,
        described.absent,
        outputs.keyArn,
        "the archive key is gone: no log can be written or read; restore it from the stack (protected) and check CloudTrail for ScheduleKeyDeletion",
      ),
    ];
  const state = described.KeyMetadata?.KeyState ?? "unknown";
  const rows = [
    row(
      resource,
      "key state",
      state === "Enabled",
      state,
      "Enabled",
      state === "PendingDeletion"
        ? "every delivery fails while the key is pending deletion: aws kms cancel-key-deletion now, then enable it"
        : "every delivery fails while the key is not enabled: aws kms enable-key, and find who disabled it in CloudTrail (DisableKey)",
    ),
  ];
  const rotation = await read(aws, "kms:GetKeyRotationStatus", KeyId, () =>
    aws.clients.kms.send(new GetKeyRotationStatusCommand({ KeyId })),
  );
  const on = !absent(rotation) && rotation.KeyRotationEnabled === true;
  const period =
    !absent(rotation) && rotation.RotationPeriodInDays ? ` every ${rotation.RotationPeriodInDays} days` : "";
  rows.push(
    row(
      resource,
      "automatic rotation",
      on,
      on ? `on${period}` : "off",
      "on",
      `${RESTORE} (DisableKeyRotation)`,
    ),
  );
  return rows;
}
