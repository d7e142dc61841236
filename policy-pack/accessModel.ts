/**
 * The archive's access model, in one place: per kind of resource (log bucket, access-log bucket, WAF
 * staging bucket, archive key, log queue and its dead-letter queue), the parties that may be granted
 * anything, and exactly what. Any Allow outside it, in a resource policy of the archive or in the policy
 * of a role the stack creates, is a violation that names the party, the action and the resource.
 */
import { PolicyResource } from "@pulumi/policy";
import { awsManagedPolicyName, AWS_MANAGED_POLICIES } from "./awsManagedPolicies";
import {
  asArray,
  Document,
  glob,
  hasWildcard,
  list,
  parseDocument,
  principals,
  Statement,
} from "./documents";
import { bucketViews, logBuckets, parsedDocuments } from "./model";
import { is, T } from "./types";
import { containsUnknown, isUnknown, rawProps } from "./unknowns";

export type ResourceKind =
  "log bucket" | "access-log bucket" | "WAF staging bucket" | "archive key" | "log queue";

export type Party =
  | "CloudTrail"
  | "the log delivery service"
  | "AWS Config"
  | "S3 server access logging"
  | "S3"
  | "CloudWatch"
  | "EventBridge"
  | "the reader role"
  | "the verifier role"
  | "a replication role"
  | "the key's administrators";

const SERVICE_PARTIES: Record<string, Party> = {
  "cloudtrail.amazonaws.com": "CloudTrail",
  "delivery.logs.amazonaws.com": "the log delivery service",
  "config.amazonaws.com": "AWS Config",
  "logging.s3.amazonaws.com": "S3 server access logging",
  "s3.amazonaws.com": "S3",
  "cloudwatch.amazonaws.com": "CloudWatch",
  "events.amazonaws.com": "EventBridge",
};

const READ_OBJECTS = ["s3:GetObject", "s3:GetObjectVersion"];
const CONSUME = [
  "sqs:ReceiveMessage",
  "sqs:DeleteMessage",
  "sqs:ChangeMessageVisibility",
  "sqs:GetQueueAttributes",
  "sqs:GetQueueUrl",
];
const REPLICATE_INTO = [
  "s3:GetBucketVersioning",
  "s3:ListBucket",
  "s3:ReplicateObject",
  "s3:ReplicateTags",
  "s3:ObjectOwnerOverrideToBucketOwner",
];
const REPLICATE_FROM = [
  "s3:GetReplicationConfiguration",
  "s3:ListBucket",
  "s3:GetObjectVersionForReplication",
  "s3:GetObjectVersionAcl",
  "s3:GetObjectVersionTagging",
  // What replication reads when the destination has Object Lock (S3 user guide, managing Object Lock).
  "s3:GetObjectRetention",
  "s3:GetObjectLegalHold",
];
const LOG_DELIVERY_WRITE = ["s3:GetBucketAcl", "s3:ListBucket", "s3:PutObject"];
/** The verifier (npm run verify) reads key names and settings, never a log's contents. */
const VERIFY_BUCKET = [
  "s3:ListBucket",
  "s3:GetBucketVersioning",
  "s3:GetEncryptionConfiguration",
  "s3:GetBucketPublicAccessBlock",
  "s3:GetBucketOwnershipControls",
  "s3:GetBucketNotification",
  "s3:GetBucketObjectLockConfiguration",
];

/** What each party may be granted on each kind of resource; anything else is outside the model. */
export const ACCESS_MODEL: Record<ResourceKind, Partial<Record<Party, string[]>>> = {
  "log bucket": {
    CloudTrail: ["s3:GetBucketAcl", "s3:PutObject"],
    "the log delivery service": LOG_DELIVERY_WRITE,
    "AWS Config": LOG_DELIVERY_WRITE,
    "a replication role": REPLICATE_INTO,
    "the reader role": READ_OBJECTS,
    "the verifier role": VERIFY_BUCKET,
  },
  "access-log bucket": { "S3 server access logging": ["s3:PutObject"] },
  "WAF staging bucket": {
    "the log delivery service": LOG_DELIVERY_WRITE,
    "a replication role": REPLICATE_FROM,
  },
  "archive key": {
    "the key's administrators": ["kms:*"],
    CloudTrail: ["kms:GenerateDataKey*", "kms:DescribeKey", "kms:Decrypt"],
    "the log delivery service": [
      "kms:Encrypt",
      "kms:Decrypt",
      "kms:ReEncrypt*",
      "kms:GenerateDataKey*",
      "kms:DescribeKey",
    ],
    S3: ["kms:GenerateDataKey", "kms:Decrypt"],
    CloudWatch: ["kms:Decrypt", "kms:GenerateDataKey*"],
    // Tamper alarms: EventBridge rules publish to the SSE-KMS alarm topic.
    EventBridge: ["kms:Decrypt", "kms:GenerateDataKey*"],
    "the reader role": ["kms:Decrypt"],
    "the verifier role": ["kms:DescribeKey", "kms:GetKeyRotationStatus"],
    "a replication role": ["kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt"],
  },
  "log queue": {
    S3: ["sqs:SendMessage"],
    "the reader role": CONSUME,
    "the verifier role": ["sqs:GetQueueAttributes"],
  },
};

