/**
 * The pack's entry point for the Pulumi CLI (package.json's main). The CLI's Node.js analyzer
 * (@pulumi/pulumi/cmd/run-policy-pack) registers ts-node with type checking for every TypeScript pack,
 * which costs seconds at every analyzer start, that is at every `pulumi preview` and every stack of a
 * fleet run. So this runs the pack compiled by tsc (bin/) when it was built from exactly the sources in
 * this folder (sources.js), and otherwise the TypeScript itself, type-checked as before: never a stale
 * pack, only a slower one.
 */
"use strict";
// Node.js keeps the compiled bytecode of the modules loaded from here on (the Pulumi SDK included)
// for the next start.
require("module").enableCompileCache?.();

const { compiledIsCurrent } = require("./sources");

module.exports = compiledIsCurrent(__dirname) ? require("./bin/index.js") : require("./index.ts");
