/**
 * The offline plan: every stack of the project simulated under Pulumi's mock runtime (central stacks
 * first, members resolving their StackReference to them), the policy pack run over the result, access
 * proven with a real IAM evaluator, and every policy document measured against its AWS size limit.
 *
 *   npm run plan -- --help   (the options, in USAGE below)
 *
 * Exit status: 0 all clean; 1 a mandatory violation or an access cell not as intended; 2 bad
 * configuration or usage (one line naming the file and the key).
 */
import Ajv from "ajv";
import * as fs from "fs";
import * as path from "path";
import { policies } from "../../policy-pack/policies";
import { documentsOf, SIZE_LIMITS } from "../../policy-pack/documents";
import { ConfigError } from "../../shared/config";
import { ARCHIVE_OUTPUT, CentralArchiveOutputs } from "../../shared/contract";
import { PolicySizeError } from "../../shared/iam";
import { PROJECT } from "../../shared/naming";
import { AccessCell, accessMatrix, cellAsIntended } from "../access/accessMatrix";
import { PackConfig, runPack, Violation } from "../simulation/policyRunner";
import { SimStack, SimulationError, Simulator } from "../simulation/simulate";
import {
  collidingStacks,
  collisionMessage,
  findStackFiles,
  readStackFile,
  StackFile,
  StackFileError,
} from "../simulation/stackFiles";
import { Mode, synthesizeOrganization } from "../simulation/synthesize";
import {
  checkOutputPath,
  CommandRun,
  readJsonFile,
  runAsProcess,
  UsageError,
  eachFlag,
  addPackConfig,
  checkPackConfigs,
  PackConfigFiles,
} from "../common/cli";

export const USAGE = `usage: npm run plan -- [options]

  Simulates every Pulumi.<stack>.yaml of the project under Pulumi's mock runtime (central stacks first),
  runs the policy pack over the result, proves access with an IAM policy evaluator, and measures every
  policy document against its AWS size limit. No AWS account and no Pulumi CLI needed.

  --stacks DIR                  the folder of Pulumi.yaml and the stack files (default: .)
  --policy-pack-config FILE     the pack config for every stack
  --policy-pack-config ROLE=F   the pack config for the stacks of one role (central or member)
  --json FILE                   also write the result as JSON to FILE (- for standard output only)
  --markdown FILE               also write a Markdown report with a Mermaid diagram to FILE
  --synthesize N                plan a synthetic organization of N members instead of the stack files
  --mode organization|account-list
                                the synthetic organization's mode (with --synthesize; default organization)
  --quiet                       no progress on standard error
  --help                        this text

  Exit status: 0 clean (advisory violations allowed); 1 a mandatory violation, an access cell not as
  intended or a policy over its size limit; 2 bad configuration or usage, in one line.`;

/** Pack configs: one for every stack, or one per role. */
export interface PackConfigs {
  all?: PackConfig;
  central?: PackConfig;
  member?: PackConfig;
}

export interface PolicySize {
  stack: string;
  resource: string;
  /** bucket, key, queue, trust, inline or managed: the limit AWS applies to this kind of document. */
  kind: string;
  bytes: number;
  limit: number;
}

export interface PlanResult {
  stacks: SimStack[];
  files: Record<string, string>;
  violations: Violation[];
  access: AccessCell[];
  accessSampled?: { members: number; of: number };
  policySizes: PolicySize[];
  secretValues: string[];
}

export interface PlanOptions {
  /** Stack files to plan; default: every Pulumi.<stack>.yaml next to Pulumi.yaml in `stacksDir`. */
  stackFiles?: StackFile[];
  stacksDir?: string;
  packConfigs?: PackConfigs;
  /** Prove access for at most this many members (all by default up to 50). */
  sampleMembers?: number;
  progress?: (message: string) => void;
}

export function loadStackFiles(dir: string): StackFile[] {
  const project = path.join(dir, "Pulumi.yaml");
  if (!fs.existsSync(project))
    throw new UsageError(`${project}: (file): not found; --stacks must name the folder of Pulumi.yaml`);
  const name = /^name:\s*(\S+)/m.exec(fs.readFileSync(project, "utf8"))?.[1];
  if (name !== PROJECT)
    throw new UsageError(`${project}: name: expected ${PROJECT}, got ${name ?? "nothing"}`);
  const files = findStackFiles(dir).map((f) => readStackFile(f));
  if (!files.length) throw new UsageError(`${dir}: (folder): has no Pulumi.<stack>.yaml files`);
  return files;
}

