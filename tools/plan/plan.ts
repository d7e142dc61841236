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
import { readStackFolder, StackFile, StackFileError } from "../simulation/stackFiles";
import { checkStackSet } from "../simulation/stackSet";
import { Mode, synthesizeOrganization } from "../simulation/synthesize";
import {
  checkOutputPath,
  CommandRun,
  runAsProcess,
  UsageError,
  eachFlag,
  addPackConfig,
  checkPackConfigs,
  checkOutputsAreNotInputs,
  PackConfigFiles,
  problemLines,
  projectFiles,
} from "../common/cli";
import { readPackConfigs } from "../common/packConfig";
import { debugRequested } from "../common/stackTraces";

/**
 * The summary's bound: GitHub refuses issue and pull request comments over 65,536 characters; the margin
 * leaves room for the comment action's own header.
 */
export const MARKDOWN_SUMMARY_LIMIT = 60000;

export const USAGE = `usage: npm run plan -- [options]

  Simulates every Pulumi.<stack>.yaml of the project under Pulumi's mock runtime (central stacks first),
  runs the policy pack over the result, proves access with an IAM policy evaluator, and measures every
  policy document against its AWS size limit. No AWS account and no Pulumi CLI needed.

  --stacks DIR                  the folder of Pulumi.yaml and the stack files (default: .)
  --policy-pack-config FILE     the pack config for every stack
  --policy-pack-config ROLE=F   the pack config for the stacks of one role (central or member)
  --org ORG                     the Pulumi organization in stack names, as member centralStack settings
                                name it (default: taken from the members' centralStack, else
                                "organization", as on a self-managed backend)
  --json FILE                   also write the result as JSON to FILE (- for standard output only: then
                                run npm run --silent plan, or npm's banner lines come first)
  --markdown FILE               also write a Markdown summary to FILE: problems first, counts, sizes and a
                                Mermaid diagram, always under ${MARKDOWN_SUMMARY_LIMIT.toLocaleString("en")} characters (fits a pull
                                request comment, whatever the size of the organization)
  --markdown-full FILE          also write the full Markdown report (every violation, access cell and
                                policy size) to FILE
  --problems-only               print only the problems (violations, access cells not as intended,
                                policies over their limit) and the verdict, not every stack's resources
  --synthesize N                plan a synthetic organization of N members instead of the stack files
  --mode organization|account-list
                                the synthetic organization's mode (with --synthesize; default organization)
  --quiet                       no progress on standard error
  --help                        this text

  Exit status: 0 clean (advisory violations allowed); 1 a mandatory violation or an access cell not as
  intended; 2 bad configuration or usage, including a policy over its AWS size limit (the program refuses
  it before registering anything), one line per problem.`;

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
  /** The Pulumi organization of the stack names; default: from the members' centralStack. */
  organization?: string;
  /** Problems found before planning (pack configs), reported with the stack files' problems. */
  problems?: string[];
  progress?: (message: string) => void;
  /** Keep the Pulumi SDK's per-promise stack traces while programs run (default true; see Simulator). */
  stackTraces?: boolean;
}

/**
 * The project's stack files in `dir`, read; the files that cannot be read or that Pulumi would ignore
 * are problems, reported with the configuration's (runPlan).
 */
