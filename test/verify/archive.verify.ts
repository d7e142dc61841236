/**
 * `npm run verify` against moto's server mode: a real S3/SQS/KMS/CloudWatch/Organizations API that
 * nobody here wrote. Each case builds the archive as the central stack does, seeds log objects with
 * AWS's key layouts and file names, breaks one thing, and asserts the rows and the exit status.
 */
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { PutMetricDataCommand, CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { DisableKeyRotationCommand, CreateKeyCommand } from "@aws-sdk/client-kms";
import {
  CreateAccountCommand,
  CreateOrganizationCommand,
  ListAccountsCommand,
  OrganizationsClient,
} from "@aws-sdk/client-organizations";
import {
  PutObjectLockConfigurationCommand,
  PutBucketEncryptionCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketVersioningCommand,
} from "@aws-sdk/client-s3";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { CentralArchiveOutputs } from "../../shared/contract";
import {
  createTestArchive,
  seed,
  SeedObject,
  testClients,
  TEST_REGION,
} from "../../tools/verify/moto/archive";
import { Moto, startMoto } from "../../tools/verify/moto/server";
import { DeliveryRow, VerifyReport } from "../../tools/verify/report";
import { main } from "../../tools/verify/verify";

const ORG = "o-a1b2c3d4e5";
const MGMT = "222222222222";
const WEB = "333333333333";
const DATA = "444444444444";
const NEW = "555555555555";
const SUSPENDED = "666666666666";
const minutes = (n: number) => new Date(Date.now() - n * 60_000);

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "verify-"));
}

function write(dir: string, name: string, content: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
  return file;
}

/** Member stack files as a user keeps them: flow logs plain and Hive, one WAF web ACL. */
function memberStacks(dir: string) {
  const stack = (account: string, extra: string) =>
    `config:\n  aws:region: ${TEST_REGION}\n  aws:allowedAccountIds:\n    - "${account}"\n  central-logging:role: member\n  central-logging:centralStack: organization/central-logging/central\n  central-logging:cloudTrail:\n    mode: covered-by-organization-trail\n${extra}`;
  write(
    dir,
    "Pulumi.workload-web.yaml",
    stack(
      WEB,
      `  central-logging:flowLogs:\n    vpcIds: all\n  central-logging:waf:\n    webAclArns:\n      - arn:aws:wafv2:${TEST_REGION}:${WEB}:regional/webacl/web-app/a1b2c3d4-5678-90ab-cdef-111111111111\n`,
    ),
  );
  write(
    dir,
    "Pulumi.workload-data.yaml",
    stack(DATA, `  central-logging:flowLogs:\n    vpcIds: all\n    hiveCompatiblePartitions: true\n`),
  );
}

function accountsFile(dir: string, ids: string[]) {
  return write(dir, "accounts.json", {
    Accounts: [
      ...ids.map((Id) => ({ Id, Name: Id, Status: "ACTIVE", State: "ACTIVE" })),
      { Id: SUSPENDED, Name: "closed", Status: "SUSPENDED", State: "CLOSED" },
    ],
  });
}

function healthyObjects(accounts: string[]): SeedObject[] {
  return [
    ...accounts.map((account): SeedObject => ({
      logType: "cloudtrail",
      account,
      region: TEST_REGION,
      at: minutes(12),
      organizationId: ORG,
    })),
    { logType: "vpcflowlogs", account: WEB, region: TEST_REGION, at: minutes(20) },
    { logType: "vpcflowlogs", account: DATA, region: TEST_REGION, at: minutes(25), hive: true },
    { logType: "waf", account: WEB, region: TEST_REGION, at: minutes(8), webAcl: "web-app" },
  ];
}

const row = (r: VerifyReport, logType: string, account: string) =>
  r.delivery.find((d) => d.logType === logType && d.account === account) as DeliveryRow;
const guard = (r: VerifyReport, resource: string, check: string) =>
  r.guards.find((g) => g.resource === resource && g.check === check)!;

