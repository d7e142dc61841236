import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { LOG_TYPES } from "../shared/naming";
import { main as planMain } from "../tools/plan/plan";
import { main, readSiemInput, render, SiemInput } from "../tools/siem-config/siemConfig";
import { all, CENTRAL, centralSettings, find, parsed, simulate, simulateOnce, statement } from "./helpers";

const OIDC = {
  trust: "oidc",
  providerArn:
    "arn:aws:iam::111111111111:oidc-provider/sts.windows.net/33e01921-4d64-4f8c-a055-5bdaffd5e33d/",
  audience: "api://1462b192-27f7-4cb9-8523-0f4ecb54b47e",
  roleSessionName: "MicrosoftSentinel_0000",
};

/** `pulumi stack output --json [--show-secrets]` of a simulated central stack. */
async function stackOutputs(settings = centralSettings(), showSecrets = false) {
  const { central } = await simulate(settings);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(central.outputs))
    out[k] = central.secretOutputNames.includes(k) && !showSecrets ? "[secret]" : v;
  return JSON.stringify(out);
}

describe("siem output", () => {
  it("describes each log type for a reader, the external ID kept in its own secret output", async () => {
    const { central } = await simulateOnce(centralSettings());
    const siem = central.outputs.siem;
    expect(Object.keys(siem)).to.deep.equal([...LOG_TYPES]);
    expect(siem.cloudtrail).to.deep.include({
      logType: "cloudtrail",
      region: "eu-west-1",
      queueUrl: `https://sqs.eu-west-1.amazonaws.com/${CENTRAL}/central-logs-cloudtrail`,
      bucketName: "central-logs-cloudtrail-example-org",
      keyArn: central.outputs.archive.keyArn,
      roleArn: `arn:aws:iam::${CENTRAL}:role/central-logs-siem-reader`,
      trust: "aws",
      externalIdOutput: "siemExternalId",
      skipKeyPatterns: ["/CloudTrail-Digest/"],
      messageFormat: "s3-event-notification",
    });
    expect(central.secretOutputNames).to.deep.equal(["siemExternalId"]);
    expect(JSON.stringify(siem)).not.to.contain("ext-id-123");
  });

  it("gives take-patterns that match the services' keys and not the digest files", async () => {
    const { central } = await simulateOnce(centralSettings());
    const take = (t: (typeof LOG_TYPES)[number]) => new RegExp(central.outputs.siem[t].takeKeyPattern);
    expect(
      take("cloudtrail").test("AWSLogs/222222222222/CloudTrail/eu-west-1/2026/11/26/x.json.gz"),
    ).to.equal(true);
    expect(
      take("cloudtrail").test("AWSLogs/o-a1b2c3d4e5/222222222222/CloudTrail/eu-west-1/2026/11/26/x.json.gz"),
    ).to.equal(true);
    expect(
      take("cloudtrail").test("AWSLogs/222222222222/CloudTrail-Digest/eu-west-1/2026/11/26/x.json.gz"),
    ).to.equal(false);
    expect(
      take("vpcflowlogs").test("AWSLogs/222222222222/vpcflowlogs/eu-west-1/2026/11/26/x.log.gz"),
    ).to.equal(true);
    expect(
      take("vpcflowlogs").test(
        "AWSLogs/aws-account-id=222222222222/aws-service=vpcflowlogs/aws-region=eu-west-1/x.log.gz",
      ),
    ).to.equal(true);
    expect(
      take("waf").test("AWSLogs/333333333333/WAFLogs/eu-west-1/web-app/2026/11/26/10/05/x.log.gz"),
    ).to.equal(true);
  });
});

