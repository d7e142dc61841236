/**
 * `npm run bench [-- --readme] [--quick]`: wall time of `npm run plan` (a fresh process each run, as a
 * user runs it) on the example organization, on `--help`, and on synthetic organizations in both modes,
 * as medians, with issue 21's targets beside them and the load average before and after each row; the
 * largest central policy of each kind against its AWS limit, and how many members each mode holds before
 * a policy passes its limit. Prints a Markdown table; `--readme` also writes it into README.md, with the
 * machine and commit that produced it. Asserts nothing. Interrupted, it ends the plan it was running.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { archiveContext } from "../../central/archiveContext";
import { keyPolicy, logBucketPolicy, queuePolicy } from "../../central/policies";
import { tamperEventBusPolicy } from "../../central/tamperPolicies";
import { CentralConfig, parseStackConfig } from "../../shared/config";
import { policyBytes, POLICY_SIZE_LIMITS } from "../../shared/iam";
import { LOG_TYPES } from "../../shared/naming";
import { replaceBlock } from "../docs/policyTable";
import { Mode, synthesizeOrganization } from "../simulation/synthesize";
import { PROJECT_ROOT } from "../common/root";
import { endEverythingOnSignal, runChild, stopChildren } from "../common/processes";

const ROOT = PROJECT_ROOT;
const README = path.join(ROOT, "README.md");
// Plain JavaScript files, never compiled: required from the project's folder, from dist/ too.
const { distIsCurrent } = require(path.join(ROOT, "tools/compiled/sources")) as { distIsCurrent(): boolean };
const pack = require(path.join(ROOT, "policy-pack/sources")) as { compiledIsCurrent(dir: string): boolean };

export const USAGE = `usage: npm run bench [-- --readme] [--quick]

  Times npm run plan (the median of several fresh processes) on the example organization, on --help, and
  on synthetic organizations of 10 to 1,000 members in both modes, beside issue 21's targets, and prints
  the largest central policy of each kind against its AWS limit and each mode's capacity, as a Markdown
  table. The README records compiled runs: --readme refuses when dist/ is not current (npm run build).

  --readme   also write the table into README.md (between its generated-performance markers)
  --quick    one run per row and no 1,000-member rows (a smoke check, not for the README)
  --help     this text`;

const pct = (bytes: number, limit: number) =>
  `${bytes.toLocaleString("en")} B (${((100 * bytes) / limit).toFixed(1)} %)`;

/** One `npm run plan` as a user runs it, its JSON result read back. */
async function planOnce(
  args: string[],
): Promise<{ seconds: number; code: number; json?: any; stderr: string }> {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bench-")), "plan.json");
  const json = args.includes("--help") ? [] : ["--quiet", "--json", out];
  const r = await runChild("npm", ["run", "--silent", "plan", "--", ...json, ...args], { cwd: ROOT });
  const result = {
    seconds: r.seconds,
    code: r.code,
    stderr: r.stderr,
    json: fs.existsSync(out) ? JSON.parse(fs.readFileSync(out, "utf8")) : undefined,
  };
  fs.rmSync(path.dirname(out), { recursive: true, force: true });
  return result;
}

function largestCentralPolicies(json: any) {
  const central = json.policySizes.filter((p: any) => p.stack === "central");
  const by = (match: RegExp) =>
    central.filter((p: any) => match.test(p.resource)).sort((a: any, b: any) => b.bytes - a.bytes)[0];
  return {
    bucket: by(/-logs-policy\.policy$/),
    key: by(/^logs-key\.policy$/),
    queue: by(/-queue-policy\.policy$/),
  };
}

type Admission = "account" | "trail";

/** Policy sizes of a synthetic organization's central stack, without running the program. */
function centralSizes(members: number, mode: Mode, admitAccountTrailsBy?: Admission) {
  const ctx = archiveContext(
    parseStackConfig(
      "central",
      synthesizeOrganization(members, mode, { admitAccountTrailsBy })[0].raw,
    ) as CentralConfig,
  );
  return {
    bucket: Math.max(...LOG_TYPES.map((t) => policyBytes(logBucketPolicy(ctx, t)))),
    key: policyBytes(keyPolicy(ctx)),
    queue: Math.max(...LOG_TYPES.map((t) => policyBytes(queuePolicy(ctx, t)))),
    eventBus: policyBytes(tamperEventBusPolicy(ctx)),
  };
}

type Grows = "bucket" | "key" | "eventBus";

