/** Least privilege in every policy document: bucket, key, queue, role trust, inline and managed policies. */
import { ResourceValidationArgs, ResourceValidationPolicy, ReportViolation } from "@pulumi/policy";
import {
  conditionKeys,
  Document,
  documentsOf,
  list,
  parseDocument,
  principals,
  SOURCE_KEYS,
  Statement,
} from "./documents";
import { containsUnknown, rawProps } from "./unknowns";

type Check = (doc: Document, args: ResourceValidationArgs, report: ReportViolation) => void;

/**
 * Runs `check` on each policy document of a resource. A document that does not parse is left to the
 * hygiene rules; one that is unknown during preview is checked during `pulumi up`, when it is known.
 */
export function forEachDocument(check: Check) {
  return (args: ResourceValidationArgs, report: ReportViolation) => {
    for (const found of documentsOf(args.type, rawProps(args.props))) {
      if (containsUnknown(found.value)) continue;
      const parsed = parseDocument(found.value);
      if (parsed.ok) check(parsed.doc, args, report);
    }
  };
}

const label = (s: Statement, i: number) => (s.Sid ? `statement "${s.Sid}"` : `statement ${i + 1}`);

type AllowCheck = (
  s: Statement,
  where: string,
  doc: Document,
  args: ResourceValidationArgs,
  report: ReportViolation,
) => void;

/** Runs `check` on every Allow statement of every policy document of a resource. */
function forEachAllow(check: AllowCheck) {
  return forEachDocument((doc, args, report) =>
    doc.Statement.forEach((s, i) => {
      if (s.Effect === "Allow") check(s, label(s, i), doc, args, report);
    }),
  );
}

const isKeyPolicy = (type: string) => type === "aws:kms/key:Key" || type === "aws:kms/keyPolicy:KeyPolicy";
const ROOT = /^arn:aws[a-z-]*:iam::(\d{12}):root$|^(\d{12})$/;
const rootAccount = (principal: string) => {
  const m = ROOT.exec(principal);
  return m ? (m[1] ?? m[2]) : undefined;
};
const grantsAllKms = (s: Statement) => list(s.Action).some((a) => a === "*" || a.toLowerCase() === "kms:*");

/**
 * The key-administration statement: `kms:*` to one account root, the key's own. The key's account is
 * not among a key's inputs, so it comes from the `keyAccounts` config when given; without it, the one
 * statement of the document that grants `kms:*` to a single root is taken as the administration.
 */
function isKeyAdministration(s: Statement, doc: Document, args: ResourceValidationArgs): boolean {
  if (!isKeyPolicy(args.type) || !grantsAllKms(s)) return false;
  const p = principals(s);
  const account = p.aws.length === 1 && !p.service.length ? rootAccount(p.aws[0]) : undefined;
  if (!account) return false;
  const { keyAccounts } = args.getConfig<{ keyAccounts?: string[] }>();
  if (keyAccounts?.length) return keyAccounts.includes(account);
  const rootGrants = doc.Statement.filter(
    (x) => x.Effect === "Allow" && grantsAllKms(x) && principals(x).aws.some((a) => rootAccount(a)),
  );
  return rootGrants.length === 1;
}

const keyAccountsSchema = {
  keyAccounts: {
    type: "array" as const,
    items: { type: "string" as const, pattern: "^\\d{12}$" },
    default: [] as string[],
    description: "Accounts whose root may hold kms:* on their own keys (the key-administration statement).",
  },
};

export const noWildcardActions: ResourceValidationPolicy = {
  name: "iam-no-wildcard-actions",
  description:
    'No Allow grants "*" or "<service>:*" actions (the key-administration statement to the key\'s own account root excepted).',
  severity: "high",
  enforcementLevel: "mandatory",
  remediationSteps: "List the exact actions the principal needs.",
  url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
  configSchema: { properties: keyAccountsSchema },
  validateResource: forEachAllow((s, where, doc, args, report) => {
    if (isKeyAdministration(s, doc, args)) return;
    const wild = list(s.Action).filter((a) => a === "*" || /^[a-z0-9-]+:\*$/i.test(a));
    if (wild.length) report(`${where} allows ${wild.join(", ")}.`);
  }),
};

export const noPublicPrincipal: ResourceValidationPolicy = {
  name: "iam-no-unconditioned-public-principal",
  description: 'No Allow to "*" or {"AWS": "*"} without a restricting condition.',
  severity: "critical",
  enforcementLevel: "mandatory",
  remediationSteps:
    "Name the principals, or restrict them with aws:PrincipalOrgID, aws:PrincipalAccount or aws:PrincipalArn.",
  url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status",
  validateResource: forEachAllow((s, where, _doc, _args, report) => {
    const restricting = [
      "aws:principalorgid",
      "aws:principalaccount",
      "aws:principalarn",
      "aws:sourcearn",
      "aws:sourceaccount",
      "aws:sourceorgid",
      "aws:sourcevpce",
      "aws:sourceip",
    ];
    if (principals(s).star && !conditionKeys(s).some((k) => restricting.includes(k)))
      report(`${where} allows any principal without a restricting condition.`);
  }),
};

