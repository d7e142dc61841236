/**
 * `npm run siem-config -- --siem <splunk|elastic|vector|sentinel> [--outputs FILE] [--out FILE]
 *  [--show-secrets]` (`--help` for details)
 *
 * Renders ready-to-paste SIEM configuration from the central stack's outputs: the JSON of
 * `pulumi stack output --json [--show-secrets]` (or of the offline plan, `npm run plan -- --json FILE`),
 * read from FILE or standard input. The external ID appears only with --show-secrets, and only if the
 * input holds it in clear. Exit 2 with one line on bad input.
 */
import * as fs from "fs";
import * as path from "path";
import { EXTERNAL_ID_OUTPUT, SIEM_OUTPUT, SiemFeed } from "../../shared/contract";
import { LOG_TYPES, LogType } from "../../shared/naming";
import { checkOutputsAreNotInputs, runAsProcess, UsageError } from "../common/cli";
import { centralOutputsOf } from "../common/outputs";

export class SiemConfigError extends Error {}

export const USAGE = `usage: npm run siem-config -- --siem <splunk|elastic|vector|sentinel> [options]

  Renders SIEM configuration for the archive's queues from the central stack's outputs.

  --siem NAME        splunk, elastic (Filebeat aws-s3), vector (aws_s3) or sentinel (Microsoft Sentinel)
  --outputs FILE     the outputs: \`pulumi stack output --stack central --json > FILE\`, or the offline
                     plan's \`npm run plan -- --json FILE\`; - or no option reads standard input
  --out FILE         write the configuration to FILE instead of standard output (to redirect standard
                     output instead, run npm run --silent siem-config: npm's banner lines come first)
  --show-secrets     put the external ID in the configuration (only if the outputs hold it in clear)
  --help             this text

  Splunk, Elastic and Vector assume the reader role with sts:AssumeRole and an external ID (siem.trust:
  aws); Microsoft Sentinel uses OIDC web identity (siem.trust: oidc). A trust the SIEM cannot use is
  refused in one line. Exit 0 rendered, 2 bad input or usage.`;
export type Siem = "splunk" | "elastic" | "vector" | "sentinel";
export const SIEMS: Siem[] = ["splunk", "elastic", "vector", "sentinel"];

export interface SiemInput {
  feeds: Record<LogType, SiemFeed>;
  externalId?: string;
}

const MASKED = "[secret]";

/** Accepts `pulumi stack output --json` or the offline plan's JSON. */
export function readSiemInput(text: string, source: string): SiemInput {
  let doc: any;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new SiemConfigError(`${source}: (file): is not JSON: ${(e as Error).message}`);
  }
  const found = centralOutputsOf(doc);
  if ("error" in found) throw new SiemConfigError(`${source}: ${found.error}`);
  const outputs = found.outputs;
  const feeds = outputs?.[SIEM_OUTPUT];
  if (!feeds || typeof feeds !== "object")
    throw new SiemConfigError(`${source}: ${SIEM_OUTPUT}: missing; expected the central stack's outputs`);
  if (feeds === MASKED) throw new SiemConfigError(`${source}: ${SIEM_OUTPUT}: is masked as a secret`);
  for (const t of LOG_TYPES)
    for (const field of ["queueUrl", "roleArn", "region", "bucketName"] as const)
      if (typeof feeds[t]?.[field] !== "string")
        throw new SiemConfigError(`${source}: ${SIEM_OUTPUT}.${t}.${field}: missing`);
  const id = outputs[EXTERNAL_ID_OUTPUT];
  return { feeds, externalId: typeof id === "string" && id !== MASKED ? id : undefined };
}

function externalIdFor(input: SiemInput, showSecrets: boolean): string | undefined {
  if (input.feeds.cloudtrail.trust !== "aws") return undefined;
  if (showSecrets && input.externalId) return input.externalId;
  return showSecrets
    ? "<external ID: run `pulumi stack output siemExternalId --show-secrets` on the central stack>"
    : "<external ID: rerun with --show-secrets on outputs from `pulumi stack output --json --show-secrets`>";
}

const SPLUNK: Record<LogType, { decoder: string; sourcetype: string }> = {
  cloudtrail: { decoder: "CloudTrail", sourcetype: "aws:cloudtrail" },
  vpcflowlogs: { decoder: "CustomLogs", sourcetype: "aws:cloudwatchlogs:vpcflow" },
  waf: { decoder: "CustomLogs", sourcetype: "aws:waf" },
};

/**
 * Splunk's add-on, Filebeat and Vector assume the reader role with sts:AssumeRole and an external ID. A
 * role that trusts only sts:AssumeRoleWithWebIdentity (siem.trust: oidc, for Microsoft Sentinel) cannot be
 * assumed that way, so rendering a configuration for it would hand the admin something that never works.
 */
