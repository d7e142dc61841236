/**
 * The access matrix: who can and cannot do what against the simulated archive, each cell with its
 * intended decision and the evaluator's actual one. The requests carry the context keys the AWS
 * services really send (aws:SourceAccount, aws:SourceOrgID, aws:SourceArn, s3:x-amz-acl when the
 * service sends it, aws:SecureTransport, kms:ViaService, the KMS encryption context).
 */
import { ARCHIVE_OUTPUT, CentralArchiveOutputs } from "../../shared/contract";
import { PolicyDocument } from "../../shared/iam";
import { LogType, WAF_REPLICATION_ROLE_NAME } from "../../shared/naming";
import { AccessRequest, evaluateAccess, Decision } from "./evaluator";
import { SimStack } from "../simulation/simulate";

export interface AccessCell {
  principal: string;
  action: string;
  resource: string;
  /** Why the cell exists, in a few words. */
  scenario: string;
  expected: "Allowed" | "Denied";
  actual: Decision;
  contextCheckedLocally: boolean;
  /** The statements that decided, when the cell is not as intended. */
  deciding?: string;
}

const OUTSIDE_ACCOUNT = "999999999998";
const OUTSIDE_ORG = "o-outside0000";

function policyOf(stack: SimStack, type: string, name: string): PolicyDocument {
  const r = stack.resources.find((x) => x.type === type && x.name === name);
  if (!r) throw new Error(`${stack.name}: no ${type} ${name}`);
  return JSON.parse(r.inputs.policy) as PolicyDocument;
}

export function membersOf(stacks: SimStack[]): { account: string; stack: string }[] {
  return stacks
    .filter((s) => s.role === "member")
    .map((s) => ({ account: s.config.accountId, stack: s.name }));
}

