import { expect } from "chai";
import { policies } from "../policy-pack/policies";
import { UNKNOWN_BOOLEAN, UNKNOWN_STRING } from "../policy-pack/unknowns";
import { RunnableResource, runPack, runResourcePolicy } from "../tools/simulation/policyRunner";
import {
  centralSettings,
  editResource,
  memberSettings,
  packMessages,
  packPolicy,
  runnable,
  simulate,
  WEB,
} from "./helpers";
import { StackValidationPolicy, ResourceValidationPolicy } from "@pulumi/policy";

const resourcePolicy = (name: string) => packPolicy(name) as ResourceValidationPolicy;
const resources = runnable;
const without = (rs: RunnableResource[], name: string) => rs.filter((r) => r.name !== name);
const edit = editResource;
const messages = packMessages;

describe("policy pack: stack rules on the archive", () => {
  let central: RunnableResource[];
  let member: RunnableResource[];
  before(async () => {
    const sim = await simulate(centralSettings(), {
      web: {
        account: WEB,
        settings: memberSettings({
          cloudTrail: { mode: "covered-by-organization-trail" },
          waf: { webAclArns: [`arn:aws:wafv2:eu-west-1:${WEB}:regional/webacl/w/1`] },
          flowLogs: { vpcIds: "all" },
        }),
      },
    });
    central = resources(sim.central);
    member = resources(sim.members.web);
  });

  it("passes the project's own central and member stacks on every stack rule", async () => {
    for (const p of policies.filter((x) => "validateStack" in x) as StackValidationPolicy[])
      for (const rs of [central, member]) expect(await messages(p.name, rs), p.name).to.deep.equal([]);
  });

  it("s3-log-bucket-encryption-cmk: flags AES256, the aws/s3 key and a missing bucket key", async () => {
    const aes = edit(
      central,
      "cloudtrail-logs-encryption",
      (p) => (p.rules = [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]),
    );
    expect(await messages("s3-log-bucket-encryption-cmk", aes)).to.deep.equal([
      "log bucket central-logs-cloudtrail-example-org (its policy lets cloudtrail.amazonaws.com write): is encrypted with AES256, not SSE-KMS with a customer managed key.",
      "log bucket central-logs-cloudtrail-example-org (its policy lets cloudtrail.amazonaws.com write): has the S3 Bucket Key off (bucketKeyEnabled is not true).",
    ]);
    const managed = edit(
      central,
      "waf-logs-encryption",
      (p) => (p.rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId = "alias/aws/s3"),
    );
    expect((await messages("s3-log-bucket-encryption-cmk", managed))[0]).to.match(
      /aws-waf-logs-central-example-org .*uses the AWS managed aws\/s3 key/,
    );
    expect(
      await messages("s3-log-bucket-encryption-cmk", without(central, "vpcflowlogs-logs-encryption")),
    ).to.have.length(1);
  });

  it("s3-log-bucket-encryption-cmk: an unknown key ARN during preview passes", async () => {
    const unknown = edit(
      central,
      "cloudtrail-logs-encryption",
      (p) => (p.rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId = UNKNOWN_STRING),
    );
    expect(await messages("s3-log-bucket-encryption-cmk", unknown)).to.deep.equal([]);
  });

  it("s3-access-log-bucket-sse-s3: flags an SSE-KMS access-log target", async () => {
    const kms = edit(
      central,
      "access-logs-encryption",
      (p) =>
        (p.rules = [
          { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "k" } },
        ]),
    );
    expect(await messages("s3-access-log-bucket-sse-s3", kms)).to.deep.equal([
      "log bucket central-logs-access-example-org (it receives server access logs): is encrypted with aws:kms; access-log targets must use SSE-S3 (AES256).",
    ]);
  });

  it("integrity: versioning, public access block, ownership, TLS deny, access logging, protect", async () => {
    expect(
      await messages(
        "s3-log-bucket-versioning",
        edit(central, "cloudtrail-logs-versioning", (p) => (p.versioningConfiguration.status = "Suspended")),
      ),
    ).to.deep.equal([
      "log bucket central-logs-cloudtrail-example-org (its policy lets cloudtrail.amazonaws.com write): has versioning Suspended, not Enabled.",
    ]);
    expect(
      await messages(
        "s3-log-bucket-public-access-block",
        edit(central, "waf-logs-public-access-block", (p) => (p.restrictPublicBuckets = false)),
      ),
    ).to.deep.equal([
      "log bucket aws-waf-logs-central-example-org (its name marks an AWS WAF log bucket): has restrictPublicBuckets off.",
    ]);
    expect(
      await messages("s3-log-bucket-owner-enforced", without(central, "vpcflowlogs-logs-ownership")),
    ).to.deep.equal([
      "log bucket central-logs-vpcflowlogs-example-org (its policy lets delivery.logs.amazonaws.com write): has no ownership controls (ACLs stay enabled).",
    ]);
    const noTls = edit(central, "cloudtrail-logs-policy", (p) => {
      const doc = JSON.parse(p.policy);
      doc.Statement = doc.Statement.filter((s: any) => s.Sid !== "DenyInsecureTransport");
      p.policy = JSON.stringify(doc);
    });
    expect(await messages("s3-log-bucket-tls-only", noTls)).to.deep.equal([
      "log bucket central-logs-cloudtrail-example-org (its policy lets cloudtrail.amazonaws.com write): has no policy statement denying requests without TLS.",
    ]);
    expect(
      await messages(
        "s3-log-bucket-tls-only",
        edit(central, "cloudtrail-logs-policy", (p) => (p.policy = UNKNOWN_STRING)),
      ),
    ).to.deep.equal([]);
    expect(
      await messages("s3-log-bucket-access-logging", without(member, "waf-staging-access-logging")),
    ).to.deep.equal([
      `log bucket aws-waf-logs-${WEB}-eu-west-1 (AWS WAF logs to it): has no server access logging.`,
    ]);
    const unprotected = central.map((r) => (r.name === "waf-logs" ? { ...r, protect: false } : r));
    expect(await messages("s3-log-bucket-protected", unprotected)).to.deep.equal([
      "log bucket aws-waf-logs-central-example-org (its name marks an AWS WAF log bucket): is not protected (resource option protect).",
    ]);
    const keyUnprotected = central.map((r) => (r.name === "logs-key" ? { ...r, protect: false } : r));
    expect(await messages("kms-log-key-protected", keyUnprotected)).to.deep.equal([
      "KMS key logs-key encrypts logs but is not protected.",
    ]);
  });

  it("covers the deprecated BucketV2 and *V2 side-resource tokens", async () => {
    const v2 = central.map((r) =>
      r.type === "aws:s3/bucket:Bucket"
        ? { ...r, type: "aws:s3/bucketV2:BucketV2" }
        : r.type === "aws:s3/bucketVersioning:BucketVersioning"
          ? { ...r, type: "aws:s3/bucketVersioningV2:BucketVersioningV2" }
          : r,
    );
    expect(await messages("s3-log-bucket-versioning", v2)).to.deep.equal([]);
    const suspended = edit(
      v2,
      "waf-logs-versioning",
      (p) => (p.versioningConfiguration.status = "Suspended"),
    );
    expect(await messages("s3-log-bucket-versioning", suspended)).to.have.length(1);
  });

  it("s3-log-bucket-notification and s3-notification-queue-cmk-and-dlq", async () => {
    expect(await messages("s3-log-bucket-notification", without(central, "waf-notification"))).to.deep.equal([
      "log bucket aws-waf-logs-central-example-org (its name marks an AWS WAF log bucket): has no S3 event notification for the SIEM.",
    ]);
    const twice = [
      ...central,
      {
        ...central.find((r) => r.name === "waf-notification")!,
        name: "waf-notification-2",
        urn: "urn:x::waf-notification-2",
      },
    ];
    expect((await messages("s3-log-bucket-notification", twice))[0]).to.match(
      /has 2 BucketNotification resources/,
    );
    const noDlq = edit(central, "cloudtrail-queue", (p) => delete p.redrivePolicy);
    expect(await messages("s3-notification-queue-cmk-and-dlq", noDlq)).to.deep.equal([
      "queue central-logs-cloudtrail receives S3 notifications but has no dead-letter queue.",
    ]);
  });

  it("member-ships-cloudtrail: a member that ships logs has a trail or declares the organization trail", async () => {
    expect(await messages("member-ships-cloudtrail", member)).to.deep.equal([]);
    const undeclared = edit(member, "shipping", (p) => (p.cloudTrailMode = "account"));
    expect(await messages("member-ships-cloudtrail", undeclared)).to.deep.equal([
      "ships flow or WAF logs but has no CloudTrail trail and declares no trail that covers it.",
    ]);
  });
});