/** Actions that erase, hide or take over the evidence: reported with their own message. */
const DESTRUCTIVE: [RegExp, string][] = [
  [
    /^s3:(DeleteObject|DeleteObjectVersion|DeleteObjects|DeleteBucket|PutLifecycleConfiguration|PutBucketLifecycle)$/i,
    "delete log objects or the bucket",
  ],
  [
    /^s3:(PutBucketPolicy|DeleteBucketPolicy|PutBucketAcl|PutObjectAcl|PutObjectVersionAcl|PutBucketOwnershipControls|PutBucketPublicAccessBlock)$/i,
    "change who may access the logs",
  ],
  [
    /^s3:(PutBucketObjectLockConfiguration|PutObjectRetention|PutObjectLegalHold|BypassGovernanceRetention|PutBucketVersioning)$/i,
    "weaken Object Lock or versioning",
  ],
  [
    /^s3:(PutBucketNotification|PutReplicationConfiguration|PutBucketLogging|PutEncryptionConfiguration)$/i,
    "reroute, unlog or re-encrypt the logs",
  ],
  [
    /^kms:(PutKeyPolicy|CreateGrant|RetireGrant|RevokeGrant|ScheduleKeyDeletion|DisableKey|DisableKeyRotation|UpdateKeyDescription|CreateAlias|UpdateAlias|DeleteAlias|ImportKeyMaterial|DeleteImportedKeyMaterial)$/i,
    "administer the archive key",
  ],
  [
    /^sqs:(SetQueueAttributes|AddPermission|RemovePermission|DeleteQueue|PurgeQueue)$/i,
    "change, purge or delete the queue",
  ],
];

const ACTIONS_OF: Record<string, string[]> = {
  s3: [
    "s3:GetObject",
    "s3:GetObjectVersion",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "s3:GetBucketAcl",
    "s3:GetBucketPolicy",
    "s3:GetObjectRetention",
    "s3:GetObjectLegalHold",
    "s3:ListBucket",
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
    "s3:PutBucketAcl",
    "s3:PutObjectAcl",
    "s3:PutLifecycleConfiguration",
    "s3:PutBucketObjectLockConfiguration",
    "s3:PutObjectRetention",
    "s3:BypassGovernanceRetention",
    "s3:PutBucketVersioning",
    "s3:ReplicateObject",
    "s3:ReplicateDelete",
    "s3:PutBucketNotification",
    "s3:PutReplicationConfiguration",
    "s3:DeleteBucket",
  ],
  kms: [
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:ReEncryptFrom",
    "kms:DescribeKey",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:PutKeyPolicy",
    "kms:CreateGrant",
    "kms:ScheduleKeyDeletion",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
  ],
  sqs: [
    "sqs:SendMessage",
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:GetQueueAttributes",
    "sqs:GetQueueUrl",
    "sqs:PurgeQueue",
    "sqs:SetQueueAttributes",
    "sqs:DeleteQueue",
  ],
};

/** The concrete actions a statement grants: its Action patterns, or everything its NotAction leaves. */
function grantedActions(s: Statement): string[] {
  if (s.Action !== undefined) return list(s.Action).flatMap(expand);
  const excluded = list(s.NotAction);
  return Object.values(ACTIONS_OF)
    .flat()
    .filter((a) => !excluded.some((pattern) => glob(pattern, a)));
}

