/**
 * Root hooks of the unit suite (.mocharc.js requires this file in every worker). The first simulation
 * in a process loads the Pulumi runtime, @pulumi/aws and the program (seconds on a quiet machine, far
 * more on a busy one): it happens here once per worker, under its own generous timeout, instead of in
 * whichever suite's before() hook comes first.
 */
import { centralSettings, scaled, simulateOnce } from "./helpers";

let warm: Promise<unknown> | undefined;

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(scaled(120000));
    warm ??= simulateOnce(centralSettings());
    await warm;
  },
};
