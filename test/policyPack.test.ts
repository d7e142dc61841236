import { expect } from "chai";
import { kmsKeyRotationEnabled, kmsKeyRotationPeriod } from "../policy-pack/kms";
import {
  kmsDecryptOnlyReaders,
  noNotPrincipalOrNotAction,
  noPublicPrincipal,
  noWildcardActions,
  servicePrincipalSourceCondition,
} from "../policy-pack/leastPrivilege";
import { servicePrincipalKeysSent } from "../policy-pack/delivery";
import { policies } from "../policy-pack/policies";
import { Simulator } from "../tools/simulation/simulate";
import { findStackFiles, readStackFile } from "../tools/simulation/stackFiles";
import { ResourceValidationPolicy } from "@pulumi/policy";
import { runPack, runResourcePolicy } from "../tools/simulation/policyRunner";

const KEY = "aws:kms/key:Key";
const doc = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const KEY_ADMINISTRATION = {
  Sid: "KeyAdministration",
  Effect: "Allow",
  Principal: { AWS: "arn:aws:iam::111111111111:root" },
  Action: "kms:*",
  Resource: "*",
};

// The design article's examples, with 12-digit IDs where valid ones are needed.
const articleBucketPolicy = doc(
  {
    Sid: "CloudTrailWrite",
    Effect: "Allow",
    Principal: { Service: "cloudtrail.amazonaws.com" },
    Action: "s3:PutObject",
    Resource: [
      "arn:aws:s3:::central-cloudtrail-logs/AWSLogs/222222222222/*",
      "arn:aws:s3:::central-cloudtrail-logs/AWSLogs/<account-id>-5/*",
    ],
    Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control" } },
  },
  {
    Sid: "CloudTrailBucketAccess",
    Effect: "Allow",
    Principal: { Service: "cloudtrail.amazonaws.com" },
    Action: "s3:GetBucketAcl",
    Resource: "arn:aws:s3:::central-cloudtrail-logs",
  },
);
const articleKeyStatement = doc({
  Effect: "Allow",
  Principal: { AWS: ["arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:root"] },
  Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"],
  Resource: "*",
});

