// Mocha's configuration for npm test. Timeouts scale with the machine (test/timeoutFactor.js): 20 s per
// test and hook on a quiet machine, more when the machine is busy or CENTRAL_LOGGING_TEST_TIMEOUT_FACTOR
// says so. The factor is passed to the worker processes in the environment (test/helpers.ts, scaled).
"use strict";
const os = require("os");
const { timeoutFactor } = require("./test/timeoutFactor");

const factor = timeoutFactor(process.env, os.loadavg()[0], os.cpus().length);
// `npx mocha test/foo.test.ts` runs that file alone: mocha adds command-line files to `spec`, so the whole
// suite is the default only when none is named.
const named = process.argv.slice(2).some((a) => /\.test\.ts$/.test(a));
process.env.CENTRAL_LOGGING_TEST_TIMEOUT_FACTOR = String(factor);

module.exports = {
  require: ["ts-node/register/transpile-only", "test/hooks.ts"],
  ...(named ? {} : { spec: ["test/**/*.test.ts"] }),
  extension: ["ts"],
  timeout: Math.round(20000 * factor),
  reporter: "spec",
  parallel: true,
  jobs: 2,
};
