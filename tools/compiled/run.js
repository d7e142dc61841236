/**
 * How the npm scripts start a command of tools/:
 *
 *   node tools/compiled/run.js tools/plan/plan.ts [arguments...]
 *
 * runs dist/tools/plan/plan.js, the command compiled by `npm run build` (npm ci runs it), when dist/ was
 * built from the sources as they are now (tools/compiled/sources.js); otherwise the TypeScript through
 * ts-node, as the scripts did before. Compiled, a command skips transpiling some hundred modules at
 * every start, and Node.js keeps their bytecode between runs (its compile cache).
 *
 * With the command's debug variable set (PLAN_DEBUG=1 for `npm run plan`: the npm script's name, upper
 * case, then _DEBUG, as tools/common/cli.ts runAsProcess reads it) the TypeScript runs, so that stack
 * traces name the .ts lines.
 */
"use strict";
const Module = require("module");
const path = require("path");
const { ROOT, distIsCurrent } = require("./sources");

Module.enableCompileCache?.();

const [file, ...args] = process.argv.slice(2);
if (!file || !/\.ts$/.test(file)) {
  process.stderr.write("usage: node tools/compiled/run.js <command.ts> [arguments...]\n");
  process.exit(2);
}
const source = path.resolve(ROOT, file);
const name = process.env.npm_lifecycle_event || path.basename(file, ".ts");
const debug = !!process.env[`${name.toUpperCase().replace(/\W/g, "_")}_DEBUG`];
let main = source;
if (!debug && distIsCurrent())
  main = path.join(ROOT, "dist", path.relative(ROOT, source)).replace(/\.ts$/, ".js");
else require("ts-node/register/transpile-only");
// As `node <main> <arguments>` would: the command sees its own path in argv[1], and require.main is it.
process.argv = [process.argv[0], main, ...args];
Module.runMain(main);
