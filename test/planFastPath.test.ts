/**
 * The plan's speed-ups (issue 21) trade away no check: the plan as users run it (compiled when dist/ is
 * current, Pulumi's per-promise stack traces dropped) writes the same JSON, byte for byte, as the plan run
 * the slow way (PLAN_DEBUG=1: the TypeScript through ts-node, every stack trace kept). Same violations,
 * same access cells, same policy sizes, on the example and on synthetic organizations of both modes.
 */
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as path from "path";
import { scaled } from "./helpers";

const root = path.join(__dirname, "..");
const { distIsCurrent } = require("../tools/compiled/sources") as { distIsCurrent(): boolean };

function planJson(args: string[], debug: boolean): string {
  const env = { ...process.env, npm_lifecycle_event: "plan" } as NodeJS.ProcessEnv;
  delete env.PLAN_DEBUG;
  if (debug) env.PLAN_DEBUG = "1";
  const r = spawnSync(
    process.execPath,
    [path.join(root, "tools/compiled/run.js"), "tools/plan/plan.ts", ...args, "--json", "-", "--quiet"],
    { cwd: root, env, encoding: "utf8", maxBuffer: 1 << 29 },
  );
  expect(r.status, r.stderr).to.equal(0);
  return r.stdout;
}

describe("the plan's fast path", function () {
  this.timeout(scaled(240000));

  for (const [what, args] of [
    ["the example organization", []],
    ["a synthetic organization of 40 members (organization mode)", ["--synthesize", "40"]],
    [
      "a synthetic organization of 15 members (account-list mode)",
      ["--synthesize", "15", "--mode", "account-list"],
    ],
  ] as [string, string[]][])
    it(`writes the same plan JSON as the slow path with every stack trace, on ${what}`, () => {
      const fast = planJson(args, false);
      const slow = planJson(args, true);
      const parsed = JSON.parse(fast) as { stacks: unknown[]; access: unknown[]; violations: unknown[] };
      // Something was planned: stacks, and access cells proven.
      expect(parsed.stacks.length).to.be.greaterThan(1);
      expect(parsed.access.length).to.be.greaterThan(100);
      expect(fast).to.equal(slow);
    });

  it("ran the fast path compiled, when dist/ is built from the current sources (CI: npm ci builds it)", function () {
    if (!distIsCurrent()) this.skip();
    const r = spawnSync(
      process.execPath,
      [path.join(root, "tools/compiled/run.js"), "tools/plan/plan.ts", "--help"],
      { cwd: root, env: { ...process.env, NODE_DEBUG: "module" }, encoding: "utf8", maxBuffer: 1 << 28 },
    );
    expect(r.status).to.equal(0);
    expect(r.stderr).to.match(/dist[/]tools[/]plan[/]plan\.js/);
    expect(r.stderr).not.to.match(/ts-node/);
  });
});