/** A granted action pattern's concrete actions: wildcards stand for every action they match. */
function expand(action: string): string[] {
  if (!action.includes("*") && !action.includes("?")) return [action];
  const service = action.split(":")[0].toLowerCase();
  const known = action === "*" ? Object.values(ACTIONS_OF).flat() : (ACTIONS_OF[service] ?? []);
  const matched = known.filter((a) => glob(action, a));
  return matched.length ? matched : [action];
}

export interface ModelConfig {
  mode?: "organization" | "account-list" | "any";
  wafDelivery?: "replication" | "direct" | "both";
  siemTrust?: "aws" | "oidc" | "any";
  readerRoles?: string[];
  replicationRoleName?: string;
  verifierRoleName?: string;
  keyAccounts?: string[];
}

export const MODEL_CONFIG_SCHEMA = {
  mode: {
    type: "string" as const,
    enum: ["organization", "account-list", "any"],
    default: "any",
    description:
      "The central stack's mode: replication grants to any principal must then be scoped by aws:PrincipalOrgID (organization) or aws:PrincipalAccount (account-list).",
  },
  wafDelivery: {
    type: "string" as const,
    enum: ["replication", "direct", "both"],
    default: "both",
    description:
      "central-logging:wafDelivery: which of the log delivery service and replication roles may write the central WAF bucket.",
  },
  siemTrust: {
    type: "string" as const,
    enum: ["aws", "oidc", "any"],
    default: "any",
    description:
      "central-logging:siem.trust: how the reader role is assumed (external ID or OIDC web identity).",
  },
  readerRoles: {
    type: "array" as const,
    items: { type: "string" as const, pattern: "^arn:aws[a-z-]*:iam::\\d{12}:role/.+$" },
    default: [] as string[],
    description:
      "ARNs of the reader (SIEM) roles. Empty: any IAM role other than a replication role counts as a reader.",
  },
  replicationRoleName: {
    type: "string" as const,
    default: "central-logging-waf-replication",
    description:
      "The name of the member replication roles: they are named <name>-<region> (and, before release 4, <name>).",
  },
  verifierRoleName: {
    type: "string" as const,
    default: "central-logs-verifier",
    description:
      "The name of the read-only verifier role (central-logging:verifier.roleName): it may list and read settings, never read, decrypt or consume logs.",
  },
  keyAccounts: {
    type: "array" as const,
    items: { type: "string" as const, pattern: "^\\d{12}$" },
    default: [] as string[],
    description:
      "Accounts whose root administers their own keys; empty: the one root with kms:* in a key policy.",
  },
};

interface Grant {
  party?: Party;
  /** How a party outside the model is named in messages. */
  who: string;
}

const ROOT = /^arn:aws[a-z-]*:iam::(\d{12}):root$|^(\d{12})$/;
const ROLE = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/;

function conditionValues(s: Statement, key: string): string[] {
  const out: string[] = [];
  for (const entries of Object.values(s.Condition ?? {}))
    for (const [k, v] of Object.entries(entries ?? {}))
      if (k.toLowerCase() === key.toLowerCase()) out.push(...list(v));
  return out;
}

/** A member replication role's name: `<replicationRoleName>-<region>`, or the release-3 name alone. */
const isReplicationRole = (name: string, c: Required<ModelConfig>) =>
  name === c.replicationRoleName ||
  new RegExp(`^${c.replicationRoleName}-[a-z]{2}(-[a-z]+)+-\\d$`).test(name);

