/**
 * `npm run bench:engine [-- --readme]`: wall time of `npm run fleet -- preview --all --inline` under the
 * real Pulumi engine (the engine lane's CLI and stand-in provider) beside `npm run plan` on the same
 * stacks, for the example organization and a synthetic organization of 20 members, and what each stack
 * costs: the policy pack's analyzer and the provider from their start to their ready line (the port the
 * engine waits for; tools/bench/startTiming.js), and the program itself (the fleet's programSeconds).
 * The central stack is deployed first (untimed), since members preview against its outputs. Prints
 * medians; asserts nothing: the targets are in the table and the README.
 *
 * Needs the CLI of the engine lane: CENTRAL_LOGGING_PULUMI_ROOT, or it runs test/engine/build-cli.sh.
 * Interrupted, it ends every process it started (tools/common/processes.ts).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { synthesizeOrganization } from "../simulation/synthesize";
import { PROJECT_ROOT } from "../common/root";
import { endEverythingOnSignal, runChild, stopChildren } from "../common/processes";
import {
  commitDescription,
  checkCompiled,
  loadAverage,
  machineDescription,
  median,
  seconds,
  writeReadmeBlock,
} from "./bench";

const ROOT = PROJECT_ROOT;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

export const USAGE = `usage: npm run bench:engine [-- --readme | --no-policy-pack]

  Times npm run fleet -- preview --all --inline under the real Pulumi engine (the engine lane's CLI and
  stand-in provider) beside npm run plan, for the example organization and 20 synthetic members
  (BENCH_RUNS runs each, default 3), and prints medians, with each stack's costs: the policy pack's
  analyzer and the provider from start to ready, and the program. Needs the engine lane's CLI:
  CENTRAL_LOGGING_PULUMI_ROOT, or test/engine/build-cli.sh builds it (10 to 25 minutes the first time).
  The compiled commands and pack must be current (npm run build, build:policy-pack): --readme refuses
  otherwise.

  --readme           also write the table into README.md (between its generated engine-performance
                     markers)
  --no-policy-pack   time the fleet without the policy pack (the engine and the programs alone; the
                     analyzer column stays empty); not with --readme, whose table records the pack
  --help             this text`;

/** The targets of issue 21, by row. */
const TARGETS: Record<string, string> = { "synthetic, 20 members": "≤ 35 s" };
const ANALYZER_TARGET = "≤ 1 s";

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

interface Timing {
  kind: "analyzer" | "provider";
  seconds: number;
}

const readTimings = (file: string): Timing[] =>
  fs.existsSync(file)
    ? fs
        .readFileSync(file, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Timing)
    : [];