describe("policy pack: resource rules", () => {
  const check = async (name: string, type: string, props: Record<string, any>, config = {}) => {
    const v = await runResourcePolicy(resourcePolicy(name), type, props, config);
    return v === "not-applicable" ? [] : v;
  };
  const TRAIL = "aws:cloudtrail/trail:Trail";

  it("cloudtrail rules: kmsKeyId, multi-Region, validation; unknown booleans pass", async () => {
    const good = {
      kmsKeyId: "arn:aws:kms:eu-west-1:111111111111:key/x",
      isMultiRegionTrail: true,
      enableLogFileValidation: true,
    };
    for (const n of ["cloudtrail-kms-encrypted", "cloudtrail-multi-region", "cloudtrail-log-file-validation"])
      expect(await check(n, TRAIL, good)).to.deep.equal([]);
    expect(await check("cloudtrail-kms-encrypted", TRAIL, { ...good, kmsKeyId: undefined })).to.have.length(
      1,
    );
    expect(
      await check("cloudtrail-multi-region", TRAIL, { ...good, isMultiRegionTrail: false }),
    ).to.have.length(1);
    expect(
      await check("cloudtrail-log-file-validation", TRAIL, { ...good, enableLogFileValidation: false }),
    ).to.have.length(1);
    expect(
      await check("cloudtrail-multi-region", TRAIL, { ...good, isMultiRegionTrail: UNKNOWN_BOOLEAN }),
    ).to.deep.equal([]);
  });

  it("vpc-flow-log-traffic-all", async () => {
    expect(
      await check("vpc-flow-log-traffic-all", "aws:ec2/flowLog:FlowLog", { trafficType: "ALL" }),
    ).to.deep.equal([]);
    expect(
      await check("vpc-flow-log-traffic-all", "aws:ec2/flowLog:FlowLog", { trafficType: "REJECT" }),
    ).to.deep.equal(["records only REJECT traffic, not ALL."]);
  });

  it("waf-log-destination-name: S3, Firehose and log-group destinations", async () => {
    const T = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration";
    expect(
      await check("waf-log-destination-name", T, { logDestinationConfigs: ["arn:aws:s3:::aws-waf-logs-x"] }),
    ).to.deep.equal([]);
    expect(
      await check("waf-log-destination-name", T, {
        logDestinationConfigs: ["arn:aws:s3:::central-logs-waf"],
      }),
    ).to.have.length(1);
    expect(
      await check("waf-log-destination-name", T, {
        logDestinationConfigs: ["arn:aws:firehose:eu-west-1:1:deliverystream/aws-waf-logs-s"],
      }),
    ).to.deep.equal([]);
    expect(
      await check("waf-log-destination-name", T, {
        logDestinationConfigs: ["arn:aws:logs:eu-west-1:111111111111:log-group:waf:*"],
      }),
    ).to.have.length(1);
    expect(
      await check("waf-log-destination-name", T, { logDestinationConfigs: [UNKNOWN_STRING] }),
    ).to.deep.equal([]);
  });

  it("sqs-queue-encrypted: no SSE, or the aws/sqs key", async () => {
    const Q = "aws:sqs/queue:Queue";
    expect(
      await check("sqs-queue-encrypted", Q, { kmsMasterKeyId: "arn:aws:kms:eu-west-1:1:key/x" }),
    ).to.deep.equal([]);
    expect(await check("sqs-queue-encrypted", Q, { kmsMasterKeyId: "alias/aws/sqs" })).to.have.length(1);
    expect(await check("sqs-queue-encrypted", Q, { sqsManagedSseEnabled: false })).to.deep.equal([
      "has no server-side encryption.",
    ]);
  });

  it("iam-cross-account-trust-condition: external ID, or OIDC audience plus subject", async () => {
    const R = "aws:iam/role:Role";
    const trust = (
      Condition?: object,
      Principal: object = { AWS: "arn:aws:iam::999999999999:role/siem" },
      Action = "sts:AssumeRole",
    ) =>
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal, Action, ...(Condition ? { Condition } : {}) }],
      });
    expect(
      await check("iam-cross-account-trust-condition", R, {
        assumeRolePolicy: trust({ StringEquals: { "sts:ExternalId": "x" } }),
      }),
    ).to.deep.equal([]);
    expect(await check("iam-cross-account-trust-condition", R, { assumeRolePolicy: trust() })).to.have.length(
      1,
    );
    expect(
      await check(
        "iam-cross-account-trust-condition",
        R,
        { assumeRolePolicy: trust() },
        { trustedAccounts: ["999999999999"] },
      ),
    ).to.deep.equal([]);
    const oidc = { Federated: "arn:aws:iam::111111111111:oidc-provider/sts.windows.net/t/" };
    expect(
      await check("iam-cross-account-trust-condition", R, {
        assumeRolePolicy: trust(
          { StringEquals: { "sts.windows.net/t/:aud": "a" } },
          oidc,
          "sts:AssumeRoleWithWebIdentity",
        ),
      }),
    ).to.have.length(1);
    expect(
      await check("iam-cross-account-trust-condition", R, {
        assumeRolePolicy: trust(
          { StringEquals: { "sts.windows.net/t/:aud": "a", "sts:RoleSessionName": "MicrosoftSentinel_1" } },
          oidc,
          "sts:AssumeRoleWithWebIdentity",
        ),
      }),
    ).to.deep.equal([]);
  });

  it("iam-no-users-reading-logs: access keys and IAM user policies that read logs", async () => {
    expect(
      await check("iam-no-users-reading-logs", "aws:iam/accessKey:AccessKey", { user: "splunk" }),
    ).to.deep.equal(["creates long-lived access keys for an IAM user."]);
    const read = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }],
    });
    expect(
      await check("iam-no-users-reading-logs", "aws:iam/userPolicy:UserPolicy", {
        user: "splunk",
        policy: read,
      }),
    ).to.deep.equal(["statement 1 lets an IAM user read logs."]);
    expect(
      await check("iam-no-users-reading-logs", "aws:iam/rolePolicy:RolePolicy", {
        role: "siem",
        policy: read,
      }),
    ).to.deep.equal([]);
  });

  it("hygiene: parse errors, duplicate Sids, oversize documents; unknown documents are skipped", async () => {
    const B = "aws:s3/bucketPolicy:BucketPolicy";
    expect(await check("iam-policy-document-valid", B, { policy: "{not json" })).to.have.length(1);
    const dup = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Sid: "A", Effect: "Allow", Action: "s3:GetObject" },
        { Sid: "A", Effect: "Deny", Action: "s3:*" },
      ],
    });
    expect(await check("iam-policy-unique-sids", B, { policy: dup })).to.deep.equal([
      "policy repeats Sid A.",
    ]);
    const big = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "x".repeat(21000) }],
    });
    expect((await check("iam-policy-size-limit", B, { policy: big }))[0]).to.match(
      /over the bucket policy limit of 20480/,
    );
    for (const p of policies.filter((x) => !("validateStack" in x)) as ResourceValidationPolicy[])
      expect(await runResourcePolicy(p, B, { policy: UNKNOWN_STRING }), p.name).to.deep.equal([]);
  });
});

describe("policy pack: enforcement levels as the CLI resolves them", () => {
  it("mandatory by default for what protects logs, advisory for hygiene, overridable by config", async () => {
    const { central } = await simulate(centralSettings());
    const broken = central.resources.find((r) => r.name === "logs-key")!;
    broken.state = { ...broken.state, enableKeyRotation: false };
    const stacks = [central];
    const found = await runPack(policies, stacks);
    expect(found.map((v) => `${v.level} ${v.policy}`)).to.deep.equal(["mandatory kms-key-rotation-enabled"]);
    expect(
      (await runPack(policies, stacks, { "kms-key-rotation-enabled": "advisory" })).map((v) => v.level),
    ).to.deep.equal(["advisory"]);
    expect(await runPack(policies, stacks, { all: "disabled" })).to.deep.equal([]);
    expect(
      (
        await runPack(policies, stacks, {
          all: "advisory",
          "kms-key-rotation-enabled": { enforcementLevel: "mandatory" },
        })
      ).map((v) => v.level),
    ).to.deep.equal(["mandatory"]);
  });
});