/** The parties a statement grants to, as the model names them. */
function grantsOf(
  s: Statement,
  kind: ResourceKind,
  doc: { Statement: Statement[] },
  c: Required<ModelConfig>,
): Grant[] {
  const p = principals(s);
  const grants: Grant[] = p.service.map((svc) => ({ party: SERVICE_PARTIES[svc], who: svc }));
  for (const f of p.federated) grants.push({ who: `web identity ${f}` });
  const replication = (arn: string) => isReplicationRole(ROLE.exec(arn)?.[2] ?? "", c);
  for (const a of p.aws) {
    if (a === "*") {
      const arns = conditionValues(s, "aws:PrincipalArn");
      grants.push(
        arns.length &&
          arns.every((x) => {
            const name = x.split(":role/")[1] ?? "";
            return name === `${c.replicationRoleName}-*` || isReplicationRole(name, c);
          })
          ? { party: "a replication role", who: `replication roles (${arns.join(", ")})` }
          : { who: "any principal" + (s.Condition ? " (under conditions)" : "") },
      );
      continue;
    }
    const root = ROOT.exec(a);
    if (root) {
      const account = root[1] ?? root[2];
      const allKms = (x: Statement) => list(x.Action).some((y) => y === "kms:*" || y === "*");
      const rootGrants = doc.Statement.filter(
        (x) => x.Effect === "Allow" && allKms(x) && principals(x).aws.some((y) => ROOT.test(y)),
      );
      const admin =
        kind === "archive key" &&
        list(s.Action).some((x) => x === "kms:*" || x === "*") &&
        (c.keyAccounts.length ? c.keyAccounts.includes(account) : rootGrants.length === 1);
      grants.push(
        admin
          ? { party: "the key's administrators", who: `account ${account}` }
          : { who: `account ${account} (root)` },
      );
      continue;
    }
    if (ROLE.test(a)) {
      if (replication(a)) grants.push({ party: "a replication role", who: a });
      else if (ROLE.exec(a)?.[2] === c.verifierRoleName) grants.push({ party: "the verifier role", who: a });
      else if (c.readerRoles.length ? c.readerRoles.includes(a) : true)
        grants.push({ party: "the reader role", who: a });
      else grants.push({ who: `role ${a}` });
      continue;
    }
    grants.push({ who: a.includes(":user/") ? `IAM user ${a}` : a });
  }
  return grants;
}

export interface ModelViolation {
  message: string;
  urn: string;
}

function checkStatement(
  s: Statement,
  where: string,
  kind: ResourceKind,
  resourceName: string,
  doc: { Statement: Statement[] },
  c: Required<ModelConfig>,
  urn: string,
  out: ModelViolation[],
  identityParty?: Grant,
) {
  if (s.Effect !== "Allow") return;
  const grants = identityParty ? [identityParty] : grantsOf(s, kind, doc, c);
  const model = { ...ACCESS_MODEL[kind] };
  // The model follows the stacks' config.
  if (kind === "log bucket" && resourceName.startsWith("aws-waf-logs-")) {
    if (c.wafDelivery === "replication") delete model["the log delivery service"];
    if (c.wafDelivery === "direct") delete model["a replication role"];
  }
  const service = kind.endsWith("bucket") ? "s3" : kind === "archive key" ? "kms" : "sqs";
  // Where CloudTrail and the log delivery service are admitted for the same accounts, one key statement
  // serves both (so that the account list fits the key policy once): in that statement CloudTrail may
  // hold what the log delivery service may.
  const sharedWithLogDelivery =
    kind === "archive key" && principals(s).service.includes("delivery.logs.amazonaws.com");
  for (const g of grants) {
    const allowed =
      g.party === "CloudTrail" && sharedWithLogDelivery
        ? [...model.CloudTrail!, ...model["the log delivery service"]!]
        : g.party
          ? model[g.party]
          : undefined;
    const actions = grantedActions(s)
      // An identity policy may cover several services with one Resource "*": judge each on its own kind.
      .filter((a) => !identityParty || a === "*" || a.toLowerCase().startsWith(`${service}:`));
    const outside = [...new Set(actions.filter((a) => !allowed?.some((pattern) => glob(pattern, a))))];
    if (outside.length) {
      const reasons = [
        ...new Set(outside.flatMap((a) => DESTRUCTIVE.filter(([re]) => re.test(a)).map(([, why]) => why))),
      ];
      const may = allowed
        ? `; ${g.party} may only ${allowed.join(", ")}`
        : `; ${g.who} has no place in the ${kind}'s access model`;
      out.push({
        urn,
        message: reasons.length
          ? `${where} lets ${g.who} ${reasons.join(" and ")} (${outside.join(", ")}) on ${kind} ${resourceName}: only the archive's administrators may${may}.`
          : `${where} grants ${g.who} ${outside.join(", ")} on ${kind} ${resourceName}, outside the archive's access model${may}.`,
      });
    }
    if (g.party === "a replication role" && principals(s).aws.includes("*")) {
      const unbound = replicationBoundMissing(s, c.mode);
      if (unbound)
        out.push({
          urn,
          message:
            c.mode === "any"
              ? `${where} admits replication roles on ${kind} ${resourceName} by role name alone (aws:PrincipalArn ${conditionValues(s, "aws:PrincipalArn").join(", ")}), with no aws:PrincipalOrgID or aws:PrincipalAccount: any AWS account can create a role of that name and ${kind === "archive key" ? "use the key" : "write into the archive"}.`
              : `${where} admits replication roles on ${kind} ${resourceName} without ${unbound}, which ${c.mode} mode requires.`,
        });
    }
  }
}

