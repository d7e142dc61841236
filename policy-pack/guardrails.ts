/**
 * Organization guardrails (aws:organizations/policy:Policy): service control policies and resource
 * control policies next to a log archive. A deny in either is the quietest way to lose logs: nobody sees
 * the AccessDenied a service meets while delivering. So a guardrail must leave every delivery path alone,
 * and it should leave the project's own deployments alone too.
 *
 * SCPs never restrict service principals (Organizations user guide, SCPs); RCPs do, unless the statement
 * excludes them with aws:PrincipalIsAWSService (KMS developer guide, resource control policies: AWS's
 * example RCPs all carry {"Bool": {"aws:PrincipalIsAWSService": "false"}}). Both restrict the WAF
 * replication role, an IAM role in each member account.
 */
import { PolicyResource, ResourceValidationPolicy } from "@pulumi/policy";
import { asArray, glob, list, parseDocument, Statement } from "./documents";
import { is, T } from "./types";
import { isUnknown, rawProps } from "./unknowns";

/** What AWS services do to deliver logs and announce them, into the archive and the staging buckets. */
export const SERVICE_DELIVERY_ACTIONS = [
  "s3:PutObject",
  "s3:GetBucketAcl",
  "s3:ListBucket",
  "kms:GenerateDataKey",
  "kms:Encrypt",
  "kms:Decrypt",
  "kms:DescribeKey",
  "sqs:SendMessage",
  "sns:Publish",
  "events:PutEvents",
  "sts:AssumeRole",
];

/** What the WAF replication role does (S3 user guide, replication permissions; replicating encrypted objects). */
export const REPLICATION_ROLE_ACTIONS = [
  "s3:GetReplicationConfiguration",
  "s3:ListBucket",
  "s3:GetObjectVersionForReplication",
  "s3:GetObjectVersionAcl",
  "s3:GetObjectVersionTagging",
  "s3:GetObjectRetention",
  "s3:GetObjectLegalHold",
  "s3:ReplicateObject",
  "s3:ReplicateTags",
  "s3:GetBucketVersioning",
  "s3:ObjectOwnerOverrideToBucketOwner",
  "kms:Decrypt",
  "kms:Encrypt",
  "kms:GenerateDataKey",
];

/** What the SIEM's reader role does: receive and delete the notifications, fetch and decrypt the objects. */
export const READER_ACTIONS = [
  "sqs:ReceiveMessage",
  "sqs:DeleteMessage",
  "sqs:ChangeMessageVisibility",
  "sqs:GetQueueAttributes",
  "s3:GetObject",
  "kms:Decrypt",
];

/** The calls the project's deployments make to the resources a guardrail protects. */
const DEPLOYMENT_ACTION =
  /^(s3:(Put|Delete)Bucket|s3:Put(Lifecycle|Encryption|Replication)Configuration|kms:(Put|Schedule|Disable|Create|Tag|Untag)|sqs:(Set|Delete|Add|Remove)|cloudtrail:|ec2:(Delete|Create)|wafv2:|iam:|events:)/i;

const DEFAULT_READER = "central-logs-siem-reader";
const REPLICATION_ROLE = "arn:aws:iam::123456789012:role/central-logging-waf-replication-eu-west-1";

interface OrganizationPolicy {
  kind: "SCP" | "RCP";
  name: string;
  denies: Statement[];
}

function organizationPolicy(r: PolicyResource): OrganizationPolicy | undefined {
  const p = rawProps(r.props);
  if (isUnknown(p.content) || (p.type !== "SERVICE_CONTROL_POLICY" && p.type !== "RESOURCE_CONTROL_POLICY"))
    return undefined;
  const parsed = parseDocument(p.content);
  if (!parsed.ok) return undefined; // policy-document-valid reports it
  return {
    kind: p.type === "RESOURCE_CONTROL_POLICY" ? "RCP" : "SCP",
    name: String(p.name ?? r.name),
    denies: parsed.doc.Statement.filter((s) => s.Effect === "Deny"),
  };
}