export function loadStackFiles(dir: string): { files: StackFile[]; problems: string[] } {
  const project = path.join(dir, "Pulumi.yaml");
  if (!fs.existsSync(project))
    throw new UsageError(`${project}: (file): not found; --stacks must name the folder of Pulumi.yaml`);
  const name = /^name:\s*(\S+)/m.exec(fs.readFileSync(project, "utf8"))?.[1];
  if (name !== PROJECT)
    throw new UsageError(`${project}: name: expected ${PROJECT}, got ${name ?? "nothing"}`);
  const found = readStackFolder(dir);
  if (!found.files.length && !found.problems.length)
    throw new UsageError(`${dir}: (folder): has no Pulumi.<stack>.yaml files`);
  return found;
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

/** The one line for a stack that failed under the mocks because of its configuration, or undefined. */
function stackProblem(f: StackFile, e: unknown): string | undefined {
  if (e instanceof ConfigError) return `${f.file}: ${e.message}`;
  if (e instanceof SimulationError)
    return `${f.file}: stack "${f.stack}": config key "${PROJECT}:centralStack": ${e.message.replace(/^stack "[^"]+": /, "")}`;
  if (e instanceof PolicySizeError) return `${f.file}: stack "${f.stack}": ${e.message}`;
  return undefined;
}

/** Stacks the progress names one by one; above this, the first, the last and one every two seconds. */
export const PROGRESS_EVERY_STACK = 20;

/** Progress per stack in a small organization; in a large one, at most every two seconds between first and last. */
export function simulationProgress(
  total: number,
  progress: (message: string) => void,
  clock: () => number = Date.now,
) {
  const started = clock();
  let last = -Infinity;
  return (i: number, stack: string) => {
    const now = clock();
    if (total > PROGRESS_EVERY_STACK && i > 0 && i < total - 1 && now - last < 2000) return;
    last = now;
    progress(`simulating ${stack} (${i + 1}/${total}, ${((now - started) / 1000).toFixed(1)} s)`);
  };
}

export async function runPlan(options: PlanOptions): Promise<PlanResult> {
  const progress = options.progress ?? (() => undefined);
  const loaded = options.stackFiles
    ? { files: options.stackFiles, problems: [] }
    : loadStackFiles(options.stacksDir ?? ".");
  // Every file's configuration, the members' centralStack and colliding names: all problems at once.
  const { stacks: checked, organization } = checkStackSet(loaded.files, {
    organization: options.organization,
    problems: [...(options.problems ?? []), ...loaded.problems],
    centralStacks: "in-set",
  });
  const files = checked.map((c) => c.file);
  const ordered = [
    ...checked.filter((c) => c.config.role === "central"),
    ...checked.filter((c) => c.config.role !== "central"),
  ];
  const fileOf = Object.fromEntries(files.map((f) => [f.stack, f.file]));
  const sim = new Simulator({ organization, stackTraces: options.stackTraces ?? true });
  const problems: string[] = [];
  const failedCentrals = new Set<string>();
  const report = simulationProgress(ordered.length, progress);
  for (const [i, { file: f, config }] of ordered.entries()) {
    report(i, f.stack);
    // A member of a central stack that failed would only repeat its central stack's problem.
    if (config.role === "member" && failedCentrals.has(config.settings.centralStack.split("/")[2])) continue;
    try {
      await sim.runStack(f.stack, f.raw);
    } catch (e) {
      const problem = stackProblem(f, e);
      if (!problem) throw e;
      problems.push(problem);
      if (config.role === "central") failedCentrals.add(f.stack);
    }
  }
  if (problems.length) throw new UsageError(...problems);
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

/** The CloudTrail event names an EventBridge pattern matches, counted through `$or`. */
function eventNames(pattern: unknown): string {
  let names = 0;
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object")
      for (const [k, x] of Object.entries(v)) {
        if (k === "eventName" && Array.isArray(x)) names += x.length;
        else walk(x);
      }
  };
  walk(pattern);
  return names ? `${names} event names` : "every event";
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
    case "aws:organizations/policy:Policy":
      return `${i.type === "RESOURCE_CONTROL_POLICY" ? "RCP" : "SCP"}, statements ${(JSON.parse(i.content).Statement as { Sid?: string }[]).map((x) => x.Sid ?? "?").join(", ")}`;
    case "aws:organizations/policyAttachment:PolicyAttachment":
      return `-> ${i.targetId}`;
    case "aws:cloudwatch/eventBusPolicy:EventBusPolicy":
      return `statements ${(JSON.parse(i.policy).Statement as { Sid?: string }[]).map((x) => x.Sid ?? "?").join(", ")}`;
    case "aws:cloudwatch/eventRule:EventRule":
      return `${i.eventBusName ? `on ${String(i.eventBusName).split("/").pop()}: ` : ""}${eventNames(JSON.parse(i.eventPattern ?? "{}"))}`;
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
  out.push(`\n${verdict(result)}`);
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
    `\n== policy sizes: ${sizes.length} documents; the ${perKind} largest of each kind, largest share of its AWS limit first${hidden ? ` (${hidden} smaller ${hidden === 1 ? "one" : "ones"} not shown)` : ""}`,
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

/** What a sampled access matrix covers, in one sentence for the reports. */
export function samplingNote(sampled: { members: number; of: number }): string {
  return `Access was proven for a sample: ${sampled.members} of the ${sampled.of} member stacks (the plan samples above 50 members); the other members' cells are not in this matrix.`;
}

export function markdownReport(result: PlanResult): string {
  const mandatory = result.violations.filter((v) => v.level === "mandatory").length;
  const wrong = result.access.filter((c) => !cellAsIntended(c)).length;
  return mask(
    [
      "# central-logging offline plan",
      "",
      `${result.stacks.length} stacks; ${mandatory} mandatory and ${result.violations.length - mandatory} advisory violations; ${result.access.length} access cells, ${wrong} not as intended.${result.accessSampled ? ` ${samplingNote(result.accessSampled)}` : ""}`,
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
      ...(result.accessSampled ? [samplingNote(result.accessSampled), ""] : []),
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

/** The problems of a plan: what makes its exit status 1, and the advisory violations. */
function problemsOf(result: PlanResult) {
  return {
    mandatory: result.violations.filter((v) => v.level === "mandatory"),
    advisory: result.violations.filter((v) => v.level === "advisory"),
    wrongCells: result.access.filter((c) => !cellAsIntended(c)),
    overSize: result.policySizes.filter((p) => p.bytes > p.limit),
  };
}

function verdict(result: PlanResult): string {
  const advisory = result.violations.filter((v) => v.level === "advisory").length;
  return exitCodeOf(result) === 0
    ? `PLAN CLEAN${advisory ? ` (${advisory} advisory)` : ""}`
    : "PLAN HAS PROBLEMS";
}

/** The terminal's `--problems-only` view: violations, access cells not as intended, oversize policies. */
export function problemsReport(result: PlanResult): string {
  const p = problemsOf(result);
  const members = result.stacks.filter((s) => s.role === "member").length;
  const out = [
    `${result.stacks.length} stacks (${result.stacks.length - members} central, ${members} member${members === 1 ? "" : "s"}); ${p.mandatory.length} mandatory and ${p.advisory.length} advisory violations; ${p.wrongCells.length} of ${result.access.length} access cells not as intended; ${p.overSize.length} of ${result.policySizes.length} policies over their AWS limit`,
  ];
  if (result.violations.length) {
    out.push("", "== policy violations");
    for (const v of [...p.mandatory, ...p.advisory])
      out.push(`  ${v.level.padEnd(9)} ${v.policy}  [${v.stack}] ${v.message}`);
  }
  if (p.wrongCells.length) {
    out.push("", "== access cells not as intended");
    for (const c of p.wrongCells)
      out.push(
        `  FAIL ${c.actual} (intended ${c.expected}) ${c.who}: ${c.scenario}`,
        `       ${c.action} on ${c.resource} | ${c.condition} | ${c.why}`,
      );
  }
  if (p.overSize.length) {
    out.push("", "== policies over their AWS limit");
    for (const x of p.overSize)
      out.push(`  ${x.bytes} / ${x.limit} B  ${x.kind}  [${x.stack}] ${x.resource}`);
  }
  out.push("", verdict(result));
  return mask(out.join("\n"), result.secretValues);
}

const cell = (text: string, max = 400) => {
  const one = md(text.replace(/\s+/g, " "));
  return one.length > max ? `${one.slice(0, max - 3)}...` : one;
};

/**
 * Rows of a Markdown table, as many as fit in `budget` characters with the table's header; the rest are
 * counted in one closing line that points to the full report.
 */
function boundedTable(header: string, rows: string[], budget: number, more: string): string[] {
  const out = [header];
  let used = header.length + 1;
  let shown = 0;
  const reserve = more.length + 40;
  for (const row of rows) {
    if (used + row.length + 1 + reserve > budget) break;
    out.push(row);
    used += row.length + 1;
    shown++;
  }
  if (shown < rows.length) out.push("", `${rows.length - shown} more ${more}`);
  return out;
}

/**
 * The plan in at most `limit` characters (MARKDOWN_SUMMARY_LIMIT by default), whatever the size of the
 * organization: the verdict and the problems first, then counts, the largest policies of each kind and
 * the diagram. Problem rows fill what the fixed parts leave; the rest is counted and left to the full
 * report (`--markdown-full`, the workflow's artifact `offline-plan`).
 */
export function markdownSummary(result: PlanResult, limit = MARKDOWN_SUMMARY_LIMIT): string {
  const p = problemsOf(result);
  const members = result.stacks.filter((s) => s.role === "member");
  const resources = (s: SimStack) => s.resources.filter((r) => r.custom).length;
  const memberCounts = members.map(resources).sort((a, b) => a - b);
  const full = "in the full report (`npm run plan -- --markdown-full FILE`; artifact `offline-plan` in CI).";
  const head = [`# central-logging offline plan: ${verdict(result)}`, ""];
  const counts = [
    "## Counts",
    "",
    `| | count |`,
    `|---|---|`,
    `| stacks | ${result.stacks.length} (${result.stacks.length - members.length} central, ${members.length} member${members.length === 1 ? "" : "s"}) |`,
    `| resources | ${result.stacks.reduce((n, s) => n + resources(s), 0)}${memberCounts.length ? ` (per member ${memberCounts[0]} to ${memberCounts[memberCounts.length - 1]})` : ""} |`,
    `| mandatory violations | ${p.mandatory.length} |`,
    `| advisory violations | ${p.advisory.length} |`,
    `| access cells not as intended | ${p.wrongCells.length} of ${result.access.length}${result.accessSampled ? ` (members sampled: ${result.accessSampled.members} of ${result.accessSampled.of})` : ""} |`,
    `| policies over their AWS limit | ${p.overSize.length} of ${result.policySizes.length} |`,
    "",
    ...(result.accessSampled ? [samplingNote(result.accessSampled), ""] : []),
  ];
  const sizes = policySizeLines(result.policySizes);
  const tail = [
    ...counts,
    "## Policy sizes",
    "",
    `${sizes[0].replace(/^\n== policy sizes: /, "")}.`,
    "",
    "```text",
    ...sizes.slice(1).map((l) => l.replace(/^ {2}/, "")),
    "```",
    "",
    "## Diagram",
    "",
    "```mermaid",
    mermaid(result),
    "```",
    "",
    `Every violation, access cell and policy size is ${full}`,
    "",
  ];
  const fixed = [...head, ...tail].join("\n").length;
  const problems: string[] = ["## Problems", ""];
  if (!p.mandatory.length && !p.wrongCells.length && !p.overSize.length && !p.advisory.length)
    problems.push(
      "None: no violation, every access cell as intended, every policy within its AWS limit.",
      "",
    );
  // Each kind of problem may use what is left, in order of severity.
  const sections: [string, string, string[]][] = [
    [
      "Mandatory violations",
      "| policy | stack | message |\n|---|---|---|",
      p.mandatory.map((v) => `| ${v.policy} | ${cell(v.stack, 120)} | ${cell(v.message)} |`),
    ],
    [
      "Access cells not as intended",
      "| who | does | action on resource | intended | actual | why |\n|---|---|---|---|---|---|",
      p.wrongCells.map(
        (c) =>
          `| ${cell(c.who, 120)} | ${cell(c.scenario, 200)} | \`${c.action}\` on ${cell(c.resource, 200)} | ${c.expected} | ${c.actual} | ${cell(c.why, 300)} |`,
      ),
    ],
    [
      "Policies over their AWS limit",
      "| stack | document | bytes | limit |\n|---|---|---|---|",
      p.overSize.map((x) => `| ${cell(x.stack, 120)} | ${cell(x.resource, 200)} | ${x.bytes} | ${x.limit} |`),
    ],
    [
      "Advisory violations",
      "| policy | stack | message |\n|---|---|---|",
      p.advisory.map((v) => `| ${v.policy} | ${cell(v.stack, 120)} | ${cell(v.message)} |`),
    ],
  ];
  let left = limit - fixed - 200;
  for (const [title, header, rows] of sections) {
    if (!rows.length) continue;
    const heading = `### ${title} (${rows.length})`;
    const table =
      left > header.length + 200
        ? boundedTable(header, rows, left - heading.length - 2, full)
        : [`${rows.length} ${full}`];
    const text = [heading, "", ...table, ""];
    problems.push(...text);
    left -= text.join("\n").length + 1;
  }
  const out = mask([...head, ...problems, ...tail].join("\n"), result.secretValues);
  // Masking and very long names cannot push it over: the bound is a promise the PR comment relies on.
  return out.length <= limit ? out : `${out.slice(0, limit - 80)}\n\n(cut at ${limit} characters)\n`;
}

interface Args {
  stacks?: string;
  packConfigs: PackConfigFiles;
  /** A file for the JSON result, or "-" for standard output instead of the text report. */
  json?: string;
  markdown?: string;
  markdownFull?: string;
  problemsOnly: boolean;
  org?: string;
  synthesize?: number;
  mode?: Mode;
  quiet: boolean;
}

export function parseArgs(argv: string[]): Args | "help" {
  if (argv.includes("--help") || argv.includes("-h")) return "help";
  const args: Args = { packConfigs: {}, quiet: false, problemsOnly: false };
  eachFlag(argv, (flag, value) => {
    if (flag === "--stacks") args.stacks = value();
    else if (flag === "--policy-pack-config") addPackConfig(args.packConfigs, value());
    else if (flag === "--json") args.json = value();
    else if (flag === "--markdown") args.markdown = value();
    else if (flag === "--markdown-full") args.markdownFull = value();
    else if (flag === "--problems-only") args.problemsOnly = true;
    else if (flag === "--org") {
      const org = value();
      if (!/^[\w.-]+$/.test(org))
        throw new UsageError(
          `(command line): --org: expected a Pulumi organization name (letters, digits, _ . -), got ${org}`,
        );
      args.org = org;
    } else if (flag === "--quiet") args.quiet = true;
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
    checkOutputPath("--markdown-full", args.markdownFull);
    checkOutputsAreNotInputs(
      [
        ["--json", args.json],
        ["--markdown", args.markdown],
        ["--markdown-full", args.markdownFull],
      ],
      [
        ...Object.values(args.packConfigs).map((f): [string, string | undefined] => [
          "--policy-pack-config",
          f,
        ]),
        ...(args.synthesize ? [] : projectFiles(args.stacks ?? ".")).map((f): [string, string] => [
          "--stacks",
          f,
        ]),
      ],
    );
    // Pack configs and stack files are checked together: every problem in one run.
    const { configs: packConfigs, problems } = readPackConfigs(args.packConfigs);
    const result = await runPlan({
      stacksDir: args.stacks,
      stackFiles: args.synthesize
        ? synthesizeOrganization(args.synthesize, args.mode ?? "organization", { organization: args.org })
        : undefined,
      organization: args.org,
      packConfigs,
      problems,
      progress: args.quiet ? undefined : progress,
      stackTraces: debugRequested("plan"),
    });
    if (args.markdown) fs.writeFileSync(args.markdown, markdownSummary(result));
    if (args.markdownFull) fs.writeFileSync(args.markdownFull, markdownReport(result));
    const json = args.json ? `${JSON.stringify(toJson(result), null, 2)}\n` : "";
    if (args.json && args.json !== "-") fs.writeFileSync(args.json, json);
    const report = args.problemsOnly ? problemsReport(result) : textReport(result);
    return { code: exitCodeOf(result), out: args.json === "-" ? json : `${report}\n`, err: "" };
  } catch (e) {
    if (e instanceof UsageError || e instanceof StackFileError)
      return { code: 2, out: "", err: problemLines("plan", e) };
    throw e;
  }
}

if (require.main === module) runAsProcess("plan", main);