/**
 * A statement to Principal "*" that names replication roles by aws:PrincipalArn alone: any account can
 * create a role of that name. It needs an organization or account bound, with literal values, under an
 * operator that does not also match a request without the key. In mode "any" either key will do, and so
 * do aws:PrincipalArn values that each name an account. Returns the key missing, or undefined.
 */
function replicationBoundMissing(s: Statement, mode: Required<ModelConfig>["mode"]): string | undefined {
  const literal = (key: string) =>
    Object.entries(s.Condition ?? {}).some(
      ([operator, entries]) =>
        !/Not|IfExists$|^Null$|^ForAllValues:/.test(operator) &&
        Object.entries(entries ?? {}).some(
          ([k, v]) =>
            k.toLowerCase() === key.toLowerCase() && list(v).length > 0 && !list(v).some(hasWildcard),
        ),
    );
  if (mode === "organization") return literal("aws:PrincipalOrgID") ? undefined : "aws:PrincipalOrgID";
  if (mode === "account-list") return literal("aws:PrincipalAccount") ? undefined : "aws:PrincipalAccount";
  if (literal("aws:PrincipalOrgID") || literal("aws:PrincipalAccount")) return undefined;
  const arns = conditionValues(s, "aws:PrincipalArn");
  const accountPinned = arns.length > 0 && arns.every((a) => /^arn:[^:]+:iam::\d{12}:/.test(a));
  return accountPinned ? undefined : "aws:PrincipalOrgID or aws:PrincipalAccount";
}

const label = (s: Statement, i: number) => (s.Sid ? `statement "${s.Sid}"` : `statement ${i + 1}`);

/** Every policy document of a resource that is known (unknown ones are checked by pulumi up). */
function documentsOfResources(rs: PolicyResource[], prop = "policy") {
  return rs
    .map((r) => ({ r, value: rawProps(r.props)[prop] }))
    .filter(({ value }) => value !== undefined && value !== "" && !containsUnknown(value))
    .map(({ r, value }) => ({ r, parsed: parseDocument(value) }))
    .filter((x) => x.parsed.ok)
    .map(({ r, parsed }) => ({ r, doc: (parsed as { doc: { Statement: Statement[] } }).doc }));
}

/**
 * The archive's keys (those that encrypt its log buckets or its notified queues) and its queues (those
 * that receive S3 notifications, and their dead-letter queues).
 */
export function archiveOf(resources: PolicyResource[]) {
  const views = bucketViews(resources);
  const logUrns = new Set(logBuckets(resources).map((v) => v.urn));
  const keys = resources.filter((r) => is(r.type, T.key));
  const byValue = (value: unknown) =>
    keys.find((k) => {
      const p = rawProps(k.props);
      return (
        value !== undefined && !isUnknown(value) && (value === p.arn || value === p.keyId || value === p.id)
      );
    });
  const archiveKeys = new Set<PolicyResource>();
  const archiveBucketUrns = new Set(views.filter((v) => logUrns.has(v.urn)).map((v) => v.urn));
  for (const v of views.filter((x) => archiveBucketUrns.has(x.urn)))
    for (const sse of v.sse) {
      for (const d of sse.resource.propertyDependencies?.rules ?? [])
        if (is(d.type, T.key)) archiveKeys.add(d);
      for (const rule of Array.isArray(sse.props.rules) ? sse.props.rules : []) {
        const k = byValue(rule?.applyServerSideEncryptionByDefault?.kmsMasterKeyId);
        if (k) archiveKeys.add(k);
      }
    }
  const notified = new Set<PolicyResource>();
  for (const n of resources.filter((r) => is(r.type, T.notification)))
    for (const d of n.propertyDependencies?.queues ?? []) if (is(d.type, T.queue)) notified.add(d);
  const dlqs = new Set<PolicyResource>();
  for (const q of notified) {
    for (const d of q.propertyDependencies?.redrivePolicy ?? []) if (is(d.type, T.queue)) dlqs.add(d);
    const redrive = rawProps(q.props).redrivePolicy;
    if (typeof redrive === "string" && !isUnknown(redrive))
      try {
        const target = JSON.parse(redrive).deadLetterTargetArn;
        const dlq = resources.find((r) => is(r.type, T.queue) && rawProps(r.props).arn === target);
        if (dlq) dlqs.add(dlq);
      } catch {
        // A malformed redrive policy is the provider's to refuse.
      }
    for (const d of q.propertyDependencies?.kmsMasterKeyId ?? []) if (is(d.type, T.key)) archiveKeys.add(d);
    const k = byValue(rawProps(q.props).kmsMasterKeyId);
    if (k) archiveKeys.add(k);
  }
  return {
    keys: [...archiveKeys],
    queues: [...notified, ...dlqs],
    deadLetterQueues: [...dlqs],
    notified: [...notified],
  };
}

