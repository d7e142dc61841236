import { expect } from "chai";
import { ResourceValidationPolicy } from "@pulumi/policy";
import { policies } from "../policy-pack/policies";
import { RunnableResource, runPack, runResourcePolicy } from "../tools/simulation/policyRunner";
import { Simulator } from "../tools/simulation/simulate";
import { findStackFiles, readStackFile } from "../tools/simulation/stackFiles";
import {
  CENTRAL,
  centralSettings,
  editResource,
  listSettings,
  MGMT,
  memberSettings,
  packMessages,
  packPolicy,
  raw,
  runnable,
  simulate,
  WEB,
} from "./helpers";

const resources = runnable;
const edit = editResource;
const messages = packMessages;
const addStatement = (rs: RunnableResource[], name: string, statement: object) =>
  edit(rs, name, (p) => {
    const doc = JSON.parse(p.policy);
    doc.Statement.push(statement);
    p.policy = JSON.stringify(doc);
  });

const WEB_ACL = `arn:aws:wafv2:eu-west-1:${WEB}:regional/webacl/web/1`;
const CT_BUCKET = "arn:aws:s3:::central-logs-cloudtrail-example-org";

describe("policy pack: the archive's access model and guards", () => {
  let central: RunnableResource[];
  let member: RunnableResource[];
  before(async () => {
    const sim = await simulate(
      centralSettings({ alarms: { notifications: [{ protocol: "email", endpoint: "soc@example.com" }] } }),
      {
        web: {
          account: WEB,
          settings: memberSettings({ waf: { webAclArns: [WEB_ACL] }, flowLogs: { vpcIds: "all" } }),
        },
      },
    );
    central = resources(sim.central);
    member = resources(sim.members.web);
  });

  it("passes the project's own stacks (the twin of every case below)", async () => {
    for (const name of [
      "archive-access-model",
      "s3-archive-bucket-no-force-destroy",
      "kms-archive-key-deletion-window",
      "s3-archive-bucket-owner-only-acl",
      "s3-replication-of-sse-kms-logs",
      "cloudtrail-global-service-events",
      "sqs-dead-letter-queue-cmk",
    ])
      for (const rs of [central, member]) expect(await messages(name, rs), name).to.deep.equal([]);
  });

  it("names a member allowed to delete log objects, or to rewrite the bucket policy", async () => {
    const deleting = addStatement(central, "cloudtrail-logs-policy", {
      Sid: "MemberCleanup",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${MGMT}:root` },
      Action: ["s3:DeleteObject", "s3:PutBucketPolicy"],
      Resource: [CT_BUCKET, `${CT_BUCKET}/*`],
    });
    expect(await messages("archive-access-model", deleting)).to.deep.equal([
      `statement "MemberCleanup" lets account ${MGMT} (root) delete log objects or the bucket and change who may access the logs (s3:DeleteObject, s3:PutBucketPolicy) on log bucket central-logs-cloudtrail-example-org: only the archive's administrators may; account ${MGMT} (root) has no place in the log bucket's access model.`,
    ]);
  });

  it("names a member allowed to create grants, change the key policy or schedule the key's deletion", async () => {
    const admin = addStatement(central, "logs-key", {
      Sid: "MemberKeyAdmin",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${WEB}:root` },
      Action: ["kms:CreateGrant", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"],
      Resource: "*",
    });
    const found = await messages("archive-access-model", admin);
    expect(found).to.have.length(1);
    expect(found[0]).to.match(
      /^statement "MemberKeyAdmin" lets account 333333333333 \(root\) administer the archive key \(kms:CreateGrant, kms:PutKeyPolicy, kms:ScheduleKeyDeletion\) on archive key logs-key/,
    );
  });

  it("names the reader allowed to write, in the bucket policy and in its own role policy", async () => {
    const siem = `arn:aws:iam::${CENTRAL}:role/central-logs-siem-reader`;
    const viaBucket = addStatement(central, "waf-logs-policy", {
      Sid: "ReaderWrites",
      Effect: "Allow",
      Principal: { AWS: siem },
      Action: "s3:PutObject",
      Resource: "arn:aws:s3:::aws-waf-logs-central-example-org/*",
    });
    expect(await messages("archive-access-model", viaBucket)).to.deep.equal([
      `statement "ReaderWrites" grants ${siem} s3:PutObject on log bucket aws-waf-logs-central-example-org, outside the archive's access model; the reader role may only s3:GetObject, s3:GetObjectVersion.`,
    ]);
    const viaRole = addStatement(central, "siem-reader-permissions", {
      Sid: "AlsoWrite",
      Effect: "Allow",
      Action: ["s3:PutObject", "s3:DeleteObject"],
      Resource: `${CT_BUCKET}/*`,
    });
    const found = await messages("archive-access-model", viaRole);
    expect(found).to.deep.equal([
      `statement "AlsoWrite" of role central-logs-siem-reader lets role central-logs-siem-reader delete log objects or the bucket (s3:PutObject, s3:DeleteObject) on log bucket central-logs-cloudtrail-example-org: only the archive's administrators may; the reader role may only s3:GetObject, s3:GetObjectVersion.`,
    ]);
  });

  it("keeps the verifier role read-only and content-blind: settings and listings, never objects, keys or messages", async () => {
    const sim = await simulate(
      centralSettings({
        verifier: {
          trust: "oidc",
          providerArn: `arn:aws:iam::${CENTRAL}:oidc-provider/token.actions.githubusercontent.com`,
          audience: "sts.amazonaws.com",
          subject: "repo:example-org/central-logging:ref:refs/heads/main",
        },
      }),
      {},
    );
    const withVerifier = resources(sim.central);
    expect(withVerifier.some((r) => r.name === "verifier-permissions")).to.equal(true);
    expect(await messages("archive-access-model", withVerifier)).to.deep.equal([]);
    const reading = addStatement(withVerifier, "verifier-permissions", {
      Sid: "AlsoRead",
      Effect: "Allow",
      Action: ["s3:GetObject", "kms:Decrypt", "sqs:ReceiveMessage"],
      Resource: [`${CT_BUCKET}/*`, "*"],
    });
    const found = await messages("archive-access-model", reading);
    expect(found).to.include(
      `statement "AlsoRead" of role central-logs-verifier grants role central-logs-verifier s3:GetObject on log bucket central-logs-cloudtrail-example-org, outside the archive's access model; the verifier role may only s3:ListBucket, s3:GetBucketVersioning, s3:GetEncryptionConfiguration, s3:GetBucketPublicAccessBlock, s3:GetBucketOwnershipControls, s3:GetBucketNotification, s3:GetBucketObjectLockConfiguration.`,
    );
    expect(
      found.some((m) =>
        /central-logs-verifier grants .*kms:Decrypt on archive key .*the verifier role may only kms:DescribeKey, kms:GetKeyRotationStatus/.test(
          m,
        ),
      ),
    ).to.equal(true);
    expect(
      found.some((m) =>
        /sqs:ReceiveMessage on log queue central-logs-cloudtrail, .*the verifier role may only sqs:GetQueueAttributes/.test(
          m,
        ),
      ),
    ).to.equal(true);
    // A verifier that may suspend versioning is named for what it could do to the evidence.
    const weakening = addStatement(withVerifier, "verifier-permissions", {
      Sid: "Fixer",
      Effect: "Allow",
      Action: "s3:PutBucketVersioning",
      Resource: CT_BUCKET,
    });
    expect(await messages("archive-access-model", weakening)).to.deep.equal([
      `statement "Fixer" of role central-logs-verifier lets role central-logs-verifier weaken Object Lock or versioning (s3:PutBucketVersioning) on log bucket central-logs-cloudtrail-example-org: only the archive's administrators may; the verifier role may only s3:ListBucket, s3:GetBucketVersioning, s3:GetEncryptionConfiguration, s3:GetBucketPublicAccessBlock, s3:GetBucketOwnershipControls, s3:GetBucketNotification, s3:GetBucketObjectLockConfiguration.`,
    ]);
  });

  it("names a queue policy that lets the whole organization drain the SIEM's feed", async () => {
    const drain = addStatement(central, "cloudtrail-queue-policy", {
      Sid: "OrgConsumers",
      Effect: "Allow",
      Principal: "*",
      Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage"],
      Resource: `arn:aws:sqs:eu-west-1:${CENTRAL}:central-logs-cloudtrail`,
      Condition: { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } },
    });
    expect(await messages("archive-access-model", drain)).to.deep.equal([
      `statement "OrgConsumers" grants any principal (under conditions) sqs:ReceiveMessage, sqs:DeleteMessage on log queue central-logs-cloudtrail, outside the archive's access model; any principal (under conditions) has no place in the log queue's access model.`,
    ]);
  });

  it("follows the stacks' config: mode, WAF delivery and SIEM trust", async () => {
    const replication = (await messages("archive-access-model", central, { mode: "account-list" }))[0];
    expect(replication).to.equal(
      `statement "WafReplicationFromMembers" admits replication roles on log bucket aws-waf-logs-central-example-org without aws:PrincipalAccount, which account-list mode requires.`,
    );
    expect(await messages("archive-access-model", central, { mode: "organization" })).to.deep.equal([]);
    const direct = addStatement(central, "waf-logs-policy", {
      Sid: "Direct",
      Effect: "Allow",
      Principal: { Service: "delivery.logs.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: "arn:aws:s3:::aws-waf-logs-central-example-org/AWSLogs/*",
      Condition: { StringEquals: { "aws:SourceAccount": WEB } },
    });
    expect(await messages("archive-access-model", direct, { wafDelivery: "both" })).to.deep.equal([]);
    expect(await messages("archive-access-model", direct, { wafDelivery: "replication" })).to.deep.equal([
      `statement "Direct" grants delivery.logs.amazonaws.com s3:PutObject on log bucket aws-waf-logs-central-example-org, outside the archive's access model; delivery.logs.amazonaws.com has no place in the log bucket's access model.`,
    ]);
    expect(await messages("archive-access-model", central, { siemTrust: "oidc" })).to.deep.equal([
      "role central-logs-siem-reader is assumed by AWS principals, but the pack config says the SIEM trust is oidc.",
    ]);
    expect(await messages("archive-access-model", central, { siemTrust: "aws" })).to.deep.equal([]);
    const readers = { readerRoles: [`arn:aws:iam::${CENTRAL}:role/other`] };
    const strangers = await messages("archive-access-model", central, readers);
    const siem = `arn:aws:iam::${CENTRAL}:role/central-logs-siem-reader`;
    // Not a configured reader: its grants in the key and queue policies, and in its own role policy.
    expect(strangers.every((m) => m.includes("central-logs-siem-reader has no place in the"))).to.equal(true);
    expect(strangers).to.include(
      `statement "SiemDecryptViaS3AndSqs" grants role ${siem} kms:Decrypt on archive key logs-key, outside the archive's access model; role ${siem} has no place in the archive key's access model.`,
    );
    expect(
      strangers.some((m) =>
        m.startsWith(
          'statement "GetLogObjects" of role central-logs-siem-reader grants role central-logs-siem-reader s3:GetObject on log bucket',
        ),
      ),
    ).to.equal(true);
    expect(strangers.filter((m) => m.startsWith('statement "SiemReader"'))).to.have.length(3);
    const listed = { readerRoles: [siem] };
    expect(await messages("archive-access-model", central, listed)).to.deep.equal([]);
  });

  it("guards: forceDestroy, a short key deletion window, a public or cross-account ACL", async () => {
    expect(
      await messages(
        "s3-archive-bucket-no-force-destroy",
        edit(central, "vpcflowlogs-logs", (p) => (p.forceDestroy = true)),
      ),
    ).to.deep.equal([
      "log bucket central-logs-vpcflowlogs-example-org (its policy lets delivery.logs.amazonaws.com write): has forceDestroy, so a destroy empties it of every log first.",
    ]);
    expect(
      await messages(
        "s3-archive-bucket-no-force-destroy",
        edit(central, "access-logs", (p) => (p.forceDestroy = true)),
      ),
    ).to.have.length(1);
    const short = edit(central, "logs-key", (p) => (p.deletionWindowInDays = 7));
    expect(await messages("kms-archive-key-deletion-window", short)).to.deep.equal([
      "KMS key logs-key encrypts the archive with a 7-day deletion window; the minimum is 30: a scheduled deletion leaves less time to notice and cancel it.",
    ]);
    expect(await messages("kms-archive-key-deletion-window", short, { minDays: 7 })).to.deep.equal([]);
    const acl = (props: object): RunnableResource => ({
      type: "aws:s3/bucketAcl:BucketAcl",
      name: "cloudtrail-acl",
      urn: "urn:pulumi:central::central-logging::aws:s3/bucketAcl:BucketAcl::cloudtrail-acl",
      props: { bucket: "central-logs-cloudtrail-example-org", ...props },
    });
    expect(
      await messages("s3-archive-bucket-owner-only-acl", [...central, acl({ acl: "public-read" })]),
    ).to.deep.equal([
      "log bucket central-logs-cloudtrail-example-org (its policy lets cloudtrail.amazonaws.com write): BucketAcl cloudtrail-acl sets the canned ACL public-read, which grants others than the owner.",
    ]);
    const crossAccount = acl({
      accessControlPolicy: {
        owner: { id: "owner-canonical-id" },
        grants: [{ grantee: { type: "CanonicalUser", id: "someone-else" }, permission: "READ" }],
      },
    });
    expect(await messages("s3-archive-bucket-owner-only-acl", [...central, crossAccount])).to.deep.equal([
      "log bucket central-logs-cloudtrail-example-org (its policy lets cloudtrail.amazonaws.com write): BucketAcl cloudtrail-acl grants READ to someone-else, not the bucket owner.",
    ]);
    expect(
      await messages("s3-archive-bucket-owner-only-acl", [...central, acl({ acl: "private" })]),
    ).to.deep.equal([]);
  });

  it("delivery: SSE-KMS replication without a replica key, a multi-Region trail without global events, a DLQ without a CMK", async () => {
    const noReplicaKey = edit(
      member,
      "waf-replication",
      (p) => delete p.rules[0].destination.encryptionConfiguration,
    );
    expect(await messages("s3-replication-of-sse-kms-logs", noReplicaKey)).to.deep.equal([
      "replication rule to-central-archive of aws-waf-logs-333333333333-eu-west-1: replicates SSE-KMS objects without a replica key (encryptionConfiguration.replicaKmsKeyId).",
    ]);
    const notSelected = edit(member, "waf-replication", (p) => delete p.rules[0].sourceSelectionCriteria);
    expect(await messages("s3-replication-of-sse-kms-logs", notSelected)).to.deep.include(
      "replication rule to-central-archive of aws-waf-logs-333333333333-eu-west-1: the bucket is SSE-KMS but the rule does not select SSE-KMS objects, so none replicate.",
    );
    const centralKey = "arn:aws:kms:eu-west-1:111111111111:key/other";
    expect(
      await messages("s3-replication-of-sse-kms-logs", member, { archiveKeyArns: [centralKey] }),
    ).to.have.length(1);
    const sim = await simulate(centralSettings(), {
      m: {
        account: MGMT,
        settings: memberSettings({ cloudTrail: { mode: "organization", name: "organization-trail" } }),
      },
    });
    const trail = edit(
      resources(sim.members.m),
      "organization-trail",
      (p) => (p.includeGlobalServiceEvents = false),
    );
    expect(await messages("cloudtrail-global-service-events", trail)).to.deep.equal([
      "is multi-Region but leaves out global service events (includeGlobalServiceEvents false).",
    ]);
    const plainDlq = edit(central, "waf-dlq", (p) => delete p.kmsMasterKeyId);
    expect(await messages("sqs-dead-letter-queue-cmk", plainDlq)).to.deep.equal([
      "dead-letter queue central-logs-waf-dlq of a notified queue has no customer managed key.",
    ]);
    const awsManaged = edit(
      central,
      "waf-dlq",
      (p) => (p.kmsMasterKeyId = "arn:aws:kms:eu-west-1:111111111111:alias/aws/sqs"),
    );
    expect(await messages("sqs-dead-letter-queue-cmk", awsManaged)).to.have.length(1);
  });

  it("raises no mandatory violation on the example organization in every mode the config supports", async () => {
    const modes: [string, Record<string, unknown>][] = [
      ["organization", centralSettings()],
      [
        "organization, alarm topic, Object Lock",
        centralSettings({
          alarms: { notifications: [{ protocol: "email", endpoint: "a@b.c" }] },
          objectLock: { mode: "GOVERNANCE", retentionDays: 30 },
        }),
      ],
      [
        "organization, account trails by ARN",
        centralSettings({
          cloudTrail: {
            admitAccountTrailsBy: "trail",
            organizationTrail: { managementAccountId: MGMT, name: "organization-trail" },
            accountTrails: [{ accountId: MGMT }, { accountId: WEB }],
          },
        }),
      ],
      ["organization, every extension", centralSettings({ policyExtensions: "all" })],
      ["account-list", listSettings()],
      ["account-list, trails by ARN", listSettings({ cloudTrail: { admitAccountTrailsBy: "trail" } })],
      [
        "OIDC trust",
        centralSettings({
          siem: {
            trust: "oidc",
            providerArn:
              "arn:aws:iam::111111111111:oidc-provider/sts.windows.net/33e01921-4d64-4f8c-a055-5bdaffd5e33d/",
            audience: "api://x",
            roleSessionName: "MicrosoftSentinel_0",
          },
        }),
      ],
    ];
    for (const [name, settings] of modes) {
      const organization = settings.organizationId !== undefined;
      const sim = new Simulator();
      await sim.runStack("central", raw(CENTRAL, settings));
      await sim.runStack(
        "mgmt",
        raw(
          MGMT,
          memberSettings({
            cloudTrail: organization
              ? { mode: "organization", name: "organization-trail" }
              : { mode: "account" },
            flowLogs: { vpcIds: "all" },
          }),
        ),
      );
      await sim.runStack(
        "web",
        raw(
          WEB,
          memberSettings({
            waf: { webAclArns: [WEB_ACL] },
            flowLogs: { vpcIds: "all" },
            alarms: { notifications: [{ protocol: "email", endpoint: "a@b.c" }] },
          }),
        ),
      );
      const found = await runPack(policies, sim.simulated, (s) => ({
        "archive-access-model": {
          mode: organization ? "organization" : "account-list",
          wafDelivery: "replication",
          siemTrust: (settings.siem as { trust: string }).trust,
        },
        ...(s.role === "central" ? {} : {}),
      }));
      expect(
        found.filter((v) => v.level === "mandatory").map((v) => `${v.stack} ${v.policy}: ${v.message}`),
        name,
      ).to.deep.equal([]);
    }
  });

  it("pins every rule's enforcement level, independently of the generated README table", () => {
    const advisory = [
      "iam-policy-document-valid",
      "iam-policy-unique-sids",
      "iam-policy-arns-well-formed",
      "iam-policy-size-limit",
      "s3-log-bucket-minimum-retention",
      "iam-web-identity-trust-scope",
      "iam-archive-role-managed-policy-known",
      "organization-guardrails-spare-deployments",
    ];
    for (const p of policies)
      expect(p.enforcementLevel, p.name).to.equal(advisory.includes(p.name) ? "advisory" : "mandatory");
    for (const name of [
      "kms-decrypt-only-readers",
      "archive-access-model",
      "service-principal-condition-keys-sent",
    ])
      expect(packPolicy(name).enforcementLevel, name).to.equal("mandatory");
  });

  it("refuses both forms of the AWS managed keys: the alias and its ARN", async () => {
    for (const key of ["alias/aws/s3", "arn:aws:kms:eu-west-1:111111111111:alias/aws/s3"]) {
      const rs = edit(
        central,
        "cloudtrail-logs-encryption",
        (p) => (p.rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId = key),
      );
      expect(await messages("s3-log-bucket-encryption-cmk", rs), key).to.deep.equal([
        "log bucket central-logs-cloudtrail-example-org (its policy lets cloudtrail.amazonaws.com write): uses the AWS managed aws/s3 key; vended logs and cross-account readers need a customer managed key.",
      ]);
    }
    for (const key of ["alias/aws/sqs", "arn:aws:kms:eu-west-1:111111111111:alias/aws/sqs"])
      expect(
        await runResourcePolicy(
          packPolicy("sqs-queue-encrypted") as ResourceValidationPolicy,
          "aws:sqs/queue:Queue",
          { kmsMasterKeyId: key },
        ),
        key,
      ).to.have.length(1);
    for (const key of ["alias/aws/sqs", "arn:aws:kms:eu-west-1:111111111111:alias/aws/sqs"])
      expect(
        await messages(
          "sqs-dead-letter-queue-cmk",
          edit(central, "cloudtrail-dlq", (p) => (p.kmsMasterKeyId = key)),
        ),
        key,
      ).to.have.length(1);
  });

  it("uses the example stack files as they are in the repository", () => {
    expect(findStackFiles(".").map((f) => readStackFile(f).stack)).to.have.members([
      "central",
      "management",
      "workload-web",
      "workload-web-us-east-1",
    ]);
  });
});