/** The actions of `candidates` that a deny statement's Action (or NotAction) covers. */
function deniedOf(s: Statement, candidates: string[]): string[] {
  if (s.NotAction !== undefined)
    return candidates.filter((a) => !list(s.NotAction).some((pattern) => glob(pattern, a)));
  return candidates.filter((a) => list(s.Action).some((pattern) => glob(pattern, a)));
}

type Entry = { operator: string; key: string; values: string[] };
const entries = (s: Statement): Entry[] =>
  Object.entries(s.Condition ?? {}).flatMap(([operator, block]) =>
    Object.entries(block ?? {}).map(([key, v]) => ({
      operator: operator.toLowerCase(),
      key: key.toLowerCase(),
      values: asArray(v as string | string[]).map(String),
    })),
  );

/** The statement applies only to IAM principals: {"Bool": {"aws:PrincipalIsAWSService": "false"}}. */
const exemptsServices = (s: Statement) =>
  entries(s).some(
    (e) =>
      (e.operator === "bool" || e.operator === "boolifexists") &&
      e.key === "aws:principalisawsservice" &&
      e.values.every((v) => v.toLowerCase() === "false"),
  );

/**
 * The statement applies only to requests services make: {"Bool": {"aws:PrincipalIsAWSService": "true"}}, or
 * a required source key ({"Null": {"aws:SourceAccount": "false"}}), which a role's own request lacks.
 */
const onlyServices = (s: Statement) =>
  entries(s).some(
    (e) =>
      (e.operator.startsWith("bool") &&
        e.key === "aws:principalisawsservice" &&
        e.values.every((v) => v.toLowerCase() === "true")) ||
      (e.operator === "null" &&
        ["aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths"].includes(e.key) &&
        e.values.every((v) => v.toLowerCase() === "false")),
  );

/** The statement spares principals whose ARN matches one of these patterns. */
const sparedArns = (s: Statement): string[] =>
  entries(s)
    .filter(
      (e) =>
        e.key === "aws:principalarn" &&
        ["arnnotlike", "arnnotequals", "stringnotlike", "stringnotequals"].some((o) =>
          e.operator.startsWith(o),
        ),
    )
    .flatMap((e) => e.values);

/** The statement spares every principal of the organization (aws:PrincipalOrgID not equal, an outsider test). */
const onlyOutsiders = (s: Statement) =>
  entries(s).some((e) => e.key === "aws:principalorgid" && e.operator.startsWith("stringnotequals"));

const spares = (s: Statement, principalArn: string) =>
  sparedArns(s).some((pattern) =>
    glob(pattern.replace(/^arn:[^:]+:iam::[^:]*:/, "arn:aws:iam::*:"), principalArn),
  );

