import { expect } from "chai";
import { encryptionContextConditionHolds, resolveEncryptionContext } from "../tools/access/evaluator";
import { AccessCell, accessMatrix, cellAsIntended } from "../tools/access/accessMatrix";
import { evidenceProblems, REQUEST_CONTEXTS, requestContexts } from "../shared/requestContexts";
import { SimStack, Simulator } from "../tools/simulation/simulate";
import {
  CENTRAL,
  centralSettings,
  listSettings,
  MGMT,
  memberSettings,
  ORG,
  ORG_TRAIL,
  raw,
  simulate,
  WEB,
} from "./helpers";

const members = {
  mgmt: { account: MGMT, settings: memberSettings() },
  web: { account: WEB, settings: memberSettings() },
};

describe("access proofs with the IAM evaluator", () => {
  for (const [mode, settings] of [
    ["organization", centralSettings()],
    ["account-list", listSettings()],
  ] as const) {
    it(`every cell is as intended in ${mode} mode, each saying who, what, on what, under which keys and why`, async () => {
      const { sim } = await simulate(settings, members);
      const cells = await accessMatrix(sim.simulated);
      expect(cells.length).to.be.greaterThan(50);
      const wrong = cells.filter((c) => !cellAsIntended(c));
      expect(wrong, JSON.stringify(wrong, null, 1)).to.deep.equal([]);
      for (const c of cells) {
        expect(c.who, JSON.stringify(c)).to.be.a("string").and.not.equal("");
        expect(c.why, JSON.stringify(c)).to.be.a("string").and.not.equal("");
        expect(c.condition, JSON.stringify(c)).to.be.a("string").and.not.equal("");
      }
      const ids = cells.map((c) => `${c.who} | ${c.scenario} | ${c.action} | ${c.resource}`);
      expect(
        ids.filter((id, i) => ids.indexOf(id) !== i),
        "indistinguishable rows",
      ).to.deep.equal([]);
      expect(cells.some((c) => c.expected === "Denied" && c.who.includes("outside"))).to.equal(true);
      // No default cell rests on an extension's assumption.
      expect(cells.filter((c) => c.assumptions.length)).to.deep.equal([]);
    });
  }

  it("proves CloudTrail's own requests: ACL check, organization log, digest and pre-flight writes, key use", async () => {
    const { sim } = await simulate(centralSettings(), members);
    const cells = await accessMatrix(sim.simulated);
    const org = cells.filter((c) => c.who.includes(ORG_TRAIL));
    expect(org.map((c) => [c.scenario, c.action, c.actual])).to.deep.equal([
      ["checks the CloudTrail bucket's ACL", "s3:GetBucketAcl", "Allowed"],
      [`writes a log file of member ${WEB}`, "s3:PutObject", "Allowed"],
      ["writes a digest file", "s3:PutObject", "Allowed"],
      [
        "makes CreateTrail's pre-flight write under the management account's own prefix",
        "s3:PutObject",
        "Allowed",
      ],
      ["encrypts a log file with the CMK", "kms:GenerateDataKey", "Allowed"],
      ["describes the CMK", "kms:DescribeKey", "Allowed"],
      ["decrypts with the CMK, to validate the bucket's S3 Bucket Key", "kms:Decrypt", "Allowed"],
      ["writes a log file without TLS", "s3:PutObject", "ExplicitlyDenied"],
    ]);
    // CloudTrail Lake writes query results as cloudtrail.amazonaws.com, for an event data store: refused.
    const lake = cells.filter((c) => c.who.includes(":eventdatastore/"));
    expect(lake.map((c) => [c.action, c.actual])).to.deep.equal([
      ["s3:PutObject", "ImplicitlyDenied"],
      ["kms:GenerateDataKey", "ImplicitlyDenied"],
    ]);
    const preflight = org.find((c) => c.scenario.includes("pre-flight"))!;
    expect(preflight.resource).to.equal(`arn:aws:s3:::central-logs-cloudtrail-example-org/AWSLogs/${MGMT}/`);
    // What CloudTrail sends, and nothing else: no aws:SourceOrgID even though the cell knows the org.
    expect(org[1].condition).to.equal(
      `aws:SourceArn=${ORG_TRAIL}, aws:SourceAccount=${MGMT}, s3:x-amz-acl=bucket-owner-full-control`,
    );
    const denied = cells.filter((c) => c.principal === "cloudtrail.amazonaws.com" && c.expected === "Denied");
    expect(denied.map((c) => c.who)).to.include.members([
      "CloudTrail for arn:aws:cloudtrail:eu-west-1:999999999997:trail/organization-trail, a trail of another organization",
      "CloudTrail for arn:aws:cloudtrail:eu-west-1:999999999998:trail/central-logging, an account outside the archive",
    ]);
    expect(denied.every((c) => !cellAsIntended(c) === false)).to.equal(true);
    // Account trails are admitted by account by default: another trail of an admitted account delivers too.
    const unlisted = cells.find((c) => c.who.includes(`${MGMT}:trail/unlisted-trail`))!;
    expect([unlisted.expected, unlisted.actual]).to.deep.equal(["Allowed", "Allowed"]);
    expect(unlisted.why).to.contain("admitAccountTrailsBy is account");
  });

  it("admits only the listed trail ARNs with admitAccountTrailsBy: trail", async () => {
    const { sim } = await simulate(
      centralSettings({
        cloudTrail: {
          admitAccountTrailsBy: "trail",
          organizationTrail: { managementAccountId: MGMT, name: "organization-trail" },
          accountTrails: [{ accountId: MGMT }, { accountId: WEB }],
        },
      }),
      members,
    );
    const cells = await accessMatrix(sim.simulated);
    expect(cells.filter((c) => !cellAsIntended(c))).to.deep.equal([]);
    const unlisted = cells.find((c) => c.who.includes(`${MGMT}:trail/unlisted-trail`))!;
    expect([unlisted.expected, unlisted.actual]).to.deep.equal(["Denied", "ImplicitlyDenied"]);
  });

  it("turns CloudTrail's cells red when its statements are keyed by aws:SourceOrgID, which CloudTrail does not send", async () => {
    // Per-trail admission, so that every CloudTrail grant is a statement of CloudTrail's own.
    const { sim } = await simulate(
      centralSettings({
        cloudTrail: {
          admitAccountTrailsBy: "trail",
          organizationTrail: { managementAccountId: MGMT, name: "organization-trail" },
          accountTrails: [{ accountId: MGMT }, { accountId: WEB }],
        },
      }),
      members,
    );
    const central = sim.simulated.find((s) => s.role === "central")!;
    const rekey = (name: string, field = "policy") => {
      const r = central.resources.find((x) => x.name === name)!;
      const doc = JSON.parse(r.inputs[field]);
      for (const st of doc.Statement)
        if (st.Principal?.Service === "cloudtrail.amazonaws.com")
          st.Condition = { StringEquals: { "aws:SourceOrgID": ORG } };
      r.inputs[field] = JSON.stringify(doc);
    };
    rekey("cloudtrail-logs-policy");
    rekey("logs-key");
    const red = (await accessMatrix(sim.simulated)).filter((c) => !cellAsIntended(c));
    expect(red.length).to.be.greaterThan(10);
    expect(red.every((c) => c.principal === "cloudtrail.amazonaws.com" && c.expected === "Allowed")).to.equal(
      true,
    );
    expect(red.map((c) => c.action)).to.include.members([
      "s3:GetBucketAcl",
      "s3:PutObject",
      "kms:GenerateDataKey",
    ]);
  });

  it("tries a key the service may omit both ways: log delivery with and without an ACL header", async () => {
    const { sim } = await simulate(centralSettings(), members);
    const cells = await accessMatrix(sim.simulated);
    const writes = cells.filter(
      (c) => c.principal === "delivery.logs.amazonaws.com" && c.action === "s3:PutObject",
    );
    expect(writes.length).to.be.greaterThan(2);
    expect(writes.every((c) => c.variants === 2)).to.equal(true);
  });

  it("marks the cells that rest on an extension's assumption", async () => {
    const { sim } = await simulate(
      centralSettings({ memberAccountIds: undefined, policyExtensions: ["org-id-for-log-delivery"] }),
      members,
    );
    const cells = await accessMatrix(sim.simulated);
    expect(cells.filter((c) => !cellAsIntended(c))).to.deep.equal([]);
    const delivery = cells.filter((c) => c.principal === "delivery.logs.amazonaws.com");
    expect(delivery.every((c) => c.assumptions.includes("aws:SourceOrgID"))).to.equal(true);
    expect(
      cells.filter((c) => c.principal !== "delivery.logs.amazonaws.com" && c.assumptions.length),
    ).to.deep.equal([]);
  });

  it("agrees with the stacks on kms:ViaService in the China partition", async () => {
    const cn = (account: string, settings: Record<string, unknown>) => ({
      ...raw(account, settings),
      "aws:region": "cn-north-1",
    });
    const sim = new Simulator();
    await sim.runStack(
      "central",
      cn(
        CENTRAL,
        centralSettings({
          cloudTrail: { organizationTrail: { managementAccountId: MGMT, name: "organization-trail" } },
        }),
      ),
    );
    await sim.runStack(
      "mgmt",
      cn(
        MGMT,
        memberSettings({
          cloudTrail: { mode: "organization", name: "organization-trail" },
          flowLogs: { vpcIds: "all" },
        }),
      ),
    );
    const cells = await accessMatrix(sim.simulated);
    const wrong = cells.filter((c) => !cellAsIntended(c));
    expect(wrong, JSON.stringify(wrong, null, 1)).to.deep.equal([]);
    const decrypt = cells.find((c) => c.scenario === "decrypts through S3" && c.who.startsWith("The SIEM"))!;
    expect(decrypt.condition).to.contain("kms:ViaService=s3.cn-north-1.amazonaws.com");
  });

  it("decides kms:EncryptionContext conditions itself, since the evaluator drops them", () => {
    const ctx = {
      "aws:SourceAccount": WEB,
      "kms:EncryptionContext:aws:cloudtrail:arn": `arn:aws:cloudtrail:eu-west-1:${WEB}:trail/t`,
    };
    const pattern = ["arn:aws:cloudtrail:*:${aws:SourceAccount}:trail/*"];
    expect(
      encryptionContextConditionHolds("StringLike", "kms:EncryptionContext:aws:cloudtrail:arn", pattern, ctx),
    ).to.equal(true);
    expect(
      encryptionContextConditionHolds("StringLike", "kms:EncryptionContext:aws:cloudtrail:arn", pattern, {
        ...ctx,
        "aws:SourceAccount": MGMT,
      }),
    ).to.equal(false);
    expect(
      encryptionContextConditionHolds(
        "StringLikeIfExists",
        "kms:EncryptionContext:aws:cloudtrail:arn",
        pattern,
        { "aws:SourceAccount": WEB },
      ),
    ).to.equal(true);
    expect(
      encryptionContextConditionHolds("StringLike", "kms:EncryptionContext:aws:cloudtrail:arn", pattern, {
        "aws:SourceAccount": WEB,
      }),
    ).to.equal(false);
    const doc = resolveEncryptionContext(
      {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Action: "kms:GenerateDataKey*",
            Resource: "*",
            Condition: {
              StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": pattern },
              StringEquals: { "aws:SourceAccount": WEB },
            },
          },
        ],
      },
      {
        ...ctx,
        "kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:eu-west-1:999999999999:trail/t",
      },
    );
    expect(doc.touched).to.equal(true);
    expect(doc.doc.Statement).to.deep.equal([]);
  });

  it("catches CloudTrail using the CMK for another account's trail", async () => {
    const { sim } = await simulate(centralSettings(), members);
    const cells = await accessMatrix(sim.simulated);
    const encrypt = cells.filter(
      (c) => c.action === "kms:GenerateDataKey" && c.principal === "cloudtrail.amazonaws.com",
    );
    expect(encrypt.every((c) => c.contextCheckedLocally)).to.equal(true);
  });

  it("turns the right cells red when the SIEM role is granted s3:DeleteObject or the TLS deny is gone", async () => {
    const wrongWith = async (bucketPolicyDenies: boolean) => {
      const { sim } = await simulate(
        centralSettings({
          tamperProtection: { deployRoleNames: ["central-logging-deploy"], bucketPolicyDenies },
        }),
        members,
      );
      const central = sim.simulated.find((s) => s.role === "central")!;
      const rolePolicy = central.resources.find((r) => r.name === "siem-reader-permissions")!;
      const doc = JSON.parse(rolePolicy.inputs.policy);
      doc.Statement.push({ Effect: "Allow", Action: "s3:DeleteObject", Resource: "*" });
      rolePolicy.inputs.policy = JSON.stringify(doc);
      const bucketPolicy = central.resources.find((r) => r.name === "cloudtrail-logs-policy")!;
      const bp = JSON.parse(bucketPolicy.inputs.policy);
      bp.Statement = bp.Statement.filter((s: { Sid: string }) => s.Sid !== "DenyInsecureTransport");
      bucketPolicy.inputs.policy = JSON.stringify(bp);
      return (await accessMatrix(sim.simulated)).filter((c) => !cellAsIntended(c)).map((c) => c.scenario);
    };
    expect(await wrongWith(false)).to.have.members([
      "deletes an object of the cloudtrail bucket",
      "deletes an object of the vpcflowlogs bucket",
      "deletes an object of the waf bucket",
      "writes a log file without TLS",
    ]);
    // With the bucket policies' tamper denies (the default), a reader granted too much still erases nothing.
    expect(await wrongWith(true)).to.have.members(["writes a log file without TLS"]);
  });
});