export async function accessMatrix(
  stacks: SimStack[],
  options: { sampleMembers?: number } = {},
): Promise<AccessCell[]> {
  const central = stacks.find((s) => s.role === "central");
  if (!central) return [];
  const a = central.outputs[ARCHIVE_OUTPUT] as CentralArchiveOutputs;
  const acct = a.accountId;
  const org = a.organizationId ?? OUTSIDE_ORG;
  let members = membersOf(stacks);
  if (options.sampleMembers !== undefined) members = members.slice(0, options.sampleMembers);
  const listed = a.memberAccountIds ?? [];
  const inArchive = (account: string) => (a.mode === "organization" ? true : listed.includes(account));
  const bucketPolicy = (t: LogType) =>
    policyOf(central, "aws:s3/bucketPolicy:BucketPolicy", `${t}-logs-policy`);
  const keyPolicy = policyOf(central, "aws:kms/key:Key", "logs-key");
  const siemIdentity = {
    name: "siem-read",
    policy: policyOf(central, "aws:iam/rolePolicy:RolePolicy", "siem-reader-permissions"),
  };
  const p = a.partition;
  const keyArn = a.keyArn;
  const cells: AccessCell[] = [];

  async function cell(
    scenario: string,
    expected: "Allowed" | "Denied",
    req: AccessRequest,
    resourcePolicy?: PolicyDocument,
    identity: { name: string; policy: PolicyDocument }[] = [],
  ) {
    const r = await evaluateAccess(req, { resourcePolicy, identityPolicies: identity });
    const ok = expected === "Allowed" ? r.decision === "Allowed" : r.decision !== "Allowed";
    cells.push({
      principal: req.principal,
      action: req.action,
      resource: req.resource,
      scenario,
      expected,
      actual: r.decision,
      contextCheckedLocally: r.contextCheckedLocally,
      ...(ok
        ? {}
        : {
            deciding: JSON.stringify({
              resourcePolicy: resourcePolicy?.Statement.map((s) => s.Sid),
              error: r.error,
            }),
          }),
    });
  }

  const serviceContext = (account: string, orgId: string, service: "cloudtrail" | "logs") => ({
    "aws:SecureTransport": "true",
    "aws:SourceAccount": account,
    "aws:SourceOrgID": orgId,
    "aws:SourceArn":
      service === "cloudtrail"
        ? `arn:${p}:cloudtrail:${a.region}:${account}:trail/central-logging`
        : `arn:${p}:logs:${a.region}:${account}:*`,
  });
  const objectIn = (t: LogType, key: string) => `${a.logs[t].bucketArn}/${key}`;

  // Cross-account requests need the caller's identity policy too: a member's real replication-role
  // policy where its stack has one, otherwise an allow-all policy, so the central policies are the gate.
  const allowAll = (action: string) => ({
    name: "worst-case-identity",
    policy: {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: action, Resource: "*" }],
    } as PolicyDocument,
  });
  const replicationIdentity = (account: string) => {
    const stack = stacks.find((s) => s.role === "member" && s.config.accountId === account);
    const r = stack?.resources.find(
      (x) => x.type === "aws:iam/rolePolicy:RolePolicy" && x.name === "waf-replication-permissions",
    );
    return r
      ? { name: "waf-replication", policy: JSON.parse(r.inputs.policy) as PolicyDocument }
      : allowAll("s3:ReplicateObject");
  };
  const writers = [
    ...members.map((m) => ({ account: m.account, orgId: org, member: true })),
    { account: OUTSIDE_ACCOUNT, orgId: OUTSIDE_ORG, member: false },
  ];
  for (const w of writers) {
    const allowed = w.member && inArchive(w.account) ? "Allowed" : "Denied";
    const who = w.member ? `member ${w.account}` : "an account outside the organization";
    await cell(
      `CloudTrail of ${who} writes its log`,
      allowed,
      {
        principal: "cloudtrail.amazonaws.com",
        action: "s3:PutObject",
        resource: objectIn("cloudtrail", `AWSLogs/${w.account}/CloudTrail/${a.region}/2026/11/26/x.json.gz`),
        resourceAccount: acct,
        context: {
          ...serviceContext(w.account, w.orgId, "cloudtrail"),
          "s3:x-amz-acl": "bucket-owner-full-control",
        },
      },
      bucketPolicy("cloudtrail"),
    );
    await cell(
      `CloudTrail of ${who} checks the bucket ACL`,
      allowed,
      {
        principal: "cloudtrail.amazonaws.com",
        action: "s3:GetBucketAcl",
        resource: a.logs.cloudtrail.bucketArn,
        resourceAccount: acct,
        context: serviceContext(w.account, w.orgId, "cloudtrail"),
      },
      bucketPolicy("cloudtrail"),
    );
    await cell(
      `CloudTrail of ${who} encrypts with the CMK`,
      allowed,
      {
        principal: "cloudtrail.amazonaws.com",
        action: "kms:GenerateDataKey",
        resource: keyArn,
        resourceAccount: acct,
        context: {
          ...serviceContext(w.account, w.orgId, "cloudtrail"),
          "kms:EncryptionContext:aws:cloudtrail:arn": `arn:${p}:cloudtrail:${a.region}:${w.account}:trail/central-logging`,
        },
      },
      keyPolicy,
    );
    await cell(
      `Flow logs of ${who} write without an ACL header`,
      allowed,
      {
        principal: "delivery.logs.amazonaws.com",
        action: "s3:PutObject",
        resource: objectIn("vpcflowlogs", `AWSLogs/${w.account}/vpcflowlogs/${a.region}/2026/11/26/x.log.gz`),
        resourceAccount: acct,
        context: serviceContext(w.account, w.orgId, "logs"),
      },
      bucketPolicy("vpcflowlogs"),
    );
    await cell(
      `Log delivery for ${who} encrypts with the CMK`,
      allowed,
      {
        principal: "delivery.logs.amazonaws.com",
        action: "kms:GenerateDataKey",
        resource: keyArn,
        resourceAccount: acct,
        context: serviceContext(w.account, w.orgId, "logs"),
      },
      keyPolicy,
    );
    if (a.wafDelivery !== "direct") {
      await cell(
        `WAF replication role of ${who} writes replicas`,
        allowed,
        {
          principal: `arn:${p}:iam::${w.account}:role/${WAF_REPLICATION_ROLE_NAME}`,
          action: "s3:ReplicateObject",
          resource: objectIn("waf", `AWSLogs/${w.account}/WAFLogs/${a.region}/web-app/x.log.gz`),
          resourceAccount: acct,
          context: {
            "aws:SecureTransport": "true",
            "aws:PrincipalAccount": w.account,
            "aws:PrincipalOrgID": w.orgId,
            "aws:PrincipalArn": `arn:${p}:iam::${w.account}:role/${WAF_REPLICATION_ROLE_NAME}`,
          },
        },
        bucketPolicy("waf"),
        [replicationIdentity(w.account)],
      );
    }
  }

  if (a.mode === "account-list" && members.length >= 2) {
    const [m1, m2] = members;
    await cell(
      `CloudTrail of member ${m1.account} writes under member ${m2.account}'s prefix`,
      "Denied",
      {
        principal: "cloudtrail.amazonaws.com",
        action: "s3:PutObject",
        resource: objectIn("cloudtrail", `AWSLogs/${m2.account}/CloudTrail/${a.region}/x.json.gz`),
        resourceAccount: acct,
        context: {
          ...serviceContext(m1.account, org, "cloudtrail"),
          "s3:x-amz-acl": "bucket-owner-full-control",
        },
      },
      bucketPolicy("cloudtrail"),
    );
    await cell(
      `Flow logs of member ${m1.account} write under member ${m2.account}'s prefix`,
      "Denied",
      {
        principal: "delivery.logs.amazonaws.com",
        action: "s3:PutObject",
        resource: objectIn("vpcflowlogs", `AWSLogs/${m2.account}/vpcflowlogs/x.log.gz`),
        resourceAccount: acct,
        context: serviceContext(m1.account, org, "logs"),
      },
      bucketPolicy("vpcflowlogs"),
    );
    if (a.wafDelivery !== "direct")
      await cell(
        `WAF replication role of member ${m1.account} writes under member ${m2.account}'s prefix`,
        "Denied",
        {
          principal: `arn:${p}:iam::${m1.account}:role/${WAF_REPLICATION_ROLE_NAME}`,
          action: "s3:ReplicateObject",
          resource: objectIn("waf", `AWSLogs/${m2.account}/WAFLogs/x.log.gz`),
          resourceAccount: acct,
          context: {
            "aws:SecureTransport": "true",
            "aws:PrincipalAccount": m1.account,
            "aws:PrincipalArn": `arn:${p}:iam::${m1.account}:role/${WAF_REPLICATION_ROLE_NAME}`,
          },
        },
        bucketPolicy("waf"),
        [allowAll("s3:ReplicateObject")],
      );
  }

  const first = members[0]?.account ?? OUTSIDE_ACCOUNT;
  await cell(
    "A request without TLS is denied, even from CloudTrail",
    "Denied",
    {
      principal: "cloudtrail.amazonaws.com",
      action: "s3:PutObject",
      resource: objectIn("cloudtrail", `AWSLogs/${first}/CloudTrail/x.json.gz`),
      resourceAccount: acct,
      context: {
        ...serviceContext(first, org, "cloudtrail"),
        "aws:SecureTransport": "false",
        "s3:x-amz-acl": "bucket-owner-full-control",
      },
    },
    bucketPolicy("cloudtrail"),
  );
  for (const t of ["cloudtrail", "vpcflowlogs", "waf"] as LogType[]) {
    await cell(
      `An anonymous request reads the ${t} bucket`,
      "Denied",
      {
        principal: "anonymous",
        action: "s3:GetObject",
        resource: objectIn(t, `AWSLogs/${first}/x`),
        resourceAccount: acct,
        context: { "aws:SecureTransport": "true" },
      },
      bucketPolicy(t),
    );
  }

  const siem = a.siemRoleArn;
  const siemContext = { "aws:SecureTransport": "true", "aws:PrincipalAccount": acct };
  const logTypes: LogType[] = ["cloudtrail", "vpcflowlogs", "waf"];
  for (const t of logTypes) {
    const bucketCells: [string, "Allowed" | "Denied", string, string][] = [
      [`SIEM role gets a ${t} object`, "Allowed", "s3:GetObject", objectIn(t, `AWSLogs/${first}/x.gz`)],
      [`SIEM role puts a ${t} object`, "Denied", "s3:PutObject", objectIn(t, `AWSLogs/${first}/x.gz`)],
      [`SIEM role deletes a ${t} object`, "Denied", "s3:DeleteObject", objectIn(t, `AWSLogs/${first}/x.gz`)],
      [`SIEM role changes the ${t} bucket policy`, "Denied", "s3:PutBucketPolicy", a.logs[t].bucketArn],
    ];
    for (const [scenario, expected, action, resource] of bucketCells)
      await cell(
        scenario,
        expected,
        { principal: siem, action, resource, resourceAccount: acct, context: siemContext },
        bucketPolicy(t),
        [siemIdentity],
      );

    const queuePolicy = policyOf(central, "aws:sqs/queuePolicy:QueuePolicy", `${t}-queue-policy`);
    for (const action of ["sqs:ReceiveMessage", "sqs:DeleteMessage"])
      await cell(
        `SIEM role ${action.slice(4)} on the ${t} queue`,
        "Allowed",
        {
          principal: siem,
          action,
          resource: a.logs[t].queueArn,
          resourceAccount: acct,
          context: siemContext,
        },
        queuePolicy,
        [siemIdentity],
      );

    const other = logTypes.find((x) => x !== t)!;
    const senders: [string, "Allowed" | "Denied", string, string][] = [
      [`S3 notifies the ${t} queue from its own bucket`, "Allowed", a.logs[t].bucketArn, acct],
      [`S3 notifies the ${t} queue from the ${other} bucket`, "Denied", a.logs[other].bucketArn, acct],
      [
        `S3 notifies the ${t} queue from a bucket of another account`,
        "Denied",
        `arn:${p}:s3:::attacker-bucket`,
        OUTSIDE_ACCOUNT,
      ],
    ];
    for (const [scenario, expected, sourceArn, sourceAccount] of senders)
      await cell(
        scenario,
        expected,
        {
          principal: "s3.amazonaws.com",
          action: "sqs:SendMessage",
          resource: a.logs[t].queueArn,
          resourceAccount: acct,
          context: {
            "aws:SecureTransport": "true",
            "aws:SourceArn": sourceArn,
            "aws:SourceAccount": sourceAccount,
          },
        },
        queuePolicy,
      );
  }
  for (const service of ["s3", "sqs"]) {
    await cell(
      `SIEM role decrypts through ${service.toUpperCase()}`,
      "Allowed",
      {
        principal: siem,
        action: "kms:Decrypt",
        resource: keyArn,
        resourceAccount: acct,
        context: { ...siemContext, "kms:ViaService": `${service}.${a.region}.amazonaws.com` },
      },
      keyPolicy,
      [siemIdentity],
    );
  }
  await cell(
    "SIEM role decrypts directly, outside S3 and SQS",
    "Denied",
    { principal: siem, action: "kms:Decrypt", resource: keyArn, resourceAccount: acct, context: siemContext },
    keyPolicy,
    [siemIdentity],
  );
  await cell(
    "SIEM role decrypts through another service",
    "Denied",
    {
      principal: siem,
      action: "kms:Decrypt",
      resource: keyArn,
      resourceAccount: acct,
      context: { ...siemContext, "kms:ViaService": `ec2.${a.region}.amazonaws.com` },
    },
    keyPolicy,
    [siemIdentity],
  );
  for (const m of members) {
    for (const principal of [
      `arn:${p}:iam::${m.account}:root`,
      `arn:${p}:iam::${m.account}:role/${WAF_REPLICATION_ROLE_NAME}`,
    ]) {
      await cell(
        `A member principal decrypts with the CMK through S3`,
        "Denied",
        {
          principal,
          action: "kms:Decrypt",
          resource: keyArn,
          resourceAccount: acct,
          context: {
            "aws:SecureTransport": "true",
            "aws:PrincipalAccount": m.account,
            "aws:PrincipalOrgID": org,
            "kms:ViaService": `s3.${a.region}.amazonaws.com`,
          },
        },
        keyPolicy,
        [
          {
            name: "admin",
            policy: {
              Version: "2012-10-17",
              Statement: [{ Effect: "Allow", Action: "kms:*", Resource: "*" }],
            },
          },
        ],
      );
    }
  }
  return cells;
}

export const cellAsIntended = (c: AccessCell) =>
  c.expected === "Allowed" ? c.actual === "Allowed" : c.actual !== "Allowed";
