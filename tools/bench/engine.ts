/**
 * `npm run bench:engine [-- --readme]`: wall time of `npm run fleet -- preview --all --inline` under the real Pulumi
 * engine (the engine lane's CLI and stand-in provider) beside `npm run plan` on the same stacks, for the
 * example organization and a synthetic organization of 20 members. The central stack is deployed first
 * (untimed), since members preview against its outputs. Prints numbers; asserts nothing.
 *
 * Needs the CLI of the engine lane: CENTRAL_LOGGING_PULUMI_ROOT, or it runs test/engine/build-cli.sh.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { synthesizeOrganization } from "../simulation/synthesize";
import { commitDescription, machineDescription, median, writeReadmeBlock } from "./bench";
import { PROJECT_ROOT } from "../common/root";

const ROOT = PROJECT_ROOT;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

export const USAGE = `usage: npm run bench:engine [-- --readme]

  Times npm run fleet -- preview --all --inline under the real Pulumi engine (the engine lane's CLI and
  stand-in provider) beside npm run plan, for the example organization and 20 synthetic members
  (BENCH_RUNS runs each, default 3), and prints medians. Needs the engine lane's CLI:
  CENTRAL_LOGGING_PULUMI_ROOT, or test/engine/build-cli.sh builds it (10 to 25 minutes the first time).

  --readme   also write the table into README.md (between its generated engine-performance markers)
  --help     this text`;

function timed(args: string[], env: NodeJS.ProcessEnv): { seconds: number; code: number; stderr: string } {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", ...args], {
    cwd: ROOT,
    env,
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, code: r.status ?? -1, stderr: r.stderr };
}

function exampleProject(dir: string) {
  for (const f of fs.readdirSync(ROOT).filter((f) => /^Pulumi(\.[^.]+)?\.yaml$/.test(f)))
    fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
}

function syntheticProject(dir: string, members: number) {
  fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  for (const s of synthesizeOrganization(members, "organization")) {
    const config = Object.fromEntries(
      Object.entries(s.raw).map(([k, v]) => [k, /^[[{]/.test(v) ? JSON.parse(v) : v]),
    );
    fs.writeFileSync(path.join(dir, `Pulumi.${s.stack}.yaml`), stringify({ config }));
  }
}

function main() {
  const argv = process.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) return void process.stdout.write(`${USAGE}\n`);
  const unknown = argv.find((a) => a !== "--readme");
  if (unknown) {
    process.stderr.write(`bench:engine: (command line): ${unknown}: unknown option; see --help\n`);
    process.exitCode = 2;
    return;
  }
  const pulumiRoot =
    process.env.CENTRAL_LOGGING_PULUMI_ROOT ??
    execFileSync("bash", [path.join(ROOT, "test/engine/build-cli.sh")], { encoding: "utf8" }).trim();
  const machine = machineDescription();
  const { commit } = commitDescription();
  const version = execFileSync(path.join(pulumiRoot, "bin", "pulumi"), ["version"])
    .toString()
    .trim();
  const lines = [
    `Measured with \`npm run bench:engine -- --readme\` on ${machine}, at commit ${commit} (${new Date().toISOString().slice(0, 10)}), Pulumi CLI ${version} built by the engine lane.`,
    `Median of ${RUNS} runs of \`npm run fleet -- preview --all --inline\` (the real engine, the stand-in provider, the policy pack; members 4 at a time) after \`up\` of the central stack, beside \`npm run plan\` on the same stack files.`,
    "",
    "| organization | stacks | fleet preview (real engine) | npm run plan (mocks) |",
    "| --- | --- | --- | --- |",
  ];
  for (const [name, build, stacks] of [
    ["example organization", exampleProject, 3],
    ["synthetic, 20 members", (d: string) => syntheticProject(d, 20), 21],
  ] as const) {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "bench-engine-"));
    const dir = path.join(work, "project");
    fs.mkdirSync(dir);
    fs.mkdirSync(path.join(work, "state"));
    build(dir);
    const env = {
      ...process.env,
      PATH: `${path.join(ROOT, "test/engine/standin-aws")}${path.delimiter}${process.env.PATH}`,
      PULUMI_BACKEND_URL: `file://${path.join(work, "state")}`,
      PULUMI_HOME: path.join(work, "pulumi-home"),
      PULUMI_CONFIG_PASSPHRASE: "bench",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    };
    // The shipped pack configs name the example's accounts; the synthetic organization uses the defaults.
    const packConfig = path.join(work, "pack-config.json");
    fs.writeFileSync(packConfig, "{}\n");
    const ownConfig = name === "example organization" ? [] : ["--policy-pack-config", packConfig];
    const fleet = (...args: string[]) =>
      timed(
        [
          "tools/fleet/fleet.ts",
          ...args,
          ...ownConfig,
          "--inline",
          "--dir",
          dir,
          "--pulumi-root",
          pulumiRoot,
        ],
        env,
      );
    const up = fleet("up", "--stacks", "central");
    if (up.code !== 0) throw new Error(`${name}: central up failed: ${up.stderr}`);
    const previews = Array.from({ length: RUNS }, () => fleet("preview", "--all"));
    const plans = Array.from({ length: RUNS }, () =>
      timed(["tools/plan/plan.ts", "--quiet", "--stacks", dir], env),
    );
    const bad = [...previews, ...plans].find((r) => r.code !== 0);
    if (bad) throw new Error(`${name}: a run exited ${bad.code}: ${bad.stderr}`);
    lines.push(
      `| ${name} | ${stacks} | ${median(previews.map((r) => r.seconds)).toFixed(1)} s | ${median(plans.map((r) => r.seconds)).toFixed(1)} s |`,
    );
    process.stderr.write(`bench:engine: ${lines[lines.length - 1]}\n`);
    fs.rmSync(work, { recursive: true, force: true });
  }
  process.stdout.write(`${lines.join("\n")}\n`);
  if (argv.includes("--readme")) writeReadmeBlock("ENGINE PERFORMANCE", lines.join("\n"));
}

if (require.main === module) main();
