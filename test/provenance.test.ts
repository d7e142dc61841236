import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { EXTENSIONS } from "../shared/extensions";
import { PolicyDocument } from "../shared/iam";
import { provenanceProblems } from "../tools/access/provenance";
import { SimStack, Simulator } from "../tools/simulation/simulate";
import { CENTRAL, centralSettings, listSettings, MGMT, memberSettings, raw, WEB } from "./helpers";

const WEB_ACL = `arn:aws:wafv2:eu-west-1:${WEB}:regional/webacl/web-app/a1b2c3d4-5678-90ab-cdef-111111111111`;
const DOCS = fs.readFileSync(path.join(__dirname, "..", "docs", "policies.md"), "utf8");

/** Every policy document a stack emits, with the resource it belongs to. */
function documents(stack: SimStack): { where: string; doc: PolicyDocument }[] {
  const out: { where: string; doc: PolicyDocument }[] = [];
  for (const r of stack.resources)
    for (const field of ["policy", "assumeRolePolicy", "content"])
      if (typeof r.inputs[field] === "string" && r.inputs[field].includes('"Statement"'))
        out.push({ where: `${stack.name} ${r.name}.${field}`, doc: JSON.parse(r.inputs[field]) });
  return out;
}

async function organization(central: Record<string, unknown>) {
  const sim = new Simulator();
  await sim.runStack("central", raw(CENTRAL, central));
  await sim.runStack(
    "mgmt",
    raw(
      MGMT,
      memberSettings({
        cloudTrail: central.organizationId
          ? { mode: "organization", name: "organization-trail" }
          : { mode: "account" },
        flowLogs: { vpcIds: "all" },
        // The management account deploys the organization guardrails: their SCPs and RCP are checked too.
        ...(central.organizationId
          ? { guardrails: { memberTargets: ["r-a1b2"], resourceControlPolicy: true } }
          : {}),
      }),
    ),
  );
  await sim.runStack(
    "web",
    raw(
      WEB,
      memberSettings({
        flowLogs: { vpcIds: "all" },
        waf: { webAclArns: [WEB_ACL] },
        alarms: { notifications: [{ protocol: "email", endpoint: "soc@example.com" }] },
      }),
    ),
  );
  return sim.simulated;
}

const DEFAULT_CONFIGS: [string, Record<string, unknown>][] = [
  ["organization mode", centralSettings()],
  [
    "organization mode, alarm topic",
    centralSettings({ alarms: { notifications: [{ protocol: "email", endpoint: "soc@example.com" }] } }),
  ],
  [
    "organization mode, account trails by ARN",
    centralSettings({
      cloudTrail: {
        admitAccountTrailsBy: "trail",
        organizationTrail: { managementAccountId: MGMT, name: "organization-trail" },
        accountTrails: [{ accountId: MGMT }, { accountId: WEB }],
      },
    }),
  ],
  [
    "organization mode, account trails of other accounts than the flow logs",
    centralSettings({
      cloudTrail: {
        organizationTrail: { managementAccountId: MGMT, name: "organization-trail" },
        accountTrails: [{ accountId: WEB }],
      },
    }),
  ],
  ["account-list mode", listSettings()],
  [
    "account-list mode, account trails by ARN",
    listSettings({ cloudTrail: { admitAccountTrailsBy: "trail" } }),
  ],
];

