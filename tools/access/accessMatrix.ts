/**
 * The access matrix: who can and cannot do what against the simulated archive, each cell with its
 * intended decision, the evaluator's actual one, and why the intended decision is right.
 *
 * Every request an AWS service makes is built by `requestContexts` (shared/requestContexts.ts) from the
 * one table of what each service sends: a cell states facts (the trail ARN, the account, the
 * organization...), and only the keys the table documents for that principal and action reach the
 * request. A key an extension merely assumes is used only when that extension is on, and the cell says
 * so. A key the service may or may not send is tried both ways.
 */
import { ARCHIVE_OUTPUT, CentralArchiveOutputs } from "../../shared/contract";
import { Extension } from "../../shared/extensions";
import { PolicyDocument } from "../../shared/iam";
import { arn, LogType, wafReplicationRoleName } from "../../shared/naming";
import { viaService } from "../../shared/regions";
import { RequestFacts, requestContexts } from "../../shared/requestContexts";
import { SimStack } from "../simulation/simulate";
import { Decision, evaluateAccess } from "./evaluator";
import { organizationPoliciesOf, tamperingCells } from "./tamperingCells";

export interface AccessCell {
  /** The requester, as a reader would name it (with its ARN or account). */
  who: string;
  /** The principal the evaluator saw: a service principal, a role ARN, or "anonymous". */
  principal: string;
  action: string;
  resource: string;
  /** The request context keys that decided, as `key=value`, the TLS flag left out unless false. */
  condition: string;
  /** What is being tried, in a few words. */
  scenario: string;
  /** Why the intended decision is the right one. */
  why: string;
  expected: "Allowed" | "Denied";
  /** The decision of the request variant that deviates from the intent, else of the first. */
  actual: Decision;
  /** Request variants evaluated (a key the service may omit is tried with and without). */
  variants: number;
  /** Context keys the cell relies on that only an opt-in extension assumes the service sends. */
  assumptions: string[];
  contextCheckedLocally: boolean;
  /** The statements that decided, when the cell is not as intended. */
  deciding?: string;
  /**
   * The organization policies (SCPs on the principal's account, RCPs on the resource's) the cell was
   * evaluated under; empty where none applies (account-list mode, a principal outside the organization).
   */
  organizationPolicies: string[];
  /** A denial counts only when a statement denies explicitly (a guardrail, not a missing grant). */
  explicitDeny?: boolean;
  /** The evaluator could not evaluate the request (an unknown action, an invalid policy): never intended. */
  error?: string;
}

const OUTSIDE_ACCOUNT = "999999999998";
const OUTSIDE_ORG = "o-outside0000";
const OUTSIDE_MANAGEMENT = "999999999997";

function policyOf(stack: SimStack, type: string, name: string): PolicyDocument {
  const r = stack.resources.find((x) => x.type === type && x.name === name);
  if (!r) throw new Error(`${stack.name}: no ${type} ${name}`);
  return JSON.parse(r.inputs[type === "aws:iam/role:Role" ? "assumeRolePolicy" : "policy"]) as PolicyDocument;
}

export function membersOf(stacks: SimStack[]): { account: string; stack: string }[] {
  return stacks
    .filter((s) => s.role === "member")
    .map((s) => ({ account: s.config.accountId, stack: s.name }));
}

type Identity = { name: string; policy: PolicyDocument };
type Expected = "Allowed" | "Denied";

interface CellSpec {
  who: string;
  scenario: string;
  why: string;
  expected: Expected;
  /** Row of the request-context table: a service principal, `iam`, `iam-via-s3`, `iam-via-sqs`, `iam-via-other`, `anonymous`. */
  as: string;
  /** The principal the evaluator sees (defaults to `as` for service principals). */
  principal?: string;
  action: string;
  resource: string;
  resourceAccount: string;
  facts: RequestFacts;
  resourcePolicy?: PolicyDocument;
  identity?: Identity[];
  /**
   * Leave the organization's SCPs and RCPs out, to prove a resource policy's own denies (defence in depth,
   * and what account-list mode has). Default: every applicable organization policy is in force.
   */
  withoutOrganizationPolicies?: boolean;
  /** A denial counts only when explicit: the cell proves a deny statement, not a missing grant. */
  explicitDeny?: boolean;
}

const intended = (spec: { expected: Expected; explicitDeny?: boolean }, decision: Decision) =>
  spec.expected === "Allowed"
    ? decision === "Allowed"
    : spec.explicitDeny
      ? decision === "ExplicitlyDenied"
      : decision !== "Allowed";

export type CellFunction = (spec: CellSpec) => Promise<void>;
export type { CellSpec, Expected, Identity };

/** aws:PrincipalIsAWSService is in every request; shown only where it is false (an IAM principal). */
const UNSHOWN: Record<string, string> = {
  "aws:SecureTransport": "true",
  "aws:PrincipalIsAWSService": "true",
};

function describeContext(context: Record<string, string | string[]>, variants: number): string {
  const shown = Object.entries(context)
    .filter(([k, v]) => UNSHOWN[k] !== v)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(", ")}]` : v}`);
  return (
    (shown.join(", ") || "no condition keys") +
    (variants > 1 ? " (optional keys tried with and without)" : "")
  );
}

