import { expect } from "chai";
import { archiveContext } from "../central/archiveContext";
import { keyPolicy, logBucketPolicy, queuePolicy } from "../central/policies";
import { CentralConfig, parseStackConfig } from "../shared/config";
import { policyBytes, POLICY_SIZE_LIMITS, PolicySizeError, serializeWithinLimit } from "../shared/iam";
import { LOG_TYPES } from "../shared/naming";
import { Simulator } from "../tools/simulation/simulate";
import { CENTRAL, centralSettings, listSettings, raw, rejects } from "./helpers";

const accounts = (n: number) => Array.from({ length: n }, (_, i) => String(200000000000 + i));
const config = (settings: Record<string, unknown>) =>
  parseStackConfig("central", raw(CENTRAL, settings)) as CentralConfig;

function largest(ctx: ReturnType<typeof archiveContext>) {
  return {
    bucket: Math.max(...LOG_TYPES.map((t) => policyBytes(logBucketPolicy(ctx, t)))),
    key: policyBytes(keyPolicy(ctx)),
    queue: Math.max(...LOG_TYPES.map((t) => policyBytes(queuePolicy(ctx, t)))),
  };
}

describe("policy sizes", () => {
  it("stay constant in organization mode, whatever the number of accounts", () => {
    const sizes = largest(archiveContext(config(centralSettings({ wafDelivery: "both" }))));
    expect(sizes.bucket).to.be.below(POLICY_SIZE_LIMITS.bucket / 4);
    expect(sizes.key).to.be.below(POLICY_SIZE_LIMITS.key / 4);
    expect(sizes.queue).to.be.below(POLICY_SIZE_LIMITS.queue / 4);
  });

  it("fit 1,000 member accounts in account-list mode", () => {
    const sizes = largest(archiveContext(config(listSettings({ memberAccountIds: accounts(1000) }))));
    expect(sizes.bucket).to.be.at.most(POLICY_SIZE_LIMITS.bucket);
    expect(sizes.key).to.be.at.most(POLICY_SIZE_LIMITS.key);
    expect(sizes.queue).to.be.at.most(POLICY_SIZE_LIMITS.queue);
  });

  it("grow by one account ID per list entry, not by one ARN per account", () => {
    const a = largest(archiveContext(config(listSettings({ memberAccountIds: accounts(100) }))));
    const b = largest(archiveContext(config(listSettings({ memberAccountIds: accounts(200) }))));
    expect(b.bucket - a.bucket).to.equal(100 * '"200000000000",'.length);
  });

  it("stop the preview with the policy's name, size and limit when over", async () => {
    const e = await rejects(
      new Simulator().runStack("central", raw(CENTRAL, listSettings({ memberAccountIds: accounts(2000) }))),
    );
    expect(e).to.be.instanceOf(PolicySizeError);
    expect(e.message).to.match(
      /^policy "central CMK key policy" is \d+ bytes, over the AWS limit of 32768 bytes/,
    );
  });

  it("never truncates: serialising over the limit throws", () => {
    const big = {
      Version: "2012-10-17" as const,
      Statement: [{ Effect: "Allow" as const, Action: "s3:GetObject", Resource: "x".repeat(9000) }],
    };
    expect(() => serializeWithinLimit("q", "queue", big)).to.throw(
      PolicySizeError,
      /"q" is 9\d{3} bytes, over the AWS limit of 8192 bytes/,
    );
  });
});