describe("provenance: every statement rests on what AWS documents", () => {
  for (const [name, settings] of DEFAULT_CONFIGS) {
    it(`${name}: every condition key is one its principal is documented to send, and no policy variable`, async () => {
      const stacks = await organization(settings);
      const problems = stacks.flatMap((s) =>
        documents(s).flatMap(({ where, doc }) =>
          provenanceProblems(doc, new Set()).map((p) => `${where} ${p.sid}: ${p.problem}`),
        ),
      );
      expect(problems).to.deep.equal([]);
    });
  }

  it("catches a Deny that would drop a service's delivery: its condition rests on a key the service does not send", () => {
    const deny = (
      Sid: string,
      Action: string | string[],
      Condition?: PolicyDocument["Statement"][0]["Condition"],
      Principal: PolicyDocument["Statement"][0]["Principal"] = "*",
    ) => ({
      Sid,
      Effect: "Deny" as const,
      Principal,
      Action,
      Resource: "*",
      ...(Condition ? { Condition } : {}),
    });
    const doc: PolicyDocument = {
      Version: "2012-10-17",
      Statement: [
        // Services send no aws:PrincipalArn: an exemption by role ARN denies every log delivery.
        deny("KeepWritersOut", "s3:PutObject", {
          ArnNotLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/deploy" },
        }),
        // CloudTrail digest files are SSE-S3: no such header.
        deny("RequireKmsHeader", "s3:PutObject", {
          StringNotEqualsIfExists: { "s3:x-amz-server-side-encryption": "aws:kms" },
        }),
        deny("QueueOnlyForRoles", "sqs:SendMessage", {
          ArnNotLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/*" },
        }),
        // An RCP without AWS's service exclusion.
        deny("OrgOnly", ["s3:*", "kms:*"], {
          StringNotEqualsIfExists: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" },
        }),
        // Fine: services send aws:SecureTransport, and the exclusion by aws:PrincipalIsAWSService.
        deny("Tls", "s3:*", { Bool: { "aws:SecureTransport": "false" } }),
        deny("OrgOnlyExceptServices", ["s3:*", "kms:*"], {
          StringNotEqualsIfExists: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" },
          Bool: { "aws:PrincipalIsAWSService": "false" },
        }),
        // Fine: no service makes these calls, and an SCP (no Principal) never applies to a service.
        deny("KeepPolicy", "s3:PutBucketPolicy", {
          ArnNotLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/deploy" },
        }),
        { Sid: "ScpNoWrites", Effect: "Deny", Action: "s3:PutObject", Resource: "*" },
      ],
    };
    const problems = provenanceProblems(doc, new Set());
    const bySid = (sid: string) => problems.filter((p) => p.sid === sid).map((p) => p.problem);
    expect(bySid("KeepWritersOut")).to.deep.equal([
      "denies cloudtrail.amazonaws.com s3:PutObject: it does not send aws:PrincipalArn, so the condition holds for every such delivery",
      "denies delivery.logs.amazonaws.com s3:PutObject: it does not send aws:PrincipalArn, so the condition holds for every such delivery",
      "denies logging.s3.amazonaws.com s3:PutObject: it does not send aws:PrincipalArn, so the condition holds for every such delivery",
    ]);
    expect(bySid("RequireKmsHeader")).to.have.length(3);
    expect(bySid("QueueOnlyForRoles")).to.deep.equal([
      "denies s3.amazonaws.com sqs:SendMessage: it does not send aws:PrincipalArn, so the condition holds for every such delivery",
    ]);
    expect(bySid("OrgOnly").join("\n")).to.contain("denies cloudtrail.amazonaws.com s3:GetBucketAcl");
    for (const sid of ["Tls", "OrgOnlyExceptServices", "KeepPolicy", "ScpNoWrites"])
      expect(bySid(sid), sid).to.deep.equal([]);
  });

  it("catches a CloudTrail statement that depends on aws:SourceOrgID, and a default statement that uses an extension", () => {
    const doc: PolicyDocument = {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "CloudTrailWrite",
          Effect: "Allow",
          Principal: { Service: "cloudtrail.amazonaws.com" },
          Action: "s3:PutObject",
          Resource: "arn:aws:s3:::b/AWSLogs/*",
          Condition: { StringEquals: { "aws:SourceOrgID": "o-a1b2c3d4e5" } },
        },
        {
          Sid: "LogDelivery",
          Effect: "Allow",
          Principal: { Service: "delivery.logs.amazonaws.com" },
          Action: "s3:PutObject",
          Resource: "arn:aws:s3:::b/AWSLogs/${aws:SourceAccount}/*",
          Condition: { StringEquals: { "aws:SourceAccount": "222222222222" } },
        },
        {
          // A policy variable AWS documents for IAM principals: fine by default.
          Sid: "Replication",
          Effect: "Allow",
          Principal: { AWS: "*" },
          Action: "s3:ReplicateObject",
          Resource: "arn:aws:s3:::b/AWSLogs/${aws:PrincipalAccount}/*",
          Condition: { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } },
        },
        {
          Sid: "ReplicationTrust",
          Effect: "Allow",
          Principal: { Service: "s3.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:SourceAccount": "222222222222" } },
        },
        {
          Sid: "S3Kms",
          Effect: "Allow",
          Principal: { Service: "s3.amazonaws.com" },
          Action: ["kms:GenerateDataKey", "kms:Decrypt"],
          Resource: "*",
          Condition: { StringEquals: { "aws:SourceAccount": "111111111111" } },
        },
      ],
    };
    expect(provenanceProblems(doc, new Set()).map((p) => `${p.sid}: ${p.problem}`)).to.deep.equal([
      "CloudTrailWrite: relies on aws:SourceOrgID, which cloudtrail.amazonaws.com is not documented to send for s3:PutObject",
      "LogDelivery: uses the policy variable ${aws:SourceAccount}, which only the own-account-prefix extension may",
      "ReplicationTrust: relies on aws:SourceAccount, which s3.amazonaws.com is not documented to send for sts:AssumeRole",
      "S3Kms: relies on aws:SourceAccount, which s3.amazonaws.com is not documented to send for kms:GenerateDataKey, kms:Decrypt",
    ]);
    // With the extensions that assume them, the same statements pass; CloudTrail's never does.
    expect(
      provenanceProblems(
        doc,
        new Set(["own-account-prefix", "kms-source-account", "replication-trust-source"]),
      ).map((p) => p.sid),
    ).to.deep.equal(["CloudTrailWrite"]);
  });

  it("with every extension on, each one changes the policies and relies only on what it declares", async () => {
    const base = await organization(centralSettings());
    const all = await organization(centralSettings({ policyExtensions: "all" }));
    const problems = all.flatMap((s) =>
      documents(s).flatMap(({ where, doc }) =>
        provenanceProblems(doc, new Set(EXTENSIONS)).map((p) => `${where} ${p.sid}: ${p.problem}`),
      ),
    );
    expect(problems).to.deep.equal([]);
    const text = (stacks: SimStack[]) =>
      stacks.flatMap((s) => documents(s).map((d) => JSON.stringify(d.doc))).join("\n");
    const before = text(base);
    const after = text(all);
    expect(before).not.to.contain("${aws:SourceAccount}");
    // The replication roles' own prefix is the default, not an extension.
    expect(before).to.contain("AWSLogs/${aws:PrincipalAccount}/*");
    expect(after).to.contain("AWSLogs/${aws:SourceAccount}/*");
    expect(after).to.contain('"aws:SourceOrgID":"o-a1b2c3d4e5"');
    expect(after).to.match(
      /"Sid":"S3NotificationsToEncryptedQueues"[^}]*\}[^}]*"Condition":\{"StringEquals":\{"aws:SourceAccount":"111111111111"\}/,
    );
    const accessLogs = all
      .find((s) => s.role === "central")!
      .resources.find((r) => r.name === "access-logs-policy")!;
    expect(JSON.parse(accessLogs.inputs.policy).Statement.map((x: { Sid: string }) => x.Sid)).to.include(
      "DenyInsecureTransport",
    );
  });

  it("lists every statement the stacks can emit in docs/policies.md, with an AWS source", async () => {
    const sids = new Set<string>();
    for (const settings of [
      ...DEFAULT_CONFIGS.map(([, s]) => s),
      centralSettings({
        policyExtensions: "all",
        alarms: { notifications: [{ protocol: "email", endpoint: "a@b.c" }] },
      }),
      listSettings({ policyExtensions: "all" }),
      listSettings({ policyExtensions: "all", cloudTrail: { admitAccountTrailsBy: "trail" } }),
    ])
      for (const s of await organization(settings))
        for (const { doc } of documents(s))
          for (const st of doc.Statement)
            if (st.Sid) sids.add(st.Sid.replace(/^CloudTrailWrite\d+$/, "CloudTrailWrite<n>"));
    const missing = [...sids].filter(
      (sid) => !new RegExp("\\| `" + sid.replace(/[<>]/g, "\\$&") + "`[^\\n]*\\(https://").test(DOCS),
    );
    expect(missing, "statements without a row and source link in docs/policies.md").to.deep.equal([]);
  });
});
