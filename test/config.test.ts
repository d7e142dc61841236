import { expect } from "chai";
import { ConfigError, parseStackConfig } from "../shared/config";
import { CENTRAL, centralSettings, listSettings, memberSettings, MGMT, raw, WEB } from "./helpers";

function errorOf(stack: string, config: Record<string, string>): ConfigError {
  try {
    parseStackConfig(stack, config);
  } catch (e) {
    expect(e).to.be.instanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

const central = (overrides: Record<string, unknown>, extra: Record<string, string> = {}) =>
  raw(CENTRAL, centralSettings(overrides), extra);

describe("stack configuration validation", () => {
  const cases: [string, Record<string, string>, string, RegExp][] = [
    [
      "an 11-digit member account ID",
      raw(CENTRAL, listSettings({ memberAccountIds: ["22222222222"] })),
      "central-logging:memberAccountIds[0]",
      /12-digit AWS account ID, got 22222222222$/,
    ],
    [
      "the design article's <account-id>-5 typo",
      raw(CENTRAL, listSettings({ memberAccountIds: ["222222222222-5"] })),
      "central-logging:memberAccountIds[0]",
      /12-digit/,
    ],
    [
      "a malformed organization ID",
      central({ organizationId: "o-123" }),
      "central-logging:organizationId",
      /o-\[a-z0-9\]\{10,32\}, got "o-123"/,
    ],
    [
      "neither organization nor account list",
      central({ organizationId: undefined, memberAccountIds: undefined, cloudTrail: undefined }),
      "central-logging:organizationId",
      /expected organizationId \(organization mode\) or memberAccountIds/,
    ],
    [
      "organization mode without the accounts whose flow logs it admits",
      central({ memberAccountIds: undefined }),
      "central-logging:memberAccountIds",
      /is required in organization mode too: .*aws:SourceAccount.*org-id-for-log-delivery/,
    ],
    [
      "organization mode without any trail",
      central({ cloudTrail: undefined }),
      "central-logging:cloudTrail",
      /is required in organization mode: organizationTrail .*\(aws:SourceArn\)/,
    ],
    [
      "an organization trail in account-list mode",
      raw(
        CENTRAL,
        listSettings({
          cloudTrail: { organizationTrail: { managementAccountId: WEB, name: "organization-trail" } },
        }),
      ),
      "central-logging:cloudTrail.organizationTrail",
      /needs organization mode/,
    ],
    [
      "an account trail of an unlisted account in account-list mode",
      raw(CENTRAL, listSettings({ cloudTrail: { accountTrails: [{ accountId: "444444444444" }] } })),
      "central-logging:cloudTrail.accountTrails[0].accountId",
      /expected one of memberAccountIds, got 444444444444/,
    ],
    [
      "an organization trail's home Region in another partition",
      central({
        cloudTrail: {
          organizationTrail: {
            managementAccountId: WEB,
            name: "organization-trail",
            homeRegion: "cn-north-1",
          },
        },
      }),
      "central-logging:cloudTrail.organizationTrail.homeRegion",
      /partition aws, got cn-north-1/,
    ],
    [
      "an unknown policy extension",
      central({ policyExtensions: ["own-prefix"] }),
      "central-logging:policyExtensions",
      /none, all, or a list of: own-account-prefix, org-id-for-log-delivery/,
    ],
    [
      "a duplicated member account",
      raw(CENTRAL, listSettings({ memberAccountIds: [WEB, WEB] })),
      "central-logging:memberAccountIds",
      /listed twice/,
    ],
    [
      "the archive account among members",
      raw(CENTRAL, listSettings({ memberAccountIds: [CENTRAL] })),
      "central-logging:memberAccountIds",
      /log-archive account/,
    ],
    [
      "an unknown region",
      central({}, { "aws:region": "eu-west-9" }),
      "aws:region",
      /known AWS Region, got "eu-west-9"/,
    ],
    [
      "a missing region",
      (() => {
        const r = central({});
        delete r["aws:region"];
        return r;
      })(),
      "aws:region",
      /is required/,
    ],
    [
      "no pinned account",
      (() => {
        const r = central({});
        delete r["aws:allowedAccountIds"];
        return r;
      })(),
      "aws:allowedAccountIds",
      /exactly one 12-digit account ID/,
    ],
    [
      "a malformed pinned account",
      central({}, { "aws:allowedAccountIds": '["1234"]' }),
      "aws:allowedAccountIds",
      /got \["1234"\]/,
    ],
    [
      "a rotation period under 90 days",
      central({ keyRotationDays: "30" }),
      "central-logging:keyRotationDays",
      /from 90 to 2560, got 30/,
    ],
    [
      "a rotation period over 2560 days",
      central({ keyRotationDays: "3000" }),
      "central-logging:keyRotationDays",
      /from 90 to 2560/,
    ],
    [
      "a negative retention",
      central({ lifecycle: { expirationDays: -1 } }),
      "central-logging:lifecycle.expirationDays",
      /whole number from 1 to 36500, got -1/,
    ],
    [
      "an expiration before the transition",
      central({ lifecycle: { transitionDays: 100, expirationDays: 50 } }),
      "central-logging:lifecycle.expirationDays",
      /more days than transitionDays/,
    ],
    [
      "a negative Object Lock retention",
      central({ objectLock: { mode: "COMPLIANCE", retentionDays: -5 } }),
      "central-logging:objectLock.retentionDays",
      /got -5/,
    ],
    [
      "an unknown Object Lock mode",
      central({ objectLock: { mode: "STRICT", retentionDays: 5 } }),
      "central-logging:objectLock.mode",
      /GOVERNANCE or COMPLIANCE/,
    ],
    [
      "a bucket suffix with capitals",
      central({ bucketSuffix: "Example" }),
      "central-logging:bucketSuffix",
      /lowercase/,
    ],
    [
      "a visibility timeout over 12 hours",
      central({ queue: { visibilityTimeoutSeconds: 50000 } }),
      "central-logging:queue.visibilityTimeoutSeconds",
      /0 to 43200/,
    ],
    [
      "a no-delivery window that is not whole minutes",
      central({ alarms: { noDeliverySeconds: 1000 } }),
      "central-logging:alarms.noDeliverySeconds",
      /multiple of 60 seconds/,
    ],
    [
      "an IAM user as SIEM principal",
      central({
        siem: { trust: "aws", principals: ["arn:aws:iam::999999999999:user/splunk"], externalId: "abc123" },
      }),
      "central-logging:siem.principals[0]",
      /never an IAM user/,
    ],
    [
      "an AWS trust without external ID",
      central({ siem: { trust: "aws", principals: ["999999999999"] } }),
      "central-logging:siem.externalId",
      /is required/,
    ],
    [
      "an OIDC trust without subject or session name",
      central({
        siem: { trust: "oidc", providerArn: "arn:aws:iam::111111111111:oidc-provider/x", audience: "a" },
      }),
      "central-logging:siem.subject",
      /is required for the OIDC provider x: its callers choose their own session name/,
    ],
    [
      "a GitHub OIDC trust pinned by a session name alone (the caller chooses it)",
      central({
        verifier: {
          trust: "oidc",
          providerArn: "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com",
          audience: "sts.amazonaws.com",
          roleSessionName: "verify",
        },
      }),
      "central-logging:verifier.subject",
      /is required for the OIDC provider token.actions.githubusercontent.com: .*only for Microsoft Sentinel's provider sts.windows.net\/33e01921-4d64-4f8c-a055-5bdaffd5e33d\//,
    ],
    [
      "Sentinel's provider with a session name that is not MicrosoftSentinel_<workspace id>",
      central({
        siem: {
          trust: "oidc",
          providerArn:
            "arn:aws:iam::111111111111:oidc-provider/sts.windows.net/33e01921-4d64-4f8c-a055-5bdaffd5e33d/",
          audience: "api://1462b192-27f7-4cb9-8523-0f4ecb54b47e",
          roleSessionName: "anything",
        },
      }),
      "central-logging:siem.roleSessionName",
      /expected roleSessionName MicrosoftSentinel_<workspace id> .* got "anything"/,
    ],
    [
      "a wildcard in Sentinel's session name",
      central({
        siem: {
          trust: "oidc",
          providerArn:
            "arn:aws:iam::111111111111:oidc-provider/sts.windows.net/33e01921-4d64-4f8c-a055-5bdaffd5e33d/",
          audience: "api://1462b192-27f7-4cb9-8523-0f4ecb54b47e",
          roleSessionName: "MicrosoftSentinel_*",
        },
      }),
      "central-logging:siem.roleSessionName",
      /expected an exact value without \* or \?, got "MicrosoftSentinel_\*"/,
    ],
    [
      "a wildcard in a subject",
      central({
        verifier: {
          trust: "oidc",
          providerArn: "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com",
          audience: "sts.amazonaws.com",
          subject: "repo:example-org/central-logging:*",
        },
      }),
      "central-logging:verifier.subject",
      /expected an exact value without \* or \?/,
    ],
    [
      "immutable GitHub subjects without the repository's ID",
      central({
        access: {
          github: { repository: "example-org/central-logging", subjectFormat: "immutable", ownerId: "1" },
        },
      }),
      "central-logging:access.github.repositoryId",
      /is required with subjectFormat immutable/,
    ],
    [
      "a GitHub repository that is not <owner>/<repo>",
      central({ access: { github: { repository: "central-logging" } } }),
      "central-logging:access.github.repository",
      /expected the repository as <owner>\/<repo>/,
    ],
    [
      "a misspelt key",
      central({ organisationId: "o-a1b2c3d4e5" }),
      "central-logging:organisationId",
      /^is not a setting this project knows; did you mean central-logging:organizationId\?$/,
    ],
    [
      "a misspelt required key, named rather than reported missing",
      central({ bucketSuffix: undefined, bucketSufix: "example-org" }),
      "central-logging:bucketSufix",
      /^is not a setting this project knows; did you mean central-logging:bucketSuffix\?$/,
    ],
    [
      "a misspelt nested key",
      central({ lifecycle: { transitionDay: 30 } }),
      "central-logging:lifecycle.transitionDay",
      /did you mean central-logging:lifecycle.transitionDays\?$/,
    ],
    [
      "a key nothing resembles",
      central({ zzzzzzzzzzzz: 1 }),
      "central-logging:zzzzzzzzzzzz",
      /^is not a setting this project knows; check its spelling$/,
    ],
    [
      "a word where a number belongs, reported as given",
      central({ keyRotationDays: "yearly" }),
      "central-logging:keyRotationDays",
      /whole number from 90 to 2560, got "yearly"$/,
    ],
    [
      "a role ARN of another account for CI",
      central({ access: { deployRoleArn: "arn:aws:iam::222222222222:role/deploy" } }),
      "central-logging:access.deployRoleArn",
      /this stack's account 111111111111, got one of 222222222222/,
    ],
    [
      "an unknown role",
      raw(CENTRAL, { role: "hub" }),
      "central-logging:role",
      /central or member, got "hub"/,
    ],
    [
      "a missing central stack reference",
      raw(WEB, { role: "member" }),
      "central-logging:centralStack",
      /is required/,
    ],
    [
      "a malformed central stack reference",
      raw(WEB, memberSettings({ centralStack: "central" })),
      "central-logging:centralStack",
      /<organization>\/central-logging\/<stack>/,
    ],
    [
      "a WAF destination bucket in place of a web ACL",
      raw(WEB, memberSettings({ waf: { webAclArns: ["arn:aws:s3:::my-waf-logs"] } })),
      "central-logging:waf.webAclArns[0]",
      /WAFv2 web ACL ARN/,
    ],
    [
      "a web ACL of another account",
      raw(
        WEB,
        memberSettings({ waf: { webAclArns: ["arn:aws:wafv2:eu-west-1:222222222222:regional/webacl/a/b"] } }),
      ),
      "central-logging:waf.webAclArns[0]",
      /this stack's account 333333333333/,
    ],
    [
      "a CloudFront web ACL outside us-east-1",
      raw(
        WEB,
        memberSettings({ waf: { webAclArns: ["arn:aws:wafv2:us-east-1:333333333333:global/webacl/a/b"] } }),
      ),
      "central-logging:waf.webAclArns[0]",
      /^is a CloudFront \(global\) web ACL, which logs from us-east-1; expected a regional web ACL of eu-west-1, or put this one in a member stack in us-east-1$/,
    ],
    [
      "a regional web ACL of another Region",
      raw(
        WEB,
        memberSettings({ waf: { webAclArns: ["arn:aws:wafv2:eu-west-2:333333333333:regional/webacl/a/b"] } }),
      ),
      "central-logging:waf.webAclArns[0]",
      /^expected a web ACL in this stack's Region eu-west-1, got one in eu-west-2$/,
    ],
    [
      "a word where a number belongs in a member",
      raw(
        WEB,
        memberSettings({
          waf: {
            webAclArns: ["arn:aws:wafv2:eu-west-1:333333333333:regional/webacl/a/b"],
            localBucketExpirationDays: "three",
          },
        }),
      ),
      "central-logging:waf.localBucketExpirationDays",
      /got "three"$/,
    ],
    [
      "a central stack that still asks for direct WAF delivery",
      central({ wafDelivery: "both" }),
      "central-logging:wafDelivery",
      /^"both" is no longer accepted: AWS WAF logs only to a bucket in the web ACL's own account \("set up an Amazon S3 bucket from the same account as you use to manage the web ACL", WAF developer guide, logging-s3\); remove the key/,
    ],
    [
      "an unknown WAF delivery",
      central({ wafDelivery: "firehose" }),
      "central-logging:wafDelivery",
      /^expected replication \(members replicate from a bucket in their own account\), got "firehose"$/,
    ],
    [
      "an unknown way to admit account trails",
      central({
        cloudTrail: {
          admitAccountTrailsBy: "arn",
          organizationTrail: { managementAccountId: MGMT, name: "t" },
        },
      }),
      "central-logging:cloudTrail.admitAccountTrailsBy",
      /^expected account \(any trail of an admitted account, by aws:SourceAccount: scales to 1,000\+ accounts\) or trail/,
    ],
    [
      "a member alarm period CloudWatch does not offer",
      raw(WEB, memberSettings({ alarms: { periodSeconds: 120 } })),
      "central-logging:alarms.periodSeconds",
      /^expected 60, 300, 900 or 3600/,
    ],
    [
      "a malformed VPC ID",
      raw(WEB, memberSettings({ flowLogs: { vpcIds: ["vpc-123"] } })),
      "central-logging:flowLogs.vpcIds[0]",
      /VPC IDs like vpc-/,
    ],
    [
      "a leftover key of the other SIEM trust (externalId with trust oidc)",
      central({
        siem: {
          trust: "oidc",
          providerArn: "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com",
          audience: "sts.amazonaws.com",
          subject: "repo:o/r:ref:refs/heads/main",
          externalId: "left-over",
        },
      }),
      "central-logging:siem.externalId",
      /^is a key of siem.trust "aws" \(principals, externalId, roleName\), and this stack's siem.trust is "oidc" \(providerArn, audience, subject, roleSessionName, roleName\): remove it, or set central-logging:siem.trust to aws$/,
    ],
    [
      "a key of the other trust in the verifier (providerArn with trust aws)",
      central({
        verifier: {
          trust: "aws",
          principals: ["arn:aws:iam::999999999999:role/v"],
          externalId: "abc",
          providerArn: "arn:aws:iam::111111111111:oidc-provider/x",
        },
      }),
      "central-logging:verifier.providerArn",
      /^is a key of verifier.trust "oidc" .*, and this stack's verifier.trust is "aws" .*: remove it, or set central-logging:verifier.trust to oidc$/,
    ],
    [
      "a misspelt key of the chosen trust, suggested from that trust's keys only",
      central({
        siem: { trust: "aws", principals: ["arn:aws:iam::999999999999:role/x"], externalID: "abc" },
      }),
      "central-logging:siem.externalID",
      /^is not a setting this project knows; did you mean central-logging:siem.externalId\?$/,
    ],
    [
      "a member key in a central stack",
      central({ centralStack: "organization/central-logging/central" }),
      "central-logging:centralStack",
      /^is a setting of member stacks \(central-logging:role member\), and this stack's role is central: remove it from this stack$/,
    ],
    [
      "a central key in a member stack",
      raw(WEB, memberSettings({ memberAccountIds: [WEB] })),
      "central-logging:memberAccountIds",
      /^is a setting of central stacks \(central-logging:role central\), and this stack's role is member/,
    ],
    [
      "a member's cloudTrail.mode in a central stack",
      central({
        cloudTrail: { organizationTrail: { managementAccountId: MGMT, name: "t" }, mode: "account" },
      }),
      "central-logging:cloudTrail.mode",
      /^is a setting of member stacks \(central-logging:role member\)/,
    ],
    [
      "a namespace typo (centrallogging:role)",
      (() => {
        const r = raw(WEB, memberSettings());
        r["centrallogging:role"] = r["central-logging:role"];
        delete r["central-logging:role"];
        return r;
      })(),
      "centrallogging:role",
      /^has the namespace centrallogging, which is not this project's; did you mean central-logging:role\?$/,
    ],
    [
      "a key without a namespace",
      raw(WEB, memberSettings(), { bucketSuffix: "x" }),
      "bucketSuffix",
      /^expected a namespaced key such as central-logging:bucketSuffix/,
    ],
    [
      "a missing external ID, without the validator's wording",
      central({ siem: { trust: "aws", principals: ["arn:aws:iam::999999999999:role/x"] } }),
      "central-logging:siem.externalId",
      /^is required: expected text \(docs\/configuration.md\)$/,
    ],
    [
      "a missing trust kind",
      central({ siem: { principals: ["arn:aws:iam::999999999999:role/x"], externalId: "abc" } }),
      "central-logging:siem.trust",
      /^is required: expected "aws" \(principals, externalId, roleName\) or "oidc" \(providerArn, audience, subject, roleSessionName, roleName\)$/,
    ],
    [
      "an unquoted account ID in aws:allowedAccountIds (a YAML number)",
      { ...raw(WEB, memberSettings()), "aws:allowedAccountIds": "[333333333333]" },
      "aws:allowedAccountIds",
      /, got the number 333333333333: quote account IDs \("333333333333"\), YAML reads unquoted digits as a number$/,
    ],
    [
      "an unquoted account ID with a leading zero, which YAML dropped",
      { ...raw(WEB, memberSettings()), "aws:allowedAccountIds": "[33333333333]" },
      "aws:allowedAccountIds",
      /got the number 33333333333: quote account IDs \("033333333333"\).*; 33333333333 has 11 digits: YAML dropped the leading zero of 033333333333$/,
    ],
    [
      "unquoted member account IDs",
      raw(CENTRAL, listSettings({ memberAccountIds: [222222222222] })),
      "central-logging:memberAccountIds[0]",
      /^expected a 12-digit AWS account ID, got the number 222222222222: quote account IDs/,
    ],
    [
      "an unquoted management account ID",
      central({ cloudTrail: { organizationTrail: { managementAccountId: 22222222222, name: "t" } } }),
      "central-logging:cloudTrail.organizationTrail.managementAccountId",
      /got the number 22222222222: quote account IDs \("022222222222"\)/,
    ],
    [
      "an unsupported flow-log file format",
      raw(WEB, memberSettings({ flowLogs: { vpcIds: "all", fileFormat: "csv" } })),
      "central-logging:flowLogs.fileFormat",
      /plain-text or parquet/,
    ],
  ];

  for (const [what, config, key, message] of cases) {
    it(`rejects ${what} with one line naming the stack and ${key}`, () => {
      const e = errorOf("example", config);
      expect(e.key).to.equal(key);
      expect(e.message).to.match(
        new RegExp(`^stack "example": config key "${key.replace(/[[\]]/g, "\\$&")}": `),
      );
      expect(e.expected).to.match(message);
      expect(e.message).not.to.contain("\n");
    });
  }

  it("never shows the validator's own wording, whatever wrong value a setting gets", () => {
    // Every key of both roles, at every depth the examples reach, given values of each wrong type.
    const bases: [string, Record<string, unknown>][] = [
      [CENTRAL, centralSettings({ alarms: { notifications: [{ protocol: "email", endpoint: "a@b.c" }] } })],
      [
        WEB,
        memberSettings({
          flowLogs: { vpcIds: "all" },
          waf: { webAclArns: [`arn:aws:wafv2:eu-west-1:${WEB}:regional/webacl/w/1`] },
        }),
      ],
    ];
    const paths = (value: unknown, at: string[] = []): string[][] =>
      value && typeof value === "object"
        ? Object.entries(value).flatMap(([k, v]) => [[...at, k], ...paths(v, [...at, k])])
        : [];
    const wrong = [undefined, 7, "text", true, [], {}, [1], { a: 1 }, ""];
    let checked = 0;
    for (const [account, settings] of bases)
      for (const p of paths(settings))
        for (const value of wrong) {
          if (p[0] === "role") continue;
          const copy = JSON.parse(JSON.stringify(settings));
          const parent = p.slice(0, -1).reduce((o, k) => o[k], copy);
          if (value === undefined) delete parent[p[p.length - 1]];
          else parent[p[p.length - 1]] = value;
          let message = "";
          try {
            parseStackConfig("example", raw(account, copy));
          } catch (e) {
            message = (e as Error).message;
          }
          checked++;
          expect(message, `${p.join(".")} = ${JSON.stringify(value)}`).not.to.match(
            /Invalid (input|option|string)|received|Too (small|big)|Unrecognized|>=|<=/,
          );
          expect(message).not.to.contain("\n");
        }
    expect(checked).to.be.greaterThan(250);
  });

  it("accepts Microsoft Sentinel's documented OIDC trust and a GitHub trust pinned by subject", () => {
    const sentinel = {
      trust: "oidc",
      providerArn:
        "arn:aws:iam::111111111111:oidc-provider/sts.windows.net/33e01921-4d64-4f8c-a055-5bdaffd5e33d/",
      audience: "api://1462b192-27f7-4cb9-8523-0f4ecb54b47e",
      roleSessionName: "MicrosoftSentinel_0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
    };
    const github = {
      trust: "oidc",
      providerArn: "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com",
      audience: "sts.amazonaws.com",
      subject: "repo:example-org@123456/central-logging@456789:environment:verify:ref:refs/heads/main",
    };
    const c = parseStackConfig("central", central({ siem: sentinel, verifier: github }));
    if (c.role !== "central") throw new Error("expected central");
    expect(c.settings.siem).to.include({ roleSessionName: sentinel.roleSessionName });
    expect(c.settings.verifier).to.include({ subject: github.subject });
  });

  it("is a RunError, so the Pulumi CLI prints it without a stack trace", () => {
    const pulumi = require("@pulumi/pulumi");
    expect(pulumi.RunError.isInstance(errorOf("x", central({ organizationId: "o-1" })))).to.equal(true);
  });

  it("fills documented defaults", () => {
    const c = parseStackConfig("central", central({}));
    if (c.role !== "central") throw new Error("expected central");
    expect(c.settings.keyRotationDays).to.equal(365);
    expect(c.settings.queue).to.deep.equal({ visibilityTimeoutSeconds: 300, maxReceiveCount: 5 });
    expect(c.settings.wafDelivery).to.equal("replication");
    expect(c.mode).to.equal("organization");
    expect(c.partition).to.equal("aws");
    expect(c.settings.policyExtensions).to.equal("none");
    expect([...c.extensions]).to.deep.equal([]);
    const all = parseStackConfig("central", central({ policyExtensions: "all" }));
    if (all.role !== "central") throw new Error("expected central");
    expect([...all.extensions]).to.have.members([
      "own-account-prefix",
      "org-id-for-log-delivery",
      "kms-source-account",
      "access-log-tls-deny",
      "replication-trust-source",
    ]);
    expect(c.settings.cloudTrail?.admitAccountTrailsBy).to.equal("account");
    const m = parseStackConfig("web", raw(WEB, memberSettings({ flowLogs: { vpcIds: "all" } })));
    if (m.role !== "member") throw new Error("expected member");
    // No mode: the central stack decides (covered by its organization trail, else an account trail).
    expect(m.settings.cloudTrail).to.deep.equal({ name: "central-logging" });
    expect(m.settings.alarms).to.deep.equal({ enabled: true, periodSeconds: 300 });
    const w = parseStackConfig(
      "web",
      raw(
        WEB,
        memberSettings({
          waf: { webAclArns: [`arn:aws:wafv2:eu-west-1:${WEB}:regional/webacl/a/b`] },
        }),
      ),
    );
    if (w.role !== "member") throw new Error("expected member");
    expect(w.settings.waf).to.deep.include({ delivery: "replication", localBucketExpirationDays: 14 });
    expect(m.settings.flowLogs).to.deep.include({
      fileFormat: "plain-text",
      hiveCompatiblePartitions: false,
      maxAggregationInterval: 600,
    });
  });
});