/** Runs the model over a stack's resources. */
/** The model's settings with their defaults (the CLI applies schema defaults; unit runs may not). */
function resolve(config: ModelConfig): Required<ModelConfig> {
  return {
    mode: config.mode ?? "any",
    wafDelivery: config.wafDelivery ?? "both",
    siemTrust: config.siemTrust ?? "any",
    readerRoles: config.readerRoles ?? [],
    replicationRoleName: config.replicationRoleName ?? "central-logging-waf-replication",
    verifierRoleName: config.verifierRoleName ?? "central-logs-verifier",
    keyAccounts: config.keyAccounts ?? [],
  };
}

interface RoleOfStack {
  role: PolicyResource;
  name: string;
  party: Grant;
  /** The Allow statements of its trust that name AWS or web-identity principals. */
  external: Statement[];
}

/**
 * The roles a stack creates, each with its party in the model from its trust: trusted by S3 under the
 * replication role's name, a replication role; trusted by other principals, the verifier (by name) or
 * the reader. A role's ARN may be unknown at preview, so configured readers are matched by role name
 * here, as resource policies match them by ARN.
 */
function rolesOfStack(resources: PolicyResource[], c: Required<ModelConfig>): RoleOfStack[] {
  const isConfiguredReader = (name: string) =>
    !c.readerRoles.length || c.readerRoles.some((arn) => ROLE.exec(arn)?.[2] === name);
  const out: RoleOfStack[] = [];
  for (const role of resources.filter((r) => is(r.type, T.role))) {
    const props = rawProps(role.props);
    const trust = parseDocument(props.assumeRolePolicy ?? "");
    if (!trust.ok) continue;
    const trusting = trust.doc.Statement.filter((s) => s.Effect === "Allow");
    const byS3 = trusting.some((s) => principals(s).service.includes("s3.amazonaws.com"));
    const external = trusting.filter((s) => principals(s).aws.length || principals(s).federated.length);
    const name = typeof props.name === "string" && !isUnknown(props.name) ? props.name : role.name;
    const party: Grant =
      name === c.verifierRoleName && external.length && !byS3
        ? { party: "the verifier role", who: `role ${name}` }
        : byS3 && isReplicationRole(name, c)
          ? { party: "a replication role", who: `role ${name}` }
          : external.length && !byS3 && isConfiguredReader(name)
            ? { party: "the reader role", who: `role ${name}` }
            : { who: `role ${name}` };
    out.push({ role, name, party, external });
  }
  return out;
}

/** A managed policy attached to a role, with its document when the pack can know it. */
export interface ManagedAttachment {
  /** The policy's ARN, or the name of the aws.iam.Policy resource when its ARN is not known yet. */
  policy: string;
  /** How it is attached: managedPolicyArns, or the attachment resource. */
  via: string;
  /** The document: from the AWS managed policy table or the aws.iam.Policy resource in the stack. */
  document?: Document;
  /** Why the pack cannot judge it (no document), unless its document is only unknown until `up`. */
  unjudged?: string;
}

/**
 * The managed policies attached to a role: through its managedPolicyArns, an
 * aws.iam.RolePolicyAttachment, an aws.iam.PolicyAttachment or an aws.iam.RolePolicyAttachmentsExclusive.
 * Customer managed policies created in the stack (aws.iam.Policy) are found by property dependency or
 * ARN; AWS managed ones in AWS_MANAGED_POLICIES.
 */