const LEVELS = ["advisory", "mandatory", "remediate", "disabled"];
const ajv = new Ajv({ allErrors: false, strict: false });

/**
 * Reads a pack config and validates it as the Pulumi CLI does: each policy's settings against its
 * configSchema (a real JSON Schema validator), enforcement levels against the four the CLI knows. One
 * line naming the file, the policy and the key on the first problem.
 */
export function readPackConfig(file: string): PackConfig {
  const config = readJsonFile(file);
  if (!config || typeof config !== "object" || Array.isArray(config))
    throw new UsageError(`${file}: (root): expected a JSON object`);
  const levelError = (where: string, level: unknown) =>
    new UsageError(
      `${file}: ${where}: expected an enforcement level (${LEVELS.join(", ")}), got ${JSON.stringify(level)}`,
    );
  for (const [key, value] of Object.entries(config)) {
    if (key === "all") {
      if (!LEVELS.includes(value as string)) throw levelError("all", value);
      continue;
    }
    const p = policies.find((x) => x.name === key);
    if (!p) throw new UsageError(`${file}: ${key}: not a policy of this pack (see policy-pack/README.md)`);
    if (typeof value === "string") {
      if (!LEVELS.includes(value)) throw levelError(key, value);
      continue;
    }
    const properties = (p.configSchema?.properties ?? {}) as Record<string, object>;
    const validate = ajv.compile({
      type: "object",
      properties: { ...properties, enforcementLevel: { enum: LEVELS } },
      required: p.configSchema?.required ?? [],
      additionalProperties: false,
    });
    if (validate(value)) continue;
    const error = validate.errors![0];
    if (error.keyword === "additionalProperties") {
      const extra = (error.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys(properties);
      throw new UsageError(
        `${file}: ${key}.${extra}: not a setting of this policy (${known.length ? `its settings: ${known.join(", ")}` : "it has none"})`,
      );
    }
    if (error.keyword === "type" && error.instancePath === "")
      throw new UsageError(`${file}: ${key}: expected an enforcement level or an object of settings`);
    const setting = error.instancePath.replace(/^\//, "").replace(/\//g, ".");
    const given = setting.split(".").reduce<any>((v, k) => v?.[k], value);
    if (setting === "enforcementLevel") throw levelError(`${key}.enforcementLevel`, given);
    throw new UsageError(`${file}: ${key}.${setting}: ${error.message}, got ${JSON.stringify(given)}`);
  }
  return config as PackConfig;
}

function policySizes(stacks: SimStack[]): PolicySize[] {
  const sizes: PolicySize[] = [];
  for (const stack of stacks)
    for (const r of stack.resources)
      for (const d of documentsOf(r.type, r.inputs)) {
        const text = typeof d.value === "string" ? d.value : JSON.stringify(d.value);
        sizes.push({
          stack: stack.name,
          resource: `${r.name}.${d.path}`,
          kind: d.kind,
          bytes: Buffer.byteLength(text, "utf8"),
          limit: SIZE_LIMITS[d.kind],
        });
      }
  return sizes;
}

export async function runPlan(options: PlanOptions): Promise<PlanResult> {
  const progress = options.progress ?? (() => undefined);
  const files = options.stackFiles ?? loadStackFiles(options.stacksDir ?? ".");
  const roleOf = (f: StackFile) => f.raw[`${PROJECT}:role`];
  const ordered = [
    ...files.filter((f) => roleOf(f) === "central"),
    ...files.filter((f) => roleOf(f) !== "central"),
  ];
  const fileOf = Object.fromEntries(files.map((f) => [f.stack, f.file]));
  const placements = files.map((f) => ({
    file: f.file,
    role: roleOf(f),
    accountId: /\d{12}/.exec(f.raw["aws:allowedAccountIds"] ?? "")?.[0] ?? "",
    region: f.raw["aws:region"] ?? "",
  }));
  const collision = collidingStacks(placements.filter((p) => p.accountId && p.region));
  if (collision) throw new UsageError(collisionMessage(collision));
  const sim = new Simulator();
  const started = Date.now();
  for (const [i, f] of ordered.entries()) {
    if (i === 0 || (i + 1) % 50 === 0 || i === ordered.length - 1)
      progress(
        `simulating ${f.stack} (${i + 1}/${ordered.length}, ${((Date.now() - started) / 1000).toFixed(1)} s)`,
      );
    try {
      await sim.runStack(f.stack, f.raw);
    } catch (e) {
      if (e instanceof ConfigError) throw new UsageError(`${f.file}: ${e.message}`);
      if (e instanceof SimulationError)
        throw new UsageError(
          `${f.file}: stack "${f.stack}": config key "${PROJECT}:centralStack": ${e.message.replace(/^stack "[^"]+": /, "")}`,
        );
      if (e instanceof PolicySizeError) throw new UsageError(`${f.file}: stack "${f.stack}": ${e.message}`);
      throw e;
    }
  }
  const stacks = sim.simulated;
  progress(`running ${policies.length} policies over ${stacks.length} stacks`);
  const configs = options.packConfigs ?? {};
  const violations = await runPack(policies, stacks, (s) => configs[s.role] ?? configs.all ?? {});
  const members = stacks.filter((s) => s.role === "member").length;
  const sample = options.sampleMembers ?? (members > 50 ? 50 : undefined);
  progress(
    `proving access${sample !== undefined && sample < members ? ` (${sample} of ${members} members)` : ""}`,
  );
  const access = await accessMatrix(stacks, { sampleMembers: sample });
  const secretValues = new Set<string>();
  for (const s of stacks)
    for (const name of s.secretOutputNames)
      if (typeof s.outputs[name] === "string") secretValues.add(s.outputs[name]);
  return {
    stacks,
    files: fileOf,
    violations,
    access,
    ...(sample !== undefined && sample < members ? { accessSampled: { members: sample, of: members } } : {}),
    policySizes: policySizes(stacks),
    secretValues: [...secretValues].filter((v) => v.length > 0),
  };
}

export function exitCodeOf(result: PlanResult): 0 | 1 {
  const mandatory = result.violations.some((v) => v.level === "mandatory");
  const wrongCells = result.access.some((c) => !cellAsIntended(c));
  const overSize = result.policySizes.some((p) => p.bytes > p.limit);
  return mandatory || wrongCells || overSize ? 1 : 0;
}

/** Replaces every secret value, wherever it appears, with "[secret]". */
function mask<T>(value: T, secrets: string[]): T {
  if (!secrets.length) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return secrets.reduce((s, secret) => s.split(secret).join("[secret]"), v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object")
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

export function toJson(result: PlanResult) {
  return mask(
    {
      stacks: result.stacks.map((s) => ({
        name: s.name,
        role: s.role,
        resources: s.resources.map((r) => ({ type: r.type, name: r.name, urn: r.urn, inputs: r.inputs })),
        outputs: Object.fromEntries(
          Object.entries(s.outputs).map(([k, v]) => [k, s.secretOutputNames.includes(k) ? "[secret]" : v]),
        ),
      })),
      violations: result.violations,
      access: result.access.map((c) => ({
        who: c.who,
        scenario: c.scenario,
        principal: c.principal,
        action: c.action,
        resource: c.resource,
        condition: c.condition,
        why: c.why,
        expected: c.expected,
        actual: c.actual,
        assumptions: c.assumptions,
      })),
      policySizes: result.policySizes,
    },
    result.secretValues,
  );
}

/** One line of the settings that matter, per resource type. */
export function keySettings(type: string, i: Record<string, any>): string {
  const rules = i.rules?.[0]?.applyServerSideEncryptionByDefault;
  switch (type) {
    case "aws:s3/bucket:Bucket":
      return `${i.bucket}${i.objectLockEnabled ? ", Object Lock" : ""}`;
    case "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration":
      return `${rules?.sseAlgorithm}${rules?.kmsMasterKeyId ? ` ${rules.kmsMasterKeyId}` : ""}${i.rules?.[0]?.bucketKeyEnabled ? ", bucket key" : ""}`;
    case "aws:kms/key:Key":
      return `rotation ${i.enableKeyRotation ? `every ${i.rotationPeriodInDays ?? 365} d` : "off"}, deletion window ${i.deletionWindowInDays} d`;
    case "aws:sqs/queue:Queue":
      return `${i.name}, ${i.kmsMasterKeyId ? "SSE-KMS" : "no CMK"}, visibility ${i.visibilityTimeoutSeconds ?? 30} s${i.redrivePolicy ? `, DLQ after ${JSON.parse(i.redrivePolicy).maxReceiveCount}` : ""}`;
    case "aws:cloudtrail/trail:Trail":
      return `${i.name} -> ${i.s3BucketName}${i.isOrganizationTrail ? ", organization" : ""}${i.isMultiRegionTrail ? ", multi-Region" : ""}${i.enableLogFileValidation ? ", validated" : ""}`;
    case "aws:ec2/flowLog:FlowLog":
      return `${i.vpcId} ${i.trafficType} -> ${i.logDestination} (${i.destinationOptions?.fileFormat ?? "plain-text"})`;
    case "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration":
      return `${String(i.resourceArn).split("/").slice(-2, -1)[0]} -> ${(i.logDestinationConfigs ?? []).join(", ")}`;
    case "aws:iam/role:Role":
      return `${i.name}`;
    case "aws:s3/bucketPolicy:BucketPolicy":
    case "aws:sqs/queuePolicy:QueuePolicy":
    case "aws:iam/rolePolicy:RolePolicy":
      return `statements ${(JSON.parse(i.policy).Statement as { Sid?: string }[]).map((x) => x.Sid ?? "?").join(", ")}`;
    case "aws:s3/bucketLogging:BucketLogging":
      return `-> ${i.targetBucket}/${i.targetPrefix ?? ""}`;
    case "aws:s3/bucketNotification:BucketNotification":
      return `${(i.queues ?? []).map((q: { queueArn: string; events: string[] }) => `${q.events.join(",")} -> ${q.queueArn}`).join("; ")}`;
    case "aws:s3/bucketVersioning:BucketVersioning":
      return `${i.versioningConfiguration?.status}`;
    case "aws:s3/bucketReplicationConfig:BucketReplicationConfig":
      return `-> ${i.rules?.[0]?.destination?.bucket}`;
    default:
      return "";
  }
}

const short = (type: string) => type.split(":").pop() ?? type;

export function textReport(result: PlanResult, options: { maxResources?: number } = {}): string {
  const out: string[] = [];
  const max = options.maxResources ?? 80;
  for (const s of result.stacks) {
    const custom = s.resources.filter((r) => r.custom);
    out.push(
      `\n== stack ${s.name} (${s.role}, ${result.files[s.name] ?? "simulated"}): ${custom.length} resources`,
    );
    for (const r of custom.slice(0, max)) {
      let settings = keySettings(r.type, r.inputs);
      for (const v of s.simulated)
        if (settings.includes(v)) settings = settings.replace(v, `${v} (simulated)`);
      out.push(
        `  ${short(r.type).padEnd(44)} ${r.name.padEnd(38)} ${r.protect ? "[protected] " : ""}${settings}`,
      );
    }
    if (custom.length > max) out.push(`  ... ${custom.length - max} more`);
  }
  const mandatory = result.violations.filter((v) => v.level === "mandatory");
  out.push(
    `\n== policy violations: ${mandatory.length} mandatory, ${result.violations.length - mandatory.length} advisory`,
  );
  for (const v of result.violations)
    out.push(`  ${v.level.padEnd(9)} ${v.policy}  [${v.stack}] ${v.message}`);
  const wrong = result.access.filter((c) => !cellAsIntended(c));
  out.push(
    `\n== access matrix: ${result.access.length} cells, ${wrong.length} not as intended` +
      (result.accessSampled
        ? ` (members sampled: ${result.accessSampled.members} of ${result.accessSampled.of})`
        : ""),
  );
  for (const c of result.access) {
    const ok = cellAsIntended(c) ? "ok  " : "FAIL";
    out.push(`  ${ok} ${c.actual.padEnd(16)} (intended ${c.expected}) ${c.who}: ${c.scenario}`);
    out.push(
      `       ${c.action} on ${c.resource} | ${c.condition}${c.assumptions.length ? ` | assumes ${c.assumptions.join(", ")}` : ""} | ${c.why}`,
    );
    if (c.deciding) out.push(`       deciding: ${c.deciding}`);
  }
  out.push(...policySizeLines(result.policySizes));
  const advisory = result.violations.filter((v) => v.level === "advisory").length;
  out.push(
    `\n${exitCodeOf(result) === 0 ? `PLAN CLEAN${advisory ? ` (${advisory} advisory)` : ""}` : "PLAN HAS PROBLEMS"}`,
  );
  return mask(out.join("\n"), result.secretValues);
}

/**
 * The largest documents of each kind first (each kind has its own AWS limit), so that a big central key
 * policy is never hidden behind many small copies of a member document; says how many are not shown.
 */
export function policySizeLines(sizes: PolicySize[], perKind = 3): string[] {
  const share = (p: PolicySize) => p.bytes / p.limit;
  const kinds = [...new Set(sizes.map((p) => p.kind))];
  const shown = kinds
    .flatMap((k) =>
      sizes
        .filter((p) => p.kind === k)
        .sort((a, b) => b.bytes - a.bytes)
        .slice(0, perKind),
    )
    .sort((a, b) => share(b) - share(a));
  const hidden = sizes.length - shown.length;
  const lines = [
    `\n== policy sizes: ${sizes.length} documents; the ${perKind} largest of each kind, largest share of its AWS limit first${hidden ? ` (${hidden} smaller ones not shown)` : ""}`,
  ];
  for (const p of shown)
    lines.push(
      `  ${String(p.bytes).padStart(6)} / ${String(p.limit).padStart(5)} B  ${(100 * share(p)).toFixed(1).padStart(5)} %  ${p.kind.padEnd(7)} [${p.stack}] ${p.resource}`,
    );
  return lines;
}

/** A Mermaid diagram: accounts -> log services -> buckets -> queues -> SIEM. */
export function mermaid(result: PlanResult, maxMembers = 12): string {
  const central = result.stacks.find((s) => s.role === "central");
  const lines = ["flowchart LR"];
  if (!central) return lines.join("\n");
  const a = central.outputs[ARCHIVE_OUTPUT] as CentralArchiveOutputs;
  const id = (s: string) => s.replace(/[^A-Za-z0-9]/g, "_");
  lines.push(`  subgraph archive["log-archive account ${a.accountId} (${a.region})"]`);
  for (const [t, d] of Object.entries(a.logs)) {
    lines.push(
      `    ${id(`b_${t}`)}[("${d.bucketName}")] --> ${id(`q_${t}`)}["queue ${d.queueArn.split(":").pop()}"]`,
    );
    lines.push(`    ${id(`q_${t}`)} --> siem`);
  }
  lines.push(`    siem["SIEM role ${a.siemRoleArn.split("/").pop()}"]`, "  end");
  const members = result.stacks.filter((s) => s.role === "member");
  for (const m of members.slice(0, maxMembers)) {
    const acct = m.config.accountId;
    lines.push(`  subgraph ${id(`m_${m.name}`)}["${m.name} (${acct})"]`);
    const has = (type: string) => m.resources.filter((r) => r.type === type);
    for (const t of has("aws:cloudtrail/trail:Trail"))
      lines.push(
        `    ${id(`ct_${m.name}`)}["CloudTrail ${t.inputs.isOrganizationTrail ? "organization trail" : "trail"}"]`,
      );
    if (has("aws:ec2/flowLog:FlowLog").length)
      lines.push(`    ${id(`fl_${m.name}`)}["VPC Flow Logs x${has("aws:ec2/flowLog:FlowLog").length}"]`);
    if (has("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration").length)
      lines.push(
        `    ${id(`waf_${m.name}`)}["AWS WAF x${has("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration").length}"]`,
      );
    lines.push("  end");
    if (has("aws:cloudtrail/trail:Trail").length)
      lines.push(`  ${id(`ct_${m.name}`)} --> ${id("b_cloudtrail")}`);
    if (has("aws:ec2/flowLog:FlowLog").length)
      lines.push(`  ${id(`fl_${m.name}`)} --> ${id("b_vpcflowlogs")}`);
    if (has("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration").length)
      lines.push(
        `  ${id(`waf_${m.name}`)} -->|${has("aws:s3/bucketReplicationConfig:BucketReplicationConfig").length ? "staging bucket, replication" : "direct"}| ${id("b_waf")}`,
      );
  }
  if (members.length > maxMembers)
    lines.push(`  more["... ${members.length - maxMembers} more member stacks"]`);
  return lines.join("\n");
}

const md = (text: string) => text.replace(/\|/g, "\\|");

export function markdownReport(result: PlanResult): string {
  const mandatory = result.violations.filter((v) => v.level === "mandatory").length;
  const wrong = result.access.filter((c) => !cellAsIntended(c)).length;
  return mask(
    [
      "# central-logging offline plan",
      "",
      `${result.stacks.length} stacks; ${mandatory} mandatory and ${result.violations.length - mandatory} advisory violations; ${result.access.length} access cells, ${wrong} not as intended.`,
      "",
      "```mermaid",
      mermaid(result),
      "```",
      "",
      "## Violations",
      "",
      ...(result.violations.length
        ? [
            "| level | policy | stack | message |",
            "|---|---|---|---|",
            ...result.violations.map(
              (v) => `| ${v.level} | ${v.policy} | ${v.stack} | ${v.message.replace(/\|/g, "\\|")} |`,
            ),
          ]
        : ["None."]),
      "",
      "## Access matrix",
      "",
      "| who | does | action on resource | request keys | intended | actual | why |",
      "|---|---|---|---|---|---|---|",
      ...result.access.map(
        (c) =>
          `| ${md(c.who)} | ${md(c.scenario)} | \`${c.action}\` on ${md(c.resource)} | ${md(c.condition)}${c.assumptions.length ? ` (assumes ${c.assumptions.join(", ")})` : ""} | ${c.expected} | ${c.actual}${cellAsIntended(c) ? "" : " **(not as intended)**"} | ${md(c.why)} |`,
      ),
      "",
      "## Policy sizes",
      "",
      "| stack | document | bytes | limit |",
      "|---|---|---|---|",
      ...result.policySizes.map((p) => `| ${p.stack} | ${p.resource} | ${p.bytes} | ${p.limit} |`),
      "",
    ].join("\n"),
    result.secretValues,
  );
}

interface Args {
  stacks?: string;
  packConfigs: PackConfigFiles;
  /** A file for the JSON result, or "-" for standard output instead of the text report. */
  json?: string;
  markdown?: string;
  synthesize?: number;
  mode?: Mode;
  quiet: boolean;
}

export function parseArgs(argv: string[]): Args | "help" {
  if (argv.includes("--help") || argv.includes("-h")) return "help";
  const args: Args = { packConfigs: {}, quiet: false };
  eachFlag(argv, (flag, value) => {
    if (flag === "--stacks") args.stacks = value();
    else if (flag === "--policy-pack-config") addPackConfig(args.packConfigs, value());
    else if (flag === "--json") args.json = value();
    else if (flag === "--markdown") args.markdown = value();
    else if (flag === "--quiet") args.quiet = true;
    else if (flag === "--synthesize") {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1)
        throw new UsageError(
          `(command line): --synthesize: expected a whole number of member accounts, at least 1`,
        );
      args.synthesize = n;
    } else if (flag === "--mode") {
      const m = value();
      if (m !== "organization" && m !== "account-list")
        throw new UsageError(`(command line): --mode: expected organization or account-list, got ${m}`);
      args.mode = m;
    } else throw new UsageError(`(command line): ${flag}: unknown option; see npm run plan -- --help`);
  });
  if (args.mode && !args.synthesize)
    throw new UsageError("(command line): --mode: applies only to --synthesize N; add it or drop --mode");
  if (args.synthesize && args.stacks)
    throw new UsageError(
      "(command line): --synthesize and --stacks: plan either a synthetic organization or a folder of stack files",
    );
  checkPackConfigs(args.packConfigs);
  return args;
}

/** The CLI, without touching the process: returns the exit status and what to print. */
export async function main(argv: string[], progress?: (message: string) => void): Promise<CommandRun> {
  try {
    const args = parseArgs(argv);
    if (args === "help") return { code: 0, out: `${USAGE}\n`, err: "" };
    checkOutputPath("--json", args.json);
    checkOutputPath("--markdown", args.markdown);
    const packConfigs: PackConfigs = Object.fromEntries(
      Object.entries(args.packConfigs).map(([role, file]) => [role, readPackConfig(file!)]),
    );
    const result = await runPlan({
      stacksDir: args.stacks,
      stackFiles: args.synthesize
        ? synthesizeOrganization(args.synthesize, args.mode ?? "organization")
        : undefined,
      packConfigs,
      progress: args.quiet ? undefined : progress,
    });
    if (args.markdown) fs.writeFileSync(args.markdown, markdownReport(result));
    const json = args.json ? `${JSON.stringify(toJson(result), null, 2)}\n` : "";
    if (args.json && args.json !== "-") fs.writeFileSync(args.json, json);
    return { code: exitCodeOf(result), out: args.json === "-" ? json : `${textReport(result)}\n`, err: "" };
  } catch (e) {
    if (e instanceof UsageError || e instanceof StackFileError)
      return { code: 2, out: "", err: `plan: ${e.message}\n` };
    throw e;
  }
}

if (require.main === module) runAsProcess("plan", main);