function requireAwsTrust(siem: string, input: SiemInput) {
  if (input.feeds.cloudtrail.trust !== "aws")
    throw new SiemConfigError(
      `siem.cloudtrail.trust: ${siem} assumes the reader role with sts:AssumeRole and an external ID, but this archive's role trusts only OIDC web identity (central-logging:siem.trust is oidc); set siem.trust to aws, with principals and externalId`,
    );
}

export function renderSplunk(input: SiemInput, showSecrets: boolean): string {
  const roleArn = input.feeds.cloudtrail.roleArn;
  const roleName = roleArn.split("/").pop();
  const externalId = externalIdFor(input, showSecrets);
  const lines = [
    "# Splunk Add-on for AWS: SQS-based S3 inputs (local/inputs.conf of Splunk_TA_aws).",
    "# Before enabling them, in the add-on:",
    "#   Configuration > Account: an account allowed to call sts:AssumeRole on the reader role;",
    `#   Configuration > IAM Role: name ${roleName}, ARN ${roleArn}` +
      (externalId ? `, external ID ${externalId}` : ""),
    "# One input per queue: the add-on maps one queue to one sourcetype.",
  ];
  for (const t of LOG_TYPES) {
    const f = input.feeds[t];
    lines.push(
      "",
      `[aws_sqs_based_s3://${f.queueUrl.split("/").pop()}]`,
      "aws_account = <your add-on account>",
      `aws_iam_role = ${roleName}`,
      `sqs_queue_url = ${f.queueUrl}`,
      `sqs_queue_region = ${f.region}`,
      "sqs_batch_size = 10",
      `s3_file_decoder = ${SPLUNK[t].decoder}`,
      `sourcetype = ${SPLUNK[t].sourcetype}`,
      "index = aws",
      "interval = 300",
      "# The queue has a dead-letter queue; the add-on checks for one.",
      "using_dlq = 1",
    );
    if (f.skipKeyPatterns.length)
      lines.push(
        `# This queue also announces objects the decoder must not index: ${f.skipKeyPatterns.join(", ")}.`,
      );
  }
  return lines.join("\n") + "\n";
}

const yamlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

export function renderElastic(input: SiemInput, showSecrets: boolean): string {
  const externalId = externalIdFor(input, showSecrets);
  const lines = ["# Filebeat aws-s3 inputs (filebeat.yml), one per queue.", "filebeat.inputs:"];
  for (const t of LOG_TYPES) {
    const f = input.feeds[t];
    lines.push(
      `  - type: aws-s3`,
      `    id: ${f.queueUrl.split("/").pop()}`,
      `    queue_url: ${f.queueUrl}`,
      `    region: ${f.region}`,
      `    role_arn: ${f.roleArn}`,
      ...(externalId ? [`    external_id: ${yamlString(externalId)}`] : []),
      "    visibility_timeout: 300s",
      "    # The queue moves a message to its dead-letter queue; do not let Filebeat delete it instead.",
      "    sqs.max_receive_count: -1",
      "    # Only log objects of this type; anything else (CloudTrail digest files, for example) is skipped.",
      "    file_selectors:",
      `      - regex: ${yamlString(f.takeKeyPattern)}`,
      ...(t === "cloudtrail" ? ["        expand_event_list_from_field: Records"] : []),
      ...(t === "waf" ? ["        parsers:", "          - ndjson:", "              target: ''"] : []),
    );
  }
  return lines.join("\n") + "\n";
}

export function renderVector(input: SiemInput, showSecrets: boolean): string {
  const externalId = externalIdFor(input, showSecrets);
  const lines = ["# Vector aws_s3 sources with SQS (vector.yaml), one per queue.", "sources:"];
  const id = (t: LogType) => `central_logs_${t}`;
  for (const t of LOG_TYPES) {
    const f = input.feeds[t];
    lines.push(
      `  ${id(t)}:`,
      "    type: aws_s3",
      `    region: ${f.region}`,
      "    compression: auto",
      "    auth:",
      `      assume_role: ${f.roleArn}`,
      ...(externalId ? [`      external_id: ${yamlString(externalId)}`] : []),
      "    sqs:",
      `      queue_url: ${f.queueUrl}`,
      "      delete_message: true",
      "      visibility_timeout_secs: 300",
    );
  }
  lines.push("transforms:");
  for (const t of LOG_TYPES) {
    const f = input.feeds[t];
    const conditions = [
      `match(string!(.object), r'${f.takeKeyPattern}')`,
      ...f.skipKeyPatterns.map((p) => `!contains(string!(.object), "${p}")`),
    ];
    lines.push(
      `  ${id(t)}_logs_only:`,
      "    type: filter",
      `    inputs: [${id(t)}]`,
      `    condition: ${yamlString(conditions.join(" && "))}`,
    );
  }
  return lines.join("\n") + "\n";
}