export function managedAttachments(
  role: PolicyResource,
  name: string,
  resources: PolicyResource[],
): ManagedAttachment[] {
  const policies = resources.filter((r) => is(r.type, T.policy));
  const found: ManagedAttachment[] = [];
  const fromPolicyResource = (p: PolicyResource, via: string): ManagedAttachment => {
    const props = rawProps(p.props);
    const label =
      typeof props.arn === "string" && !isUnknown(props.arn)
        ? props.arn
        : `aws.iam.Policy ${props.name ?? p.name}`;
    if (props.policy === undefined || containsUnknown(props.policy)) return { policy: label, via };
    const parsed = parseDocument(props.policy);
    return parsed.ok
      ? { policy: label, via, document: parsed.doc }
      : { policy: label, via, unjudged: "its document does not parse" };
  };
  const add = (source: PolicyResource, prop: string, values: unknown[], via: string) => {
    const deps = (source.propertyDependencies?.[prop] ?? []).filter((d) => is(d.type, T.policy));
    for (const d of deps) found.push(fromPolicyResource(d, via));
    for (const value of values) {
      if (typeof value !== "string" || isUnknown(value)) continue;
      const inStack = policies.find((p) => rawProps(p.props).arn === value);
      if (inStack) {
        if (!deps.includes(inStack)) found.push(fromPolicyResource(inStack, via));
        continue;
      }
      const awsName = awsManagedPolicyName(value);
      const table = awsName ? AWS_MANAGED_POLICIES[awsName] : undefined;
      found.push(
        table
          ? { policy: value, via, document: table.document }
          : {
              policy: value,
              via,
              unjudged: awsName
                ? "an AWS managed policy the pack has no copy of"
                : "a customer managed policy this stack does not create",
            },
      );
    }
  };
  const isThisRole = (source: PolicyResource, prop: string, value: unknown) =>
    (source.propertyDependencies?.[prop] ?? []).some((d) => d.urn === role.urn) ||
    asArray(value).some((v) => typeof v === "string" && (v === name || ROLE.exec(v)?.[2] === name));
  const rp = rawProps(role.props);
  add(role, "managedPolicyArns", asArray(rp.managedPolicyArns), "managedPolicyArns");
  for (const r of resources) {
    const p = rawProps(r.props);
    if (is(r.type, T.rolePolicyAttachment) && isThisRole(r, "role", p.role))
      add(r, "policyArn", [p.policyArn], `RolePolicyAttachment ${r.name}`);
    if (is(r.type, T.policyAttachment) && isThisRole(r, "roles", p.roles))
      add(r, "policyArn", [p.policyArn], `PolicyAttachment ${r.name}`);
    if (is(r.type, T.rolePolicyAttachmentsExclusive) && isThisRole(r, "roleName", p.roleName))
      add(r, "policyArns", asArray(p.policyArns), `RolePolicyAttachmentsExclusive ${r.name}`);
  }
  return found;
}

/** The archive's roles (reader, verifier, replication) and the managed policies attached to them. */
export function archiveRoleAttachments(resources: PolicyResource[], config: ModelConfig) {
  return rolesOfStack(resources, resolve(config))
    .filter((r) => r.party.party)
    .map((r) => ({ ...r, attachments: managedAttachments(r.role, r.name, resources) }));
}