/**
 * Key grants that AWS documents without any source condition, because the service is not documented to
 * send one: S3 encrypting event notifications for SSE-KMS queues (SQS developer guide,
 * sqs-key-management) and CloudWatch publishing alarms to SSE-KMS topics (CloudWatch user guide). A
 * condition the service does not send would silently stop the notifications, so these pass unless
 * `requireOnDocumentedKeyGrants` is set.
 */
const DOCUMENTED_UNCONDITIONED_KEY_GRANTS: Record<string, string[]> = {
  "s3.amazonaws.com": ["kms:generatedatakey", "kms:decrypt"],
  "cloudwatch.amazonaws.com": ["kms:decrypt", "kms:generatedatakey*", "kms:generatedatakey"],
  // EventBridge to an encrypted topic: AWS's key policy statement has no condition (SNS developer guide,
  // event sources and encrypted topics), and no AWS page says which source keys EventBridge sends there.
  "events.amazonaws.com": ["kms:decrypt", "kms:generatedatakey*", "kms:generatedatakey"],
};

function isDocumentedUnconditionedKeyGrant(s: Statement, type: string): boolean {
  if (!isKeyPolicy(type)) return false;
  const services = principals(s).service;
  const actions = list(s.Action).map((a) => a.toLowerCase());
  return (
    services.length > 0 &&
    principals(s).aws.length === 0 &&
    services.every((svc) => actions.every((a) => DOCUMENTED_UNCONDITIONED_KEY_GRANTS[svc]?.includes(a)))
  );
}

export const servicePrincipalSourceCondition: ResourceValidationPolicy = {
  name: "iam-service-principal-source-condition",
  description:
    "Every Allow to an AWS service principal carries aws:SourceArn, aws:SourceAccount or aws:SourceOrgID (confused deputy), except the key grants AWS documents without one.",
  severity: "high",
  enforcementLevel: "mandatory",
  remediationSteps:
    "Add aws:SourceArn, aws:SourceAccount or aws:SourceOrgID conditions naming the accounts or resources the service acts for.",
  url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html",
  configSchema: {
    properties: {
      requireOnDocumentedKeyGrants: {
        type: "boolean",
        default: false,
        description:
          "Also require a source condition on the key grants AWS documents without one (S3 notifications to SSE-KMS queues, CloudWatch alarms and EventBridge rules to SSE-KMS topics).",
      },
    },
  },
  validateResource: forEachAllow((s, where, _doc, args, report) => {
    const services = principals(s).service;
    if (!services.length) return;
    // A role trust for a service needs no source condition: a service uses a role only for a
    // configuration whose author could pass it (iam:PassRole), which only principals of the role's own
    // account can (aws-samples/data-perimeter-policy-examples, resource control policies README). AWS's
    // trust for S3 replication has none (S3 user guide, setting up permissions for live replication).
    if (args.type === "aws:iam/role:Role") return;
    const keys = conditionKeys(s);
    const { requireOnDocumentedKeyGrants = false } = args.getConfig<{
      requireOnDocumentedKeyGrants?: boolean;
    }>();
    if (!keys.some((k) => SOURCE_KEYS.includes(k))) {
      if (!requireOnDocumentedKeyGrants && isDocumentedUnconditionedKeyGrant(s, args.type)) return;
      report(
        `${where} allows ${services.join(", ")} without aws:SourceArn, aws:SourceAccount or aws:SourceOrgID.`,
      );
    }
    // S3 bucket ARNs name no account: a deleted bucket's name can be taken by another account, so S3's
    // grants need the account too (S3 User Guide, grant-destinations-permissions-to-s3).
    else if (
      services.includes("s3.amazonaws.com") &&
      !keys.includes("aws:sourceaccount") &&
      !keys.includes("aws:sourceorgid")
    )
      report(
        `${where} allows s3.amazonaws.com by aws:SourceArn alone; bucket ARNs carry no account, add aws:SourceAccount.`,
      );
  }),
};

export const noNotPrincipalOrNotAction: ResourceValidationPolicy = {
  name: "iam-no-not-principal-or-not-action",
  description:
    "No Allow uses NotPrincipal or NotAction (they grant more than they name, and break vended-log policy auto-attach).",
  severity: "high",
  enforcementLevel: "mandatory",
  remediationSteps: "Rewrite the statement with Principal and Action.",
  url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html",
  validateResource: forEachAllow((s, where, _doc, _args, report) => {
    if (s.NotPrincipal !== undefined || s.NotAction !== undefined)
      report(`${where} is an Allow with ${s.NotPrincipal !== undefined ? "NotPrincipal" : "NotAction"}.`);
  }),
};

