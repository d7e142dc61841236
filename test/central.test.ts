import { expect } from "chai";
import { LOG_TYPES } from "../shared/naming";
import { SimStack } from "../tools/simulation/simulate";
import {
  all,
  CENTRAL,
  centralSettings,
  find,
  listSettings,
  MGMT,
  ORG,
  ORG_TRAIL,
  accountTrail,
  parsed,
  simulate,
  simulateOnce,
  statement,
  WEB,
  TAMPER_DENIES,
} from "./helpers";

const BUCKET = "aws:s3/bucket:Bucket";
const KEY = "aws:kms/key:Key";
const ROLE_ARN = `arn:aws:iam::${CENTRAL}:role/central-logs-siem-reader`;

describe("central stack (organization mode)", () => {
  let central: SimStack;
  before(async () => {
    ({ central } = await simulateOnce(centralSettings()));
  });

  it("creates a rotating, protected, retained CMK with a 30-day deletion window", () => {
    const key = find(central, KEY);
    expect(key.inputs.enableKeyRotation).to.equal(true);
    expect(key.inputs.rotationPeriodInDays).to.equal(365);
    expect(key.inputs.deletionWindowInDays).to.equal(30);
    expect(key.protect, "protect").to.equal(true);
    expect(key.retainOnDelete, "retainOnDelete").to.equal(true);
    expect(find(central, "aws:kms/alias:Alias").inputs.name).to.equal("alias/central-logs");
  });

  it("names one bucket per log type, the WAF one starting with aws-waf-logs-", () => {
    const names = all(central, BUCKET)
      .map((b) => b.inputs.bucket)
      .sort();
    expect(names).to.deep.equal([
      "aws-waf-logs-central-example-org",
      "central-logs-access-example-org",
      "central-logs-cloudtrail-example-org",
      "central-logs-vpcflowlogs-example-org",
    ]);
  });

  it("protects and retains every bucket, and protects their guard resources", () => {
    for (const bucket of all(central, BUCKET)) {
      expect(bucket.protect, bucket.name).to.equal(true);
      expect(bucket.retainOnDelete, bucket.name).to.equal(true);
      expect(bucket.inputs.forceDestroy, bucket.name).to.equal(false);
    }
    for (const type of [
      "aws:s3/bucketPolicy:BucketPolicy",
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
      "aws:s3/bucketVersioning:BucketVersioning",
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    ])
      for (const r of all(central, type)) expect(r.protect, `${type} ${r.name}`).to.equal(true);
  });

  it("hardens every bucket: owner-enforced, all four public access blocks, versioning", () => {
    expect(
      all(central, "aws:s3/bucketOwnershipControls:BucketOwnershipControls").map(
        (r) => r.inputs.rule.objectOwnership,
      ),
    ).to.deep.equal(Array(4).fill("BucketOwnerEnforced"));
    for (const pab of all(central, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"))
      expect(pab.inputs).to.include({
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
    for (const v of all(central, "aws:s3/bucketVersioning:BucketVersioning"))
      expect(v.inputs.versioningConfiguration.status).to.equal("Enabled");
  });

  it("encrypts log buckets with the CMK ARN and a bucket key, the access-log bucket with SSE-S3", () => {
    const keyArn = central.outputs.archive.keyArn as string;
    expect(keyArn).to.match(/^arn:aws:kms:eu-west-1:111111111111:key\//);
    for (const logType of LOG_TYPES) {
      const rule = find(
        central,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        `${logType}-logs-encryption`,
      ).inputs.rules[0];
      expect(rule.applyServerSideEncryptionByDefault).to.deep.equal({
        sseAlgorithm: "aws:kms",
        kmsMasterKeyId: keyArn,
      });
      expect(rule.bucketKeyEnabled).to.equal(true);
    }
    const access = find(
      central,
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      "access-logs-encryption",
    );
    expect(access.inputs.rules[0].applyServerSideEncryptionByDefault).to.deep.equal({
      sseAlgorithm: "AES256",
    });
  });

  it("logs server access of each log bucket to the access-log bucket under its own prefix", () => {
    for (const logType of LOG_TYPES) {
      const logging = find(central, "aws:s3/bucketLogging:BucketLogging", `${logType}-logs-access-logging`);
      expect(logging.inputs.targetBucket).to.equal("central-logs-access-example-org");
      expect(logging.inputs.targetPrefix).to.equal(
        `${find(central, BUCKET, `${logType}-logs`).inputs.bucket}/`,
      );
    }
    const policy = parsed(
      find(central, "aws:s3/bucketPolicy:BucketPolicy", "access-logs-policy").inputs.policy,
    );
    const write = statement(policy, "S3ServerAccessLogsWrite");
    expect(write.Principal).to.deep.equal({ Service: "logging.s3.amazonaws.com" });
    expect(write.Condition!.StringEquals).to.deep.equal({ "aws:SourceAccount": CENTRAL });
    expect(write.Condition!.ArnLike!["aws:SourceArn"]).to.have.members([
      "arn:aws:s3:::central-logs-cloudtrail-example-org",
      "arn:aws:s3:::central-logs-vpcflowlogs-example-org",
      "arn:aws:s3:::aws-waf-logs-central-example-org",
    ]);
  });

  it("applies the configured lifecycle to current and noncurrent versions", () => {
    const rule = find(
      central,
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      "cloudtrail-logs-lifecycle",
    ).inputs.rules[0];
    expect(rule.status).to.equal("Enabled");
    expect(rule.transitions).to.deep.equal([{ days: 90, storageClass: "GLACIER_IR" }]);
    expect(rule.expiration).to.deep.equal({ days: 2557 });
    expect(rule.noncurrentVersionTransitions).to.deep.equal([
      { noncurrentDays: 30, storageClass: "GLACIER_IR" },
    ]);
    expect(rule.noncurrentVersionExpiration).to.deep.equal({ noncurrentDays: 365 });
  });

  it("denies non-TLS requests on every log bucket; the access-log bucket only with the access-log-tls-deny extension", () => {
    const access = parsed(
      find(central, "aws:s3/bucketPolicy:BucketPolicy", "access-logs-policy").inputs.policy,
    );
    expect(access.Statement.map((x) => x.Sid)).to.deep.equal([...TAMPER_DENIES, "S3ServerAccessLogsWrite"]);
    for (const policy of all(central, "aws:s3/bucketPolicy:BucketPolicy").filter(
      (p) => p.name !== "access-logs-policy",
    )) {
      const deny = statement(parsed(policy.inputs.policy), "DenyInsecureTransport");
      expect(deny.Effect).to.equal("Deny");
      expect(deny.Principal).to.equal("*");
      expect(deny.Action).to.equal("s3:*");
      expect(deny.Condition).to.deep.equal({ Bool: { "aws:SecureTransport": "false" } });
      expect(deny.Resource).to.have.length(2);
    }
  });

  it("admits the organization trail by ARN (aws:SourceArn), never by aws:SourceOrgID, pre-flight included", () => {
    const doc = parsed(
      find(central, "aws:s3/bucketPolicy:BucketPolicy", "cloudtrail-logs-policy").inputs.policy,
    );
    const acl = statement(doc, "CloudTrailAclCheck");
    expect(acl.Principal).to.deep.equal({ Service: "cloudtrail.amazonaws.com" });
    expect(acl.Action).to.equal("s3:GetBucketAcl");
    expect(acl.Resource).to.equal("arn:aws:s3:::central-logs-cloudtrail-example-org");
    expect(acl.Condition).to.deep.equal({ StringEquals: { "aws:SourceArn": ORG_TRAIL } });
    const write = statement(doc, "CloudTrailWrite");
    expect(write.Action).to.equal("s3:PutObject");
    // The management account's own prefix (CreateTrail's pre-flight write) and the organization's prefix.
    expect(write.Resource).to.deep.equal([
      `arn:aws:s3:::central-logs-cloudtrail-example-org/AWSLogs/${MGMT}/*`,
      `arn:aws:s3:::central-logs-cloudtrail-example-org/AWSLogs/${ORG}/*`,
    ]);
    expect(write.Condition).to.deep.equal({
      StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": ORG_TRAIL },
    });
    expect(JSON.stringify(doc)).not.to.contain("aws:SourceOrgID");
    // CloudTrail digest files are SSE-S3: no statement may deny on the encryption header.
    expect(JSON.stringify(doc)).not.to.match(/x-amz-server-side-encryption/);
  });

  it("admits account trails by account (aws:SourceAccount) by default: one statement, 15 bytes an account", () => {
    const doc = parsed(
      find(central, "aws:s3/bucketPolicy:BucketPolicy", "cloudtrail-logs-policy").inputs.policy,
    );
    const s = statement(doc, "CloudTrailAccountTrailsAclCheckAndWrite");
    expect(s.Principal).to.deep.equal({ Service: "cloudtrail.amazonaws.com" });
    expect(s.Action).to.deep.equal(["s3:GetBucketAcl", "s3:PutObject"]);
    expect(s.Resource).to.deep.equal([
      "arn:aws:s3:::central-logs-cloudtrail-example-org",
      "arn:aws:s3:::central-logs-cloudtrail-example-org/AWSLogs/*",
    ]);
    // Trails only, never CloudTrail Lake's query results (which CloudTrail writes for an event data store).
    expect(s.Condition).to.deep.equal({
      StringEquals: { "aws:SourceAccount": [MGMT, WEB] },
      ArnLike: { "aws:SourceArn": "arn:aws:cloudtrail:*:*:trail/*" },
      StringEqualsIfExists: { "s3:x-amz-acl": "bucket-owner-full-control" },
    });
    expect(central.outputs.archive.cloudTrail).to.deep.include({
      admitAccountTrailsBy: "account",
      accountTrailAccounts: [MGMT, WEB],
    });
  });

  it("admits each account trail by its ARN with admitAccountTrailsBy: trail (AWS's multi-account shape)", async () => {
    const { central: strict } = await simulate(
      centralSettings({
        cloudTrail: {
          admitAccountTrailsBy: "trail",
          organizationTrail: { managementAccountId: MGMT, name: "organization-trail" },
          accountTrails: [{ accountId: MGMT }, { accountId: WEB }],
        },
      }),
    );
    const doc = parsed(
      find(strict, "aws:s3/bucketPolicy:BucketPolicy", "cloudtrail-logs-policy").inputs.policy,
    );
    const trails = [ORG_TRAIL, accountTrail(MGMT), accountTrail(WEB)];
    expect(statement(doc, "CloudTrailAclCheck").Condition).to.deep.equal({
      StringEquals: { "aws:SourceArn": trails },
    });
    const write = statement(doc, "CloudTrailWrite");
    expect(write.Resource).to.deep.equal([
      `arn:aws:s3:::central-logs-cloudtrail-example-org/AWSLogs/${MGMT}/*`,
      `arn:aws:s3:::central-logs-cloudtrail-example-org/AWSLogs/${ORG}/*`,
      `arn:aws:s3:::central-logs-cloudtrail-example-org/AWSLogs/${WEB}/*`,
    ]);
    expect(write.Condition).to.deep.equal({
      StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trails },
    });
    expect(doc.Statement.map((x) => x.Sid)).not.to.include("CloudTrailAccountTrailsAclCheckAndWrite");
    const key = parsed(find(strict, KEY).inputs.policy);
    expect(statement(key, "CloudTrailEncryptLogs").Condition).to.deep.equal({
      StringLike: {
        "kms:EncryptionContext:aws:cloudtrail:arn": [
          `arn:aws:cloudtrail:*:${MGMT}:trail/*`,
          `arn:aws:cloudtrail:*:${WEB}:trail/*`,
        ],
      },
      StringEquals: { "aws:SourceArn": trails },
    });
    expect(statement(key, "LogDeliveryUseKey").Condition).to.deep.equal({
      StringEquals: { "aws:SourceAccount": [MGMT, WEB] },
    });
  });

  it("admits the log delivery service by aws:SourceAccount, without requiring an ACL header", () => {
    const doc = parsed(
      find(central, "aws:s3/bucketPolicy:BucketPolicy", "vpcflowlogs-logs-policy").inputs.policy,
    );
    const s = statement(doc, "LogDeliveryAclCheckAndWrite");
    expect(s.Principal).to.deep.equal({ Service: "delivery.logs.amazonaws.com" });
    expect(s.Action).to.deep.equal(["s3:GetBucketAcl", "s3:ListBucket", "s3:PutObject"]);
    expect(s.Resource).to.deep.equal([
      "arn:aws:s3:::central-logs-vpcflowlogs-example-org",
      "arn:aws:s3:::central-logs-vpcflowlogs-example-org/AWSLogs/*",
    ]);
    expect(s.Condition).to.deep.equal({
      StringEquals: { "aws:SourceAccount": [MGMT, WEB] },
      StringEqualsIfExists: { "s3:x-amz-acl": "bucket-owner-full-control" },
    });
  });

  it("admits member WAF replication roles by organization, replicas only under their own prefix, never deletes", () => {
    const doc = parsed(find(central, "aws:s3/bucketPolicy:BucketPolicy", "waf-logs-policy").inputs.policy);
    expect(doc.Statement.map((s) => s.Sid)).to.deep.equal([
      "DenyInsecureTransport",
      ...TAMPER_DENIES,
      "WafReplicationFromMembers",
    ]);
    const s = statement(doc, "WafReplicationFromMembers");
    expect(s.Action).to.include("s3:ReplicateObject").and.not.include("s3:ReplicateDelete");
    // ${aws:PrincipalAccount}: a member's role cannot write under another account's prefix.
    expect(s.Resource).to.deep.equal([
      "arn:aws:s3:::aws-waf-logs-central-example-org",
      "arn:aws:s3:::aws-waf-logs-central-example-org/AWSLogs/${aws:PrincipalAccount}/*",
    ]);
    expect(s.Condition).to.deep.equal({
      StringEquals: { "aws:PrincipalOrgID": ORG },
      // Each member Region's role, and the release-3 name while members upgrade.
      ArnLike: {
        "aws:PrincipalArn": [
          "arn:aws:iam::*:role/central-logging-waf-replication",
          "arn:aws:iam::*:role/central-logging-waf-replication-*",
        ],
      },
    });
  });

  it("writes one key policy statement per party, each scoped, and no decrypt for member accounts", () => {
    const doc = parsed(find(central, KEY).inputs.policy);
    expect(statement(doc, "KeyAdministration").Principal).to.deep.equal({
      AWS: `arn:aws:iam::${CENTRAL}:root`,
    });
    // The organization trail, by its ARN.
    const ct = statement(doc, "CloudTrailEncryptLogs");
    expect(ct.Action).to.equal("kms:GenerateDataKey*");
    expect(ct.Condition).to.deep.equal({
      StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": `arn:aws:cloudtrail:*:${MGMT}:trail/*` },
      StringEquals: { "aws:SourceArn": ORG_TRAIL },
    });
    const describe = statement(doc, "CloudTrailDescribeKeyAndDecrypt");
    expect(describe.Action).to.deep.equal(["kms:DescribeKey", "kms:Decrypt"]);
    expect(describe.Condition).to.deep.equal({ StringEquals: { "aws:SourceArn": ORG_TRAIL } });
    // Account trails and flow logs are admitted for the same accounts: one statement, one account list.
    const services = statement(doc, "LogDeliveryAndCloudTrailUseKey");
    expect(services.Principal).to.deep.equal({
      Service: ["cloudtrail.amazonaws.com", "delivery.logs.amazonaws.com"],
    });
    expect(services.Action).to.deep.equal([
      "kms:Encrypt",
      "kms:Decrypt",
      "kms:ReEncrypt*",
      "kms:GenerateDataKey*",
      "kms:DescribeKey",
    ]);
    expect(services.Condition).to.deep.equal({
      StringEquals: { "aws:SourceAccount": [MGMT, WEB] },
      ArnLike: { "aws:SourceArn": ["arn:aws:cloudtrail:*:*:trail/*", "arn:aws:logs:*:*:*"] },
    });
    // AWS's statement for S3 notifications into SSE-KMS queues has no condition (the kms-source-account
    // extension adds one).
    const s3 = statement(doc, "S3NotificationsToEncryptedQueues");
    expect(s3.Action).to.deep.equal(["kms:GenerateDataKey", "kms:Decrypt"]);
    expect(s3).not.to.have.property("Condition");
    expect(JSON.stringify(doc)).not.to.contain("aws:SourceOrgID");
    const siem = statement(doc, "SiemDecryptViaS3AndSqs");
    expect(siem.Principal).to.deep.equal({ AWS: ROLE_ARN });
    expect(siem.Action).to.equal("kms:Decrypt");
    expect(siem.Condition).to.deep.equal({
      StringEquals: { "kms:ViaService": ["s3.eu-west-1.amazonaws.com", "sqs.eu-west-1.amazonaws.com"] },
    });
    // Decrypt too: the archive's buckets use an S3 Bucket Key, which S3 verifies with kms:Decrypt as the
    // replication role (S3 user guide, replicating encrypted objects).
    const replication = statement(doc, "WafReplicationEncryptReplicas");
    expect(replication.Action).to.deep.equal(["kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt"]);
    expect(replication.Condition!.StringLike).to.deep.equal({
      "kms:EncryptionContext:aws:s3:arn": [
        "arn:aws:s3:::aws-waf-logs-central-example-org",
        "arn:aws:s3:::aws-waf-logs-central-example-org/*",
      ],
    });
    expect(replication.Condition!.StringEquals).to.deep.equal({
      "kms:ViaService": ["s3.eu-west-1.amazonaws.com"],
      "aws:PrincipalOrgID": ORG,
    });
    // Decrypt only for service principals (scoped), the SIEM role and, through S3 into the WAF bucket, the
    // replication roles; never an account root.
    for (const s of doc.Statement.filter(
      (x) => x.Sid !== "KeyAdministration" && x.Sid !== "WafReplicationEncryptReplicas",
    )) {
      const actions = ([] as string[]).concat(s.Action);
      const principal = s.Principal as { AWS?: string };
      if (actions.includes("kms:Decrypt") && principal.AWS) expect(principal.AWS).to.equal(ROLE_ARN);
    }
    expect(JSON.stringify(doc)).not.to.contain(`${MGMT}:root`);
  });

  it("creates encrypted standard queues with a dead-letter queue, 14-day retention, 300 s visibility", () => {
    const keyArn = central.outputs.archive.keyArn;
    for (const logType of LOG_TYPES) {
      const queue = find(central, "aws:sqs/queue:Queue", `${logType}-queue`);
      const dlq = find(central, "aws:sqs/queue:Queue", `${logType}-dlq`);
      expect(queue.inputs.name).to.equal(`central-logs-${logType}`);
      expect(queue.inputs.kmsMasterKeyId).to.equal(keyArn);
      expect(dlq.inputs.kmsMasterKeyId).to.equal(keyArn);
      expect(queue.inputs.fifoQueue).to.equal(undefined);
      expect(queue.inputs.messageRetentionSeconds).to.equal(1209600);
      expect(queue.inputs.visibilityTimeoutSeconds).to.equal(300);
      expect(JSON.parse(queue.inputs.redrivePolicy)).to.deep.equal({
        deadLetterTargetArn: `arn:aws:sqs:eu-west-1:${CENTRAL}:central-logs-${logType}-dlq`,
        maxReceiveCount: 5,
      });
    }
  });

  it("lets only a queue's own bucket send to it, and the SIEM role read it", () => {
    for (const logType of LOG_TYPES) {
      const doc = parsed(
        find(central, "aws:sqs/queuePolicy:QueuePolicy", `${logType}-queue-policy`).inputs.policy,
      );
      const send = statement(doc, "S3NotificationsFromOwnBucket");
      expect(send.Principal).to.deep.equal({ Service: "s3.amazonaws.com" });
      expect(send.Action).to.equal("sqs:SendMessage");
      expect(send.Condition).to.deep.equal({
        ArnEquals: {
          "aws:SourceArn": `arn:aws:s3:::${find(central, BUCKET, `${logType}-logs`).inputs.bucket}`,
        },
        StringEquals: { "aws:SourceAccount": CENTRAL },
      });
      const read = statement(doc, "SiemReader");
      expect(read.Principal).to.deep.equal({ AWS: ROLE_ARN });
      expect(read.Action).to.have.members([
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:ChangeMessageVisibility",
        "sqs:GetQueueAttributes",
      ]);
    }
  });

  it("sends every object-created event of a bucket to its own queue, one notification per bucket", () => {
    const notifications = all(central, "aws:s3/bucketNotification:BucketNotification");
    expect(notifications).to.have.length(3);
    for (const logType of LOG_TYPES) {
      const n = find(central, "aws:s3/bucketNotification:BucketNotification", `${logType}-notification`);
      expect(n.inputs.bucket).to.equal(find(central, BUCKET, `${logType}-logs`).inputs.bucket);
      expect(n.inputs.queues).to.deep.equal([
        {
          queueArn: `arn:aws:sqs:eu-west-1:${CENTRAL}:central-logs-${logType}`,
          events: ["s3:ObjectCreated:*"],
        },
      ]);
    }
  });

  it("gives the SIEM role exactly queue reads, object gets and decrypt through S3 and SQS", () => {
    const role = find(central, "aws:iam/role:Role");
    const trust = parsed(role.inputs.assumeRolePolicy);
    expect(trust.Statement).to.deep.equal([
      {
        Sid: "SiemAssumeWithExternalId",
        Effect: "Allow",
        Principal: { AWS: ["arn:aws:iam::999999999999:role/siem-ingest"] },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "sts:ExternalId": "ext-id-123" } },
      },
    ]);
    const perms = parsed(find(central, "aws:iam/rolePolicy:RolePolicy").inputs.policy);
    const actions = perms.Statement.flatMap((s) => ([] as string[]).concat(s.Action)).sort();
    expect(actions).to.deep.equal([
      "kms:Decrypt",
      "s3:GetObject",
      "sqs:ChangeMessageVisibility",
      "sqs:DeleteMessage",
      "sqs:GetQueueAttributes",
      "sqs:ReceiveMessage",
    ]);
    expect(statement(perms, "DecryptViaS3AndSqs").Resource).to.equal(central.outputs.archive.keyArn);
    expect(statement(perms, "GetLogObjects").Resource).to.have.length(3);
    expect(all(central, "aws:iam/user:User")).to.have.length(0);
    expect(all(central, "aws:iam/accessKey:AccessKey")).to.have.length(0);
  });

  it("exports the output contract, with the external ID as a secret", () => {
    const a = central.outputs.archive;
    expect(a.cloudTrail).to.deep.equal({
      organizationTrailArn: ORG_TRAIL,
      admitAccountTrailsBy: "account",
      accountTrailArns: [accountTrail(MGMT), accountTrail(WEB)],
      accountTrailAccounts: [MGMT, WEB],
    });
    expect(a.logDeliveryAccounts).to.deep.equal([MGMT, WEB]);
    expect(a.policyExtensions).to.deep.equal([]);
    expect(a).not.to.have.property("wafDelivery");
    expect(a).not.to.have.property("objectLock");
    expect(a).to.include({
      contractVersion: 4,
      mode: "organization",
      organizationId: ORG,
      accountId: CENTRAL,
      region: "eu-west-1",
    });
    expect(a.siemRoleArn).to.equal(ROLE_ARN);
    expect(a.logs.cloudtrail).to.deep.equal({
      bucketName: "central-logs-cloudtrail-example-org",
      bucketArn: "arn:aws:s3:::central-logs-cloudtrail-example-org",
      queueUrl: `https://sqs.eu-west-1.amazonaws.com/${CENTRAL}/central-logs-cloudtrail`,
      queueArn: `arn:aws:sqs:eu-west-1:${CENTRAL}:central-logs-cloudtrail`,
      deadLetterQueueArn: `arn:aws:sqs:eu-west-1:${CENTRAL}:central-logs-cloudtrail-dlq`,
      skipKeyPatterns: ["/CloudTrail-Digest/"],
    });
    expect(central.outputs.siemExternalId).to.equal("ext-id-123");
    expect(central.secretOutputNames).to.deep.equal(["siemExternalId"]);
  });
});

describe("central stack (account-list mode)", () => {
  let central: SimStack;
  before(async () => {
    ({ central } = await simulate(listSettings()));
  });

  it("admits every member's account trails by its account, with one statement and no policy variable", () => {
    const doc = parsed(
      find(central, "aws:s3/bucketPolicy:BucketPolicy", "cloudtrail-logs-policy").inputs.policy,
    );
    expect(doc.Statement.map((s) => s.Sid)).to.deep.equal([
      "DenyInsecureTransport",
      ...TAMPER_DENIES,
      "CloudTrailAccountTrailsAclCheckAndWrite",
    ]);
    expect(statement(doc, "CloudTrailAccountTrailsAclCheckAndWrite").Condition).to.deep.equal({
      StringEquals: { "aws:SourceAccount": [MGMT, WEB] },
      ArnLike: { "aws:SourceArn": "arn:aws:cloudtrail:*:*:trail/*" },
      StringEqualsIfExists: { "s3:x-amz-acl": "bucket-owner-full-control" },
    });
    const flow = statement(
      parsed(find(central, "aws:s3/bucketPolicy:BucketPolicy", "vpcflowlogs-logs-policy").inputs.policy),
      "LogDeliveryAclCheckAndWrite",
    );
    expect(flow.Condition!.StringEquals).to.deep.equal({ "aws:SourceAccount": [MGMT, WEB] });
    // No service-principal policy variables by default: they are the own-account-prefix extension.
    for (const p of all(central, "aws:s3/bucketPolicy:BucketPolicy"))
      expect(p.inputs.policy.replace(/\$\{aws:PrincipalAccount\}/g, ""), p.name).not.to.match(/\$\{/);
    expect(find(central, KEY).inputs.policy).not.to.match(/\$\{/);
  });

  it("admits replication by the account list, each role under its own prefix; no direct WAF delivery", () => {
    const doc = parsed(find(central, "aws:s3/bucketPolicy:BucketPolicy", "waf-logs-policy").inputs.policy);
    expect(doc.Statement.map((s) => s.Sid)).to.deep.equal([
      "DenyInsecureTransport",
      ...TAMPER_DENIES,
      "WafReplicationFromMembers",
    ]);
    const replication = statement(doc, "WafReplicationFromMembers");
    expect(replication.Condition!.StringEquals).to.deep.equal({ "aws:PrincipalAccount": [MGMT, WEB] });
    expect(replication.Resource).to.deep.equal([
      "arn:aws:s3:::aws-waf-logs-central-example-org",
      "arn:aws:s3:::aws-waf-logs-central-example-org/AWSLogs/${aws:PrincipalAccount}/*",
    ]);
    expect(JSON.stringify(doc)).not.to.contain("delivery.logs.amazonaws.com");
  });

  it("lists the member accounts once per principal kind in the key policy: services, and replication roles", () => {
    const doc = parsed(find(central, KEY).inputs.policy);
    expect(doc.Statement.map((s) => s.Sid)).to.deep.equal([
      "KeyAdministration",
      "LogDeliveryAndCloudTrailUseKey",
      "S3NotificationsToEncryptedQueues",
      "SiemDecryptViaS3AndSqs",
      // The tamper alarms' topic is encrypted with the archive key: CloudWatch and EventBridge use it.
      "CloudWatchAlarmsToEncryptedTopic",
      "EventBridgeToEncryptedTopic",
      "WafReplicationEncryptReplicas",
    ]);
    expect(statement(doc, "LogDeliveryAndCloudTrailUseKey").Condition).to.deep.equal({
      StringEquals: { "aws:SourceAccount": [MGMT, WEB] },
      ArnLike: { "aws:SourceArn": ["arn:aws:cloudtrail:*:*:trail/*", "arn:aws:logs:*:*:*"] },
    });
    // Principal "*" for replication roles that do not exist yet, so it is scoped to the listed accounts.
    expect(statement(doc, "WafReplicationEncryptReplicas").Condition!.StringEquals).to.deep.equal({
      "kms:ViaService": ["s3.eu-west-1.amazonaws.com"],
      "aws:PrincipalAccount": [MGMT, WEB],
    });
    expect(central.outputs.archive).to.include({ mode: "account-list" });
    expect(central.outputs.archive.memberAccountIds).to.deep.equal([MGMT, WEB]);
  });

  it("keeps CloudTrail and the log delivery service apart when their accounts differ", async () => {
    const { central: org } = await simulate(
      centralSettings({
        cloudTrail: {
          organizationTrail: { managementAccountId: MGMT, name: "organization-trail" },
          accountTrails: [{ accountId: WEB }],
        },
      }),
    );
    const doc = parsed(find(org, KEY).inputs.policy);
    const ct = statement(doc, "CloudTrailAccountTrailsUseKey");
    expect(ct.Principal).to.deep.equal({ Service: "cloudtrail.amazonaws.com" });
    expect(ct.Action).to.deep.equal(["kms:GenerateDataKey*", "kms:DescribeKey", "kms:Decrypt"]);
    expect(ct.Condition).to.deep.equal({
      StringEquals: { "aws:SourceAccount": WEB },
      ArnLike: { "aws:SourceArn": "arn:aws:cloudtrail:*:*:trail/*" },
    });
    expect(statement(doc, "LogDeliveryUseKey").Condition).to.deep.equal({
      StringEquals: { "aws:SourceAccount": [MGMT, WEB] },
    });
  });
});

describe("central stack, account trails in account-list mode", () => {
  it("changes only the listed account's trail: every other member keeps its default one", async () => {
    const { central } = await simulate(
      listSettings({
        cloudTrail: {
          admitAccountTrailsBy: "trail",
          accountTrails: [{ accountId: WEB, homeRegion: "us-east-1" }],
        },
      }),
    );
    expect(central.outputs.archive.cloudTrail.accountTrailArns).to.deep.equal([
      `arn:aws:cloudtrail:us-east-1:${WEB}:trail/central-logging`,
      `arn:aws:cloudtrail:eu-west-1:${MGMT}:trail/central-logging`,
    ]);
  });
});

describe("central stack options", () => {
  it("enables Object Lock at creation with the configured default retention", async () => {
    const { central } = await simulate(
      centralSettings({
        objectLock: { mode: "COMPLIANCE", retentionDays: 400 },
        lifecycle: { noncurrentExpirationDays: 400 },
      }),
    );
    for (const logType of LOG_TYPES) {
      // Turned on by the lock configuration (S3 user guide: Object Lock on an existing bucket), so that
      // turning it on later never replaces a bucket.
      expect(find(central, "aws:s3/bucket:Bucket", `${logType}-logs`).inputs.objectLockEnabled).to.equal(
        undefined,
      );
      const lock = find(
        central,
        "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
        `${logType}-logs-object-lock`,
      );
      expect(lock.inputs.rule).to.deep.equal({ defaultRetention: { mode: "COMPLIANCE", days: 400 } });
      expect(lock.inputs.objectLockEnabled).to.equal("Enabled");
    }
    expect(find(central, "aws:s3/bucket:Bucket", "access-logs").inputs.objectLockEnabled).to.equal(undefined);
    // Members read it: their replication roles need the source's lock metadata.
    expect(central.outputs.archive.objectLock).to.deep.equal({ mode: "COMPLIANCE", retentionDays: 400 });
  });

  it("uses an OIDC trust pinned to audience and session name for Microsoft Sentinel", async () => {
    const { central } = await simulate(
      centralSettings({
        siem: {
          trust: "oidc",
          providerArn:
            "arn:aws:iam::111111111111:oidc-provider/sts.windows.net/33e01921-4d64-4f8c-a055-5bdaffd5e33d/",
          audience: "api://1462b192-27f7-4cb9-8523-0f4ecb54b47e",
          roleSessionName: "MicrosoftSentinel_0000",
        },
      }),
    );
    const role = find(central, "aws:iam/role:Role");
    expect(role.inputs.name).to.equal("OIDC_central-logs-siem-reader");
    const s = parsed(role.inputs.assumeRolePolicy).Statement[0];
    expect(s.Action).to.equal("sts:AssumeRoleWithWebIdentity");
    expect(s.Condition).to.deep.equal({
      StringEquals: {
        "sts.windows.net/33e01921-4d64-4f8c-a055-5bdaffd5e33d/:aud":
          "api://1462b192-27f7-4cb9-8523-0f4ecb54b47e",
        "sts:RoleSessionName": "MicrosoftSentinel_0000",
      },
    });
    expect(central.secretOutputNames).to.deep.equal([]);
    expect(central.outputs).not.to.have.property("siemExternalId");
  });

  it("applies the configured rotation period, queue settings and lifecycle", async () => {
    const { central } = await simulate(
      centralSettings({
        keyRotationDays: "90",
        queue: { visibilityTimeoutSeconds: 900, maxReceiveCount: 10 },
        lifecycle: { transitionDays: 30, expirationDays: 400 },
      }),
    );
    expect(find(central, KEY).inputs.rotationPeriodInDays).to.equal(90);
    const q = find(central, "aws:sqs/queue:Queue", "waf-queue");
    expect(q.inputs.visibilityTimeoutSeconds).to.equal(900);
    expect(JSON.parse(q.inputs.redrivePolicy).maxReceiveCount).to.equal(10);
    const rule = find(
      central,
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      "waf-logs-lifecycle",
    ).inputs.rules[0];
    expect(rule.transitions[0].days).to.equal(30);
    expect(rule.expiration.days).to.equal(400);
  });
});
