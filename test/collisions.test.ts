/**
 * The collision rules the plan and the fleet apply to a set of stack files (tools/simulation/collisions.ts):
 * a name claimed twice in its scope is reported once per pair of files, naming both.
 */
import { expect } from "chai";
import { parseStackConfig, StackConfig } from "../shared/config";
import { collisions, CollisionRule, COLLISION_RULES, missingTrails } from "../tools/simulation/collisions";
import { CENTRAL, centralSettings, listSettings, memberSettings, MGMT, OUTSIDER, raw, WEB } from "./helpers";

const placed = (file: string, account: string, settings: Record<string, unknown>, region = "eu-west-1") => ({
  file,
  config: parseStackConfig(file, { ...raw(account, settings), "aws:region": region }),
});

const central = (file: string, account: string, region: string, suffix: string) =>
  placed(
    file,
    account,
    centralSettings({ bucketSuffix: suffix, tamperProtection: { bucketPolicyDenies: false } }),
    region,
  );

describe("collision rules", () => {
  it("names both files once per pair and rule, by the scope each name lives in", () => {
    const a = central("a.yaml", CENTRAL, "eu-west-1", "one");
    // Another account, another Region, the same suffix: only the global bucket names collide.
    expect(collisions([a, central("b.yaml", "555555555555", "us-east-1", "one")])).to.have.length(1);
    expect(collisions([a, central("b.yaml", "555555555555", "us-east-1", "one")])[0]).to.match(
      /^a\.yaml and b\.yaml: both create the S3 buckets central-logs-cloudtrail-one, .*bucketSuffix/,
    );
    // The same account in another Region, another suffix: only the account-wide role names.
    const roles = collisions([a, central("b.yaml", CENTRAL, "us-east-1", "two")]);
    expect(roles).to.have.length(1);
    expect(roles[0]).to.match(
      /^a\.yaml and b\.yaml: both create the IAM role central-logs-siem-reader in account 111111111111/,
    );
    // The same account and Region: one line, the stack rule covers the pair.
    expect(collisions([a, central("b.yaml", CENTRAL, "eu-west-1", "one")])).to.deep.equal([
      "a.yaml and b.yaml: both deploy a central stack to account 111111111111 in eu-west-1; the second would collide with the first on the archive's queues, key alias and roles. Keep one stack file per account and Region",
    ]);
    // A third file is paired with the first that claimed the name.
    const three = collisions([
      a,
      central("b.yaml", "555555555555", "us-east-1", "one"),
      central("c.yaml", "666666666666", "us-west-2", "one"),
    ]);
    expect(three.map((l) => l.split(":")[0])).to.deep.equal(["a.yaml and b.yaml", "a.yaml and c.yaml"]);
  });

  it("takes new rules with a scope of their own (an account-wide member role, names per organization)", () => {
    const perAccount: CollisionRule = {
      scope: "account",
      names: (c: StackConfig) => (c.role === "member" ? ["central-logging-example-role"] : []),
      message: (x, y, names) => `${x} and ${y}: ${names.join(", ")}`,
    };
    const member = (file: string, region: string) => placed(file, WEB, memberSettings(), region);
    expect(collisions([member("m1", "eu-west-1"), member("m2", "us-east-1")], [perAccount])).to.deep.equal([
      "m1 and m2: central-logging-example-role",
    ]);
    const perOrganization: CollisionRule = {
      scope: () => "the organization",
      names: (c: StackConfig) => (c.role === "member" ? ["scp-name"] : []),
      message: (x, y) => `${x} and ${y}`,
    };
    expect(
      collisions(
        [placed("m1", WEB, memberSettings()), placed("m2", "555555555555", memberSettings())],
        [perOrganization],
      ),
    ).to.deep.equal(["m1 and m2"]);
    expect(COLLISION_RULES.map((r) => (typeof r.scope === "function" ? "own" : r.scope))).to.deep.equal([
      "region",
      "partition",
      "account",
      "account",
      "own",
    ]);
  });
});