describe("npm run verify against moto's server mode", function () {
  let moto: Moto;
  let dir: string;
  let outputs: CentralArchiveOutputs;
  let outputsFile: string;
  const env = { ...process.env };

  before(async () => {
    moto = await startMoto();
    process.env.AWS_ACCESS_KEY_ID = "testing";
    process.env.AWS_SECRET_ACCESS_KEY = "testing";
    delete process.env.AWS_PROFILE;
  });
  after(async () => {
    process.env = env;
    await moto?.stop();
  });
  beforeEach(async () => {
    await moto.reset();
    dir = tmp();
    memberStacks(dir);
    outputs = await createTestArchive(moto.endpoint, {
      suffix: "verify-test",
      mode: "organization",
      organizationId: ORG,
      members: [MGMT, WEB, DATA],
      organizationTrail: { managementAccountId: MGMT, name: "organization-trail" },
    });
    outputsFile = write(dir, "outputs.json", { archive: outputs, siemExternalId: "[secret]" });
  });

  const options = (...extra: string[]) => [
    "--outputs",
    outputsFile,
    "--endpoint",
    moto.endpoint,
    "--stacks",
    dir,
    "--accounts",
    accountsFile(dir, [MGMT, WEB, DATA]),
    ...extra,
  ];
  const run = (...extra: string[]) => main(options("--quiet", ...extra));

  it("a healthy archive: every expected prefix ok, every guard on, exit 0, with JSON and Markdown reports", async () => {
    await seed(moto.endpoint, outputs, healthyObjects([MGMT, WEB, DATA]));
    const json = path.join(dir, "report.json");
    const markdown = path.join(dir, "report.md");
    const r = await run("--since", "2h", "--json", json, "--markdown", markdown);
    expect(r.err).to.equal("");
    expect(r.code).to.equal(0);
    const report = JSON.parse(fs.readFileSync(json, "utf8")) as VerifyReport;
    expect(report.version).to.equal(1);
    expect(report.expected).to.include({ accounts: 3, complete: true });
    // 3 organization-trail rows, flow logs for two accounts (one Hive), one web ACL.
    expect(
      report.delivery.map((d) => `${d.logType}/${d.account}/${d.source}/${d.status}`).sort(),
    ).to.deep.equal(
      [
        `cloudtrail/${DATA}/organization trail/ok`,
        `cloudtrail/${MGMT}/organization trail/ok`,
        `cloudtrail/${WEB}/organization trail/ok`,
        `vpcflowlogs/${DATA}/flow logs (Hive)/ok`,
        `vpcflowlogs/${WEB}/flow logs/ok`,
        `waf/${WEB}/WAF web-app/ok`,
      ].sort(),
    );
    const trail = row(report, "cloudtrail", WEB);
    expect(trail.prefix).to.equal(
      `s3://${outputs.logs.cloudtrail.bucketName}/AWSLogs/${ORG}/${WEB}/CloudTrail/${TEST_REGION}/`,
    );
    expect(trail.newestKey).to.match(
      new RegExp(`^AWSLogs/${ORG}/${WEB}/CloudTrail/${TEST_REGION}/\\d{4}/\\d{2}/\\d{2}/${WEB}_CloudTrail_`),
    );
    // File names carry whole minutes: a file of 12 minutes ago is 12 to 13 minutes old, plus the run.
    expect(trail.ageSeconds).to.be.within(12 * 60, 14 * 60);
    expect(row(report, "vpcflowlogs", DATA).prefix).to.contain(
      `AWSLogs/aws-account-id=${DATA}/aws-service=vpcflowlogs/aws-region=${TEST_REGION}/`,
    );
    expect(report.guards.filter((g) => g.status !== "ok")).to.deep.equal([]);
    expect(report.guards).to.have.length(3 * 6 + 2 + 3 * 2);
    // moto delivers the bucket's event notifications to the queues for real: nobody consumes them here.
    expect(report.queues.map((q) => q.status)).to.deep.equal(["ok", "ok", "ok"]);
    expect(report.queues.find((q) => q.logType === "waf")!.visible).to.be.greaterThan(0);
    expect(report.summary).to.include({
      ok: 6,
      late: 0,
      missing: 0,
      unexpected: 0,
      guardsOff: 0,
      exitCode: 0,
    });
    const md = fs.readFileSync(markdown, "utf8");
    expect(md).to.contain("## central-logging verify: ✅ verified");
    expect(md).to.contain("<details><summary>6 ok row(s)</summary>");
    expect(r.out).to.contain("VERIFIED: 6 ok, 0 late, 0 missing, 0 unexpected");
  });

  it("late, missing and unexpected accounts: rows with their likely cause, exit 1 (through the npm script)", async () => {
    await seed(moto.endpoint, outputs, [
      ...healthyObjects([MGMT, WEB]).filter((o) => !(o.logType === "vpcflowlogs" && o.account === DATA)),
      // DATA's organization-trail logs stopped 5 hours ago; its Hive flow logs never arrived.
      { logType: "cloudtrail", account: DATA, region: TEST_REGION, at: minutes(300), organizationId: ORG },
      // An account outside the accounts file, under the organization's folder and its own.
      { logType: "cloudtrail", account: NEW, region: TEST_REGION, at: minutes(5), organizationId: ORG },
      { logType: "vpcflowlogs", account: NEW, region: TEST_REGION, at: minutes(5) },
    ]);
    const json = path.join(dir, "report.json");
    const cli = spawnSync(
      "npm",
      ["run", "--silent", "verify", "--", ...options("--since", "2h", "--json", json)],
      { encoding: "utf8", env: { ...process.env } },
    );
    // Nothing on stderr but progress lines (a slow run prints one every 5 s).
    expect(cli.stderr.split("\n").filter((l) => l && !/^verify: \d+ of \d+ checks, /.test(l))).to.deep.equal(
      [],
    );
    expect(cli.status).to.equal(1);
    expect(cli.stdout).to.contain("NOT VERIFIED: 4 ok, 1 late, 1 missing, 2 unexpected");
    const report = JSON.parse(fs.readFileSync(json, "utf8")) as VerifyReport;
    const late = row(report, "cloudtrail", DATA);
    expect(late.status).to.equal("late");
    expect(late.ageSeconds).to.be.within(300 * 60, 302 * 60);
    expect(late.why).to.match(/^newest file is 5h old: the organization trail stopped delivering/);
    expect(late.why).to.contain("get-trail-status");
    const missing = row(report, "vpcflowlogs", DATA);
    expect(missing).to.include({
      status: "missing",
      source: "flow logs (Hive)",
      expectedBy: "Pulumi.workload-data.yaml",
    });
    expect(missing.why).to.contain(`aws ec2 describe-flow-logs in ${DATA} ${TEST_REGION}`);
    const unexpected = report.delivery.filter((d) => d.status === "unexpected");
    expect(unexpected.map((d) => `${d.logType}/${d.account}`).sort()).to.deep.equal([
      `cloudtrail/${NEW}`,
      `vpcflowlogs/${NEW}`,
    ]);
    expect(unexpected.find((d) => d.logType === "cloudtrail")!.prefix).to.contain(`AWSLogs/${ORG}/${NEW}/`);
    // Unexpected alone does not fail; with --fail-on-unexpected it does.
    await seed(moto.endpoint, outputs, [
      { logType: "cloudtrail", account: DATA, region: TEST_REGION, at: minutes(3), organizationId: ORG },
      { logType: "vpcflowlogs", account: DATA, region: TEST_REGION, at: minutes(3), hive: true },
    ]);
    expect((await run("--since", "2h")).code).to.equal(0);
    const strict = await run("--since", "2h", "--fail-on-unexpected");
    expect(strict.code).to.equal(1);
    expect(strict.report!.summary.unexpected).to.equal(2);
  });

  it("a prefix with nothing in the window walks its newest year, month and day folders: late, not missing", async () => {
    await seed(moto.endpoint, outputs, [
      ...healthyObjects([MGMT, WEB, DATA]).filter((o) => o.logType !== "waf"),
      {
        logType: "waf",
        account: WEB,
        region: TEST_REGION,
        at: new Date(Date.now() - 40 * 86_400_000),
        webAcl: "web-app",
      },
    ]);
    const r = await run("--since", "2h");
    expect(r.code).to.equal(1);
    const waf = row(r.report!, "waf", WEB);
    expect(waf.status).to.equal("late");
    expect(waf.ageSeconds).to.be.within(40 * 86_400 - 120, 40 * 86_400 + 120);
    expect(waf.why).to.contain(`aws-waf-logs-${WEB}-${TEST_REGION}`);
    // Listing by date prefix: 6 prefixes, the late one walks its dates; nowhere near one listing per object.
    expect(r.report!.summary.requests).to.be.lessThan(60);
  });

  it("a non-empty dead-letter queue fails the hand-off with the likely cause", async () => {
    await seed(moto.endpoint, outputs, healthyObjects([MGMT, WEB, DATA]));
    const { sqs } = testClients(moto.endpoint);
    const dlqUrl = outputs.logs.vpcflowlogs.queueUrl.replace(
      /central-logs-vpcflowlogs$/,
      "central-logs-vpcflowlogs-dlq",
    );
    for (let i = 0; i < 3; i++)
      await sqs.send(new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: `{"Records":[${i}]}` }));
    const r = await run("--since", "2h");
    expect(r.code).to.equal(1);
    const q = r.report!.queues.find((x) => x.logType === "vpcflowlogs")!;
    expect(q).to.include({
      status: "failing",
      deadLetterVisible: 3,
      deadLetterQueue: "central-logs-vpcflowlogs-dlq",
    });
    expect(q.verdict).to.match(/^DLQ not empty \(3\): .*cannot read or decrypt.*kms:Decrypt via S3/);
    expect(r.out).to.contain("1 queue(s) failing");
  });

  it("an old oldest message (CloudWatch ApproximateAgeOfOldestMessage) says the SIEM is not consuming", async () => {
    await seed(moto.endpoint, outputs, healthyObjects([MGMT, WEB, DATA]));
    const cw = new CloudWatchClient({
      endpoint: moto.endpoint,
      region: TEST_REGION,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
    await cw.send(
      new PutMetricDataCommand({
        Namespace: "AWS/SQS",
        MetricData: [
          {
            MetricName: "ApproximateAgeOfOldestMessage",
            Dimensions: [{ Name: "QueueName", Value: "central-logs-cloudtrail" }],
            Value: 7300,
            Unit: "Seconds",
            Timestamp: minutes(2),
          },
        ],
      }),
    );
    const r = await run("--since", "2h", "--max-queue-age", "1h");
    expect(r.code).to.equal(1);
    const q = r.report!.queues.find((x) => x.logType === "cloudtrail")!;
    expect(q).to.include({ status: "failing", oldestAgeSeconds: 7300 });
    expect(q.verdict).to.match(
      /^oldest message is 2h01m old: the SIEM is not consuming central-logs-cloudtrail/,
    );
    expect((await run("--since", "2h", "--max-queue-age", "3h")).code).to.equal(0);
  });

  it("Object Lock: reads the default retention back, and reports a bucket that receives nothing under it", async () => {
    await moto.reset();
    outputs = await createTestArchive(moto.endpoint, {
      suffix: "verify-test",
      mode: "organization",
      organizationId: ORG,
      members: [MGMT, WEB, DATA],
      organizationTrail: { managementAccountId: MGMT, name: "organization-trail" },
      objectLock: { mode: "GOVERNANCE", retentionDays: 400 },
    });
    outputsFile = write(dir, "outputs.json", { archive: outputs, siemExternalId: "[secret]" });
    const waf = outputs.logs.waf.bucketName;
    const flow = outputs.logs.vpcflowlogs.bucketName;
    const c = testClients(moto.endpoint);
    await c.s3.send(
      new PutObjectLockConfigurationCommand({
        Bucket: flow,
        ObjectLockConfiguration: {
          ObjectLockEnabled: "Enabled",
          Rule: { DefaultRetention: { Mode: "GOVERNANCE", Days: 1 } },
        },
      }),
    );
    // (Before any object: moto refuses a lock configuration change on a bucket that is not empty.)
    // Everything arrives but WAF's objects: as if its writes were refused for want of a checksum.
    await seed(
      moto.endpoint,
      outputs,
      healthyObjects([MGMT, WEB, DATA]).filter((o) => o.logType !== "waf"),
    );
    const json = path.join(dir, "lock.json");
    const r = await run("--since", "2h", "--json", json);
    expect(r.code).to.equal(1);
    const report = JSON.parse(fs.readFileSync(json, "utf8")) as VerifyReport;
    expect(guard(report, outputs.logs.cloudtrail.bucketName, "Object Lock default retention")).to.include({
      status: "ok",
      found: "GOVERNANCE 400 days",
    });
    expect(guard(report, flow, "Object Lock default retention")).to.include({
      status: "off",
      found: "GOVERNANCE 1 days",
      expected: "GOVERNANCE 400 days",
    });
    expect(guard(report, waf, "receives objects under Object Lock")).to.include({
      status: "off",
      found: "0 of 1 expected prefixes with a new object",
    });
    expect(guard(report, waf, "receives objects under Object Lock").fix).to.contain("Content-MD5");
    expect(
      guard(report, outputs.logs.cloudtrail.bucketName, "receives objects under Object Lock").status,
    ).to.equal("ok");
    expect(report.summary.guardsOff).to.equal(2);
  });

  it("guards changed outside Pulumi: versioning suspended, another key, no notification, rotation off", async () => {
    await seed(moto.endpoint, outputs, healthyObjects([MGMT, WEB, DATA]));
    const c = testClients(moto.endpoint);
    const cloudtrail = outputs.logs.cloudtrail.bucketName;
    const flow = outputs.logs.vpcflowlogs.bucketName;
    const waf = outputs.logs.waf.bucketName;
    await c.s3.send(
      new PutBucketVersioningCommand({
        Bucket: cloudtrail,
        VersioningConfiguration: { Status: "Suspended" },
      }),
    );
    const other = (await c.kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    await c.s3.send(
      new PutBucketEncryptionCommand({
        Bucket: flow,
        ServerSideEncryptionConfiguration: {
          Rules: [
            {
              ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: other },
              BucketKeyEnabled: true,
            },
          ],
        },
      }),
    );
    await c.s3.send(
      new PutBucketNotificationConfigurationCommand({ Bucket: waf, NotificationConfiguration: {} }),
    );
    await c.kms.send(new DisableKeyRotationCommand({ KeyId: outputs.keyArn }));
    const r = await run("--since", "2h");
    expect(r.code).to.equal(1);
    const report = r.report!;
    expect(guard(report, cloudtrail, "versioning")).to.include({
      status: "off",
      found: "Suspended",
      expected: "Enabled",
    });
    expect(guard(report, cloudtrail, "versioning").fix).to.contain("PutBucketVersioning");
    expect(guard(report, flow, "default encryption with the archive key")).to.include({
      status: "off",
      found: `aws:kms ${other}`,
    });
    expect(guard(report, flow, "S3 Bucket Key").status).to.equal("ok");
    expect(guard(report, waf, "notification to its queue")).to.include({ status: "off", found: "none" });
    const key = `key ${outputs.keyArn.split("/").pop()}`;
    expect(guard(report, key, "automatic rotation")).to.include({ status: "off", found: "off" });
    expect(report.summary.guardsOff).to.equal(4);
    expect(report.delivery.every((d) => d.status === "ok")).to.equal(true);
    expect(r.out).to.contain("4 guard(s) off");
  });

  it("--organizations lists the expected accounts with organizations:ListAccounts", async () => {
    const orgs = new OrganizationsClient({
      endpoint: moto.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
    await orgs.send(new CreateOrganizationCommand({ FeatureSet: "ALL" }));
    await orgs.send(new CreateAccountCommand({ AccountName: "web", Email: "web@example.com" }));
    const ids = ((await orgs.send(new ListAccountsCommand({}))).Accounts ?? []).map((a) => a.Id!);
    expect(ids).to.have.length(2);
    await seed(
      moto.endpoint,
      outputs,
      ids.map((account) => ({
        logType: "cloudtrail",
        account,
        region: TEST_REGION,
        at: minutes(4),
        organizationId: ORG,
      })),
    );
    const r = await main([
      "--outputs",
      outputsFile,
      "--endpoint",
      moto.endpoint,
      "--stacks",
      tmp(),
      "--organizations",
      "--quiet",
    ]);
    expect(r.err).to.equal("");
    expect(r.report!.expected).to.include({
      accounts: 2,
      source: "organizations:ListAccounts",
      complete: true,
    });
    expect(r.report!.delivery.map((d) => d.account).sort()).to.deep.equal([...ids].sort());
    expect(r.code).to.equal(0);
  });

  it("retries throttling (503 SlowDown) in the SDK's standard retry mode and still verifies", async () => {
    await seed(moto.endpoint, outputs, healthyObjects([MGMT, WEB, DATA]));
    // A proxy in front of moto that answers the first three S3 listings with S3's throttling error.
    let throttled = 0;
    const target = new URL(moto.endpoint);
    const proxy = http.createServer((req, res) => {
      if (throttled < 3 && req.method === "GET" && /list-type=2/.test(req.url ?? "")) {
        throttled++;
        res.writeHead(503, { "content-type": "application/xml" });
        res.end(
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>',
        );
        req.resume();
        return;
      }
      const upstream = http.request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const port = (proxy.address() as { port: number }).port;
    try {
      const r = await main([
        "--outputs",
        outputsFile,
        "--endpoint",
        `http://127.0.0.1:${port}`,
        "--stacks",
        dir,
        "--accounts",
        accountsFile(dir, [MGMT, WEB, DATA]),
        "--since",
        "2h",
        "--concurrency",
        "1",
        "--quiet",
      ]);
      expect(throttled).to.equal(3);
      expect(r.err).to.equal("");
      expect(r.code).to.equal(0);
      expect(r.report!.summary.ok).to.equal(6);
    } finally {
      proxy.close();
    }
  });
});
