/**
 * `npm run build` and `npm run build:policy-pack`: tsc, then a stamp of the sources' digest, so that the
 * compiled JavaScript is only ever run while it matches the TypeScript (tools/compiled/run.js,
 * policy-pack/main.js). The digest is taken before tsc reads the files: a file edited during the build
 * leaves a stamp that no longer matches, never a stale build that looks current.
 */
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");
const pack = require("../../policy-pack/sources");
const { ROOT, DIST, STAMP, buildSources } = require("./sources");

const USAGE = {
  build: `usage: npm run build

  Compiles the project with tsc into dist/ (tsconfig.build.json): the components the package ships (npm ci
  and npm pack run this through prepare) and the tools that npm run's commands start from there
  (tools/compiled/run.js). Stamps dist/ with the digest of its sources: a command whose compiled form is
  not current runs from its TypeScript instead, as slowly as before.

  --help   this text`,
  pack: `usage: npm run build:policy-pack

  Compiles the policy pack into policy-pack/bin/ (policy-pack/tsconfig.json), inside the pack's own folder
  since it is published on its own, and stamps it with the digest of its sources: the pack's entry point
  (policy-pack/main.js) runs bin/ only while it is current, and the TypeScript otherwise. Needs the pack's
  dependencies; npm run setup:policy-pack installs them and runs this.

  --help   this text`,
};

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
  const policyPack = argv.includes("--policy-pack");
  if (argv.includes("--help") || argv.includes("-h"))
    return void process.stdout.write(`${policyPack ? USAGE.pack : USAGE.build}\n`);
  const unknown = argv.find((a) => a !== "--policy-pack");
  if (unknown) fail(`(command line): ${unknown}: unknown option; see --help`);
  if (policyPack) {
    const dir = path.join(ROOT, "policy-pack");
    if (!fs.existsSync(path.join(dir, "node_modules")))
      fail(`the pack's dependencies are not installed in ${dir}; run npm run setup:policy-pack`);
    const digest = pack.digestOf(dir, pack.packSources(dir));
    fs.rmSync(path.join(dir, "bin"), { recursive: true, force: true });
    tsc(path.join("policy-pack", "tsconfig.json"));
    fs.writeFileSync(path.join(dir, pack.STAMP), `${digest}\n`);
    return;
  }
  const digest = pack.digestOf(ROOT, buildSources());
  fs.rmSync(DIST, { recursive: true, force: true });
  tsc("tsconfig.build.json");
  fs.writeFileSync(STAMP, `${digest}\n`);
}

main(process.argv.slice(2));