export async function accessMatrix(
  stacks: SimStack[],
  options: { sampleMembers?: number } = {},
): Promise<AccessCell[]> {
  const central = stacks.find((s) => s.role === "central");
  if (!central) return [];
  const a = central.outputs[ARCHIVE_OUTPUT] as CentralArchiveOutputs;
  const extensions = new Set<Extension>(a.policyExtensions ?? []);
  const own = extensions.has("own-account-prefix");
  const acct = a.accountId;
  const p = a.partition;
  const region = a.region;
  const org = a.organizationId;
  let members = membersOf(stacks);
  if (options.sampleMembers !== undefined) members = members.slice(0, options.sampleMembers);
  const bucketPolicy = (t: LogType) =>
    policyOf(central, "aws:s3/bucketPolicy:BucketPolicy", `${t}-logs-policy`);
  const keyPolicy = policyOf(central, "aws:kms/key:Key", "logs-key");
  const siemIdentity = {
    name: "siem-read",
    policy: policyOf(central, "aws:iam/rolePolicy:RolePolicy", "siem-reader-permissions"),
  };
  const keyArn = a.keyArn;
  const objectIn = (t: LogType, key: string) => `${a.logs[t].bucketArn}/${key}`;
  const cells: AccessCell[] = [];

  const organization = organizationPoliciesOf(stacks);
  const management = new Set([
    ...(a.cloudTrail.organizationTrailArn ? [a.cloudTrail.organizationTrailArn.split(":")[4]] : []),
    ...(organization ? [organization.account] : []),
  ]);
  const inOrganization = new Set([acct, ...members.map((m) => m.account), ...management]);
  const principalAccountOf = (principal: string) => /^arn:[^:]+:(iam|sts)::(\d{12}):/.exec(principal)?.[2];
  /**
   * The SCPs over an account, from their attachments: never the management account's (SCPs do not apply
   * there); a root target covers every other account; an OU target is taken to hold every member account
   * but the archive's (the matrix cannot see OU membership, and says so in the cell).
   */
  const scpsOver = (account: string | undefined) => {
    if (!organization) return { scps: [], assumed: [] as string[] };
    if (account === undefined)
      // A service principal: AWS never applies SCPs to it; the matrix does, the stricter proof.
      return { scps: organization.serviceControlPolicies, assumed: [] as string[] };
    if (!inOrganization.has(account) || management.has(account)) return { scps: [], assumed: [] };
    const assumed: string[] = [];
    const scps = organization.serviceControlPolicies.filter((x) =>
      (organization.targets.get(x.name) ?? []).some((t) => {
        if (t === account || t.startsWith("r-")) return true;
        if (t.startsWith("ou-") && account !== acct) {
          assumed.push(`the OU ${t} holds account ${account}`);
          return true;
        }
        return false;
      }),
    );
    return { scps, assumed };
  };

  async function cell(spec: CellSpec) {
    const contexts = requestContexts(spec.as, spec.action, spec.facts, extensions);
    const principal = spec.principal ?? spec.as;
    // SCPs restrict only IAM principals of the accounts they are attached to; AWS says they never apply
    // to service principals. The matrix applies them to service principals too: a stricter proof that no
    // guardrail stands in a delivery path even if it did apply. RCPs apply to the archive's resources.
    const over =
      organization && !spec.withoutOrganizationPolicies && principal !== "anonymous"
        ? scpsOver(principalAccountOf(principal))
        : { scps: [], assumed: [] };
    const scps = over.scps;
    const rcps =
      organization && !spec.withoutOrganizationPolicies && spec.resourceAccount === acct
        ? organization.resourceControlPolicies
        : [];
    let chosen:
      { decision: Decision; context: Record<string, string | string[]>; error?: string } | undefined;
    let touched = false;
    for (const built of contexts) {
      const r = await evaluateAccess(
        {
          principal: spec.principal ?? spec.as,
          action: spec.action,
          resource: spec.resource,
          resourceAccount: spec.resourceAccount,
          context: built.context,
        },
        {
          resourcePolicy: spec.resourcePolicy,
          identityPolicies: spec.identity ?? [],
          serviceControlPolicies: scps,
          resourceControlPolicies: rcps,
        },
      );
      touched = touched || r.contextCheckedLocally;
      const ok = intended(spec, r.decision) && !r.error;
      if (!chosen || (!ok && (chosen.decision !== r.decision || r.error)))
        chosen = { decision: r.decision, context: built.context, error: r.error };
      if (!ok) break;
    }
    const ok = intended(spec, chosen!.decision) && !chosen!.error;
    cells.push({
      who: spec.who,
      principal: spec.principal ?? spec.as,
      action: spec.action,
      resource: spec.resource,
      condition: describeContext(chosen!.context, contexts.length),
      scenario: spec.scenario,
      why: spec.why,
      expected: spec.expected,
      actual: chosen!.decision,
      variants: contexts.length,
      assumptions: [...new Set([...contexts.flatMap((c) => c.assumptions), ...over.assumed])],
      contextCheckedLocally: touched,
      organizationPolicies: [...scps, ...rcps].map((x) => x.name),
      ...(spec.explicitDeny ? { explicitDeny: true } : {}),
      ...(chosen!.error ? { error: chosen!.error } : {}),
      ...(ok
        ? {}
        : {
            deciding: JSON.stringify({
              resourcePolicy: spec.resourcePolicy?.Statement.map((s) => s.Sid),
              organizationPolicies: [...scps, ...rcps].map((x) => x.name),
              context: chosen!.context,
              error: chosen!.error,
            }),
          }),
    });
  }

  // ---------------------------------------------------------------- CloudTrail
  const trailOwner = (trailArn: string) => trailArn.split(":")[4];
  const orgTrail = a.cloudTrail.organizationTrailArn;
  const coveredAccount = members.find((m) => m.account !== (orgTrail && trailOwner(orgTrail)))?.account;
  const trailFacts = (trailArn: string, extra: RequestFacts = {}): RequestFacts => ({
    secureTransport: "true",
    sourceArn: trailArn,
    sourceAccount: trailOwner(trailArn),
    sourceOrgId: org ?? OUTSIDE_ORG,
    acl: "bucket-owner-full-control",
    cloudTrailContext: trailArn,
    ...extra,
  });
  const trailCells = async (
    trailArn: string,
    organization: boolean,
    expected: Expected,
    who: string,
    why: string,
  ) => {
    const owner = trailOwner(trailArn);
    const logAccount = organization ? (coveredAccount ?? owner) : owner;
    const logKey = organization
      ? `AWSLogs/${org ?? OUTSIDE_ORG}/${logAccount}/CloudTrail/${region}/2026/11/26/${logAccount}_CloudTrail_${region}_x.json.gz`
      : `AWSLogs/${owner}/CloudTrail/${region}/2026/11/26/${owner}_CloudTrail_${region}_x.json.gz`;
    const base = { who, why, expected, as: "cloudtrail.amazonaws.com", resourceAccount: acct };
    await cell({
      ...base,
      scenario: "checks the CloudTrail bucket's ACL",
      action: "s3:GetBucketAcl",
      resource: a.logs.cloudtrail.bucketArn,
      facts: trailFacts(trailArn),
      resourcePolicy: bucketPolicy("cloudtrail"),
    });
    await cell({
      ...base,
      scenario: organization ? `writes a log file of member ${logAccount}` : "writes a log file",
      action: "s3:PutObject",
      resource: objectIn("cloudtrail", logKey),
      facts: trailFacts(trailArn),
      resourcePolicy: bucketPolicy("cloudtrail"),
    });
    await cell({
      ...base,
      scenario: "writes a digest file",
      action: "s3:PutObject",
      resource: objectIn("cloudtrail", logKey.replace("/CloudTrail/", "/CloudTrail-Digest/")),
      facts: trailFacts(trailArn),
      resourcePolicy: bucketPolicy("cloudtrail"),
    });
    if (organization)
      await cell({
        ...base,
        scenario: "makes CreateTrail's pre-flight write under the management account's own prefix",
        action: "s3:PutObject",
        resource: objectIn("cloudtrail", `AWSLogs/${owner}/`),
        facts: trailFacts(trailArn),
        resourcePolicy: bucketPolicy("cloudtrail"),
      });
    await cell({
      ...base,
      scenario: "encrypts a log file with the CMK",
      action: "kms:GenerateDataKey",
      resource: keyArn,
      facts: trailFacts(trailArn),
      resourcePolicy: keyPolicy,
    });
    await cell({
      ...base,
      scenario: "describes the CMK",
      action: "kms:DescribeKey",
      resource: keyArn,
      facts: trailFacts(trailArn),
      resourcePolicy: keyPolicy,
    });
    await cell({
      ...base,
      scenario: "decrypts with the CMK, to validate the bucket's S3 Bucket Key",
      action: "kms:Decrypt",
      resource: keyArn,
      facts: trailFacts(trailArn),
      resourcePolicy: keyPolicy,
    });
  };
  if (orgTrail)
    await trailCells(
      orgTrail,
      true,
      "Allowed",
      `CloudTrail for the organization trail ${orgTrail}`,
      "the central stack admits this trail by its ARN, which CloudTrail sends as aws:SourceArn",
    );
  for (const t of a.cloudTrail.accountTrailArns.slice(0, options.sampleMembers ?? Infinity))
    await trailCells(
      t,
      false,
      "Allowed",
      `CloudTrail for the account trail ${t}`,
      "the central stack lists this trail in cloudTrail.accountTrails",
    );
  // CloudTrail Lake delivers query results as cloudtrail.amazonaws.com too, for an event data store:
  // no admitted account may place them (whatever their content) where the SIEM reads CloudTrail logs.
  const lakeAccount = [...(a.cloudTrail.accountTrailAccounts ?? [])][0] ?? members[0]?.account;
  if (lakeAccount) {
    const store = `arn:${p}:cloudtrail:${region}:${lakeAccount}:eventdatastore/EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE`;
    for (const [action, resource, policyDoc] of [
      [
        "s3:PutObject",
        objectIn("cloudtrail", `AWSLogs/${lakeAccount}/CloudTrail-Lake/Query/2026/11/26/x/result_1.csv.gz`),
        bucketPolicy("cloudtrail"),
      ],
      ["kms:GenerateDataKey", keyArn, keyPolicy],
    ] as const)
      await cell({
        who: `CloudTrail for the event data store ${store} of account ${lakeAccount}`,
        scenario:
          action === "s3:PutObject"
            ? "writes a CloudTrail Lake query result"
            : "encrypts a query result with the CMK",
        why: "the archive admits trails (aws:SourceArn like arn:aws:cloudtrail:*:*:trail/*), not event data stores",
        expected: "Denied",
        as: "cloudtrail.amazonaws.com",
        action,
        resource,
        resourceAccount: acct,
        facts: trailFacts(store, { cloudTrailContext: store }),
        resourcePolicy: policyDoc,
      });
  }
  const outsideOrgTrail = arn.trail(p, region, OUTSIDE_MANAGEMENT, "organization-trail");
  await cell({
    who: `CloudTrail for ${outsideOrgTrail}, a trail of another organization`,
    scenario: "writes into this organization's prefix",
    why: "no admitted trail ARN matches; aws:SourceOrgID (which CloudTrail does not send anyway) plays no part",
    expected: "Denied",
    as: "cloudtrail.amazonaws.com",
    action: "s3:PutObject",
    resource: objectIn(
      "cloudtrail",
      `AWSLogs/${org ?? OUTSIDE_ORG}/${OUTSIDE_ACCOUNT}/CloudTrail/${region}/x.json.gz`,
    ),
    resourceAccount: acct,
    facts: trailFacts(outsideOrgTrail, { sourceOrgId: OUTSIDE_ORG }),
    resourcePolicy: bucketPolicy("cloudtrail"),
  });
  const outsideTrail = arn.trail(p, region, OUTSIDE_ACCOUNT, "central-logging");
  for (const [action, resource, policyDoc] of [
    ["s3:GetBucketAcl", a.logs.cloudtrail.bucketArn, bucketPolicy("cloudtrail")],
    [
      "s3:PutObject",
      objectIn("cloudtrail", `AWSLogs/${OUTSIDE_ACCOUNT}/CloudTrail/${region}/x.json.gz`),
      bucketPolicy("cloudtrail"),
    ],
    ["kms:GenerateDataKey", keyArn, keyPolicy],
  ] as const)
    await cell({
      who: `CloudTrail for ${outsideTrail}, an account outside the archive`,
      scenario:
        action === "kms:GenerateDataKey"
          ? "encrypts with the CMK"
          : action === "s3:PutObject"
            ? "writes a log file"
            : "checks the bucket ACL",
      why: "its trail ARN is not admitted",
      expected: "Denied",
      as: "cloudtrail.amazonaws.com",
      action,
      resource,
      resourceAccount: acct,
      facts: trailFacts(outsideTrail),
      resourcePolicy: policyDoc,
    });
  const admitted = new Set([...(orgTrail ? [orgTrail] : []), ...a.cloudTrail.accountTrailArns]);
  const byAccount = a.cloudTrail.admitAccountTrailsBy === "account";
  const trailAccounts = new Set(byAccount ? a.cloudTrail.accountTrailAccounts : []);
  const rogueAccount = orgTrail ? trailOwner(orgTrail) : a.cloudTrail.accountTrailArns[0]?.split(":")[4];
  if (rogueAccount) {
    const rogue = arn.trail(p, region, rogueAccount, "unlisted-trail");
    const accountAdmitted = trailAccounts.has(rogueAccount);
    if (!admitted.has(rogue))
      await cell({
        who: `CloudTrail for ${rogue}, an unlisted trail of ${accountAdmitted ? "an account whose trails are admitted" : "an account whose trails are not admitted by account"}`,
        scenario: "writes a log file",
        why: accountAdmitted
          ? "cloudTrail.admitAccountTrailsBy is account: any trail of an admitted account may deliver, under its own account's prefix (the documented account-wide shape; admit by trail for the stricter per-trail one)"
          : "only the listed trail ARNs of this account are admitted",
        expected: accountAdmitted ? "Allowed" : "Denied",
        as: "cloudtrail.amazonaws.com",
        action: "s3:PutObject",
        resource: objectIn("cloudtrail", `AWSLogs/${rogueAccount}/CloudTrail/${region}/x.json.gz`),
        resourceAccount: acct,
        facts: trailFacts(rogue),
        resourcePolicy: bucketPolicy("cloudtrail"),
      });
  }
  const [firstTrailAccount, secondTrailAccount] = [...trailAccounts];
  if (firstTrailAccount && secondTrailAccount) {
    const t = arn.trail(p, region, firstTrailAccount, "central-logging");
    await cell({
      who: `CloudTrail for ${t}, a trail admitted by its account`,
      scenario: `writes under account ${secondTrailAccount}'s prefix`,
      why: own
        ? "the own-account-prefix extension ties each trail to AWSLogs/${aws:SourceAccount}/"
        : "without the own-account-prefix extension the policy does not tie a trail to its prefix; a trail writes under its owner's account (and cannot be given AWSLogs/ as its key prefix)",
      expected: own ? "Denied" : "Allowed",
      as: "cloudtrail.amazonaws.com",
      action: "s3:PutObject",
      resource: objectIn("cloudtrail", `AWSLogs/${secondTrailAccount}/CloudTrail/${region}/x.json.gz`),
      resourceAccount: acct,
      facts: trailFacts(t),
      resourcePolicy: bucketPolicy("cloudtrail"),
    });
  }
  if (orgTrail)
    await cell({
      who: `CloudTrail for ${orgTrail}`,
      scenario: "writes a log file without TLS",
      why: "the bucket denies every request with aws:SecureTransport false",
      expected: "Denied",
      as: "cloudtrail.amazonaws.com",
      action: "s3:PutObject",
      resource: objectIn(
        "cloudtrail",
        `AWSLogs/${org}/${coveredAccount ?? OUTSIDE_ACCOUNT}/CloudTrail/${region}/x.json.gz`,
      ),
      resourceAccount: acct,
      facts: trailFacts(orgTrail, { secureTransport: "false" }),
      resourcePolicy: bucketPolicy("cloudtrail"),
    });

  // ---------------------------------------------------------------- Log delivery (flow logs, direct WAF)
  const listed = new Set(a.logDeliveryAccounts ?? []);
  const admitsDelivery = (account: string, inOrg: boolean) =>
    a.logDeliveryAccounts ? listed.has(account) : inOrg;
  const deliveryFacts = (account: string, orgId: string, extra: RequestFacts = {}): RequestFacts => ({
    secureTransport: "true",
    sourceAccount: account,
    sourceArn: `arn:${p}:logs:${region}:${account}:*`,
    sourceOrgId: orgId,
    acl: "bucket-owner-full-control",
    ...extra,
  });
  const deliveryTargets: [LogType, string, string][] = [["vpcflowlogs", "VPC Flow Logs", "vpcflowlogs"]];
  const writers = [
    ...members.map((m) => ({ account: m.account, orgId: org ?? OUTSIDE_ORG, inOrg: true })),
    { account: OUTSIDE_ACCOUNT, orgId: OUTSIDE_ORG, inOrg: false },
  ];
  for (const w of writers) {
    const allowed = admitsDelivery(w.account, w.inOrg);
    const whoAccount = w.inOrg ? `member ${w.account}` : `account ${w.account} outside the organization`;
    const why = allowed
      ? a.logDeliveryAccounts
        ? "the account is in memberAccountIds, matched by aws:SourceAccount"
        : "the organization is admitted by aws:SourceOrgID (extension org-id-for-log-delivery)"
      : a.logDeliveryAccounts
        ? "the account is not in memberAccountIds"
        : "aws:SourceOrgID is another organization";
    for (const [t, service, folder] of deliveryTargets) {
      await cell({
        who: `The log delivery service for ${whoAccount} (${service})`,
        scenario: `writes a log file into the ${t} bucket`,
        why,
        expected: allowed ? "Allowed" : "Denied",
        as: "delivery.logs.amazonaws.com",
        action: "s3:PutObject",
        resource: objectIn(t, `AWSLogs/${w.account}/${folder}/${region}/2026/11/26/x.log.gz`),
        resourceAccount: acct,
        facts: deliveryFacts(w.account, w.orgId),
        resourcePolicy: bucketPolicy(t),
      });
      await cell({
        who: `The log delivery service for ${whoAccount} (${service})`,
        scenario: `checks the ${t} bucket's ACL`,
        why,
        expected: allowed ? "Allowed" : "Denied",
        as: "delivery.logs.amazonaws.com",
        action: "s3:GetBucketAcl",
        resource: a.logs[t].bucketArn,
        resourceAccount: acct,
        facts: deliveryFacts(w.account, w.orgId),
        resourcePolicy: bucketPolicy(t),
      });
    }
    await cell({
      who: `The log delivery service for ${whoAccount}`,
      scenario: "encrypts a log file with the CMK",
      why,
      expected: allowed ? "Allowed" : "Denied",
      as: "delivery.logs.amazonaws.com",
      action: "kms:GenerateDataKey",
      resource: keyArn,
      resourceAccount: acct,
      facts: deliveryFacts(w.account, w.orgId),
      resourcePolicy: keyPolicy,
    });
  }
  const deliverers = members.filter((m) => admitsDelivery(m.account, true));
  if (deliverers.length >= 2) {
    const [m1, m2] = deliverers;
    await cell({
      who: `The log delivery service for member ${m1.account}`,
      scenario: `writes under member ${m2.account}'s prefix`,
      why: own
        ? "the own-account-prefix extension ties each account to AWSLogs/${aws:SourceAccount}/"
        : "without the own-account-prefix extension the policy does not tie a writer to its prefix: flow logs write under the account they deliver for, but whether every vended-log source refuses an AWSLogs/ prefix is not documented (a residual risk, docs/policies.md)",
      expected: own ? "Denied" : "Allowed",
      as: "delivery.logs.amazonaws.com",
      action: "s3:PutObject",
      resource: objectIn("vpcflowlogs", `AWSLogs/${m2.account}/vpcflowlogs/${region}/x.log.gz`),
      resourceAccount: acct,
      facts: deliveryFacts(m1.account, org ?? OUTSIDE_ORG),
      resourcePolicy: bucketPolicy("vpcflowlogs"),
    });
  }

  // ---------------------------------------------------------------- WAF replication
  {
    const replicators = stacks
      .filter((s) => s.role === "member" && members.some((m) => m.stack === s.name))
      .filter((s) => s.resources.some((r) => r.name === "waf-replication-permissions"));
    // One replication role per member account and Region; an outsider's is named as in this Region.
    let here = region;
    const roleOf = (account: string) => arn.role(p, account, wafReplicationRoleName(here));
    const identityOf = (s: SimStack): Identity => ({
      name: "waf-replication",
      policy: policyOf(s, "aws:iam/rolePolicy:RolePolicy", "waf-replication-permissions"),
    });
    const allowAll = (action: string): Identity => ({
      name: "worst-case-identity",
      policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: "*" }] },
    });
    const roleFacts = (account: string, orgId: string, extra: RequestFacts = {}): RequestFacts => ({
      secureTransport: "true",
      principalArn: roleOf(account),
      principalAccount: account,
      principalOrgId: orgId,
      ...extra,
    });
    const waf = a.logs.waf.bucketArn;
    for (const s of replicators) {
      const m = s.config.accountId;
      here = s.config.region;
      const who = `The WAF replication role ${roleOf(m)} of member ${m}`;
      const viaS3 = { viaService: viaService("s3", region), s3Context: waf };
      await cell({
        who,
        scenario: "replicates a WAF log object under its own prefix",
        why: "replication roles of the organization (or listed accounts) may write replicas under AWSLogs/${aws:PrincipalAccount}/",
        expected: "Allowed",
        as: "iam",
        principal: roleOf(m),
        action: "s3:ReplicateObject",
        resource: objectIn("waf", `AWSLogs/${m}/WAFLogs/${region}/web-app/x.log.gz`),
        resourceAccount: acct,
        facts: roleFacts(m, org ?? OUTSIDE_ORG),
        resourcePolicy: bucketPolicy("waf"),
        identity: [identityOf(s)],
      });
      for (const [action, scenario, why] of [
        [
          "kms:GenerateDataKey",
          "encrypts a replica with the CMK through S3",
          "replicas must be encrypted with the archive key; only through S3, into the WAF bucket",
        ],
        [
          "kms:Encrypt",
          "encrypts a replica with the CMK through S3 (Encrypt)",
          "the replication guide grants kms:Encrypt on the destination key",
        ],
        [
          "kms:Decrypt",
          "decrypts with the CMK through S3, to verify the WAF bucket's S3 Bucket Key",
          "S3 checks the destination's Bucket Key with a Decrypt call as the replication role; without it every replica fails",
        ],
      ] as const)
        await cell({
          who,
          scenario,
          why,
          expected: "Allowed",
          as: "iam-via-s3-replication",
          principal: roleOf(m),
          action,
          resource: keyArn,
          resourceAccount: acct,
          facts: roleFacts(m, org ?? OUTSIDE_ORG, viaS3),
          resourcePolicy: keyPolicy,
          identity: [identityOf(s)],
        });
      const staging = s.resources.find((r) => r.name === "waf-staging")!.inputs.bucket as string;
      for (const action of ["s3:GetObjectRetention", "s3:GetObjectLegalHold"])
        await cell({
          who,
          scenario: `reads a staging object's Object Lock ${action === "s3:GetObjectRetention" ? "retention" : "legal hold"} for replication`,
          why: a.objectLock
            ? "the archive has Object Lock: replication needs the source object's lock metadata"
            : "needed as soon as the archive turns Object Lock on, which it may do after members deploy",
          expected: "Allowed",
          as: "iam",
          principal: roleOf(m),
          action,
          resource: arn.objects(p, staging, `AWSLogs/${m}/WAFLogs/${region}/web-app/x.log.gz`),
          resourceAccount: m,
          facts: roleFacts(m, org ?? OUTSIDE_ORG),
          identity: [identityOf(s)],
        });
      const other = members.find((x) => x.account !== m);
      if (other)
        await cell({
          who: `${who}, with s3:ReplicateObject on * in its own policy`,
          scenario: `replicates into member ${other.account}'s prefix`,
          why: "the bucket policy ties each replication role to AWSLogs/${aws:PrincipalAccount}/: a member's administrator who widens its own role still cannot forge another account's logs",
          expected: "Denied",
          as: "iam",
          principal: roleOf(m),
          action: "s3:ReplicateObject",
          resource: objectIn("waf", `AWSLogs/${other.account}/WAFLogs/${region}/web-app/x.log.gz`),
          resourceAccount: acct,
          facts: roleFacts(m, org ?? OUTSIDE_ORG),
          resourcePolicy: bucketPolicy("waf"),
          identity: [allowAll("s3:ReplicateObject")],
        });
      // The staging side: WAF's log delivery writes and encrypts there, replication decrypts the source.
      const stagingPolicy = policyOf(s, "aws:s3/bucketPolicy:BucketPolicy", "waf-staging-policy");
      const stagingKey = s.resources.find((r) => r.name === "waf-staging-key")!;
      const stagingKeyPolicy = policyOf(s, "aws:kms/key:Key", "waf-staging-key");
      for (const [writer, orgId, expected, why] of [
        [m, org ?? OUTSIDE_ORG, "Allowed", "the staging bucket admits this account's own log delivery"],
        [OUTSIDE_ACCOUNT, OUTSIDE_ORG, "Denied", "aws:SourceAccount is another account"],
      ] as const) {
        await cell({
          who: `The log delivery service for account ${writer} (AWS WAF)`,
          scenario: `writes a WAF log file into member ${m}'s staging bucket`,
          why,
          expected,
          as: "delivery.logs.amazonaws.com",
          action: "s3:PutObject",
          resource: arn.objects(p, staging, `AWSLogs/${writer}/WAFLogs/${here}/web-app/x.log.gz`),
          resourceAccount: m,
          facts: deliveryFacts(writer, orgId, { sourceArn: `arn:${p}:logs:${here}:${writer}:*` }),
          resourcePolicy: stagingPolicy,
        });
        await cell({
          who: `The log delivery service for account ${writer} (AWS WAF)`,
          scenario: `encrypts a WAF log file with member ${m}'s staging key`,
          why,
          expected,
          as: "delivery.logs.amazonaws.com",
          action: "kms:GenerateDataKey",
          resource: stagingKey.state.arn,
          resourceAccount: m,
          facts: deliveryFacts(writer, orgId, { sourceArn: `arn:${p}:logs:${here}:${writer}:*` }),
          resourcePolicy: stagingKeyPolicy,
        });
      }
      await cell({
        who,
        scenario: "decrypts a staging object through S3 to replicate it",
        why: "replication reads the SSE-KMS source with the staging key, only through S3, only for the staging bucket",
        expected: "Allowed",
        as: "iam-via-s3-replication",
        principal: roleOf(m),
        action: "kms:Decrypt",
        resource: stagingKey.state.arn,
        resourceAccount: m,
        // The source key is in the member's Region: S3 there calls KMS for it.
        facts: roleFacts(m, org ?? OUTSIDE_ORG, {
          viaService: viaService("s3", here),
          s3Context: arn.bucket(p, staging),
        }),
        resourcePolicy: stagingKeyPolicy,
        identity: [identityOf(s)],
      });
      // Another role of the same member account: the archive admits replicas from the replication role only.
      const otherRole = arn.role(p, m, "some-admin-role");
      await cell({
        who: `The role ${otherRole} of member ${m}, with s3:ReplicateObject on * in its own policy`,
        scenario: "replicates into its own account's prefix",
        why: "the archive admits replicas only from the roles named central-logging-waf-replication-<region> (aws:PrincipalArn)",
        expected: "Denied",
        as: "iam",
        principal: otherRole,
        action: "s3:ReplicateObject",
        resource: objectIn("waf", `AWSLogs/${m}/WAFLogs/${region}/web-app/x.log.gz`),
        resourceAccount: acct,
        facts: { ...roleFacts(m, org ?? OUTSIDE_ORG), principalArn: otherRole },
        resourcePolicy: bucketPolicy("waf"),
        identity: [allowAll("s3:ReplicateObject")],
      });
      await cell({
        who: `The role ${otherRole} of member ${m}, with kms:* on * in its own policy`,
        scenario: "encrypts with the CMK through S3 into the WAF bucket",
        why: "the key admits replica encryption only for the roles named central-logging-waf-replication-<region>",
        expected: "Denied",
        as: "iam-via-s3-replication",
        principal: otherRole,
        action: "kms:GenerateDataKey",
        resource: keyArn,
        resourceAccount: acct,
        facts: { ...roleFacts(m, org ?? OUTSIDE_ORG, viaS3), principalArn: otherRole },
        resourcePolicy: keyPolicy,
        identity: [allowAll("kms:*")],
      });
      await cell({
        who: `${who}, with s3:* on * in its own policy`,
        scenario: "lists the archive's WAF bucket",
        why: "AWS's destination-bucket policy for cross-account replication grants listing; a widened role sees key names (accounts, web ACL names, times), never contents (docs/policies.md)",
        expected: "Allowed",
        as: "iam",
        principal: roleOf(m),
        action: "s3:ListBucket",
        resource: waf,
        resourceAccount: acct,
        facts: roleFacts(m, org ?? OUTSIDE_ORG),
        resourcePolicy: bucketPolicy("waf"),
        identity: [allowAll("s3:*")],
      });
      await cell({
        who: `${who}, with s3:* on * in its own policy`,
        scenario: "reads a WAF log object from the archive",
        why: "the archive grants replication roles replica writes only, never reads",
        expected: "Denied",
        as: "iam",
        principal: roleOf(m),
        action: "s3:GetObject",
        resource: objectIn("waf", `AWSLogs/${m}/WAFLogs/${region}/web-app/x.log.gz`),
        resourceAccount: acct,
        facts: roleFacts(m, org ?? OUTSIDE_ORG),
        resourcePolicy: bucketPolicy("waf"),
        identity: [allowAll("s3:*")],
      });
      // The trust policy: S3 may assume the role. With replication-trust-source, only for this member's
      // staging bucket; without it (AWS's shape), S3 uses the role only for a replication configuration
      // whose author could pass it (iam:PassRole), which only this account's principals can.
      const trust = policyOf(s, "aws:iam/role:Role", "waf-replication-role");
      const sourceCheck = extensions.has("replication-trust-source");
      for (const [bucket, expected, why] of [
        [staging, "Allowed", "the role trusts S3 replication"],
        [
          "attacker-bucket",
          sourceCheck ? "Denied" : "Allowed",
          sourceCheck
            ? "aws:SourceArn is another bucket (replication-trust-source)"
            : "AWS's trust for replication has no condition; another account's bucket cannot use this role because S3 requires its owner to pass the role (iam:PassRole), which only this account can",
        ],
      ] as const)
        await cell({
          who: `S3 replication for bucket ${bucket}`,
          scenario: `assumes the replication role of member ${m}`,
          why,
          expected,
          as: "s3.amazonaws.com",
          action: "sts:AssumeRole",
          resource: roleOf(m),
          resourceAccount: m,
          facts: { secureTransport: "true", sourceArn: arn.bucket(p, bucket), sourceAccount: m },
          resourcePolicy: trust,
        });
    }
    here = region;
    const outsider = roleOf(OUTSIDE_ACCOUNT);
    await cell({
      who: `The role ${outsider} of an account outside the organization`,
      scenario: "replicates a WAF log object",
      why: org ? "aws:PrincipalOrgID is another organization" : "the account is not in memberAccountIds",
      expected: "Denied",
      as: "iam",
      principal: outsider,
      action: "s3:ReplicateObject",
      resource: objectIn("waf", `AWSLogs/${OUTSIDE_ACCOUNT}/WAFLogs/${region}/web-app/x.log.gz`),
      resourceAccount: acct,
      facts: roleFacts(OUTSIDE_ACCOUNT, OUTSIDE_ORG),
      resourcePolicy: bucketPolicy("waf"),
      identity: [allowAll("s3:ReplicateObject")],
    });
    await cell({
      who: `The role ${outsider} of an account outside the organization`,
      scenario: "encrypts with the CMK through S3 into the WAF bucket",
      why: org ? "aws:PrincipalOrgID is another organization" : "aws:PrincipalAccount is not a listed member",
      expected: "Denied",
      as: "iam-via-s3-replication",
      principal: outsider,
      action: "kms:GenerateDataKey",
      resource: keyArn,
      resourceAccount: acct,
      facts: roleFacts(OUTSIDE_ACCOUNT, OUTSIDE_ORG, {
        viaService: viaService("s3", region),
        s3Context: waf,
      }),
      resourcePolicy: keyPolicy,
      identity: [allowAll("kms:GenerateDataKey")],
    });
  }

  // ---------------------------------------------------------------- Anonymous
  const first = members[0]?.account ?? OUTSIDE_ACCOUNT;
  for (const t of ["cloudtrail", "vpcflowlogs", "waf"] as LogType[])
    await cell({
      who: "An anonymous requester",
      scenario: `reads an object of the ${t} bucket`,
      why: "no statement admits an unauthenticated principal",
      expected: "Denied",
      as: "anonymous",
      action: "s3:GetObject",
      resource: objectIn(t, `AWSLogs/${first}/x`),
      resourceAccount: acct,
      facts: { secureTransport: "true" },
      resourcePolicy: bucketPolicy(t),
    });

  // ---------------------------------------------------------------- SIEM reader and queues
  const siem = a.siemRoleArn;
  const siemFacts = (extra: RequestFacts = {}): RequestFacts => ({
    secureTransport: "true",
    principalArn: siem,
    principalAccount: acct,
    ...(org ? { principalOrgId: org } : {}),
    ...extra,
  });
  const siemWho = `The SIEM reader role ${siem}`;
  const logTypes: LogType[] = ["cloudtrail", "vpcflowlogs", "waf"];
  for (const t of logTypes) {
    const object = objectIn(t, `AWSLogs/${first}/x.gz`);
    const bucketCells: [string, Expected, string, string, string][] = [
      [
        `gets an object of the ${t} bucket`,
        "Allowed",
        "s3:GetObject",
        object,
        "reading announced objects is its job",
      ],
      [`puts an object into the ${t} bucket`, "Denied", "s3:PutObject", object, "a reader never writes"],
      [
        `deletes an object of the ${t} bucket`,
        "Denied",
        "s3:DeleteObject",
        object,
        "a reader never deletes evidence",
      ],
      [
        `changes the ${t} bucket policy`,
        "Denied",
        "s3:PutBucketPolicy",
        a.logs[t].bucketArn,
        "a reader never administers",
      ],
    ];
    for (const [scenario, expected, action, resource, why] of bucketCells)
      await cell({
        who: siemWho,
        scenario,
        why,
        expected,
        as: "iam",
        principal: siem,
        action,
        resource,
        resourceAccount: acct,
        facts: siemFacts(),
        resourcePolicy: bucketPolicy(t),
        identity: [siemIdentity],
      });
    const queuePolicy = policyOf(central, "aws:sqs/queuePolicy:QueuePolicy", `${t}-queue-policy`);
    for (const action of ["sqs:ReceiveMessage", "sqs:DeleteMessage"])
      await cell({
        who: siemWho,
        scenario: `${action === "sqs:ReceiveMessage" ? "receives from" : "deletes a message of"} the ${t} queue`,
        why: "consuming its queue is its job",
        expected: "Allowed",
        as: "iam",
        principal: siem,
        action,
        resource: a.logs[t].queueArn,
        resourceAccount: acct,
        facts: siemFacts(),
        resourcePolicy: queuePolicy,
        identity: [siemIdentity],
      });
    const other = logTypes.find((x) => x !== t)!;
    const senders: [string, Expected, string, string, string][] = [
      [`its own ${t} bucket`, "Allowed", a.logs[t].bucketArn, acct, "each queue hears only its own bucket"],
      [`the ${other} bucket`, "Denied", a.logs[other].bucketArn, acct, "aws:SourceArn is another bucket"],
      [
        "a bucket of another account",
        "Denied",
        `arn:${p}:s3:::attacker-bucket`,
        OUTSIDE_ACCOUNT,
        "aws:SourceArn and aws:SourceAccount are foreign",
      ],
    ];
    for (const [source, expected, sourceArn, sourceAccount, why] of senders)
      await cell({
        who: `S3 for ${source}`,
        scenario: `sends an event notification to the ${t} queue`,
        why,
        expected,
        as: "s3.amazonaws.com",
        action: "sqs:SendMessage",
        resource: a.logs[t].queueArn,
        resourceAccount: acct,
        facts: { secureTransport: "true", sourceArn, sourceAccount },
        resourcePolicy: queuePolicy,
      });
  }
  await cell({
    who: "S3 notifying one of the archive's queues",
    scenario: "encrypts the notification with the CMK",
    why: "S3 needs the key for SSE-KMS queues",
    expected: "Allowed",
    as: "s3.amazonaws.com",
    action: "kms:GenerateDataKey",
    resource: keyArn,
    resourceAccount: acct,
    facts: { secureTransport: "true", sourceAccount: acct },
    resourcePolicy: keyPolicy,
  });
  const kmsSourceAccount = extensions.has("kms-source-account");
  await cell({
    who: `S3 acting for account ${OUTSIDE_ACCOUNT}`,
    scenario: "encrypts a notification with the CMK",
    why: kmsSourceAccount
      ? "aws:SourceAccount is not the archive account (kms-source-account extension)"
      : "AWS's statement for S3 has no condition, so the key policy alone admits any S3 request; the data key stays inside S3 and SQS",
    expected: kmsSourceAccount ? "Denied" : "Allowed",
    as: "s3.amazonaws.com",
    action: "kms:GenerateDataKey",
    resource: keyArn,
    resourceAccount: acct,
    facts: { secureTransport: "true", sourceAccount: OUTSIDE_ACCOUNT },
    resourcePolicy: keyPolicy,
  });
  for (const [service, as] of [
    ["s3", "iam-via-s3"],
    ["sqs", "iam-via-sqs"],
  ] as const)
    await cell({
      who: siemWho,
      scenario: `decrypts through ${service.toUpperCase()}`,
      why: "reading SSE-KMS objects and messages needs the key, only through those services",
      expected: "Allowed",
      as,
      principal: siem,
      action: "kms:Decrypt",
      resource: keyArn,
      resourceAccount: acct,
      facts: siemFacts({
        viaService: viaService(service, region),
        s3Context: objectIn("cloudtrail", `AWSLogs/${first}/x.gz`),
      }),
      resourcePolicy: keyPolicy,
      identity: [siemIdentity],
    });
  await cell({
    who: siemWho,
    scenario: "decrypts directly, outside S3 and SQS",
    why: "kms:ViaService is absent: the key cannot be used outside S3 and SQS",
    expected: "Denied",
    as: "iam",
    principal: siem,
    action: "kms:Decrypt",
    resource: keyArn,
    resourceAccount: acct,
    facts: siemFacts(),
    resourcePolicy: keyPolicy,
    identity: [siemIdentity],
  });
  await cell({
    who: siemWho,
    scenario: "decrypts through EC2",
    why: "kms:ViaService must be S3 or SQS",
    expected: "Denied",
    as: "iam-via-other",
    principal: siem,
    action: "kms:Decrypt",
    resource: keyArn,
    resourceAccount: acct,
    facts: siemFacts({ viaService: viaService("ec2", region) }),
    resourcePolicy: keyPolicy,
    identity: [siemIdentity],
  });
  const adminIdentity: Identity = {
    name: "admin",
    policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "kms:*", Resource: "*" }] },
  };
  for (const m of members) {
    const stack = stacks.find((s) => s.name === m.stack);
    const principals = [
      arn.root(p, m.account),
      ...(stack?.resources.some((r) => r.name === "waf-replication-role")
        ? [arn.role(p, m.account, wafReplicationRoleName(stack!.config.region))]
        : []),
    ];
    for (const principal of principals)
      await cell({
        who: `${principal} (member ${m.account}, with kms:* in its own policy)`,
        scenario: "decrypts with the CMK through S3",
        why: "no member principal holds kms:Decrypt on the archive key",
        expected: "Denied",
        as: "iam-via-s3",
        principal,
        action: "kms:Decrypt",
        resource: keyArn,
        resourceAccount: acct,
        facts: {
          secureTransport: "true",
          principalArn: principal,
          principalAccount: m.account,
          principalOrgId: org ?? OUTSIDE_ORG,
          viaService: viaService("s3", region),
          s3Context: objectIn("cloudtrail", `AWSLogs/${m.account}/x.gz`),
        },
        resourcePolicy: keyPolicy,
        identity: [adminIdentity],
      });
  }

  // ---------------------------------------------------------------- Verifier (npm run verify)
  if (a.verifierRoleArn) {
    const verifier = a.verifierRoleArn;
    const verifierIdentity = {
      name: "verify",
      policy: policyOf(central, "aws:iam/rolePolicy:RolePolicy", "verifier-permissions"),
    };
    const who = `The verifier role ${verifier}`;
    const facts = (extra: RequestFacts = {}): RequestFacts => ({
      secureTransport: "true",
      principalArn: verifier,
      principalAccount: acct,
      ...(org ? { principalOrgId: org } : {}),
      ...extra,
    });
    const object = objectIn("cloudtrail", `AWSLogs/${first}/x.gz`);
    const checks: [string, Expected, string, string, string, string, PolicyDocument | undefined][] = [
      [
        "lists a log bucket by date prefix",
        "Allowed",
        "iam",
        "s3:ListBucket",
        a.logs.cloudtrail.bucketArn,
        "finding the newest object per prefix is its job",
        bucketPolicy("cloudtrail"),
      ],
      [
        "reads a log bucket's versioning",
        "Allowed",
        "iam",
        "s3:GetBucketVersioning",
        a.logs.cloudtrail.bucketArn,
        "it reads the archive's guards back",
        bucketPolicy("cloudtrail"),
      ],
      [
        "gets a log object",
        "Denied",
        "iam",
        "s3:GetObject",
        object,
        "it proves delivery from key names and times, never from contents",
        bucketPolicy("cloudtrail"),
      ],
      [
        "suspends a log bucket's versioning",
        "Denied",
        "iam",
        "s3:PutBucketVersioning",
        a.logs.cloudtrail.bucketArn,
        "a verifier never changes what it checks",
        bucketPolicy("cloudtrail"),
      ],
      [
        "reads the key's rotation status",
        "Allowed",
        "iam",
        "kms:GetKeyRotationStatus",
        keyArn,
        "key rotation is one of the guards it reads back",
        keyPolicy,
      ],
      [
        "decrypts through S3",
        "Denied",
        "iam-via-s3",
        "kms:Decrypt",
        keyArn,
        "it never reads log contents, so it never needs the key",
        keyPolicy,
      ],
      [
        "reads a queue's depth",
        "Allowed",
        "iam",
        "sqs:GetQueueAttributes",
        a.logs.cloudtrail.queueArn,
        "queue depth and the dead-letter queue are the hand-off's health",
        policyOf(central, "aws:sqs/queuePolicy:QueuePolicy", "cloudtrail-queue-policy"),
      ],
      [
        "receives from a queue",
        "Denied",
        "iam",
        "sqs:ReceiveMessage",
        a.logs.cloudtrail.queueArn,
        "a receive counts toward maxReceiveCount and can push the SIEM's message to the dead-letter queue",
        policyOf(central, "aws:sqs/queuePolicy:QueuePolicy", "cloudtrail-queue-policy"),
      ],
    ];
    for (const [scenario, expected, as, action, resource, why, resourcePolicy] of checks)
      await cell({
        who,
        scenario,
        why,
        expected,
        as,
        principal: verifier,
        action,
        resource,
        resourceAccount: acct,
        facts: facts(as === "iam-via-s3" ? { viaService: viaService("s3", region), s3Context: object } : {}),
        resourcePolicy,
        identity: [verifierIdentity],
      });
  }

  // ---------------------------------------------------------------- Server access logs
  const accessLogs = central.resources.find((r) => r.name === "access-logs-policy");
  if (accessLogs) {
    const target = JSON.parse(accessLogs.inputs.policy) as PolicyDocument;
    const targetBucket = central.resources.find((r) => r.name === "access-logs")!.inputs.bucket as string;
    for (const [source, expected, why] of [
      [a.logs.cloudtrail.bucketName, "Allowed", "server access logs of the archive's log buckets land here"],
      ["attacker-bucket", "Denied", "aws:SourceArn is not one of the log buckets"],
    ] as const)
      await cell({
        who: `S3 server access logging for bucket ${source}`,
        scenario: "writes an access log",
        why,
        expected,
        as: "logging.s3.amazonaws.com",
        action: "s3:PutObject",
        resource: arn.objects(p, targetBucket, `${a.logs.cloudtrail.bucketName}/2026-11-26-00-00-00-X`),
        resourceAccount: acct,
        facts: { secureTransport: "true", sourceArn: arn.bucket(p, source), sourceAccount: acct },
        resourcePolicy: target,
      });
  }
  await tamperingCells({
    cell,
    stacks,
    archive: a,
    members,
    organization,
    bucketPolicy,
    keyPolicy,
    objectIn,
  });
  return cells;
}

export const cellAsIntended = (c: AccessCell) => !c.error && intended(c, c.actual);
