/**
 * `npm run bench:verify [-- --readme] [--accounts N]`: wall time of `npm run verify` on a synthetic
 * organization against moto's server mode (the verify lane's endpoint): N accounts (default 1,000), each
 * expected to deliver CloudTrail (organization trail), VPC Flow Logs and WAF, seeded with AWS's key
 * layouts; 90 % fresh, 5 % late (found by walking the date folders), 5 % missing. Runs verify in one
 * process, several times per concurrency, and prints medians; `--readme` writes them into README.md.
 * Asserts nothing: the target (under 60 s for 1,000 accounts × 3 log types) lives in the README.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { createTestArchive, seed, SeedObject, TEST_REGION } from "../verify/moto/archive";
import { startMoto } from "../verify/moto/server";
import { main } from "../verify/verify";
import { commitDescription, machineDescription, median, writeReadmeBlock } from "./bench";

export const USAGE = `usage: npm run bench:verify [-- --readme] [--accounts N] [--runs N]

  Times npm run verify against moto's server mode (installed on first use by tools/verify/moto/moto.sh)
  on N accounts x 3 log types (default 1,000 accounts, 3 runs per concurrency), and prints medians.

  --readme      also write the table into README.md (between its generated verify-performance markers)
  --accounts N  accounts in the synthetic organization
  --runs N      runs per concurrency
  --help        this text`;

const ORG = "o-bench000000";
const MANAGEMENT = "100000000000";

function option(argv: string[], name: string, fallback: number): number {
  const i = argv.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(argv[i + 1]);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`bench: (command line): ${name}: expected a whole number of at least 1\n`);
    process.exit(2);
  }
  return n;
}

async function run() {
  const argv = process.argv.slice(2);
  if (argv.includes("--help")) return void process.stdout.write(`${USAGE}\n`);
  const unknown = argv.find(
    (a, i) => !["--readme", "--accounts", "--runs"].includes(a) && !/^\d+$/.test(a) && i >= 0,
  );
  if (unknown) {
    process.stderr.write(`bench: (command line): ${unknown}: unknown option; see --help\n`);
    process.exit(2);
  }
  const accountsN = option(argv, "--accounts", 1000);
  const runs = option(argv, "--runs", 3);
  const machine = machineDescription();
  const { commit, dirty } = commitDescription();
  process.stderr.write(`bench: ${machine}, commit ${commit}${dirty ? " (with uncommitted changes)" : ""}\n`);

  const moto = await startMoto();
  try {
    const accounts = Array.from({ length: accountsN }, (_, i) => String(200000000000 + i));
    const outputs = await createTestArchive(moto.endpoint, {
      suffix: "bench",
      mode: "organization",
      organizationId: ORG,
      members: accounts,
      organizationTrail: { managementAccountId: MANAGEMENT, name: "organization-trail" },
    });
    const now = Date.now();
    const objects: SeedObject[] = [];
    accounts.forEach((account, i) => {
      const health = i % 20 === 0 ? "missing" : i % 20 === 1 ? "late" : "ok";
      if (health === "missing") return;
      const at = (minutes: number) =>
        new Date(now - (health === "late" ? 3 * 86_400_000 : 0) - minutes * 60_000);
      for (const m of [5]) {
        objects.push({ logType: "cloudtrail", account, region: TEST_REGION, at: at(m), organizationId: ORG });
        objects.push({ logType: "vpcflowlogs", account, region: TEST_REGION, at: at(m) });
        objects.push({ logType: "waf", account, region: TEST_REGION, at: at(m), webAcl: "web-app" });
      }
    });
    const seeding = Date.now();
    await seed(moto.endpoint, outputs, objects, 32);
    process.stderr.write(
      `bench: seeded ${objects.length} objects in ${((Date.now() - seeding) / 1000).toFixed(1)} s\n`,
    );

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-verify-"));
    const outputsFile = path.join(dir, "outputs.json");
    fs.writeFileSync(outputsFile, JSON.stringify({ archive: outputs }));
    const accountsFile = path.join(dir, "accounts.json");
    fs.writeFileSync(
      accountsFile,
      JSON.stringify({ Accounts: accounts.map((Id) => ({ Id, State: "ACTIVE" })) }),
    );
    const expectFile = path.join(dir, "expect.json");
    fs.writeFileSync(
      expectFile,
      JSON.stringify(
        accounts.flatMap((account) => [
          { account, logType: "vpcflowlogs", region: TEST_REGION },
          { account, logType: "waf", region: TEST_REGION, webAcl: "web-app" },
        ]),
      ),
    );
    process.env.AWS_ACCESS_KEY_ID ??= "testing";
    process.env.AWS_SECRET_ACCESS_KEY ??= "testing";
    const lines = [
      `Measured with \`npm run bench:verify -- --readme\` on ${machine}, at commit ${commit} (${new Date().toISOString().slice(0, 10)}), against moto ${"5.2.5"} in server mode on the same machine.`,
      `Median of ${runs} runs of \`npm run verify\` (one process; \`--accounts\` file, \`--expect\` file for flow logs and WAF) on a synthetic organization: every account expected to deliver CloudTrail (organization trail), VPC Flow Logs and WAF; 90 % fresh, 5 % late (three days old, found by walking the date folders), 5 % missing.`,
      "",
      "| accounts | expected rows | concurrency | wall time | requests | requests/s |",
      "| --- | --- | --- | --- | --- | --- |",
    ];
    for (const concurrency of [4, 16, 32]) {
      const times: number[] = [];
      let requests = 0;
      let rows = 0;
      for (let i = 0; i < runs; i++) {
        const started = process.hrtime.bigint();
        const r = await main([
          "--outputs",
          outputsFile,
          "--endpoint",
          moto.endpoint,
          "--accounts",
          accountsFile,
          "--expect",
          expectFile,
          "--stacks",
          dir,
          "--since",
          "2h",
          "--concurrency",
          String(concurrency),
          "--quiet",
        ]);
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        if (r.code === 2 || !r.report) throw new Error(`verify failed: ${r.err}`);
        times.push(seconds);
        requests = r.report.summary.requests;
        rows = r.report.delivery.length;
        process.stderr.write(
          `bench: concurrency ${concurrency}, run ${i + 1}: ${seconds.toFixed(1)} s, ${requests} requests, ${r.report.summary.ok} ok, ${r.report.summary.late} late, ${r.report.summary.missing} missing\n`,
        );
      }
      const m = median(times);
      lines.push(
        `| ${accountsN.toLocaleString("en")} | ${rows.toLocaleString("en")} | ${concurrency}${concurrency === 16 ? " (default)" : ""} | ${m.toFixed(1)} s | ${requests.toLocaleString("en")} | ${Math.round(requests / m).toLocaleString("en")} |`,
      );
    }
    const table = lines.join("\n");
    process.stdout.write(`${table}\n`);
    if (argv.includes("--readme")) writeReadmeBlock("VERIFY PERFORMANCE", table);
  } finally {
    await moto.stop();
  }
}

run().catch((e) => {
  process.stderr.write(`bench: ${(e as Error).message}\n`);
  process.exit(1);
});