async function main() {
  const argv = process.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) return void process.stdout.write(`${USAGE}\n`);
  const unknown = argv.find((a) => a !== "--readme" && a !== "--no-policy-pack");
  const withoutPack = argv.includes("--no-policy-pack");
  const problem = unknown
    ? `${unknown}: unknown option; see --help`
    : withoutPack && argv.includes("--readme")
      ? "--no-policy-pack with --readme: the README's table records the policy pack's costs"
      : undefined;
  if (problem) {
    process.stderr.write(`bench:engine: (command line): ${problem}\n`);
    process.exitCode = 2;
    return;
  }
  const progress = (m: string) => process.stderr.write(`bench:engine: ${m}\n`);
  endEverythingOnSignal({ progress, stop: stopChildren });
  const pulumiRoot =
    process.env.CENTRAL_LOGGING_PULUMI_ROOT ??
    execFileSync("bash", [path.join(ROOT, "test/engine/build-cli.sh")], { encoding: "utf8" }).trim();
  const stale = checkCompiled(progress, { policyPack: !withoutPack, required: argv.includes("--readme") });
  if (stale) {
    process.stderr.write(`bench:engine: ${stale}\n`);
    process.exitCode = 2;
    return;
  }
  const machine = machineDescription();
  const { commit, dirty } = commitDescription();
  const version = execFileSync(path.join(pulumiRoot, "bin", "pulumi"), ["version"])
    .toString()
    .trim();
  const lines = [
    `Measured with \`npm run bench:engine -- --readme\` on ${machine}, at commit ${commit}${dirty ? " with uncommitted changes" : ""} (${new Date().toISOString().slice(0, 10)}), Pulumi CLI ${version} built by the engine lane.`,
    `Median of ${RUNS} runs of \`npm run fleet -- preview --all --inline\` (its command, without npm; the real engine, the stand-in provider, the policy pack; the fleet's default concurrency, the machine's cores: inline programs in as many worker processes) after \`up\` of the central stack, beside \`npm run plan\` on the same stack files. Per stack, the median over every stack of every run: the policy pack's analyzer and the stand-in provider from their start to their ready line (the port the engine waits for; target for the analyzer ${ANALYZER_TARGET}), and the program, from its call until it returned its outputs (the fleet's \`programSeconds\`). Load: the 1-minute load average before and after the row's runs.`,
    "",
    "| organization | stacks | fleet preview (real engine) | target | per stack: analyzer start | provider start | program | npm run plan (mocks) | load |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const [name, build] of [
    ["example organization", exampleProject],
    ["synthetic, 20 members", (d: string) => syntheticProject(d, 20)],
  ] as const) {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "bench-engine-"));
    const dir = path.join(work, "project");
    fs.mkdirSync(dir);
    fs.mkdirSync(path.join(work, "state"));
    build(dir);
    const stacks = fs.readdirSync(dir).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f)).length;
    const timings = path.join(work, "timings.jsonl");
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
    const ownConfig = withoutPack
      ? ["--no-policy-pack"]
      : name === "example organization"
        ? []
        : ["--policy-pack-config", packConfig];
    // The fleet as its npm script starts it, without npm and its shell in between: an interruption
    // reaches it (and it ends its Pulumi processes) instead of stopping at the shell.
    const fleet = (json: string, timed: boolean, ...args: string[]) =>
      runChild(
        process.execPath,
        [
          path.join(ROOT, "tools/compiled/run.js"),
          "tools/fleet/fleet.ts",
          ...args,
          ...ownConfig,
          "--inline",
          "--dir",
          dir,
          "--pulumi-root",
          pulumiRoot,
          "--json",
          json,
        ],
        {
          cwd: ROOT,
          env: timed
            ? {
                ...env,
                CENTRAL_LOGGING_TIMINGS: timings,
                NODE_OPTIONS:
                  `${process.env.NODE_OPTIONS ?? ""} --require ${path.join(ROOT, "tools/bench/startTiming.js")}`.trim(),
              }
            : env,
        },
      );
    progress(`${name}: up of the central stack (not timed)`);
    const up = await fleet(path.join(work, "up.json"), false, "up", "--stacks", "central");
    if (up.code !== 0) throw new Error(`${name}: central up failed: ${up.stderr}`);
    const before = loadAverage();
    const previews = [];
    const programs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const json = path.join(work, `preview-${i}.json`);
      const r = await fleet(json, true, "preview", "--all");
      if (r.code !== 0) throw new Error(`${name}: a preview exited ${r.code}: ${r.stderr}`);
      previews.push(r);
      for (const s of JSON.parse(fs.readFileSync(json, "utf8")).stacks)
        if (typeof s.programSeconds === "number") programs.push(s.programSeconds);
      progress(`${name}: preview ${i + 1}/${RUNS}: ${r.seconds.toFixed(1)} s`);
    }
    const plans = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await runChild("npm", ["run", "--silent", "plan", "--", "--quiet", "--stacks", dir], {
        cwd: ROOT,
        env,
      });
      if (r.code !== 0) throw new Error(`${name}: a plan exited ${r.code}: ${r.stderr}`);
      plans.push(r);
    }
    const after = loadAverage();
    const starts = readTimings(timings);
    const of = (kind: Timing["kind"]) => {
      const xs = starts.filter((t) => t.kind === kind).map((t) => t.seconds);
      return xs.length ? seconds(median(xs), 2) : "-";
    };
    lines.push(
      `| ${name} | ${stacks} | ${seconds(median(previews.map((r) => r.seconds)))} | ${TARGETS[name] ?? "-"} | ${of("analyzer")} | ${of("provider")} | ${programs.length ? seconds(median(programs), 2) : "-"} | ${seconds(median(plans.map((r) => r.seconds)))} | ${before} → ${after} |`,
    );
    progress(lines[lines.length - 1]);
    fs.rmSync(work, { recursive: true, force: true });
  }
  process.stdout.write(`${lines.join("\n")}\n`);
  if (argv.includes("--readme")) writeReadmeBlock("ENGINE PERFORMANCE", lines.join("\n"));
}

if (require.main === module)
  main().then(
    () => process.exit(process.exitCode ?? 0),
    (e) => {
      process.stderr.write(`bench:engine: ${(e as Error).message ?? e}\n`);
      process.exit(1);
    },
  );
