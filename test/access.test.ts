import { expect } from "chai";
import { encryptionContextConditionHolds, resolveEncryptionContext } from "../tools/access/evaluator";
import { accessMatrix, cellAsIntended } from "../tools/access/accessMatrix";
import { REQUEST_CONTEXTS, requestContexts } from "../shared/requestContexts";
import { Simulator } from "../tools/simulation/simulate";
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
      ["writes a log file without TLS", "s3:PutObject", "ExplicitlyDenied"],
    ]);
    const preflight = org.find((c) => c.scenario.includes("pre-flight"))!;
    expect(preflight.resource).to.equal(`arn:aws:s3:::central-logs-cloudtrail-example-org/AWSLogs/${MGMT}/`);
    // What CloudTrail sends, and nothing else: no aws:SourceOrgID even though the cell knows the org.
    expect(org[1].condition).to.equal(`aws:SourceArn=${ORG_TRAIL}, s3:x-amz-acl=bucket-owner-full-control`);
    const denied = cells.filter((c) => c.principal === "cloudtrail.amazonaws.com" && c.expected === "Denied");
    expect(denied.map((c) => c.who)).to.include.members([
      "CloudTrail for arn:aws:cloudtrail:eu-west-1:999999999997:trail/organization-trail, a trail of another organization",
      "CloudTrail for arn:aws:cloudtrail:eu-west-1:999999999998:trail/central-logging, an account outside the archive",
      `CloudTrail for arn:aws:cloudtrail:eu-west-1:${MGMT}:trail/unlisted-trail, an unlisted trail of an admitted account`,
    ]);
    expect(denied.every((c) => !cellAsIntended(c) === false)).to.equal(true);
  });

  it("turns CloudTrail's cells red when its statements are keyed by aws:SourceOrgID, which CloudTrail does not send", async () => {
    const { sim } = await simulate(centralSettings(), members);
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
    const { sim } = await simulate(centralSettings(), members);
    const central = sim.simulated.find((s) => s.role === "central")!;
    const rolePolicy = central.resources.find((r) => r.name === "siem-reader-permissions")!;
    const doc = JSON.parse(rolePolicy.inputs.policy);
    doc.Statement.push({ Effect: "Allow", Action: "s3:DeleteObject", Resource: "*" });
    rolePolicy.inputs.policy = JSON.stringify(doc);
    const bucketPolicy = central.resources.find((r) => r.name === "cloudtrail-logs-policy")!;
    const bp = JSON.parse(bucketPolicy.inputs.policy);
    bp.Statement = bp.Statement.filter((s: { Sid: string }) => s.Sid !== "DenyInsecureTransport");
    bucketPolicy.inputs.policy = JSON.stringify(bp);
    const wrong = (await accessMatrix(sim.simulated))
      .filter((c) => !cellAsIntended(c))
      .map((c) => c.scenario);
    expect(wrong).to.have.members([
      "deletes an object of the cloudtrail bucket",
      "deletes an object of the vpcflowlogs bucket",
      "deletes an object of the waf bucket",
      "writes a log file without TLS",
    ]);
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
          "s3:x-amz-acl": "bucket-owner-full-control",
          "aws:SecureTransport": "true",
        },
        assumptions: [],
      },
    ]);
    expect(requestContexts("cloudtrail.amazonaws.com", "s3:GetBucketAcl", facts)[0].context).to.deep.equal({
      "aws:SourceArn": ORG_TRAIL,
      "aws:SecureTransport": "true",
    });
    expect(
      Object.keys(requestContexts("cloudtrail.amazonaws.com", "kms:GenerateDataKey", facts)[0].context),
    ).to.have.members([
      "aws:SourceArn",
      "aws:SourceAccount",
      "kms:EncryptionContext:aws:cloudtrail:arn",
      "aws:SecureTransport",
    ]);
    // S3's KMS calls for notifications carry no documented source key.
    expect(requestContexts("s3.amazonaws.com", "kms:GenerateDataKey", facts)[0].context).to.deep.equal({
      "aws:SecureTransport": "true",
    });
    expect(() => requestContexts("cloudtrail.amazonaws.com", "s3:DeleteObject", facts)).to.throw(
      /no request-context row/,
    );
    expect(() =>
      requestContexts("cloudtrail.amazonaws.com", "s3:PutObject", { secureTransport: "true" }),
    ).to.throw(/needs aws:SourceArn/);
  });

  it("gives every row and key a source, and records CloudTrail's missing aws:SourceOrgID", () => {
    for (const row of REQUEST_CONTEXTS) {
      for (const k of row.keys) {
        expect(k.source.url, `${row.principal} ${k.key}`).to.match(/^https:\/\//);
        if (k.evidence === "assumed") expect(k.assumedBy, `${row.principal} ${k.key}`).to.be.a("string");
      }
    }
    for (const row of REQUEST_CONTEXTS.filter((r) => r.principal === "cloudtrail.amazonaws.com")) {
      expect(row.keys.map((k) => k.key)).not.to.include("aws:SourceOrgID");
      expect(row.notSent!.map((n) => n.key)).to.include("aws:SourceOrgID");
    }
  });
});