describe("request-context table", () => {
  it("builds a service's request only from the keys the table lists for it", () => {
    const facts = {
      secureTransport: "true",
      sourceArn: ORG_TRAIL,
      sourceAccount: MGMT,
      sourceOrgId: ORG,
      acl: "bucket-owner-full-control",
      cloudTrailContext: ORG_TRAIL,
    };
    expect(requestContexts("cloudtrail.amazonaws.com", "s3:PutObject", facts)).to.deep.equal([
      {
        context: {
          "aws:SourceArn": ORG_TRAIL,
          "aws:SourceAccount": MGMT,
          "s3:x-amz-acl": "bucket-owner-full-control",
          // Fixed for the row: every request a service principal makes carries it, true.
          "aws:PrincipalIsAWSService": "true",
          "aws:SecureTransport": "true",
        },
        assumptions: [],
      },
    ]);
    // Never aws:SourceOrgID, though the cell knows the organization.
    expect(requestContexts("cloudtrail.amazonaws.com", "s3:GetBucketAcl", facts)[0].context).to.deep.equal({
      "aws:SourceArn": ORG_TRAIL,
      "aws:SourceAccount": MGMT,
      "aws:PrincipalIsAWSService": "true",
      "aws:SecureTransport": "true",
    });
    expect(
      Object.keys(requestContexts("cloudtrail.amazonaws.com", "kms:GenerateDataKey", facts)[0].context),
    ).to.have.members([
      "aws:SourceArn",
      "aws:SourceAccount",
      "kms:EncryptionContext:aws:cloudtrail:arn",
      "aws:PrincipalIsAWSService",
      "aws:SecureTransport",
    ]);
    // S3's KMS calls for notifications carry no documented source key.
    expect(requestContexts("s3.amazonaws.com", "kms:GenerateDataKey", facts)[0].context).to.deep.equal({
      "aws:PrincipalIsAWSService": "true",
      "aws:SecureTransport": "true",
    });
    expect(() => requestContexts("cloudtrail.amazonaws.com", "s3:DeleteObject", facts)).to.throw(
      /no request-context row/,
    );
    expect(() =>
      requestContexts("cloudtrail.amazonaws.com", "s3:PutObject", { secureTransport: "true" }),
    ).to.throw(/needs aws:SourceArn/);
  });

  it("grades every key by evidence: documented only with an AWS documentation page, anything else only by opt-in", () => {
    expect(evidenceProblems()).to.deep.equal([]);
    for (const row of REQUEST_CONTEXTS)
      for (const k of row.keys) expect(k.source.url, `${row.principal} ${k.key}`).to.match(/^https:\/\//);
    // CloudTrail and aws:SourceOrgID: reported missing for GetBucketAcl, unknown for PutObject and KMS.
    const cloudTrail = REQUEST_CONTEXTS.filter((r) => r.principal === "cloudtrail.amazonaws.com");
    for (const row of cloudTrail) {
      expect(row.keys.map((k) => k.key)).not.to.include("aws:SourceOrgID");
      expect(
        row.keys.map((k) => k.key),
        row.actions.join(),
      ).to.include("aws:SourceAccount");
      const absent = row.absent!.find((a) => a.key === "aws:SourceOrgID")!;
      expect(absent.evidence, row.actions.join()).to.equal(
        row.actions.includes("s3:GetBucketAcl") ? "reported" : "unknown",
      );
    }
    // The replication trust keys are not documented: only replication-trust-source relies on them.
    const assume = REQUEST_CONTEXTS.find((r) => r.actions.includes("sts:AssumeRole"))!;
    const global = ["aws:SecureTransport", "aws:PrincipalIsAWSService"];
    expect(assume.keys.filter((k) => !global.includes(k.key)).map((k) => k.optIn)).to.deep.equal([
      "replication-trust-source",
      "replication-trust-source",
    ]);
  });

  it("catches a row that claims documented on the strength of a public report, or relies on one by default", () => {
    const row = REQUEST_CONTEXTS.find(
      (r) => r.principal === "delivery.logs.amazonaws.com" && r.actions.includes("s3:PutObject"),
    )!;
    const orgId = row.keys.find((k) => k.key === "aws:SourceOrgID")!;
    expect(orgId.evidence).to.equal("reported");
    const claimed = {
      ...row,
      keys: row.keys.map((k) => (k === orgId ? { ...k, evidence: "documented" as const } : k)),
    };
    const unguarded = { ...row, keys: row.keys.map((k) => (k === orgId ? { ...k, optIn: undefined } : k)) };
    expect(evidenceProblems([claimed])).to.deep.equal([
      "delivery.logs.amazonaws.com s3:PutObject aws:SourceOrgID: claims documented, but its source https://github.com/aws-samples/data-perimeter-policy-examples/blob/main/resource_control_policies/README.md is not AWS documentation",
    ]);
    expect(evidenceProblems([unguarded])).to.deep.equal([
      "delivery.logs.amazonaws.com s3:PutObject aws:SourceOrgID: reported, so only an opt-in extension may rely on it",
    ]);
  });
});

describe("access proofs: WAF replication into the archive", () => {
  const webAcl = (account: string) =>
    `arn:aws:wafv2:eu-west-1:${account}:regional/webacl/web-app/a1b2c3d4-5678-90ab-cdef-111111111111`;
  const wafMembers = {
    mgmt: { account: MGMT, settings: memberSettings({ waf: { webAclArns: [webAcl(MGMT)] } }) },
    web: { account: WEB, settings: memberSettings({ waf: { webAclArns: [webAcl(WEB)] } }) },
  };
  const replicationCells = async (settings: Record<string, unknown>, edit?: (central: SimStack) => void) => {
    const { sim, central } = await simulate(settings, wafMembers);
    edit?.(central);
    return (await accessMatrix(sim.simulated)).filter((c) =>
      c.who.includes("central-logging-waf-replication"),
    );
  };
  const cellOf = (cells: AccessCell[], who: string, scenario: string) => {
    const found = cells.filter((c) => c.who === who && c.scenario === scenario);
    expect(found, `${who} | ${scenario}`).to.have.length(1);
    return found[0];
  };
  const role = (account: string) =>
    `The WAF replication role arn:aws:iam::${account}:role/central-logging-waf-replication-eu-west-1 of member ${account}`;

  for (const [mode, settings] of [
    ["organization", centralSettings()],
    ["account-list", listSettings()],
  ] as const)
    it(`${mode} mode: replicas encrypt and verify the Bucket Key, lock metadata is readable, no member reaches another's prefix`, async () => {
      const cells = await replicationCells(settings);
      expect(cells.filter((c) => !cellAsIntended(c))).to.deep.equal([]);
      for (const account of [MGMT, WEB]) {
        const other = account === MGMT ? WEB : MGMT;
        for (const [action, scenario] of [
          ["kms:Encrypt", "encrypts a replica with the CMK through S3 (Encrypt)"],
          ["kms:GenerateDataKey", "encrypts a replica with the CMK through S3"],
          ["kms:Decrypt", "decrypts with the CMK through S3, to verify the WAF bucket's S3 Bucket Key"],
        ]) {
          const c = cellOf(cells, role(account), scenario);
          expect([c.action, c.actual, c.principal]).to.deep.equal([
            action,
            "Allowed",
            `arn:aws:iam::${account}:role/central-logging-waf-replication-eu-west-1`,
          ]);
          // Only the keys S3 sends for the role: its principal keys, kms:ViaService, the encryption context.
          expect(c.condition).to.contain("kms:ViaService=s3.eu-west-1.amazonaws.com");
          expect(c.condition).to.contain(
            "kms:EncryptionContext:aws:s3:arn=arn:aws:s3:::aws-waf-logs-central-example-org",
          );
        }
        for (const scenario of [
          "reads a staging object's Object Lock retention for replication",
          "reads a staging object's Object Lock legal hold for replication",
        ])
          expect(cellOf(cells, role(account), scenario).actual).to.equal("Allowed");
        const forged = cellOf(
          cells,
          `${role(account)}, with s3:ReplicateObject on * in its own policy`,
          `replicates into member ${other}'s prefix`,
        );
        expect([forged.expected, forged.actual]).to.deep.equal(["Denied", "ImplicitlyDenied"]);
        expect(forged.resource).to.contain(`/AWSLogs/${other}/`);
        expect(
          cellOf(
            cells,
            `${role(account)}, with s3:* on * in its own policy`,
            "reads a WAF log object from the archive",
          ).actual,
        ).not.to.equal("Allowed");
      }
    });

  it("proves the staging side: WAF writes and encrypts there for its own account only, replication decrypts it", async () => {
    const cells = (
      await (async () => {
        const { sim } = await simulate(centralSettings(), wafMembers);
        return accessMatrix(sim.simulated);
      })()
    ).filter((c) => c.scenario.includes("staging"));
    expect(cells.filter((c) => !cellAsIntended(c))).to.deep.equal([]);
    for (const account of [MGMT, WEB]) {
      const own = cells.filter(
        (c) =>
          c.who === "The log delivery service for account " + account + " (AWS WAF)" &&
          c.scenario.includes(`member ${account}'s`),
      );
      expect(own.map((c) => [c.action, c.actual])).to.deep.equal([
        ["s3:PutObject", "Allowed"],
        ["kms:GenerateDataKey", "Allowed"],
      ]);
      const foreign = cells.filter(
        (c) => c.who.includes("999999999998") && c.scenario.includes(`member ${account}'s`),
      );
      expect(foreign.map((c) => c.actual)).to.deep.equal(["ImplicitlyDenied", "ImplicitlyDenied"]);
      expect(
        cells.find(
          (c) =>
            c.who === role(account) && c.scenario === "decrypts a staging object through S3 to replicate it",
        )!.actual,
      ).to.equal("Allowed");
    }
  });

  it("turns red if a staging policy statement disappears", async () => {
    const { sim, members } = await simulate(centralSettings(), wafMembers);
    const drop = (name: string, sid: string, field = "policy") => {
      const r = members.web.resources.find((x) => x.name === name)!;
      const doc = JSON.parse(r.inputs[field]);
      doc.Statement = doc.Statement.filter((st: { Sid: string }) => st.Sid !== sid);
      r.inputs[field] = JSON.stringify(doc);
    };
    drop("waf-staging-policy", "WafLogDeliveryWrite");
    drop("waf-staging-key", "LogDeliveryUseKey");
    // The staging key's root grant lets IAM policies work, so decrypting the source needs both grants gone.
    drop("waf-staging-key", "ReplicationDecryptSource");
    drop("waf-replication-permissions", "DecryptSourceViaS3");
    const red = (await accessMatrix(sim.simulated)).filter((c) => !cellAsIntended(c));
    expect(red.map((c) => `${c.action} ${c.scenario}`)).to.deep.equal([
      `s3:PutObject writes a WAF log file into member ${WEB}'s staging bucket`,
      `kms:GenerateDataKey encrypts a WAF log file with member ${WEB}'s staging key`,
      "kms:Decrypt decrypts a staging object through S3 to replicate it",
    ]);
  });

  it("turns red if the archive admits any role of a member, not just its replication role", async () => {
    const { sim, central } = await simulate(centralSettings(), wafMembers);
    for (const name of ["waf-logs-policy", "logs-key"]) {
      const r = central.resources.find((x) => x.name === name)!;
      const doc = JSON.parse(r.inputs.policy);
      for (const st of doc.Statement)
        if (st.Condition?.ArnLike) delete st.Condition.ArnLike["aws:PrincipalArn"];
      r.inputs.policy = JSON.stringify(doc);
    }
    const red = (await accessMatrix(sim.simulated)).filter((c) => !cellAsIntended(c));
    expect(red.map((c) => `${c.action} ${c.scenario}`).sort()).to.deep.equal([
      "kms:GenerateDataKey encrypts with the CMK through S3 into the WAF bucket",
      "kms:GenerateDataKey encrypts with the CMK through S3 into the WAF bucket",
      "s3:ReplicateObject replicates into its own account's prefix",
      "s3:ReplicateObject replicates into its own account's prefix",
    ]);
    expect(red.every((c) => c.who.includes(":role/some-admin-role"))).to.equal(true);
  });

  it("turns red if the replication role's kms:Decrypt on the archive key disappears", async () => {
    const cells = await replicationCells(centralSettings(), (central) => {
      const key = central.resources.find((r) => r.name === "logs-key")!;
      const doc = JSON.parse(key.inputs.policy);
      for (const st of doc.Statement)
        if (st.Sid === "WafReplicationEncryptReplicas") st.Action = ["kms:Encrypt", "kms:GenerateDataKey"];
      key.inputs.policy = JSON.stringify(doc);
    });
    const red = cells.filter((c) => !cellAsIntended(c));
    expect(red.map((c) => [c.action, c.expected])).to.deep.equal([
      ["kms:Decrypt", "Allowed"],
      ["kms:Decrypt", "Allowed"],
    ]);
  });

  it("turns red if a replication role may write under any account's prefix", async () => {
    const cells = await replicationCells(centralSettings(), (central) => {
      const bucket = central.resources.find((r) => r.name === "waf-logs-policy")!;
      bucket.inputs.policy = bucket.inputs.policy.replace("AWSLogs/${aws:PrincipalAccount}/*", "AWSLogs/*");
    });
    const red = cells.filter((c) => !cellAsIntended(c));
    expect(red.map((c) => c.scenario).sort()).to.deep.equal([
      `replicates into member ${MGMT}'s prefix`,
      `replicates into member ${WEB}'s prefix`,
    ]);
    expect(red.every((c) => c.actual === "Allowed" && c.expected === "Denied")).to.equal(true);
  });
});
