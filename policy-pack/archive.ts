/**
 * The archive as a whole: who may do what in it (the access model), the guards against destroying it,
 * and the settings without which it silently loses logs.
 */
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import {
  archiveOf,
  archiveRoleAttachments,
  MODEL_CONFIG_SCHEMA,
  ModelConfig,
  modelViolations,
} from "./accessModel";
import { asArray } from "./documents";
import { bucketViews, describe, encryptionRules, logBuckets } from "./model";
import { is, T } from "./types";
import { isUnknown, rawProps } from "./unknowns";

export const archiveAccessModel: StackValidationPolicy = {
  name: "archive-access-model",
  description:
    "Every Allow on the archive (log, access-log and staging buckets, the archive key, the log queues and their DLQs, and the roles the stack creates) stays within the archive's access model: writers write, replication roles replicate, the reader reads, the key's own account administers.",
  severity: "critical",
  enforcementLevel: "mandatory",
  remediationSteps:
    "Remove the grant, or give the principal the role the model has for it; deletion, policy, ACL, lifecycle, Object Lock and key administration belong to the archive account's administrators only.",
  url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
  configSchema: { properties: MODEL_CONFIG_SCHEMA },
  validateStack: (args, report) => {
    for (const v of modelViolations(args.resources, args.getConfig<ModelConfig>())) report(v.message, v.urn);
  },
};

export const archiveRoleManagedPoliciesKnown: StackValidationPolicy = {
  name: "iam-archive-role-managed-policy-known",
  description:
    "Every managed policy attached to a role of the archive (reader, verifier, replication) can be judged by the access model: an AWS managed policy the pack has a copy of, or a customer managed policy the stack creates. Any other cannot be judged offline.",
  severity: "medium",
  enforcementLevel: "advisory",
  remediationSteps:
    "Replace the attachment with an inline policy (aws.iam.RolePolicy) or an aws.iam.Policy in the same stack, so that what the role may do is reviewed with the stack; or review the policy by hand.",
  url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html",
  configSchema: {
    properties: {
      readerRoles: MODEL_CONFIG_SCHEMA.readerRoles,
      replicationRoleName: MODEL_CONFIG_SCHEMA.replicationRoleName,
      verifierRoleName: MODEL_CONFIG_SCHEMA.verifierRoleName,
    },
  },
  validateStack: (args, report) => {
    for (const r of archiveRoleAttachments(args.resources, args.getConfig<ModelConfig>()))
      for (const a of r.attachments)
        if (a.unjudged)
          report(
            `${r.party.party} ${r.name} has ${a.policy} attached (${a.via}), ${a.unjudged}: the pack cannot tell what it grants on the archive.`,
            r.role.urn,
          );
  },
};

export const archiveBucketForceDestroy: StackValidationPolicy = {
  name: "s3-archive-bucket-no-force-destroy",
  description: "No log, staging or access-log bucket has forceDestroy: a destroy would empty it first.",
  severity: "critical",
  enforcementLevel: "mandatory",
  remediationSteps: "Remove forceDestroy (or set it to false) on the bucket.",
  url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/delete-bucket.html",
  validateStack: (args, report) => {
    const archive = new Set([...logBuckets(args.resources).map((v) => v.urn)]);
    for (const v of bucketViews(args.resources))
      if ((archive.has(v.urn) || v.accessLogReasons.length) && v.props.forceDestroy === true)
        report(`${describe(v)}: has forceDestroy, so a destroy empties it of every log first.`, v.urn);
  },
};

export const archiveKeyDeletionWindow: StackValidationPolicy = {
  name: "kms-archive-key-deletion-window",
  description:
    "Keys that encrypt the archive keep a deletion window of at least the configured number of days (default 30, AWS's maximum).",
  severity: "high",
  enforcementLevel: "mandatory",
  remediationSteps: "Set deletionWindowInDays to 30 (or at least minDays).",
  url: "https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html#deleting-keys-scheduling-key-deletion",
  configSchema: {
    properties: {
      minDays: {
        type: "integer",
        minimum: 7,
        maximum: 30,
        default: 30,
        description: "The shortest deletion window allowed, in days (KMS allows 7 to 30).",
      },
    },
  },
  validateStack: (args, report) => {
    const { minDays = 30 } = args.getConfig<{ minDays?: number }>();
    for (const k of archiveOf(args.resources).keys) {
      const days = rawProps(k.props).deletionWindowInDays;
      if (typeof days === "number" && days < minDays)
        report(
          `KMS key ${k.name} encrypts the archive with a ${days}-day deletion window; the minimum is ${minDays}: a scheduled deletion leaves less time to notice and cancel it.`,
          k.urn,
        );
    }
  },
};

/** Canned ACLs that grant nobody but the owner. */
const OWNER_ONLY_ACLS = ["private", "bucket-owner-full-control"];