describe("delivery alarms", () => {
  it("alarms on dead letters and on the oldest message of every queue, without a topic when no one listens", async () => {
    // The topic exists whenever notifications are set or tamper alarms are on (the default).
    const { central } = await simulateOnce(
      centralSettings({ tamperProtection: { deployRoleNames: ["central-logging-deploy"], alarms: false } }),
    );
    const alarms = all(central, "aws:cloudwatch/metricAlarm:MetricAlarm");
    expect(alarms.map((x) => x.inputs.name).sort()).to.deep.equal([
      "central-logs-cloudtrail-dead-letters",
      "central-logs-cloudtrail-no-delivery",
      "central-logs-cloudtrail-oldest-message",
      "central-logs-vpcflowlogs-dead-letters",
      "central-logs-vpcflowlogs-no-delivery",
      "central-logs-vpcflowlogs-oldest-message",
      "central-logs-waf-dead-letters",
      "central-logs-waf-oldest-message",
    ]);
    const silent = find(central, "aws:cloudwatch/metricAlarm:MetricAlarm", "cloudtrail-no-delivery").inputs;
    expect(silent).to.include({
      metricName: "NumberOfMessagesSent",
      statistic: "Sum",
      period: 3600,
      threshold: 1,
      comparisonOperator: "LessThanThreshold",
      treatMissingData: "breaching",
    });
    const dlq = find(central, "aws:cloudwatch/metricAlarm:MetricAlarm", "cloudtrail-dead-letters").inputs;
    expect(dlq).to.include({
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      comparisonOperator: "GreaterThanThreshold",
      threshold: 0,
      treatMissingData: "notBreaching",
    });
    expect(dlq.dimensions).to.deep.equal({ QueueName: "central-logs-cloudtrail-dlq" });
    const age = find(central, "aws:cloudwatch/metricAlarm:MetricAlarm", "waf-oldest-message").inputs;
    expect(age).to.include({
      metricName: "ApproximateAgeOfOldestMessage",
      threshold: 3600,
      statistic: "Maximum",
    });
    expect(age.dimensions).to.deep.equal({ QueueName: "central-logs-waf" });
    expect(age.alarmActions).to.deep.equal([]);
    expect(all(central, "aws:sns/topic:Topic")).to.have.length(0);
    expect(parsed(find(central, "aws:kms/key:Key").inputs.policy).Statement.map((s) => s.Sid)).not.to.include(
      "CloudWatchAlarmsToEncryptedTopic",
    );
  });

  it("notifies an SNS topic encrypted with the CMK, whose key policy admits CloudWatch for this account", async () => {
    const { central } = await simulate(
      centralSettings({
        alarms: {
          oldestMessageAgeSeconds: 900,
          notifications: [{ protocol: "email", endpoint: "soc@example.com" }],
        },
      }),
    );
    const topic = find(central, "aws:sns/topic:Topic").inputs;
    expect(topic.kmsMasterKeyId).to.equal(central.outputs.archive.keyArn);
    expect(find(central, "aws:sns/topicSubscription:TopicSubscription").inputs).to.include({
      protocol: "email",
      endpoint: "soc@example.com",
    });
    const age = find(central, "aws:cloudwatch/metricAlarm:MetricAlarm", "vpcflowlogs-oldest-message").inputs;
    expect(age.threshold).to.equal(900);
    expect(age.alarmActions).to.have.length(1);
    expect(age.okActions).to.deep.equal(age.alarmActions);
    const s = statement(
      parsed(find(central, "aws:kms/key:Key").inputs.policy),
      "CloudWatchAlarmsToEncryptedTopic",
    );
    expect(s.Principal).to.deep.equal({ Service: "cloudwatch.amazonaws.com" });
    expect(s.Action).to.deep.equal(["kms:Decrypt", "kms:GenerateDataKey*"]);
    // AWS's statement has no condition; aws:SourceAccount is the kms-source-account extension.
    expect(s).not.to.have.property("Condition");
  });

  it("can be turned off", async () => {
    const { central } = await simulate(centralSettings({ alarms: { enabled: false } }));
    expect(all(central, "aws:cloudwatch/metricAlarm:MetricAlarm")).to.have.length(0);
  });
});

