/**
 * The unit suite itself on a slow machine: timeouts that scale with the machine (and never disappear),
 * and the expensive setup done once per test process.
 */
import { expect } from "chai";
import * as path from "path";
import { centralSettings, scaled, simulateOnce, TIMEOUT_FACTOR } from "./helpers";
import { mochaHooks } from "./hooks";

const { timeoutFactor, MAX_FACTOR } = require("./timeoutFactor") as {
  timeoutFactor(env: Record<string, string | undefined>, load: number, cores: number): number;
  MAX_FACTOR: number;
};

describe("the unit suite on a slow machine", () => {
  it("scales timeouts with the machine's load, or CENTRAL_LOGGING_TEST_TIMEOUT_FACTOR, and caps them", () => {
    expect(timeoutFactor({}, 0, 2)).to.equal(1);
    expect(timeoutFactor({}, 1, 2)).to.equal(1.5);
    expect(timeoutFactor({}, 4, 2)).to.equal(3);
    // However busy, a hang still fails: at most MAX_FACTOR times the quiet machine's timeout.
    expect(timeoutFactor({}, 64, 2)).to.equal(MAX_FACTOR);
    expect(timeoutFactor({ CENTRAL_LOGGING_TEST_TIMEOUT_FACTOR: "3" }, 0, 2)).to.equal(3);
    expect(() => timeoutFactor({ CENTRAL_LOGGING_TEST_TIMEOUT_FACTOR: "0" }, 0, 2)).to.throw(
      /expected a number from 1 to 20, got 0/,
    );
    expect(() => timeoutFactor({ CENTRAL_LOGGING_TEST_TIMEOUT_FACTOR: "lots" }, 0, 2)).to.throw();
  });

  it("gives mocha 20 s times the factor, and the same factor to the tests' own timeouts", () => {
    const file = path.join(__dirname, "..", ".mocharc.js");
    const saved = process.env.CENTRAL_LOGGING_TEST_TIMEOUT_FACTOR;
    try {
      process.env.CENTRAL_LOGGING_TEST_TIMEOUT_FACTOR = "2.5";
      delete require.cache[require.resolve(file)];
      const config = require(file);
      expect(config.timeout).to.equal(50000);
      expect(config.require).to.include("test/hooks.ts");
    } finally {
      process.env.CENTRAL_LOGGING_TEST_TIMEOUT_FACTOR = saved;
      delete require.cache[require.resolve(file)];
    }
    expect(scaled(1000)).to.equal(Math.round(1000 * TIMEOUT_FACTOR));
    expect(TIMEOUT_FACTOR).to.be.within(1, 20);
  });

  it("simulates an organization once per process, however many suites ask for it", async () => {
    const first = simulateOnce(centralSettings());
    expect(simulateOnce(centralSettings())).to.equal(first);
    expect(simulateOnce(centralSettings({ bucketSuffix: "other" }))).not.to.equal(first);
    expect((await first).central.resources.length).to.be.greaterThan(30);
  });

  it("warms up the Pulumi runtime in a root hook with its own scaled timeout, before any suite's hooks", async () => {
    let timeout = 0;
    await mochaHooks.beforeAll.call({ timeout: (ms: number) => (timeout = ms) } as unknown as Mocha.Context);
    expect(timeout).to.equal(scaled(120000));
  });
});