export const archiveBucketAcl: StackValidationPolicy = {
  name: "s3-archive-bucket-owner-only-acl",
  description:
    "No ACL on an archive bucket grants anyone but the bucket owner (public, authenticated-users, log-delivery or cross-account grants).",
  severity: "critical",
  enforcementLevel: "mandatory",
  remediationSteps:
    "Remove the BucketAcl (or the bucket's acl and grants); with ObjectOwnership BucketOwnerEnforced ACLs are off and S3 rejects any other ACL at apply time.",
  url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html",
  validateStack: (args, report) => {
    const archive = new Set(logBuckets(args.resources).map((v) => v.urn));
    for (const v of bucketViews(args.resources)) {
      if (!archive.has(v.urn) && !v.accessLogReasons.length) continue;
      const sources = [
        { props: v.props, what: "the bucket" },
        ...v.acls.map((a) => ({ props: a.props, what: `BucketAcl ${a.resource.name}` })),
      ];
      for (const { props, what } of sources) {
        const canned = props.acl;
        if (typeof canned === "string" && !isUnknown(canned) && !OWNER_ONLY_ACLS.includes(canned))
          report(
            `${describe(v)}: ${what} sets the canned ACL ${canned}, which grants others than the owner.`,
            v.urn,
          );
        const owner = props.accessControlPolicy?.owner?.id;
        const grants = [...asArray(props.accessControlPolicy?.grants), ...asArray(props.grants)];
        for (const g of grants) {
          const grantee = g?.grantee ?? g;
          const id = grantee?.id;
          const foreign =
            grantee?.type === "Group" ||
            grantee?.type === "AmazonCustomerByEmail" ||
            grantee?.uri !== undefined ||
            grantee?.emailAddress !== undefined ||
            (typeof id === "string" && !isUnknown(id) && owner !== undefined && id !== owner);
          if (foreign)
            report(
              `${describe(v)}: ${what} grants ${g?.permission ?? asArray(g?.permissions).join(", ")} to ${grantee?.uri ?? grantee?.emailAddress ?? id ?? grantee?.type}, not the bucket owner.`,
              v.urn,
            );
        }
      }
    }
  },
};

export const replicationOfEncryptedLogs: StackValidationPolicy = {
  name: "s3-replication-of-sse-kms-logs",
  description:
    "Replication from an SSE-KMS log bucket selects SSE-KMS objects and names a replica key (the archive key when the pack config names it); otherwise S3 skips the objects, silently.",
  severity: "high",
  enforcementLevel: "mandatory",
  remediationSteps:
    "Set sourceSelectionCriteria.sseKmsEncryptedObjects.status Enabled and destination.encryptionConfiguration.replicaKmsKeyId to the archive key's ARN.",
  url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html",
  configSchema: {
    properties: {
      archiveKeyArns: {
        type: "array",
        items: { type: "string", pattern: "^arn:aws[a-z-]*:kms:" },
        default: [],
        description: "ARNs of the archive keys replicas must be encrypted with; empty: any key.",
      },
    },
  },
  validateStack: (args, report) => {
    const { archiveKeyArns = [] } = args.getConfig<{ archiveKeyArns?: string[] }>();
    for (const v of bucketViews(args.resources)) {
      const rules = encryptionRules(v);
      const sseKms =
        rules !== "unknown" &&
        rules.some((r) => /^aws:kms/.test(String(r?.applyServerSideEncryptionByDefault?.sseAlgorithm ?? "")));
      for (const r of v.replication)
        for (const rule of asArray<any>(r.props.rules)) {
          if (rule?.status === "Disabled") continue;
          const selects = rule?.sourceSelectionCriteria?.sseKmsEncryptedObjects?.status === "Enabled";
          const replicaKey = rule?.destination?.encryptionConfiguration?.replicaKmsKeyId;
          const where = `replication rule ${rule?.id ?? ""} of ${v.name ?? v.resource.name}`.replace(
            "  ",
            " ",
          );
          if (sseKms && !selects && !isUnknown(rule?.sourceSelectionCriteria))
            report(
              `${where}: the bucket is SSE-KMS but the rule does not select SSE-KMS objects, so none replicate.`,
              r.resource.urn,
            );
          if (selects && !replicaKey)
            report(
              `${where}: replicates SSE-KMS objects without a replica key (encryptionConfiguration.replicaKmsKeyId).`,
              r.resource.urn,
            );
          else if (
            replicaKey &&
            !isUnknown(replicaKey) &&
            archiveKeyArns.length &&
            !archiveKeyArns.includes(replicaKey)
          )
            report(
              `${where}: encrypts replicas with ${replicaKey}, not the archive key (${archiveKeyArns.join(", ")}).`,
              r.resource.urn,
            );
        }
    }
  },
};

export const cloudTrailGlobalServiceEvents: ResourceValidationPolicy = {
  name: "cloudtrail-global-service-events",
  description:
    "Multi-Region trails include global service events (IAM, STS, CloudFront): AWS refuses a multi-Region trail without them, and a trail without them misses every IAM change.",
  severity: "high",
  enforcementLevel: "mandatory",
  remediationSteps: "Set includeGlobalServiceEvents: true (the default) on the trail.",
  url: "https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html",
  validateResource: (args, report) => {
    if (!is(args.type, T.trail)) return;
    const p = rawProps(args.props);
    if (p.isMultiRegionTrail === true && p.includeGlobalServiceEvents === false)
      report("is multi-Region but leaves out global service events (includeGlobalServiceEvents false).");
  },
};

const AWS_MANAGED_SQS_KEY = /(^|:)alias\/aws\/sqs$/;

export const deadLetterQueueCmk: StackValidationPolicy = {
  name: "sqs-dead-letter-queue-cmk",
  description:
    "The dead-letter queues of queues that receive S3 notifications are encrypted with a customer managed key too: they hold the same object names.",
  severity: "high",
  enforcementLevel: "mandatory",
  remediationSteps: "Set kmsMasterKeyId on the dead-letter queue to the archive key's ARN.",
  url: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-server-side-encryption.html",
  validateStack: (args, report) => {
    for (const q of archiveOf(args.resources).deadLetterQueues) {
      const p = rawProps(q.props);
      const key = p.kmsMasterKeyId;
      if (isUnknown(key)) continue;
      if (!key)
        report(
          `dead-letter queue ${p.name ?? q.name} of a notified queue has no customer managed key.`,
          q.urn,
        );
      else if (AWS_MANAGED_SQS_KEY.test(key))
        report(
          `dead-letter queue ${p.name ?? q.name} uses the AWS managed aws/sqs key, not a customer managed key.`,
          q.urn,
        );
    }
  },
};