describe("siem-config renderings", () => {
  let hidden: SiemInput;
  let shown: SiemInput;
  before(async () => {
    hidden = readSiemInput(await stackOutputs(), "outputs.json");
    shown = readSiemInput(await stackOutputs(centralSettings(), true), "outputs.json");
  });

  it("Splunk: one SQS-based S3 input per queue with the fields the add-on requires", () => {
    const text = render("splunk", shown, true);
    const stanzas = text.split("\n\n").filter((b) => b.includes("[aws_sqs_based_s3://"));
    expect(stanzas).to.have.length(3);
    for (const stanza of stanzas)
      for (const key of [
        "aws_account",
        "aws_iam_role",
        "sqs_queue_url",
        "sqs_queue_region",
        "s3_file_decoder",
        "sourcetype",
        "using_dlq",
      ])
        expect(stanza).to.match(new RegExp(`^${key} = .+$`, "m"));
    expect(text).to.contain("s3_file_decoder = CloudTrail");
    expect(text).to.contain(
      "sqs_queue_url = https://sqs.eu-west-1.amazonaws.com/111111111111/central-logs-waf",
    );
    expect(text).to.contain("external ID ext-id-123");
  });

  it("Elastic: aws-s3 inputs with queue_url, role_arn, external_id, Records expansion and selectors that skip digests", () => {
    const doc = parse(render("elastic", shown, true));
    const inputs = doc["filebeat.inputs"];
    expect(inputs).to.have.length(3);
    for (const i of inputs) {
      expect(i.type).to.equal("aws-s3");
      expect(i.queue_url).to.match(/^https:\/\/sqs\./);
      expect(i.role_arn).to.equal("arn:aws:iam::111111111111:role/central-logs-siem-reader");
      expect(i.external_id).to.equal("ext-id-123");
      expect(i["sqs.max_receive_count"]).to.equal(-1);
    }
    const ct = inputs[0].file_selectors[0];
    expect(ct.expand_event_list_from_field).to.equal("Records");
    expect(
      new RegExp(ct.regex).test("AWSLogs/222222222222/CloudTrail-Digest/eu-west-1/2026/x.json.gz"),
    ).to.equal(false);
    expect(new RegExp(ct.regex).test("AWSLogs/222222222222/CloudTrail/eu-west-1/2026/x.json.gz")).to.equal(
      true,
    );
  });

  it("Vector: aws_s3 sources with SQS, assume_role and external_id, and a filter dropping digests", () => {
    const doc = parse(render("vector", shown, true));
    const src = doc.sources.central_logs_cloudtrail;
    expect(src).to.deep.include({ type: "aws_s3", region: "eu-west-1", compression: "auto" });
    expect(src.auth).to.deep.equal({
      assume_role: "arn:aws:iam::111111111111:role/central-logs-siem-reader",
      external_id: "ext-id-123",
    });
    expect(src.sqs).to.deep.include({
      queue_url: "https://sqs.eu-west-1.amazonaws.com/111111111111/central-logs-cloudtrail",
      delete_message: true,
    });
    expect(doc.transforms.central_logs_cloudtrail_logs_only.condition).to.contain(
      '!contains(string!(.object), "/CloudTrail-Digest/")',
    );
    expect(doc.transforms.central_logs_cloudtrail_logs_only.inputs).to.deep.equal([
      "central_logs_cloudtrail",
    ]);
  });

  it("Sentinel: one connection per table with the OIDC_ role, and a clear refusal otherwise", async () => {
    expect(() => render("sentinel", shown, true)).to.throw(/assumes the role by OIDC/);
    const oidc = readSiemInput(await stackOutputs(centralSettings({ siem: OIDC })), "o.json");
    const doc = parse(render("sentinel", oidc, false));
    expect(doc.connections.map((c: any) => c.destinationTable)).to.deep.equal([
      "AWSCloudTrail",
      "AWSVPCFlow",
      "AWSWAF",
    ]);
    for (const c of doc.connections) {
      expect(c.roleArn).to.equal("arn:aws:iam::111111111111:role/OIDC_central-logs-siem-reader");
      expect(c.sqsUrl).to.match(/^https:\/\/sqs\.eu-west-1\.amazonaws\.com\/111111111111\/central-logs-/);
    }
  });

  it("refuses to render Splunk, Elastic or Vector for a role that trusts only OIDC web identity", async () => {
    const oidc = readSiemInput(await stackOutputs(centralSettings({ siem: OIDC })), "o.json");
    for (const siem of ["splunk", "elastic", "vector"] as const)
      expect(() => render(siem, oidc, false), siem).to.throw(
        /assumes the reader role with sts:AssumeRole and an external ID, but this archive's role trusts only OIDC web identity \(central-logging:siem.trust is oidc\); set siem.trust to aws/,
      );
  });

  it("prints usage on --help, asks for --outputs instead of waiting on a terminal, and writes --out itself", async () => {
    const help = main(["--help"]);
    expect(help.code).to.equal(0);
    expect(help.out).to.match(/^usage: npm run siem-config -- --siem/);
    let read = false;
    const waiting = main(["--siem", "splunk"], () => ((read = true), "{}"), true);
    expect(read, "never reads a terminal").to.equal(false);
    expect(waiting).to.deep.include({
      code: 2,
      err: "siem-config: (command line): --outputs: expected --outputs FILE (pulumi stack output --stack central --json), or that JSON piped to standard input\n",
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "siem-"));
    const outputs = path.join(dir, "plan.json");
    expect((await planMain(["--json", outputs, "--quiet"])).code).to.equal(0);
    const out = path.join(dir, "inputs.conf");
    const written = main(["--siem", "splunk", "--outputs", outputs, "--out", out]);
    expect(written).to.deep.include({ code: 0, out: "", err: `siem-config: wrote ${out}\n` });
    expect(fs.readFileSync(out, "utf8")).to.contain("[aws_sqs_based_s3://central-logs-cloudtrail]");
    expect(main(["--siem", "splunk", "--outputs", outputs, "--out", "/nonexistent/x.conf"]).code).to.equal(2);
    // The output never overwrites the input, by the same name or through a link.
    const before = fs.readFileSync(outputs, "utf8");
    const link = path.join(dir, "link.json");
    fs.symlinkSync(outputs, link);
    for (const [target, message] of [
      [outputs, `${outputs} is an input (--outputs)`],
      [link, `${link} is the same file as ${outputs}, an input (--outputs)`],
    ]) {
      const self = main(["--siem", "splunk", "--outputs", outputs, "--out", target]);
      expect(self).to.deep.include({
        code: 2,
        err: `siem-config: (command line): --out: ${message}; writing it would destroy it. Write to another file\n`,
      });
    }
    expect(fs.readFileSync(outputs, "utf8")).to.equal(before);
  });

  it("shows the external ID only when asked for, and only if the outputs hold it", () => {
    for (const siem of ["splunk", "elastic", "vector"] as const) {
      expect(render(siem, shown, false), siem).not.to.contain("ext-id-123");
      expect(render(siem, hidden, true), siem).not.to.contain("ext-id-123");
      expect(render(siem, hidden, true), siem).to.contain(
        "pulumi stack output siemExternalId --show-secrets",
      );
      expect(render(siem, shown, true), siem).to.contain("ext-id-123");
    }
  });

  it("reads the offline plan's JSON too, and fails in one line on bad input", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "siem-")), "plan.json");
    expect((await planMain(["--json", file, "--quiet"])).code).to.equal(0);
    const r = main(["--siem", "splunk", "--outputs", file]);
    expect(r.code).to.equal(0);
    expect(r.out).to.contain("[aws_sqs_based_s3://central-logs-cloudtrail]");
    const bad = main(["--siem", "qradar", "--outputs", file]);
    expect(bad).to.deep.include({
      code: 2,
      err: "siem-config: (command line): --siem: expected one of splunk, elastic, vector, sentinel, got qradar\n",
    });
    const missing = main(["--siem", "elastic"], () => "{}", false);
    expect(missing.err).to.equal(
      "siem-config: (standard input): siem: missing; expected the central stack's outputs\n",
    );
  });
});