export const organizationGuardrailsKeepDelivery: ResourceValidationPolicy = {
  name: "organization-guardrails-keep-delivery",
  description:
    "No SCP or RCP deny stands in a delivery path: an RCP deny on what AWS services do to deliver logs (s3:PutObject, kms:GenerateDataKey, sqs:SendMessage...) excludes service principals (aws:PrincipalIsAWSService false), and no SCP or RCP deny catches the WAF replication roles' reads, replicas or key use, or the SIEM reader's receives, reads and decrypts.",
  severity: "critical",
  enforcementLevel: "mandatory",
  remediationSteps:
    'Add {"Bool": {"aws:PrincipalIsAWSService": "false"}} to the RCP statement; spare the replication role with {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/central-logging-waf-replication-*"}}, or narrow the statement\'s actions.',
  url: "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html",
  configSchema: {
    properties: {
      readerRoleNames: {
        type: "array",
        items: { type: "string" },
        default: [DEFAULT_READER],
        description:
          "Names (or path/name) of the SIEM reader roles (central-logging:siem.roleName): no deny may catch their reads.",
      },
    },
  },
  validateResource: (args, report) => {
    if (!is(args.type, T.organizationPolicy)) return;
    const org = organizationPolicy(args as unknown as PolicyResource);
    if (!org) return;
    org.denies.forEach((s, i) => {
      const where = `${org.kind} ${org.name} statement ${s.Sid ?? i}`;
      if (org.kind === "RCP" && !exemptsServices(s)) {
        const blocked = deniedOf(s, SERVICE_DELIVERY_ACTIONS);
        if (blocked.length)
          report(
            `${where} denies ${blocked.join(", ")} without excluding service principals (aws:PrincipalIsAWSService false): RCPs apply to CloudTrail, the log delivery service and S3, so their deliveries can be refused, silently.`,
          );
      }
      const caught = deniedOf(s, REPLICATION_ROLE_ACTIONS);
      if (caught.length && !spares(s, REPLICATION_ROLE) && !onlyOutsiders(s) && !onlyServices(s))
        report(
          `${where} denies ${caught.join(", ")} to the WAF replication roles (central-logging-waf-replication-<region>) too: WAF logs would stop replicating into the archive.`,
        );
      const readers = args.getConfig<{ readerRoleNames?: string[] }>().readerRoleNames ?? [DEFAULT_READER];
      const reading = deniedOf(s, READER_ACTIONS);
      for (const name of readers)
        if (
          reading.length &&
          !spares(s, `arn:aws:iam::123456789012:role/${name}`) &&
          !onlyOutsiders(s) &&
          !onlyServices(s)
        )
          report(
            `${where} denies ${reading.join(", ")} to the SIEM reader role ${name} too: the SIEM would stop reading the archive.`,
          );
    });
  },
};

export const organizationGuardrailsSpareDeployments: ResourceValidationPolicy = {
  name: "organization-guardrails-spare-deployments",
  description:
    "An SCP deny on the calls that change the project's resources (bucket settings, key policy, trails, flow logs, WAF logging, roles) spares the deploy roles by aws:PrincipalArn: otherwise pulumi up fails on the next change.",
  severity: "medium",
  enforcementLevel: "advisory",
  remediationSteps:
    'Add {"ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::*:role/<deploy role>", "arn:aws:iam::*:role/<break-glass role>"]}} to the statement (tamperProtection.deployRoleNames, guardrails.exemptRoleNames).',
  url: "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html",
  configSchema: {
    properties: {
      deployRoleArns: {
        type: "array",
        items: { type: "string" },
        default: [] as string[],
        description: "Deploy role ARNs (any account: arn:aws:iam::*:role/name) every SCP deny must spare.",
      },
    },
  },
  validateResource: (args, report) => {
    if (!is(args.type, T.organizationPolicy)) return;
    const org = organizationPolicy(args as unknown as PolicyResource);
    if (!org || org.kind !== "SCP") return;
    // A deploy role named in any account is tried as a role of one sample account.
    const deployRoles = args.getConfig<{ deployRoleArns?: string[] }>().deployRoleArns ?? [];
    const sample = (roleArn: string) =>
      roleArn.replace(/^arn:[^:]+:iam::[^:]*:/, "arn:aws:iam::123456789012:");
    org.denies.forEach((s, i) => {
      const actions = s.NotAction !== undefined ? ["*"] : list(s.Action);
      if (!actions.some((a) => a === "*" || DEPLOYMENT_ACTION.test(a))) return;
      const where = `SCP ${org.name} statement ${s.Sid ?? i}`;
      if (!sparedArns(s).length)
        report(`${where} spares no principal by aws:PrincipalArn: it will lock out your own deployments.`);
      else
        for (const role of deployRoles)
          if (!spares(s, sample(role)))
            report(`${where} does not spare the deploy role ${role}: it will lock out your own deployments.`);
    });
  },
};