/** The most members a mode holds before a central policy of this kind passes its AWS limit. */
function capacity(mode: Mode, kind: Grows, admitAccountTrailsBy?: Admission): number {
  let lo = 1;
  let hi = 5000;
  const fits = (n: number) => centralSizes(n, mode, admitAccountTrailsBy)[kind] <= POLICY_SIZE_LIMITS[kind];
  if (fits(hi)) return hi;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The machine a measurement comes from, as the README names it. */
export function machineDescription(): string {
  const cpu = os.cpus()[0]?.model?.trim() ?? "unknown CPU";
  return `${os.cpus().length} cores (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node.js ${process.version.slice(1)}`;
}

/** The commit measured, short, and whether tracked files differ from it. */
export function commitDescription(): { commit: string; dirty: boolean } {
  const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT }).toString().trim();
  const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: ROOT })
    .toString()
    .trim();
  return { commit, dirty: dirty.length > 0 };
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A duration as the tables print it. */
export const seconds = (s: number, digits = 1) => `${s.toFixed(digits)} s`;

/** The 1-minute load average, as the tables print it (a busy machine makes a row noisy). */
export const loadAverage = () => os.loadavg()[0].toFixed(1);

/**
 * The compiled commands (dist/) and, for the engine, the compiled policy pack must be current for their
 * times to be the ones users get: the README's tables (`--readme`) refuse otherwise; other runs say so
 * and time what runs (the TypeScript). Returns the problem, if any.
 */
export function checkCompiled(
  progress: (m: string) => void,
  options: { policyPack?: boolean; required: boolean },
): string | undefined {
  const stale = [
    ...(distIsCurrent() ? [] : ["dist/ (npm run build)"]),
    ...(options.policyPack && !pack.compiledIsCurrent(path.join(ROOT, "policy-pack"))
      ? ["the policy pack (npm run build:policy-pack)"]
      : []),
  ];
  if (!stale.length) return undefined;
  const what = `not compiled from the current sources: ${stale.join(" and ")}`;
  if (options.required)
    return `(command line): --readme: ${what}; build first, the tables record compiled runs`;
  progress(`${what}: timing the TypeScript instead`);
  return undefined;
}

/** Writes a generated block into README.md and formats it as the project's lint expects. */
export function writeReadmeBlock(name: string, body: string) {
  fs.writeFileSync(README, replaceBlock(fs.readFileSync(README, "utf8"), name, body, README));
  execFileSync(process.execPath, [require.resolve("prettier/bin/prettier.cjs"), "--write", README], {
    cwd: ROOT,
  });
  process.stderr.write(`bench: wrote the ${name.toLowerCase()} table into README.md\n`);
}

/** Issue 21's targets, by row. */
const TARGETS: Record<string, string> = {
  "example organization": "≤ 2 s",
  "--help": "< 1 s",
  "organization 100": "≤ 5 s",
  "organization 1,000": "≤ 15 s",
};