export const kmsDecryptOnlyReaders: ResourceValidationPolicy = {
  name: "kms-decrypt-only-readers",
  description:
    "kms:Decrypt is granted to IAM principals only when they are configured readers, and only with kms:ViaService or an encryption-context condition.",
  severity: "critical",
  enforcementLevel: "mandatory",
  remediationSteps:
    "Remove kms:Decrypt from member accounts and writers; grant it to the reader role with a kms:ViaService condition.",
  url: "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service",
  configSchema: {
    properties: {
      allowedReaders: {
        type: "array",
        items: { type: "string" },
        default: [],
        description:
          "IAM principal ARNs that may hold kms:Decrypt (the SIEM reader role). Empty: any non-root principal.",
      },
      ...keyAccountsSchema,
    },
  },
  validateResource: forEachAllow((s, where, doc, args, report) => {
    if (!isKeyPolicy(args.type) || isKeyAdministration(s, doc, args)) return;
    const grantsDecrypt = list(s.Action).some((a) => /^kms:(decrypt|\*)$/i.test(a) || a === "*");
    const aws = principals(s).aws;
    if (!grantsDecrypt || !aws.length) return;
    const keys = conditionKeys(s);
    if (!keys.some((k) => k === "kms:viaservice" || k.startsWith("kms:encryptioncontext")))
      report(
        `${where} grants kms:Decrypt to ${aws.join(", ")} without kms:ViaService or an encryption-context condition.`,
      );
    const { allowedReaders = [] } = args.getConfig<{ allowedReaders?: string[] }>();
    const strangers = aws.filter(
      (p) =>
        p !== "*" && (allowedReaders.length ? !allowedReaders.includes(p) : rootAccount(p) !== undefined),
    );
    if (strangers.length)
      report(`${where} grants kms:Decrypt to ${strangers.join(", ")}, not a configured reader.`);
  }),
};

const READ_ACTIONS = /^(s3:get\*?|s3:getobject.*|s3:\*|sqs:receivemessage|sqs:\*|kms:decrypt|kms:\*|\*)$/i;

export const crossAccountTrustCondition: ResourceValidationPolicy = {
  name: "iam-cross-account-trust-condition",
  description:
    "A role trusting AWS principals requires sts:ExternalId; a web-identity trust pins the audience and a subject or session name.",
  severity: "high",
  enforcementLevel: "mandatory",
  remediationSteps:
    'Add {"StringEquals": {"sts:ExternalId": "<id>"}} to AWS-principal trusts, or aud plus sub / sts:RoleSessionName to OIDC trusts.',
  url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html",
  configSchema: {
    properties: {
      trustedAccounts: {
        type: "array",
        items: { type: "string", pattern: "^\\d{12}$" },
        default: [],
        description: "Accounts whose principals may assume roles without an external ID (your own).",
      },
    },
  },
  validateResource: forEachAllow((s, where, _doc, args, report) => {
    if (args.type !== "aws:iam/role:Role") return;
    const keys = conditionKeys(s);
    const p = principals(s);
    const { trustedAccounts = [] } = args.getConfig<{ trustedAccounts?: string[] }>();
    const foreign = p.aws.filter((a) => {
      const account = /^(\d{12})$|^arn:aws[a-z-]*:iam::(\d{12}):/.exec(a);
      return !account || !trustedAccounts.includes(account[1] ?? account[2]);
    });
    if (foreign.length && !keys.includes("sts:externalid"))
      report(`${where} lets ${foreign.join(", ")} assume the role without sts:ExternalId.`);
    if (p.federated.length) {
      const aud = keys.some((k) => k.endsWith(":aud"));
      const pin = keys.some((k) => k.endsWith(":sub") || k === "sts:rolesessionname");
      if (!aud || !pin)
        report(
          `${where} trusts ${p.federated.join(", ")} without ${aud ? "" : "an audience (aud) and "}a subject or session-name condition.`,
        );
    }
  }),
};

export const noUsersReadingLogs: ResourceValidationPolicy = {
  name: "iam-no-users-reading-logs",
  description:
    "No IAM users or access keys read logs: readers are roles (external ID or OIDC), never long-lived keys.",
  severity: "high",
  enforcementLevel: "mandatory",
  remediationSteps:
    "Replace the IAM user and its access keys with a role the SIEM assumes (sts:ExternalId or OIDC).",
  url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#bp-users-federation-idp",
  validateResource: (args, report) => {
    if (args.type === "aws:iam/accessKey:AccessKey")
      return report("creates long-lived access keys for an IAM user.");
    forEachAllow((s, where, _doc, a, r) => {
      const readsLogs = list(s.Action).some((x) => READ_ACTIONS.test(x));
      if (!readsLogs) return;
      if (a.type === "aws:iam/userPolicy:UserPolicy") return r(`${where} lets an IAM user read logs.`);
      const users = principals(s).aws.filter((x) => /:user\//.test(x));
      if (users.length) r(`${where} lets IAM user ${users.join(", ")} read.`);
    })(args, report);
  },
};
