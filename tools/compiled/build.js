/**
 * `npm run build`: tsc, then a stamp of the sources' digest, so that the compiled JavaScript is only ever
 * run while it matches the TypeScript (tools/compiled/run.js). The digest is taken before tsc reads the
 * files: a file edited during the build leaves a stamp that no longer matches, never a stale build that
 * looks current.
 */
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const { digestOf } = require("../../policy-pack/sources");
const { ROOT, DIST, STAMP, buildSources } = require("./sources");

const USAGE = `usage: npm run build

  Compiles the project with tsc into dist/ (tsconfig.build.json): the components the package ships (npm ci
  and npm pack run this through prepare) and the tools that npm run's commands start from there
  (tools/compiled/run.js). Stamps dist/ with the digest of its sources: a command whose compiled form is
  not current runs from its TypeScript instead, as slowly as before.

  --help   this text`;

function fail(message) {
  process.stderr.write(`build: ${message}\n`);
  process.exit(2);
}

function tsc(project) {
  const r = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", project], {
    cwd: ROOT,
    stdio: "inherit",
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function main(argv) {
  if (argv.includes("--help") || argv.includes("-h")) return void process.stdout.write(`${USAGE}\n`);
  const unknown = argv[0];
  if (unknown) fail(`(command line): ${unknown}: unknown option; see --help`);
  const digest = digestOf(ROOT, buildSources());
  fs.rmSync(DIST, { recursive: true, force: true });
  tsc("tsconfig.build.json");
  fs.writeFileSync(STAMP, `${digest}\n`);
}

main(process.argv.slice(2));