interface Case {
  what: string;
  members: string;
  args: string[];
  runs: number;
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv.includes("--help")) return void process.stdout.write(`${USAGE}\n`);
  const unknown = argv.find((a) => a !== "--readme" && a !== "--quick");
  if (unknown) {
    process.stderr.write(`bench: (command line): ${unknown}: unknown option; see --help\n`);
    process.exitCode = 2;
    return;
  }
  const quick = argv.includes("--quick");
  if (quick && argv.includes("--readme")) {
    process.stderr.write("bench: (command line): --readme needs the full runs; drop --quick\n");
    process.exitCode = 2;
    return;
  }
  const progress = (m: string) => process.stderr.write(`bench: ${m}\n`);
  endEverythingOnSignal({ progress, stop: stopChildren });
  const stale = checkCompiled(progress, { required: argv.includes("--readme") });
  if (stale) {
    process.stderr.write(`bench: ${stale}\n`);
    process.exitCode = 2;
    return;
  }
  const machine = machineDescription();
  const { commit, dirty } = commitDescription();
  const date = new Date().toISOString().slice(0, 10);
  progress(`${machine}, commit ${commit}${dirty ? " (with uncommitted changes)" : ""}`);

  const cases: Case[] = [
    { what: "example organization", members: "3", args: [], runs: 5 },
    { what: "--help", members: "-", args: ["--help"], runs: 5 },
    ...(["organization", "account-list"] as Mode[]).flatMap((mode) =>
      (mode === "organization" ? [10, 100, 1000] : [10, 50]).map((n) => ({
        what: mode,
        members: n.toLocaleString("en"),
        args: ["--synthesize", String(n), "--mode", mode],
        runs: 3,
      })),
    ),
  ].filter((c) => !quick || c.members !== "1,000");
  const rows: string[] = [];
  for (const c of cases) {
    const before = loadAverage();
    const results = [];
    for (let i = 0; i < (quick ? 1 : c.runs); i++) results.push(await planOnce(c.args));
    const after = loadAverage();
    const bad = results.find((r) => r.code !== 0);
    if (bad) throw new Error(`${c.what} ${c.members}: the plan exited ${bad.code}: ${bad.stderr.trim()}`);
    const sizes = results[0].json ? largestCentralPolicies(results[0].json) : undefined;
    const size = (p?: { bytes: number; limit: number }) => (p ? pct(p.bytes, p.limit) : "-");
    const times = results.map((r) => r.seconds);
    const label = c.members === "-" ? c.what : `${c.what} ${c.members}`;
    rows.push(
      `| ${c.what} | ${c.members} | ${seconds(median(times), c.what === "--help" ? 2 : 1)} | ${TARGETS[label] ?? "-"} | ${times.map((t) => t.toFixed(c.what === "--help" ? 2 : 1)).join(", ")} | ${before} → ${after} | ${size(sizes?.bucket)} | ${size(sizes?.key)} | ${size(sizes?.queue)} |`,
    );
    progress(rows[rows.length - 1]);
  }

  const cap = {
    organization: { bucket: capacity("organization", "bucket"), key: capacity("organization", "key") },
    list: {
      bucket: capacity("account-list", "bucket"),
      key: capacity("account-list", "key"),
      eventBus: capacity("account-list", "eventBus"),
    },
    listByTrail: {
      bucket: capacity("account-list", "bucket", "trail"),
      key: capacity("account-list", "key", "trail"),
    },
  };
  const listFirst = Math.min(cap.list.bucket, cap.list.key);
  const byTrailFirst = Math.min(cap.listByTrail.bucket, cap.listByTrail.key);
  const over = await planOnce(["--synthesize", String(listFirst + 1), "--mode", "account-list"]);
  const table = [
    `Measured with \`npm run bench -- --readme\` on ${machine}, at commit ${commit}${dirty ? " with uncommitted changes" : ""} (${date}).`,
    "Wall time of one `npm run plan` process, as a user runs it (npm included): the median of the runs listed,",
    "with the 1-minute load average before and after them (a busy machine makes a row noisy), beside the",
    "targets of issue 21; largest central policy of each kind against its AWS limit. The synthetic",
    "organizations follow docs/operations.md: organization mode has one organization trail and admits every",
    "member's flow logs by account; account-list mode gives every member an account trail, admitted by",
    "account (the default `cloudTrail.admitAccountTrailsBy: account`).",
    "",
    "| plan of | members | wall time (median) | target | runs (s) | load | largest bucket policy | key policy | largest queue policy |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
    "",
    `- Organization mode holds ${Math.min(cap.organization.bucket, cap.organization.key).toLocaleString("en")} members before a policy passes its limit (flow-log bucket policy: ${cap.organization.bucket.toLocaleString("en")}; key policy: ${cap.organization.key.toLocaleString("en")}); with the \`org-id-for-log-delivery\` extension nothing grows.`,
    `- Account-list mode with an account trail per member holds ${listFirst.toLocaleString("en")} members (CloudTrail bucket policy: ${cap.list.bucket.toLocaleString("en")}; key policy: ${cap.list.key.toLocaleString("en")}): each member's account ID appears once per list. At ${(listFirst + 1).toLocaleString("en")} the plan exits ${over.code}: \`${over.stderr.trim().replace(/^plan: [^:]+: /, "")}\`; no policy is ever truncated.`,
    `- In account-list mode the tamper alarms' event bus policy names every member too: it passes EventBridge's default quota of ${POLICY_SIZE_LIMITS.eventBus.toLocaleString("en")} characters above ${cap.list.eventBus.toLocaleString("en")} members (\`tamperProtection.eventBusPolicyLimit\` once the quota is raised).`,
    `- Admitting each account trail by its ARN instead (\`admitAccountTrailsBy: trail\`, AWS's multi-account shape) holds ${byTrailFirst.toLocaleString("en")} members (CloudTrail bucket policy: ${cap.listByTrail.bucket.toLocaleString("en")}; key policy: ${cap.listByTrail.key.toLocaleString("en")}).`,
  ].join("\n");
  process.stdout.write(`${table}\n`);
  if (argv.includes("--readme")) writeReadmeBlock("PERFORMANCE", table);
}

if (require.main === module)
  main().then(
    () => process.exit(process.exitCode ?? 0),
    (e) => {
      process.stderr.write(`bench: ${(e as Error).message ?? e}\n`);
      process.exit(1);
    },
  );
