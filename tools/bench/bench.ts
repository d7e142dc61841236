/**
 * `npm run bench [-- --readme] [--quick]`: wall time of the offline plan (a fresh process each run, as a
 * user runs it) on the example organization and on synthetic organizations in both modes, the largest
 * central policy of each kind against its AWS limit, and how many members each mode holds before a
 * policy passes its limit. Prints a Markdown table; `--readme` also writes it into README.md, with the
 * machine and commit that produced it. Asserts nothing: targets live in the README's performance section.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { archiveContext } from "../../central/archiveContext";
import { keyPolicy, logBucketPolicy, queuePolicy } from "../../central/policies";
import { CentralConfig, parseStackConfig } from "../../shared/config";
import { policyBytes, POLICY_SIZE_LIMITS } from "../../shared/iam";
import { LOG_TYPES } from "../../shared/naming";
import { replaceBlock } from "../docs/policyTable";
import { Mode, synthesizeOrganization } from "../simulation/synthesize";
import { PROJECT_ROOT } from "../common/root";

const ROOT = PROJECT_ROOT;
const README = path.join(ROOT, "README.md");

export const USAGE = `usage: npm run bench [-- --readme] [--quick]

  Times \`npm run plan\` (median of several fresh processes) on the example organization and on synthetic
  organizations of 10 to 1,000 members in both modes, and prints the largest central policy of each kind
  against its AWS limit and each mode's capacity, as a Markdown table.

  --readme   also write the table into README.md (between its generated-performance markers)
  --quick    one run per row and no 1,000-member rows (a smoke check, not for the README)
  --help     this text`;

const pct = (bytes: number, limit: number) =>
  `${bytes.toLocaleString("en")} B (${((100 * bytes) / limit).toFixed(1)} %)`;

function planOnce(args: string[]): { seconds: number; code: number; json?: any; stderr: string } {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bench-")), "plan.json");
  const started = process.hrtime.bigint();
  const r = spawnSync(
    process.execPath,
    ["-r", "ts-node/register/transpile-only", "tools/plan/plan.ts", "--quiet", "--json", out, ...args],
    { cwd: ROOT, maxBuffer: 1 << 30, encoding: "utf8" },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    seconds,
    code: r.status ?? -1,
    stderr: r.stderr,
    json: fs.existsSync(out) ? JSON.parse(fs.readFileSync(out, "utf8")) : undefined,
  };
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
  };
}

/** The most members a mode holds before a central policy of this kind passes its AWS limit. */
function capacity(mode: Mode, kind: "bucket" | "key", admitAccountTrailsBy?: Admission): number {
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

/** Writes a generated block into README.md and formats it as the project's lint expects. */
export function writeReadmeBlock(name: string, body: string) {
  fs.writeFileSync(README, replaceBlock(fs.readFileSync(README, "utf8"), name, body, README));
  execFileSync(process.execPath, [require.resolve("prettier/bin/prettier.cjs"), "--write", README], {
    cwd: ROOT,
  });
  process.stderr.write(`bench: wrote the ${name.toLowerCase()} table into README.md\n`);
}

function main() {
  const argv = process.argv.slice(2);
  if (argv.includes("--help")) return void process.stdout.write(`${USAGE}\n`);
  const unknown = argv.find((a) => a !== "--readme" && a !== "--quick");
  if (unknown) {
    process.stderr.write(`bench: (command line): ${unknown}: unknown option; see --help\n`);
    process.exitCode = 2;
    return;
  }
  const quick = argv.includes("--quick");
  const machine = machineDescription();
  const { commit, dirty } = commitDescription();
  const date = new Date().toISOString().slice(0, 10);
  process.stderr.write(`bench: ${machine}, commit ${commit}${dirty ? " (with uncommitted changes)" : ""}\n`);

  const rows: string[] = [];
  type Case = [string, string, string[], number];
  const cases: Case[] = [
    ["example organization", "2", [], 5] as Case,
    ...(["organization", "account-list"] as Mode[]).flatMap((mode) =>
      (mode === "organization" ? [10, 100, 1000] : [10, 50, 1000]).map(
        (n): [string, string, string[], number] => [
          mode,
          n.toLocaleString("en"),
          ["--synthesize", String(n), "--mode", mode],
          n >= 1000 ? 1 : 3,
        ],
      ),
    ),
  ].filter(([, n]) => !quick || n !== "1,000");
  for (const [mode, members, args, runs] of cases) {
    const results = Array.from({ length: quick ? 1 : runs }, () => planOnce(args));
    const bad = results.find((r) => r.code !== 0);
    if (bad) throw new Error(`${mode} ${members}: the plan exited ${bad.code}: ${bad.stderr.trim()}`);
    const sizes = largestCentralPolicies(results[0].json);
    rows.push(
      `| ${mode} | ${members} | ${results.length} | ${median(results.map((r) => r.seconds)).toFixed(1)} s | ${pct(sizes.bucket.bytes, sizes.bucket.limit)} | ${pct(sizes.key.bytes, sizes.key.limit)} | ${pct(sizes.queue.bytes, sizes.queue.limit)} |`,
    );
    process.stderr.write(`bench: ${mode} ${members}: ${rows[rows.length - 1]}\n`);
  }

  const cap = {
    organization: { bucket: capacity("organization", "bucket"), key: capacity("organization", "key") },
    list: { bucket: capacity("account-list", "bucket"), key: capacity("account-list", "key") },
    listByTrail: {
      bucket: capacity("account-list", "bucket", "trail"),
      key: capacity("account-list", "key", "trail"),
    },
  };
  const listFirst = Math.min(cap.list.bucket, cap.list.key);
  const byTrailFirst = Math.min(cap.listByTrail.bucket, cap.listByTrail.key);
  const over = planOnce(["--synthesize", String(listFirst + 1), "--mode", "account-list"]);
  const table = [
    `Measured with \`npm run bench -- --readme\` on ${machine}, at commit ${commit}${dirty ? " with uncommitted changes" : ""} (${date}).`,
    "Wall time of one `npm run plan` process (median of the runs shown); largest central policy of each kind",
    "against its AWS limit. The synthetic organizations follow docs/operations.md: organization mode has one",
    "organization trail and admits every member's flow logs by account; account-list mode gives every member",
    "an account trail, admitted by account (the default `cloudTrail.admitAccountTrailsBy: account`).",
    "",
    "| mode | members | runs | plan wall time | largest bucket policy | key policy | largest queue policy |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
    "",
    `- Organization mode holds ${Math.min(cap.organization.bucket, cap.organization.key).toLocaleString("en")} members before a policy passes its limit (flow-log bucket policy: ${cap.organization.bucket.toLocaleString("en")}; key policy: ${cap.organization.key.toLocaleString("en")}); with the \`org-id-for-log-delivery\` extension nothing grows.`,
    `- Account-list mode with an account trail per member holds ${listFirst.toLocaleString("en")} members (CloudTrail bucket policy: ${cap.list.bucket.toLocaleString("en")}; key policy: ${cap.list.key.toLocaleString("en")}): each member's account ID appears once per list. At ${(listFirst + 1).toLocaleString("en")} the plan exits ${over.code}: \`${over.stderr.trim().replace(/^plan: [^:]+: /, "")}\`; no policy is ever truncated.`,
    `- Admitting each account trail by its ARN instead (\`admitAccountTrailsBy: trail\`, AWS's multi-account shape) holds ${byTrailFirst.toLocaleString("en")} members (CloudTrail bucket policy: ${cap.listByTrail.bucket.toLocaleString("en")}; key policy: ${cap.listByTrail.key.toLocaleString("en")}).`,
  ].join("\n");
  process.stdout.write(`${table}\n`);
  if (argv.includes("--readme")) {
    if (quick) throw new Error("--readme needs the full runs; drop --quick");
    writeReadmeBlock("PERFORMANCE", table);
  }
}

if (require.main === module) main();