describe("collision rules for several Regions of one account", () => {
  const member = (file: string, region: string, settings: Record<string, unknown> = {}, account = WEB) =>
    placed(file, account, memberSettings(settings), region);
  const list = placed("central.yaml", CENTRAL, listSettings());
  const org = placed("central.yaml", CENTRAL, centralSettings());

  it("refuses a second multi-Region trail in an account, and names the mode that says it is elsewhere", () => {
    // Account-list mode: every member ships its account trail by default, so two Regions of one account
    // would both create central-logging.
    expect(
      collisions([list, member("web.yaml", "eu-west-1"), member("web-us.yaml", "us-east-1")]),
    ).to.deep.equal([
      "web.yaml and web-us.yaml: both create a multi-Region trail in account 333333333333, and a multi-Region trail already logs every Region of its account; the second would fail on the name or pay for a second copy of the events. Set central-logging:cloudTrail.mode to covered-by-account-trail in web-us.yaml",
    ]);
    const elsewhere = member("web-us.yaml", "us-east-1", {
      cloudTrail: { mode: "covered-by-account-trail" },
    });
    expect(collisions([list, member("web.yaml", "eu-west-1"), elsewhere])).to.deep.equal([]);
    // Organization mode: members are covered by the organization trail unless they say otherwise.
    expect(
      collisions([org, member("web.yaml", "eu-west-1"), member("web-us.yaml", "us-east-1")]),
    ).to.deep.equal([]);
    expect(
      collisions([
        org,
        member("web.yaml", "eu-west-1", { cloudTrail: { mode: "account" } }),
        member("web-us.yaml", "us-east-1", { cloudTrail: { mode: "account" } }),
      ]),
    ).to.have.length(1);
  });

  it("refuses the organization guardrails from two stacks", () => {
    const guardrails = { guardrails: { memberTargets: ["r-a1b2"] } };
    expect(
      collisions([
        org,
        member("mgmt.yaml", "eu-west-1", guardrails, MGMT),
        member("mgmt-us.yaml", "us-east-1", guardrails, MGMT),
      ]),
    ).to.deep.equal([
      "mgmt.yaml and mgmt-us.yaml: both deploy the organization guardrails (central-logging:guardrails), whose policy names are unique in an organization; the second would fail on them. Deploy them from one stack, in the management account",
    ]);
  });

  it("refuses the organization guardrails from the members of two central stacks in one organization", () => {
    const guardrails = { guardrails: { memberTargets: ["r-a1b2"] } };
    const archive = (file: string, account: string, suffix: string) =>
      placed(file, account, centralSettings({ bucketSuffix: suffix }));
    const managed = (file: string, region: string, central: string) =>
      placed(
        file,
        MGMT,
        memberSettings({ ...guardrails, centralStack: `organization/central-logging/${central}` }),
        region,
      );
    const lines = collisions([
      archive("central", CENTRAL, "example-org"),
      archive("central2", OUTSIDER, "example-org2"),
      managed("mgmt", "eu-west-1", "central"),
      managed("mgmt2", "us-east-1", "central2"),
    ]);
    expect(lines.filter((l) => l.includes("organization guardrails"))).to.deep.equal([
      "mgmt and mgmt2: both deploy the organization guardrails (central-logging:guardrails), whose policy names are unique in an organization; the second would fail on them. Deploy them from one stack, in the management account",
    ]);
    // Two organizations (account-list mode has none: each central stack is its own scope) do not collide.
    const other = placed(
      "central2",
      OUTSIDER,
      centralSettings({ bucketSuffix: "x2", organizationId: "o-zzzzzzzzzz" }),
    );
    expect(
      collisions([
        archive("central", CENTRAL, "example-org"),
        other,
        managed("mgmt", "eu-west-1", "central"),
        managed("mgmt2", "us-east-1", "central2"),
      ]).filter((l) => l.includes("organization guardrails")),
    ).to.deep.equal([]);
  });
});

describe("an account's trail, owned by exactly one of its stacks", () => {
  const member = (file: string, region: string, settings: Record<string, unknown> = {}) =>
    placed(file, WEB, memberSettings(settings), region);
  const elsewhere = { cloudTrail: { mode: "covered-by-account-trail" } };

  it("refuses a Region that points at an account trail no stack of the account creates", () => {
    const list = placed("central.yaml", CENTRAL, listSettings());
    expect(missingTrails([list, member("web-us.yaml", "us-east-1", elsewhere)])).to.deep.equal([
      `web-us.yaml: central-logging:cloudTrail.mode is covered-by-account-trail, but no stack of account ${WEB} here creates its trail; set central-logging:cloudTrail.mode to account in one of its stacks (web-us.yaml)`,
    ]);
    expect(
      missingTrails([list, member("web.yaml", "eu-west-1"), member("web-us.yaml", "us-east-1", elsewhere)]),
    ).to.deep.equal([]);
  });

  it("refuses an account trail the central stack expects that no stack creates, as after an upgrade", () => {
    // Release 3 members shipped an account trail by default; now they are covered by the organization
    // trail unless they say otherwise, so a central stack that still lists them is told.
    const org = placed(
      "central.yaml",
      CENTRAL,
      centralSettings({
        cloudTrail: {
          organizationTrail: { managementAccountId: MGMT, name: "organization-trail" },
          accountTrails: [{ accountId: WEB }],
        },
      }),
    );
    expect(missingTrails([org, member("web.yaml", "eu-west-1")])).to.deep.equal([
      `web.yaml: the central stack expects account ${WEB}'s own trail (central-logging:cloudTrail.accountTrails), but no stack of the account here creates it; set central-logging:cloudTrail.mode to account in one of its stacks, or remove the account from cloudTrail.accountTrails (the organization trail covers it)`,
    ]);
    expect(
      missingTrails([org, member("web.yaml", "eu-west-1", { cloudTrail: { mode: "account" } })]),
    ).to.deep.equal([]);
  });
});
