/**
 * Loaded into every Node.js process of an engine bench run (NODE_OPTIONS=--require, which the Pulumi CLI
 * passes on to its plugins): in the policy pack's analyzer and in the stand-in AWS provider, it appends
 * to $CENTRAL_LOGGING_TIMINGS one JSON line with the time from the process's start (the engine's spawn;
 * its shell wrapper execs Node.js in the same process) to its first line on standard output, the port
 * the engine waits for. Elsewhere it does nothing. Plain JavaScript: it runs before anything else.
 */
"use strict";
const fs = require("fs");
const { performance } = require("perf_hooks");

const file = process.env.CENTRAL_LOGGING_TIMINGS;
const kind = process.argv.some((a) => /run-policy-pack/.test(a))
  ? "analyzer"
  : process.argv.some((a) => /standin-aws[\\/]provider/.test(a))
    ? "provider"
    : undefined;

/** Seconds since this process started: from /proc (the spawn, shell wrapper included) where there is one. */
function sinceStart() {
  try {
    const stat = fs.readFileSync("/proc/self/stat", "utf8");
    const ticks = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
    const uptime = Number(fs.readFileSync("/proc/uptime", "utf8").split(" ")[0]);
    // Linux counts process start times in clock ticks of 1/100 s.
    if (Number.isFinite(ticks) && Number.isFinite(uptime)) return uptime - ticks / 100;
  } catch {
    // not Linux
  }
  return performance.now() / 1000;
}

if (file && kind) {
  const write = process.stdout.write.bind(process.stdout);
  let recorded = false;
  process.stdout.write = (chunk, ...rest) => {
    if (!recorded) {
      recorded = true;
      fs.appendFileSync(file, `${JSON.stringify({ kind, seconds: sinceStart(), pid: process.pid })}\n`);
    }
    return write(chunk, ...rest);
  };
}