export function modelViolations(resources: PolicyResource[], config: ModelConfig): ModelViolation[] {
  const c = resolve(config);
  const out: ModelViolation[] = [];
  const views = bucketViews(resources);
  const logUrns = new Set(logBuckets(resources).map((v) => v.urn));
  const archiveArns: { kind: ResourceKind; name: string; arns: string[] }[] = [];

  // Buckets and their policies.
  for (const v of views) {
    const kind: ResourceKind | undefined = v.accessLogReasons.length
      ? "access-log bucket"
      : logUrns.has(v.urn)
        ? v.replication.length
          ? "WAF staging bucket"
          : "log bucket"
        : undefined;
    if (!kind) continue;
    const name = v.name ?? v.resource.name;
    archiveArns.push({ kind, name, arns: [`arn:*:s3:::${name}`, `arn:*:s3:::${name}/*`] });
    for (const doc of parsedDocuments(v.policies))
      doc.Statement.forEach((s, i) => checkStatement(s, label(s, i), kind, name, doc, c, v.urn, out));
  }

  const { keys: archiveKeyList, queues: archiveQueues } = archiveOf(resources);
  const archiveKeys = new Set(archiveKeyList);
  for (const k of archiveKeys) {
    const arn = rawProps(k.props).arn;
    archiveArns.push({
      kind: "archive key",
      name: k.name,
      arns: typeof arn === "string" && !isUnknown(arn) ? [arn] : [],
    });
    for (const { doc } of documentsOfResources([k]))
      doc.Statement.forEach((s, i) =>
        checkStatement(s, label(s, i), "archive key", k.name, doc, c, k.urn, out),
      );
  }
  for (const kp of resources.filter((r) => is(r.type, T.keyPolicy))) {
    const target = (kp.propertyDependencies?.keyId ?? []).find((d) => archiveKeys.has(d));
    if (!target) continue;
    for (const { doc } of documentsOfResources([kp]))
      doc.Statement.forEach((s, i) =>
        checkStatement(s, label(s, i), "archive key", target.name, doc, c, kp.urn, out),
      );
  }

  // Queues: inline policies and QueuePolicy resources.
  for (const q of archiveQueues) {
    const arn = rawProps(q.props).arn;
    const name = rawProps(q.props).name ?? q.name;
    archiveArns.push({
      kind: "log queue",
      name,
      arns: typeof arn === "string" && !isUnknown(arn) ? [arn] : [],
    });
    for (const { doc } of documentsOfResources([q]))
      doc.Statement.forEach((s, i) => checkStatement(s, label(s, i), "log queue", name, doc, c, q.urn, out));
  }
  for (const qp of resources.filter((r) => is(r.type, T.queuePolicy))) {
    const target = (qp.propertyDependencies?.queueUrl ?? []).find((d) => archiveQueues.includes(d));
    if (!target) continue;
    const name = rawProps(target.props).name ?? target.name;
    for (const { doc } of documentsOfResources([qp]))
      doc.Statement.forEach((s, i) => checkStatement(s, label(s, i), "log queue", name, doc, c, qp.urn, out));
  }

  // Roles the stack creates: their own policies on archive resources, judged as their party. Managed
  // policies are judged for the archive's roles (reader, verifier, replication).
  for (const { role, name, party, external } of rolesOfStack(resources, c)) {
    const props = rawProps(role.props);
    if (party.party === "the reader role" && c.siemTrust !== "any") {
      const webIdentity = external.some((s) => principals(s).federated.length);
      if ((c.siemTrust === "oidc") !== webIdentity)
        out.push({
          urn: role.urn,
          message: `role ${name} is assumed by ${webIdentity ? "OIDC web identity" : "AWS principals"}, but the pack config says the SIEM trust is ${c.siemTrust}.`,
        });
    }
    const inline = (Array.isArray(props.inlinePolicies) ? props.inlinePolicies : []).map(
      (p: any) => p?.policy,
    );
    const attached = resources.filter(
      (r) => is(r.type, T.rolePolicy) && (r.propertyDependencies?.role ?? []).some((d) => d.urn === role.urn),
    );
    const docs: { doc: { Statement: Statement[] }; of: string }[] = [
      ...inline
        .filter((p: unknown) => p && !containsUnknown(p))
        .map((p: unknown) => parseDocument(p))
        .filter((d: ReturnType<typeof parseDocument>): d is { ok: true; doc: Document } => d.ok)
        .map((d: { doc: Document }) => ({ doc: d.doc, of: `role ${name}` })),
      ...documentsOfResources(attached).map((x) => ({ doc: x.doc, of: `role ${name}` })),
      ...(party.party ? managedAttachments(role, name, resources) : [])
        .filter((a) => a.document)
        .map((a) => ({
          doc: a.document!,
          of: `managed policy ${awsManagedPolicyName(a.policy) ?? a.policy} attached to role ${name}`,
        })),
    ];
    for (const { doc, of } of docs)
      doc.Statement.forEach((s: Statement, i: number) => {
        const resourcesOf = list(s.Resource);
        for (const target of archiveArns) {
          const touches = resourcesOf.some(
            (r) =>
              r === "*" ||
              target.arns.some((arn) => glob(r.replace(/^arn:aws[a-z-]*:/, "arn:*:"), arn) || glob(arn, r)),
          );
          if (touches)
            checkStatement(
              s,
              `${label(s, i)} of ${of}`,
              target.kind,
              target.name,
              doc,
              c,
              role.urn,
              out,
              party,
            );
        }
      });
  }
  return [...new Map(out.map((v) => [`${v.urn}|${v.message}`, v])).values()];
}
