import { expect } from "chai";
import { debugVariable, withoutStackTraces } from "../tools/common/stackTraces";

describe("stack traces around the simulation", () => {
  const limit = Error.stackTraceLimit;
  afterEach(() => (Error.stackTraceLimit = limit));

  it("records no stack trace inside the work, and restores the limit after it", async () => {
    const inside = await withoutStackTraces(false, async () => {
      await Promise.resolve();
      return { limit: Error.stackTraceLimit, stack: new Error("x").stack };
    });
    expect(inside.limit).to.equal(0);
    expect(inside.stack).to.equal("Error: x");
    expect(Error.stackTraceLimit).to.equal(limit);
    expect(new Error("y").stack).to.match(/\n\s+at /);
  });

  it("restores the limit when the work throws, and the error still reaches the caller", async () => {
    let caught: unknown;
    try {
      await withoutStackTraces(false, async () => {
        throw new Error("failed inside");
      });
    } catch (e) {
      caught = e;
    }
    expect((caught as Error).message).to.equal("failed inside");
    expect(Error.stackTraceLimit).to.equal(limit);
  });

  it("keeps the limit at 0 until the last of several overlapping works ends", async () => {
    let release!: () => void;
    const first = withoutStackTraces(false, () => new Promise<void>((r) => (release = r)));
    await withoutStackTraces(false, async () => undefined);
    expect(Error.stackTraceLimit, "the first work still runs").to.equal(0);
    release();
    await first;
    expect(Error.stackTraceLimit).to.equal(limit);
  });

  it("keeps every trace when asked (PLAN_DEBUG=1, FLEET_DEBUG=1)", async () => {
    const inside = await withoutStackTraces(true, async () => Error.stackTraceLimit);
    expect(inside).to.equal(limit);
    expect(debugVariable("plan")).to.equal("PLAN_DEBUG");
    expect(debugVariable("siem-config")).to.equal("SIEM_CONFIG_DEBUG");
  });
});
