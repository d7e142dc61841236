// How much longer than on a quiet machine the unit tests may take: mocha's timeouts are multiplied by it
// (.mocharc.js), and so are the tests' own (test/helpers.ts, scaled). A real hang still fails, at most
// MAX_FACTOR times later.
//
//   CENTRAL_LOGGING_TEST_TIMEOUT_FACTOR=3 npm test   sets it (1 to 20)
//   otherwise it follows the one-minute load average per core when mocha starts: 1 on a quiet machine,
//   up to MAX_FACTOR on a busy shared one (two mocha jobs on two cores that other builds also use)
"use strict";

const MAX_FACTOR = 4;

/** The factor for an environment, a one-minute load average and a number of cores. */
function timeoutFactor(env, loadAverage, cores) {
  const given = env.CENTRAL_LOGGING_TEST_TIMEOUT_FACTOR;
  if (given !== undefined && given !== "") {
    const n = Number(given);
    if (!(n >= 1 && n <= 20))
      throw new Error(`CENTRAL_LOGGING_TEST_TIMEOUT_FACTOR: expected a number from 1 to 20, got ${given}`);
    return n;
  }
  const busy = loadAverage / Math.max(1, cores);
  return Math.min(MAX_FACTOR, Math.max(1, Math.round((1 + busy) * 10) / 10));
}

module.exports = { timeoutFactor, MAX_FACTOR };
