/**
 * `npm run bench`: wall time of the offline plan (a fresh process each run, as a user runs it) on the
 * example organization and on synthetic organizations of 10, 100 and 1000 members in both modes, the
 * largest policy of each kind against its AWS limit, and the account-list capacity of each policy.
 * Prints numbers; asserts nothing (targets live in the README's performance section).
 */
import { execFileSync, spawnSync } from "child_process";
import * as os from "os";
import { archiveContext } from "../../central/archiveContext";
import { keyPolicy, logBucketPolicy, queuePolicy } from "../../central/policies";
import { CentralConfig, parseStackConfig } from "../../shared/config";
import { policyBytes, POLICY_SIZE_LIMITS } from "../../shared/iam";
import { LOG_TYPES } from "../../shared/naming";
import { synthesizeOrganization } from "../simulation/synthesize";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function planOnce(args: string[]): { seconds: number; code: number; json?: any } {
  const started = process.hrtime.bigint();
  const r = spawnSync(
    process.execPath,
    ["-r", "ts-node/register/transpile-only", "tools/plan/plan.ts", "--quiet", ...args],
    {
      maxBuffer: 1 << 30,
      encoding: "utf8",
    },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  let json: any;
  if (args.includes("--json")) json = JSON.parse(r.stdout);
  return { seconds, code: r.status ?? -1, json };
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

/** The largest account list each central policy accepts before its AWS limit. */
function accountListCapacity(wafDelivery: "replication" | "both") {
  const sizes = (n: number) => {
    const central = synthesizeOrganization(n, "account-list")[0];
    const ctx = archiveContext(parseStackConfig("central", central.raw) as CentralConfig);
    ctx.wafDelivery = wafDelivery;
    return {
      bucket: Math.max(...LOG_TYPES.map((t) => policyBytes(logBucketPolicy(ctx, t)))),
      key: policyBytes(keyPolicy(ctx)),
      queue: Math.max(...LOG_TYPES.map((t) => policyBytes(queuePolicy(ctx, t)))),
    };
  };
  const out: Record<string, number> = {};
  for (const kind of ["bucket", "key", "queue"] as const) {
    let lo = 1;
    let hi = 20000;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (sizes(mid)[kind] <= POLICY_SIZE_LIMITS[kind]) lo = mid;
      else hi = mid - 1;
    }
    out[kind] = lo;
  }
  return out;
}

function main() {
  const capacityOnly = process.argv.includes("--capacity-only");
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  console.log(
    `machine: ${os.cpus().length} cores, ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
  );
  console.log(`git: ${execFileSync("git", ["rev-parse", "--short", "HEAD"]).toString().trim()}\n`);

  if (!capacityOnly) runTimings();
  capacityReport();
}

function runTimings() {
  const example = Array.from({ length: 5 }, () => planOnce([]));
  console.log(
    `example organization: median ${median(example.map((r) => r.seconds)).toFixed(2)} s over 5 runs (exit ${example[0].code})`,
  );

  console.log(
    "\nsynthetic organizations (wall time of one `npm run plan`, largest central policy per kind):",
  );
  console.log(
    "mode          members  runs  median s   bucket B (20480)  key B (32768)  queue B (8192)  exit",
  );
  for (const mode of ["organization", "account-list"] as const) {
    for (const n of [10, 100, 1000]) {
      const runs = n >= 1000 ? 1 : 3;
      const results = Array.from({ length: runs }, () =>
        planOnce(["--synthesize", String(n), "--mode", mode, "--json"]),
      );
      const sizes = largestCentralPolicies(results[0].json);
      const pct = (p: any, limit: number) => `${p.bytes} (${((100 * p.bytes) / limit).toFixed(1)}%)`;
      console.log(
        `${mode.padEnd(13)} ${String(n).padStart(7)}  ${String(runs).padStart(4)}  ${median(
          results.map((r) => r.seconds),
        )
          .toFixed(1)
          .padStart(8)}   ` +
          `${pct(sizes.bucket, 20480).padStart(16)}  ${pct(sizes.key, 32768).padStart(13)}  ${pct(sizes.queue, 8192).padStart(14)}  ${results[0].code}`,
      );
    }
  }
}

function capacityReport() {
  const capacity = accountListCapacity("replication");
  const both = accountListCapacity("both");
  const queue = (n: number) => (n >= 20000 ? "not reached at 20000" : String(n));
  console.log(
    `\naccount-list capacity (most members before a policy passes its limit), default wafDelivery replication: ` +
      `bucket ${capacity.bucket}, key ${capacity.key}, queue ${queue(capacity.queue)}; ` +
      `with wafDelivery both: bucket ${both.bucket}, key ${both.key}`,
  );
  const over = Math.min(capacity.bucket, capacity.key) + 1;
  const r = planOnce(["--synthesize", String(over), "--mode", "account-list"]);
  const errorLine = spawnSync(
    process.execPath,
    [
      "-r",
      "ts-node/register/transpile-only",
      "tools/plan/plan.ts",
      "--quiet",
      "--synthesize",
      String(over),
      "--mode",
      "account-list",
    ],
    { encoding: "utf8", maxBuffer: 1 << 30 },
  ).stderr.trim();
  console.log(`at ${over} members the plan exits ${r.code}: ${errorLine}`);
}

main();
