import { expect } from "chai";
import { encryptionContextConditionHolds, resolveEncryptionContext } from "../tools/access/evaluator";
import { accessMatrix, cellAsIntended } from "../tools/access/accessMatrix";
import { centralSettings, listSettings, MGMT, memberSettings, simulate, WEB } from "./helpers";

const members = {
  mgmt: { account: MGMT, settings: memberSettings() },
  web: { account: WEB, settings: memberSettings() },
};

describe("access proofs with the IAM evaluator", () => {
  for (const [mode, settings] of [
    ["organization", centralSettings()],
    ["account-list", listSettings()],
  ] as const) {
    it(`every cell is as intended in ${mode} mode`, async () => {
      const { sim } = await simulate(settings, members);
      const cells = await accessMatrix(sim.simulated);
      expect(cells.length).to.be.greaterThan(40);
      const wrong = cells.filter((c) => !cellAsIntended(c));
      expect(wrong, JSON.stringify(wrong, null, 1)).to.deep.equal([]);
      expect(
        cells.some((c) => c.expected === "Denied" && c.scenario.includes("outside the organization")),
      ).to.equal(true);
      if (mode === "account-list") expect(cells.some((c) => c.scenario.includes("prefix"))).to.equal(true);
    });
  }

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
      "SIEM role deletes a cloudtrail object",
      "SIEM role deletes a vpcflowlogs object",
      "SIEM role deletes a waf object",
      "A request without TLS is denied, even from CloudTrail",
    ]);
  });
});