describe("policy pack", () => {
  it("exports every policy with a kebab-case name, description, severity, remediation and AWS doc link", () => {
    const names = policies.map((p) => p.name);
    expect(new Set(names).size).to.equal(names.length);
    for (const p of policies) {
      expect(p.name).to.match(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(p.description).to.have.length.greaterThan(20);
      expect(p.severity).to.be.oneOf(["low", "medium", "high", "critical"]);
      expect(p.remediationSteps).to.be.a("string");
      expect(p.url).to.match(/^https:\/\/docs\.aws\.amazon\.com\//);
    }
  });

  describe("kms-key-rotation-enabled", () => {
    it("passes a rotating key and fails a key without rotation", async () => {
      expect(await runResourcePolicy(kmsKeyRotationEnabled, KEY, { enableKeyRotation: true })).to.deep.equal(
        [],
      );
      expect(await runResourcePolicy(kmsKeyRotationEnabled, KEY, { enableKeyRotation: false })).to.deep.equal(
        ["automatic key rotation is off (enableKeyRotation is not true)."],
      );
    });
    it("ignores asymmetric keys, which cannot rotate automatically", async () => {
      expect(
        await runResourcePolicy(kmsKeyRotationEnabled, KEY, { customerMasterKeySpec: "RSA_2048" }),
      ).to.deep.equal([]);
    });
  });

  describe("kms-key-rotation-period", () => {
    it("reads its maximum defensively (365 when the CLI sent no config) and from config", async () => {
      expect(
        await runResourcePolicy(kmsKeyRotationPeriod, KEY, {
          enableKeyRotation: true,
          rotationPeriodInDays: 400,
        }),
      ).to.have.length(1);
      expect(
        await runResourcePolicy(kmsKeyRotationPeriod, KEY, {
          enableKeyRotation: true,
          rotationPeriodInDays: 365,
        }),
      ).to.deep.equal([]);
      expect(
        await runResourcePolicy(
          kmsKeyRotationPeriod,
          KEY,
          { enableKeyRotation: true, rotationPeriodInDays: 180 },
          { maxRotationDays: 90 },
        ),
      ).to.deep.equal(["rotationPeriodInDays is 180; the maximum allowed is 90."]);
    });
  });

  describe("the design article's examples", () => {
    const articleQueuePolicy = doc(
      {
        Effect: "Allow",
        Principal: { Service: "s3.amazonaws.com" },
        Action: "SQS:SendMessage",
        Resource: "arn:aws:sqs:ap-south-1:111111111111:Central_SIEM_CloudTrail",
        Condition: { ArnLike: { "aws:SourceArn": "arn:aws:s3:::central-cloudtrail-logs" } },
      },
      {
        Sid: "__receiver_statement",
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::247987132386:user/siem-user" },
        Action: ["SQS:ChangeMessageVisibility", "SQS:DeleteMessage", "SQS:ReceiveMessage"],
        Resource: "arn:aws:sqs:ap-south-1:111111111111:Central_SIEM_CloudTrail",
      },
    );
    const pack = async (type: string, props: Record<string, unknown>) => {
      const found: string[] = [];
      for (const p of policies.filter((x) => !("validateStack" in x)) as ResourceValidationPolicy[]) {
        const v = await runResourcePolicy(p, type, props);
        if (v !== "not-applicable") found.push(...v.map((m) => `${p.name}: ${m}`));
      }
      return found;
    };

    it("flags both bucket-policy statements: no confused-deputy condition, and the <account-id>-5 typo", async () => {
      expect(await pack("aws:s3/bucketPolicy:BucketPolicy", { policy: articleBucketPolicy })).to.deep.equal([
        'iam-service-principal-source-condition: statement "CloudTrailWrite" allows cloudtrail.amazonaws.com without aws:SourceArn, aws:SourceAccount or aws:SourceOrgID.',
        'iam-service-principal-source-condition: statement "CloudTrailBucketAccess" allows cloudtrail.amazonaws.com without aws:SourceArn, aws:SourceAccount or aws:SourceOrgID.',
        'iam-policy-arns-well-formed: policy statement "CloudTrailWrite": "arn:aws:s3:::central-cloudtrail-logs/AWSLogs/<account-id>-5/*" has "<account-id>-5" after AWSLogs/, which no log key matches (expected 12 digits, an organization ID or *).',
      ]);
    });

    it("flags the bucket itself: no TLS deny, encryption, versioning, public access block, logging, protect", async () => {
      const rs = [
        {
          type: "aws:s3/bucket:Bucket",
          name: "trail",
          urn: "urn:b",
          props: { bucket: "central-cloudtrail-logs" },
        },
        {
          type: "aws:s3/bucketPolicy:BucketPolicy",
          name: "trail-policy",
          urn: "urn:p",
          props: { bucket: "central-cloudtrail-logs", policy: articleBucketPolicy },
        },
      ];
      const failed = (
        await runPack(policies, [
          {
            name: "article",
            resources: rs.map((r) => ({
              ...r,
              custom: true,
              inputs: r.props,
              state: r.props,
              protect: false,
              retainOnDelete: false,
            })),
          } as any,
        ])
      )
        .filter((v) => v.urn === "urn:b")
        .map((v) => v.policy);
      expect(failed).to.include.members([
        "s3-log-bucket-encryption-cmk",
        "s3-log-bucket-versioning",
        "s3-log-bucket-public-access-block",
        "s3-log-bucket-owner-enforced",
        "s3-log-bucket-tls-only",
        "s3-log-bucket-access-logging",
        "s3-log-bucket-protected",
        "s3-log-bucket-notification",
      ]);
    });

    it("flags the key statement: kms:Decrypt to member account roots, without a ViaService condition", async () => {
      expect(
        (await pack(KEY, { policy: articleKeyStatement, enableKeyRotation: true })).filter((m) =>
          m.startsWith("kms-"),
        ),
      ).to.deep.equal([
        "kms-decrypt-only-readers: statement 1 grants kms:Decrypt to arn:aws:iam::222222222222:root, arn:aws:iam::333333333333:root without kms:ViaService or an encryption-context condition.",
        "kms-decrypt-only-readers: statement 1 grants kms:Decrypt to arn:aws:iam::222222222222:root, arn:aws:iam::333333333333:root, not a configured reader.",
      ]);
    });

    it("flags both queue-policy statements: S3 by source ARN alone, and an IAM user as reader", async () => {
      expect(await pack("aws:sqs/queuePolicy:QueuePolicy", { policy: articleQueuePolicy })).to.deep.equal([
        "iam-service-principal-source-condition: statement 1 allows s3.amazonaws.com by aws:SourceArn alone; bucket ARNs carry no account, add aws:SourceAccount.",
        'iam-no-users-reading-logs: statement "__receiver_statement" lets IAM user arn:aws:iam::247987132386:user/siem-user read.',
      ]);
    });
  });

  describe("least privilege", () => {
    it("flags service-wide wildcards but not the key's own administration statement", async () => {
      const keyPolicy = doc(KEY_ADMINISTRATION, {
        Sid: "Wide",
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::111111111111:role/x" },
        Action: "s3:*",
        Resource: "*",
      });
      expect(await runResourcePolicy(noWildcardActions, KEY, { policy: keyPolicy })).to.deep.equal([
        'statement "Wide" allows s3:*.',
      ]);
    });
    it("exempts only the key's own administration statement, not a second account root with kms:*", async () => {
      const keyPolicy = doc(KEY_ADMINISTRATION, {
        Sid: "MemberAdmin",
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::222222222222:root" },
        Action: "kms:*",
        Resource: "*",
      });
      expect(await runResourcePolicy(noWildcardActions, KEY, { policy: keyPolicy })).to.deep.equal([
        'statement "KeyAdministration" allows kms:*.',
        'statement "MemberAdmin" allows kms:*.',
      ]);
      expect(
        await runResourcePolicy(
          noWildcardActions,
          KEY,
          { policy: keyPolicy },
          { keyAccounts: ["111111111111"] },
        ),
      ).to.deep.equal(['statement "MemberAdmin" allows kms:*.']);
      const decrypt = await runResourcePolicy(
        kmsDecryptOnlyReaders,
        KEY,
        { policy: keyPolicy },
        { keyAccounts: ["111111111111"] },
      );
      expect(decrypt).to.have.length(2);
      expect(decrypt[1]).to.match(/arn:aws:iam::222222222222:root, not a configured reader/);
    });
    it("flags public principals without a restricting condition, and Allow with NotPrincipal", async () => {
      const p = doc(
        { Sid: "Open", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "*" },
        {
          Sid: "Org",
          Effect: "Allow",
          Principal: { AWS: "*" },
          Action: "s3:GetObject",
          Resource: "*",
          Condition: { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } },
        },
        {
          Sid: "Not",
          Effect: "Allow",
          NotPrincipal: { AWS: "arn:aws:iam::1:root" },
          Action: "s3:GetObject",
          Resource: "*",
        },
      );
      expect(
        await runResourcePolicy(noPublicPrincipal, "aws:s3/bucketPolicy:BucketPolicy", { policy: p }),
      ).to.deep.equal(['statement "Open" allows any principal without a restricting condition.']);
      expect(
        await runResourcePolicy(noNotPrincipalOrNotAction, "aws:s3/bucketPolicy:BucketPolicy", { policy: p }),
      ).to.deep.equal(['statement "Not" is an Allow with NotPrincipal.']);
    });
  });

  describe("service-principal-condition-keys-sent", () => {
    const BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy";
    const cloudTrail = (Condition: object) =>
      doc({
        Sid: "CloudTrailWrite",
        Effect: "Allow",
        Principal: { Service: "cloudtrail.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: "arn:aws:s3:::b/AWSLogs/*",
        Condition,
      });
    it("fails a CloudTrail grant keyed by aws:SourceOrgID, alone or with aws:SourceArn, in a bucket or a key", async () => {
      const orgOnly = cloudTrail({ StringEquals: { "aws:SourceOrgID": "o-a1b2c3d4e5" } });
      expect(
        await runResourcePolicy(servicePrincipalKeysSent, BUCKET_POLICY, { policy: orgOnly }),
      ).to.deep.equal([
        "statement \"CloudTrailWrite\" admits cloudtrail.amazonaws.com only when aws:SourceOrgID matches, but CloudTrail does not send aws:SourceOrgID: the statement never matches and CloudTrail's deliveries are denied. Key it by aws:SourceArn, the trail's ARN.",
      ]);
      const both = cloudTrail({
        StringEquals: {
          "aws:SourceOrgID": "o-a1b2c3d4e5",
          "aws:SourceArn": "arn:aws:cloudtrail:eu-west-1:222222222222:trail/t",
        },
      });
      expect(await runResourcePolicy(servicePrincipalKeysSent, KEY, { policy: both })).to.have.length(1);
      expect(servicePrincipalKeysSent.enforcementLevel).to.equal("mandatory");
    });
    it("passes its twin keyed by aws:SourceArn, and aws:SourceOrgID under ...IfExists", async () => {
      const arnKeyed = cloudTrail({
        StringEquals: { "aws:SourceArn": "arn:aws:cloudtrail:eu-west-1:222222222222:trail/t" },
      });
      expect(
        await runResourcePolicy(servicePrincipalKeysSent, BUCKET_POLICY, { policy: arnKeyed }),
      ).to.deep.equal([]);
      const ifExists = cloudTrail({ StringEqualsIfExists: { "aws:SourceOrgID": "o-a1b2c3d4e5" } });
      expect(
        await runResourcePolicy(servicePrincipalKeysSent, BUCKET_POLICY, { policy: ifExists }),
      ).to.deep.equal([]);
    });
    it("fails any service principal scoped by aws:PrincipalOrgPaths, and passes an IAM principal scoped so", async () => {
      const flow = doc({
        Sid: "FlowLogs",
        Effect: "Allow",
        Principal: { Service: "delivery.logs.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: "*",
        Condition: { "ForAnyValue:StringLike": { "aws:PrincipalOrgPaths": ["o-a1b2c3d4e5/*"] } },
      });
      expect(
        await runResourcePolicy(servicePrincipalKeysSent, BUCKET_POLICY, { policy: flow }),
      ).to.deep.equal([
        'statement "FlowLogs" admits delivery.logs.amazonaws.com only when aws:PrincipalOrgPaths matches, but requests made by a service principal carry no aws:PrincipalOrgPaths: the statement never matches.',
      ]);
      const role = doc({
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: "s3:GetObject",
        Resource: "*",
        Condition: { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } },
      });
      expect(
        await runResourcePolicy(servicePrincipalKeysSent, BUCKET_POLICY, { policy: role }),
      ).to.deep.equal([]);
    });
  });

  describe("iam-service-principal-source-condition and the key grants AWS documents without a condition", () => {
    const s3Grant = (Condition?: object) =>
      doc(KEY_ADMINISTRATION, {
        Sid: "S3NotificationsToEncryptedQueues",
        Effect: "Allow",
        Principal: { Service: "s3.amazonaws.com" },
        Action: ["kms:GenerateDataKey", "kms:Decrypt"],
        Resource: "*",
        ...(Condition ? { Condition } : {}),
      });
    it("passes S3's documented notification grant on a key, unless configured to require a condition", async () => {
      expect(
        await runResourcePolicy(servicePrincipalSourceCondition, KEY, { policy: s3Grant() }),
      ).to.deep.equal([]);
      expect(
        await runResourcePolicy(
          servicePrincipalSourceCondition,
          KEY,
          { policy: s3Grant() },
          { requireOnDocumentedKeyGrants: true },
        ),
      ).to.have.length(1);
    });
    it("fails the same principal with more actions than AWS documents, or in a bucket policy", async () => {
      const wider = doc({
        Sid: "Wider",
        Effect: "Allow",
        Principal: { Service: "s3.amazonaws.com" },
        Action: ["kms:GenerateDataKey", "kms:Decrypt", "kms:Encrypt"],
        Resource: "*",
      });
      expect(await runResourcePolicy(servicePrincipalSourceCondition, KEY, { policy: wider })).to.deep.equal([
        'statement "Wider" allows s3.amazonaws.com without aws:SourceArn, aws:SourceAccount or aws:SourceOrgID.',
      ]);
      expect(
        await runResourcePolicy(servicePrincipalSourceCondition, "aws:s3/bucketPolicy:BucketPolicy", {
          policy: s3Grant(),
        }),
      ).to.have.length(1);
    });
  });

  it("finds no violation in the example organization's stacks", async () => {
    const sim = new Simulator();
    for (const file of findStackFiles(".").sort((a, b) =>
      a.includes("central") ? -1 : b.includes("central") ? 1 : 0,
    )) {
      const f = readStackFile(file);
      await sim.runStack(f.stack, f.raw);
    }
    const found = await runPack(policies, sim.simulated);
    expect(found.map((v) => `${v.level} ${v.stack} ${v.policy}: ${v.message}`)).to.deep.equal([]);
  });
});