const SENTINEL_TABLES: Record<LogType, string> = {
  cloudtrail: "AWSCloudTrail",
  vpcflowlogs: "AWSVPCFlow",
  waf: "AWSWAF",
};

export function renderSentinel(input: SiemInput): string {
  const f = input.feeds.cloudtrail;
  const roleName = f.roleArn.split("/").pop() ?? "";
  if (f.trust !== "oidc")
    throw new SiemConfigError(
      `siem.cloudtrail.trust: Microsoft Sentinel assumes the role by OIDC; set central-logging:siem.trust to oidc`,
    );
  if (!roleName.startsWith("OIDC_"))
    throw new SiemConfigError(
      `siem.cloudtrail.roleArn: Microsoft Sentinel only assumes roles whose name starts with OIDC_, got ${roleName}`,
    );
  const lines = [
    "# Microsoft Sentinel, Amazon Web Services S3 connectors: one connection (role + queue) per destination table.",
    '# CloudTrail and VPC flow logs use the "Amazon Web Services S3" connector; WAF logs use "Amazon Web Services S3 WAF".',
    "# VPC flow logs must stay plain text with a header (central-logging:flowLogs.fileFormat plain-text).",
    "connections:",
  ];
  for (const t of LOG_TYPES) {
    const feed = input.feeds[t];
    lines.push(
      `  - destinationTable: ${SENTINEL_TABLES[t]}`,
      `    roleArn: ${feed.roleArn}`,
      `    sqsUrl: ${feed.queueUrl}`,
    );
  }
  return lines.join("\n") + "\n";
}

export function render(siem: Siem, input: SiemInput, showSecrets: boolean): string {
  switch (siem) {
    case "splunk":
      requireAwsTrust("Splunk", input);
      return renderSplunk(input, showSecrets);
    case "elastic":
      requireAwsTrust("Elastic (Filebeat aws-s3)", input);
      return renderElastic(input, showSecrets);
    case "vector":
      requireAwsTrust("Vector (aws_s3)", input);
      return renderVector(input, showSecrets);
    case "sentinel":
      return renderSentinel(input);
  }
}

export function main(
  argv: string[],
  stdin: () => string = () => fs.readFileSync(0, "utf8"),
  stdinIsTerminal: boolean = process.stdin.isTTY === true,
): { code: number; out: string; err: string } {
  try {
    if (argv.includes("--help") || argv.includes("-h")) return { code: 0, out: `${USAGE}\n`, err: "" };
    let siem: string | undefined;
    let file = "-";
    let out: string | undefined;
    let showSecrets = false;
    for (let i = 0; i < argv.length; i++) {
      const value = () => {
        const v = argv[++i];
        if (v === undefined || (v.startsWith("--") && v !== "-"))
          throw new SiemConfigError(`(command line): ${argv[i - 1]}: expected a value`);
        return v;
      };
      if (argv[i] === "--siem") siem = value();
      else if (argv[i] === "--outputs") file = value();
      else if (argv[i] === "--out") out = value();
      else if (argv[i] === "--show-secrets") showSecrets = true;
      else throw new SiemConfigError(`(command line): ${argv[i]}: unknown option; see --help`);
    }
    if (!siem || !SIEMS.includes(siem as Siem))
      throw new SiemConfigError(
        `(command line): --siem: expected one of ${SIEMS.join(", ")}, got ${siem ?? "nothing"}`,
      );
    if (out) {
      const dir = path.dirname(path.resolve(out));
      if (!fs.existsSync(dir))
        throw new SiemConfigError(`(command line): --out: folder ${dir} does not exist`);
    }
    checkOutputsAreNotInputs([["--out", out]], [["--outputs", file]]);
    if (file === "-" && stdinIsTerminal)
      throw new SiemConfigError(
        "(command line): --outputs: expected --outputs FILE (pulumi stack output --stack central --json), or that JSON piped to standard input",
      );
    let text: string;
    try {
      text = file === "-" ? stdin() : fs.readFileSync(file, "utf8");
    } catch (e) {
      throw new SiemConfigError(`${file}: (file): cannot be read: ${(e as NodeJS.ErrnoException).code ?? e}`);
    }
    const input = readSiemInput(text, file === "-" ? "(standard input)" : file);
    const rendered = render(siem as Siem, input, showSecrets);
    if (out) {
      fs.writeFileSync(out, rendered, { mode: showSecrets ? 0o600 : 0o644 });
      return { code: 0, out: "", err: `siem-config: wrote ${out}\n` };
    }
    return { code: 0, out: rendered, err: "" };
  } catch (e) {
    if (e instanceof SiemConfigError || e instanceof UsageError)
      return { code: 2, out: "", err: `siem-config: ${e.message}\n` };
    throw e;
  }
}

if (require.main === module) runAsProcess("siem-config", async (argv) => main(argv));
