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

const orgTrailOnly = (n: number) =>
  centralSettings({
    memberAccountIds: accounts(n),
    cloudTrail: { organizationTrail: { managementAccountId: accounts(1)[0], name: "organization-trail" } },
  });

describe("policy sizes", () => {
  it("organization mode with an organization trail: CloudTrail constant, one account ID per flow-log account", () => {
    const a = archiveContext(config(orgTrailOnly(100)));
    const b = archiveContext(config(orgTrailOnly(200)));
    expect(policyBytes(logBucketPolicy(b, "cloudtrail"))).to.equal(
      policyBytes(logBucketPolicy(a, "cloudtrail")),
    );
    expect(policyBytes(logBucketPolicy(b, "waf"))).to.equal(policyBytes(logBucketPolicy(a, "waf")));
    const perAccount = '"200000000000",'.length;
    expect(
      policyBytes(logBucketPolicy(b, "vpcflowlogs")) - policyBytes(logBucketPolicy(a, "vpcflowlogs")),
    ).to.equal(100 * perAccount);
    // The key policy lists them once, for the log delivery service.
    expect(policyBytes(keyPolicy(b)) - policyBytes(keyPolicy(a))).to.equal(100 * perAccount);
  });

  it("fit 1,000 members in organization mode with an organization trail", () => {
    const sizes = largest(archiveContext(config(orgTrailOnly(1000))));
    expect(sizes.bucket).to.be.at.most(POLICY_SIZE_LIMITS.bucket);
    expect(sizes.key).to.be.at.most(POLICY_SIZE_LIMITS.key);
    expect(sizes.queue).to.be.below(POLICY_SIZE_LIMITS.queue / 4);
  });

  it("stay constant whatever the number of accounts with the org-id-for-log-delivery extension", () => {
    const sizes = (n: number) =>
      largest(
        archiveContext(
          config({
            ...orgTrailOnly(n),
            memberAccountIds: undefined,
            policyExtensions: ["org-id-for-log-delivery"],
          }),
        ),
      );
    expect(sizes(1)).to.deep.equal(sizes(1000));
  });

  it("account-list mode: each member costs one account ID per list, so 1,000 members fit every policy", () => {
    const perAccount = '"200000000000",'.length;
    const a = archiveContext(config(listSettings({ memberAccountIds: accounts(10) })));
    const b = archiveContext(config(listSettings({ memberAccountIds: accounts(20) })));
    // The CloudTrail bucket lists the accounts once (aws:SourceAccount); so do the flow-log and WAF buckets.
    for (const t of LOG_TYPES)
      expect(policyBytes(logBucketPolicy(b, t)) - policyBytes(logBucketPolicy(a, t)), t).to.equal(
        10 * perAccount,
      );
    // The key lists them twice: once for CloudTrail and the log delivery service together, once for the
    // replication roles.
    expect(policyBytes(keyPolicy(b)) - policyBytes(keyPolicy(a))).to.equal(20 * perAccount);
    const withAlarms = (n: number) =>
      archiveContext(
        config(
          listSettings({
            memberAccountIds: accounts(n),
            alarms: { notifications: [{ protocol: "email", endpoint: "soc@example.com" }] },
          }),
        ),
      );
    const sizes = largest(withAlarms(1000));
    expect(sizes.bucket).to.be.at.most(POLICY_SIZE_LIMITS.bucket);
    expect(sizes.key).to.be.at.most(POLICY_SIZE_LIMITS.key);
    expect(policyBytes(keyPolicy(withAlarms(1100)))).to.be.above(POLICY_SIZE_LIMITS.key);
  });

  it("account trails by ARN (admitAccountTrailsBy: trail) cost their ARN twice and their prefix once: about 90 fit", () => {
    const byArn = (n: number) =>
      archiveContext(
        config(
          listSettings({ memberAccountIds: accounts(n), cloudTrail: { admitAccountTrailsBy: "trail" } }),
        ),
      );
    const perTrail =
      2 * '"arn:aws:cloudtrail:eu-west-1:200000000000:trail/central-logging",'.length +
      '"arn:aws:s3:::central-logs-cloudtrail-example-org/AWSLogs/200000000000/*",'.length;
    expect(
      policyBytes(logBucketPolicy(byArn(20), "cloudtrail")) -
        policyBytes(logBucketPolicy(byArn(10), "cloudtrail")),
    ).to.equal(10 * perTrail);
    const at = (n: number) => policyBytes(logBucketPolicy(byArn(n), "cloudtrail"));
    expect(at(90)).to.be.at.most(POLICY_SIZE_LIMITS.bucket);
    expect(at(100)).to.be.above(POLICY_SIZE_LIMITS.bucket);
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

  it("advise only what the archive does not do yet: never organization mode to an organization-mode archive", async () => {
    const over = async (settings: Record<string, unknown>) =>
      (await rejects(new Simulator().runStack("central", raw(CENTRAL, settings)))).message;
    const organization = await over(orgTrailOnly(1400));
    expect(organization).to.match(
      /^policy "central-logs-vpcflowlogs-example-org bucket policy" is \d+ bytes, over the AWS limit of 20480 bytes; turn on the policy extension org-id-for-log-delivery .*, or list fewer accounts in central-logging:memberAccountIds \(docs\/policies.md, Sizes\)$/,
    );
    expect(organization).not.to.contain("organization mode");
    const byTrail = await over(
      centralSettings({
        cloudTrail: {
          admitAccountTrailsBy: "trail",
          organizationTrail: { managementAccountId: accounts(1)[0], name: "organization-trail" },
          accountTrails: accounts(120).map((accountId) => ({ accountId })),
        },
      }),
    );
    expect(byTrail).to.contain(
      "admit account trails by account (central-logging:cloudTrail.admitAccountTrailsBy: account)",
    );
    expect(byTrail).to.contain("cloudTrail.mode: covered-by-organization-trail");
    expect(byTrail).not.to.contain("use organization mode");
    const list = await over(listSettings({ memberAccountIds: accounts(2000) }));
    expect(list).to.contain("use organization mode with an organization trail");
    expect(list).not.to.contain("org-id-for-log-delivery");
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
