/**
 * The pack's third round (issue 19): the mistakes that lose logs quietly. Each class has a failing case
 * (one small edit to a stack the project deploys, or a hand-written resource) and its passing twin.
 */
import { expect } from "chai";
import { ResourceValidationPolicy } from "@pulumi/policy";
import { UNKNOWN_STRING } from "../policy-pack/unknowns";
import { RunnableResource, runResourcePolicy } from "../tools/simulation/policyRunner";
import {
  CENTRAL,
  centralSettings,
  editResource,
  MGMT,
  memberSettings,
  packMessages,
  packPolicy,
  runnable,
  simulate,
  WEB,
} from "./helpers";

const edit = editResource;
const messages = packMessages;
const WEB_ACL = `arn:aws:wafv2:eu-west-1:${WEB}:regional/webacl/web/1`;
const doc = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const editDoc = (rs: RunnableResource[], name: string, prop: string, change: (d: any) => void) =>
  edit(rs, name, (p) => {
    const d = JSON.parse(p[prop]);
    change(d);
    p[prop] = JSON.stringify(d);
  });
const added = (rs: RunnableResource[], ...extra: Omit<RunnableResource, "urn">[]) => [
  ...rs,
  ...extra.map((r) => ({ ...r, urn: `urn:pulumi:test::central-logging::${r.type}::${r.name}` })),
];
const resourceCheck = async (name: string, type: string, props: Record<string, any>) => {
  const v = await runResourcePolicy(packPolicy(name) as ResourceValidationPolicy, type, props);
  return v === "not-applicable" ? [] : v;
};

const NEW_RULES = [
  "sns-alarm-topic-customer-managed-key",
  "sns-topic-not-public",
  "s3-log-notification-every-object",
  "s3-staging-replication-covers-logs",
  "cloudtrail-logging-enabled",
  "cloudtrail-management-events",
  "member-organization-trail-mode",
  "vpc-flow-log-default-fields",
  "sqs-log-queue-retention",
  "sqs-dead-letter-queue-retention",
  "s3-log-noncurrent-version-retention",
  "iam-external-id-pinned",
  "iam-web-identity-trust-pinned",
  "iam-web-identity-trust-scope",
  "iam-archive-role-managed-policy-known",
];

describe("policy pack: the mistakes that lose logs quietly", () => {
  let central: RunnableResource[];
  let mgmt: RunnableResource[];
  let web: RunnableResource[];
  before(async () => {
    const sim = await simulate(
      centralSettings({ alarms: { notifications: [{ protocol: "email", endpoint: "soc@example.com" }] } }),
      {
        mgmt: {
          account: MGMT,
          settings: memberSettings({
            cloudTrail: { mode: "organization", name: "organization-trail" },
            flowLogs: { vpcIds: "all" },
          }),
        },
        web: {
          account: WEB,
          settings: memberSettings({
            cloudTrail: { mode: "covered-by-organization-trail" },
            waf: { webAclArns: [WEB_ACL] },
            flowLogs: { vpcIds: "all" },
          }),
        },
      },
    );
    central = runnable(sim.central);
    mgmt = runnable(sim.members.mgmt);
    web = runnable(sim.members.web);
  });

  it("passes the project's own stacks on every new rule (the twin of every case below)", async () => {
    for (const name of [
      ...NEW_RULES,
      "archive-access-model",
      "s3-log-bucket-tls-only",
      "s3-access-log-bucket-sse-s3",
    ])
      for (const rs of [central, mgmt, web]) expect(await messages(name, rs), name).to.deep.equal([]);
  });

  describe("1. the alarm topic", () => {
    it("refuses alias/aws/sns (alias or ARN) on a topic CloudWatch alarms publish to; a CMK passes", async () => {
      for (const key of ["alias/aws/sns", "arn:aws:kms:eu-west-1:111111111111:alias/aws/sns"]) {
        const found = await messages(
          "sns-alarm-topic-customer-managed-key",
          edit(central, "delivery-alarms", (p) => (p.kmsMasterKeyId = key)),
        );
        expect(found, key).to.have.length(1);
        expect(found[0]).to.match(
          new RegExp(
            `^topic central-logs-delivery-alarms is encrypted with the AWS managed key ${key}, so CloudWatch alarm central-logs-cloudtrail-dead-letters, .* cannot publish to it`,
          ),
        );
      }
      // The twin: the archive's key (the example), and an AWS managed key on a topic nobody publishes to.
      expect(await messages("sns-alarm-topic-customer-managed-key", central)).to.deep.equal([]);
      const lonely = added(central, {
        type: "aws:sns/topic:Topic",
        name: "app-topic",
        props: {
          name: "app",
          kmsMasterKeyId: "alias/aws/sns",
          arn: "arn:aws:sns:eu-west-1:111111111111:app",
        },
      });
      expect(await messages("sns-alarm-topic-customer-managed-key", lonely)).to.deep.equal([]);
    });

    it("refuses an S3 event notification to a topic under an AWS managed key", async () => {
      const rs = added(
        central,
        {
          type: "aws:sns/topic:Topic",
          name: "fanout",
          props: {
            name: "fanout",
            kmsMasterKeyId: "alias/aws/sns",
            arn: "arn:aws:sns:eu-west-1:111111111111:fanout",
          },
        },
        {
          type: "aws:s3/bucketNotification:BucketNotification",
          name: "fanout-notification",
          props: {
            bucket: "some-app-bucket",
            topics: [
              { topicArn: "arn:aws:sns:eu-west-1:111111111111:fanout", events: ["s3:ObjectCreated:*"] },
            ],
          },
        },
      );
      expect(await messages("sns-alarm-topic-customer-managed-key", rs)).to.deep.equal([
        "topic fanout is encrypted with the AWS managed key alias/aws/sns, so S3 event notification fanout-notification cannot publish to it: every notification is dropped, silently.",
      ]);
    });

    it("refuses a topic policy that lets everyone publish or subscribe; a bound one passes", async () => {
      const T = "aws:sns/topic:Topic";
      const TP = "aws:sns/topicPolicy:TopicPolicy";
      const open = doc({
        Sid: "Anyone",
        Effect: "Allow",
        Principal: "*",
        Action: ["sns:Publish", "sns:Subscribe"],
        Resource: "*",
      });
      expect(await resourceCheck("sns-topic-not-public", T, { policy: open })).to.deep.equal([
        'statement "Anyone" lets everyone sns:Publish, sns:Subscribe: anyone can forge alarms or read them.',
      ]);
      const wildcardBound = doc({
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: "SNS:Subscribe",
        Resource: "*",
        Condition: { StringLike: { "aws:SourceAccount": "*" } },
      });
      expect(
        await resourceCheck("sns-topic-not-public", TP, { arn: "x", policy: wildcardBound }),
      ).to.have.length(1);
      const bound = doc({
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: ["SNS:Publish", "SNS:Subscribe"],
        Resource: "*",
        Condition: { StringEquals: { "AWS:SourceOwner": CENTRAL } },
      });
      expect(await resourceCheck("sns-topic-not-public", TP, { arn: "x", policy: bound })).to.deep.equal([]);
      const service = doc({
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: "sns:Publish",
        Resource: "*",
      });
      expect(await resourceCheck("sns-topic-not-public", T, { policy: service })).to.deep.equal([]);
      expect(await resourceCheck("sns-topic-not-public", T, { policy: UNKNOWN_STRING })).to.deep.equal([]);
    });
  });

  describe("2. notifications that skip logs", () => {
    it("refuses a prefix or suffix filter on a log bucket's notification", async () => {
      const filtered = edit(central, "waf-notification", (p) => {
        p.queues[0].filterPrefix = `AWSLogs/${WEB}/`;
        p.queues[0].filterSuffix = ".gz";
      });
      expect(await messages("s3-log-notification-every-object", filtered)).to.deep.equal([
        `log bucket aws-waf-logs-central-example-org (its name marks an AWS WAF log bucket): notification to queue arn:aws:sqs:eu-west-1:111111111111:central-logs-waf has filterPrefix "AWSLogs/${WEB}/" and filterSuffix ".gz": log objects outside it are never announced to the SIEM.`,
      ]);
    });

    it("refuses events narrower than s3:ObjectCreated:*; all four ObjectCreated types pass", async () => {
      const put = edit(
        central,
        "cloudtrail-notification",
        (p) => (p.queues[0].events = ["s3:ObjectCreated:Put"]),
      );
      const found = await messages("s3-log-notification-every-object", put);
      expect(found).to.have.length(1);
      expect(found[0]).to.contain(
        "announces only s3:ObjectCreated:Put, not s3:ObjectCreated:* (missing s3:ObjectCreated:Post, s3:ObjectCreated:Copy, s3:ObjectCreated:CompleteMultipartUpload)",
      );
      const all = edit(
        central,
        "cloudtrail-notification",
        (p) =>
          (p.queues[0].events = [
            "s3:ObjectCreated:Put",
            "s3:ObjectCreated:Post",
            "s3:ObjectCreated:Copy",
            "s3:ObjectCreated:CompleteMultipartUpload",
          ]),
      );
      expect(await messages("s3-log-notification-every-object", all)).to.deep.equal([]);
      const unknown = edit(central, "cloudtrail-notification", (p) => (p.queues[0].events = UNKNOWN_STRING));
      expect(await messages("s3-log-notification-every-object", unknown)).to.deep.equal([]);
    });
  });

  describe("3. replication that replicates nothing", () => {
    const rule = (rs: RunnableResource[], change: (r: any) => void) =>
      edit(rs, "waf-replication", (p) => change(p.rules[0]));

    it("refuses a staging rule whose filter misses AWSLogs/<account>/WAFLogs/, a tag filter or a disabled rule", async () => {
      const other = await messages(
        "s3-staging-replication-covers-logs",
        rule(web, (r) => (r.filter = { prefix: "logs/" })),
      );
      expect(other).to.deep.equal([
        `log bucket aws-waf-logs-${WEB}-eu-west-1 (AWS WAF logs to it): is exempt from the SIEM notification because it replicates, but no enabled replication rule covers AWSLogs/${WEB}/WAFLogs/ (rules: to-central-archive prefix "logs/"); those logs never reach the archive and expire in the staging bucket.`,
      ]);
      for (const [what, change] of [
        ["one Region only", (r: any) => (r.filter = { prefix: `AWSLogs/${WEB}/WAFLogs/eu-west-1/` })],
        ["another account", (r: any) => (r.filter = { prefix: `AWSLogs/${MGMT}/` })],
        ["a tag", (r: any) => (r.filter = { tag: { key: "ship", value: "yes" } })],
        ["disabled", (r: any) => (r.status = "Disabled")],
      ] as const)
        expect(await messages("s3-staging-replication-covers-logs", rule(web, change)), what).to.have.length(
          1,
        );
    });

    it("passes an empty filter, AWSLogs/, the account's prefix or its WAFLogs/ prefix", async () => {
      for (const prefix of ["", "AWSLogs/", `AWSLogs/${WEB}/`, `AWSLogs/${WEB}/WAFLogs/`])
        expect(
          await messages(
            "s3-staging-replication-covers-logs",
            rule(web, (r) => (r.filter = { prefix })),
          ),
          prefix,
        ).to.deep.equal([]);
      expect(
        await messages(
          "s3-staging-replication-covers-logs",
          rule(web, (r) => (r.filter = { and: { prefix: "AWSLogs/" } })),
        ),
      ).to.deep.equal([]);
    });

    it("refuses a replication grant to * bound by role name alone, whatever the mode", async () => {
      const byName = editDoc(central, "waf-logs-policy", "policy", (d) => {
        const s = d.Statement.find((x: any) => x.Sid === "WafReplicationFromMembers");
        delete s.Condition.StringEquals;
      });
      expect(await messages("archive-access-model", byName)).to.deep.equal([
        'statement "WafReplicationFromMembers" admits replication roles on log bucket aws-waf-logs-central-example-org by role name alone (aws:PrincipalArn arn:aws:iam::*:role/central-logging-waf-replication, arn:aws:iam::*:role/central-logging-waf-replication-*), with no aws:PrincipalOrgID or aws:PrincipalAccount: any AWS account can create a role of that name and write into the archive.',
      ]);
      expect(await messages("archive-access-model", byName, { mode: "organization" })).to.have.length(1);
      const wildcardOrg = editDoc(central, "waf-logs-policy", "policy", (d) => {
        const s = d.Statement.find((x: any) => x.Sid === "WafReplicationFromMembers");
        s.Condition = { StringLike: { "aws:PrincipalOrgID": "o-*" }, ArnLike: s.Condition.ArnLike };
      });
      expect(await messages("archive-access-model", wildcardOrg)).to.have.length(1);
      const ifExists = editDoc(central, "waf-logs-policy", "policy", (d) => {
        const s = d.Statement.find((x: any) => x.Sid === "WafReplicationFromMembers");
        s.Condition = { StringEqualsIfExists: s.Condition.StringEquals, ArnLike: s.Condition.ArnLike };
      });
      expect(await messages("archive-access-model", ifExists)).to.have.length(1);
      // The twins: the organization bound (the example), or role ARNs that each name an account.
      expect(await messages("archive-access-model", central)).to.deep.equal([]);
      const pinned = editDoc(central, "waf-logs-policy", "policy", (d) => {
        const s = d.Statement.find((x: any) => x.Sid === "WafReplicationFromMembers");
        s.Condition = {
          ArnLike: {
            "aws:PrincipalArn": [MGMT, WEB].map(
              (a) => `arn:aws:iam::${a}:role/central-logging-waf-replication-eu-west-1`,
            ),
          },
        };
      });
      expect(await messages("archive-access-model", pinned)).to.deep.equal([]);
    });

    it("accepts the replication role reading Object Lock retention and legal holds from the staging bucket", async () => {
      const withLock = editDoc(web, "waf-replication-permissions", "policy", (d) =>
        d.Statement.find((x: any) => x.Sid === "ReadSourceVersions").Action.push(
          "s3:GetObjectRetention",
          "s3:GetObjectLegalHold",
        ),
      );
      expect(await messages("archive-access-model", withLock)).to.deep.equal([]);
    });
  });

  describe("4. trails that log less than they claim", () => {
    it("refuses enableLogging false", async () => {
      const off = edit(mgmt, "organization-trail", (p) => (p.enableLogging = false));
      expect(await messages("cloudtrail-logging-enabled", off)).to.deep.equal([
        "has enableLogging false: the trail exists but records nothing.",
      ]);
      expect(await messages("cloudtrail-logging-enabled", mgmt)).to.deep.equal([]);
    });

    it("refuses event selectors that drop, halve or filter management events", async () => {
      const selectors = (eventSelectors: object[]) =>
        messages(
          "cloudtrail-management-events",
          edit(mgmt, "organization-trail", (p) => (p.eventSelectors = eventSelectors)),
        );
      expect(await selectors([{ readWriteType: "All", includeManagementEvents: false }])).to.deep.equal([
        "eventSelectors record no management events: every API call to change the account goes unrecorded.",
      ]);
      expect(await selectors([{ readWriteType: "WriteOnly", includeManagementEvents: true }])).to.deep.equal([
        "eventSelectors record only write management events, not read ones.",
      ]);
      expect(
        await selectors([
          {
            readWriteType: "All",
            includeManagementEvents: true,
            excludeManagementEventSources: ["kms.amazonaws.com"],
          },
        ]),
      ).to.deep.equal([
        "eventSelectors exclude the management events of kms.amazonaws.com: their key and data API calls go unrecorded.",
      ]);
      // Twins: the default (no selectors), All, or ReadOnly plus WriteOnly.
      expect(await selectors([])).to.deep.equal([]);
      expect(await selectors([{ readWriteType: "All", includeManagementEvents: true }])).to.deep.equal([]);
      expect(
        await selectors([
          { readWriteType: "ReadOnly", includeManagementEvents: true },
          { readWriteType: "WriteOnly", includeManagementEvents: true },
        ]),
      ).to.deep.equal([]);
    });

    it("refuses advanced event selectors that drop or narrow management events", async () => {
      const advanced = (fieldSets: object[][]) =>
        messages(
          "cloudtrail-management-events",
          edit(mgmt, "organization-trail", (p) => {
            delete p.eventSelectors;
            p.advancedEventSelectors = fieldSets.map((fieldSelectors, i) => ({
              name: `s${i}`,
              fieldSelectors,
            }));
          }),
        );
      const management = { field: "eventCategory", equals: ["Management"] };
      expect(
        await advanced([
          [
            { field: "eventCategory", equals: ["Data"] },
            { field: "resources.type", equals: ["AWS::S3::Object"] },
          ],
        ]),
      ).to.deep.equal([
        "advancedEventSelectors record no management events: every API call to change the account goes unrecorded.",
      ]);
      expect(await advanced([[management, { field: "readOnly", equals: ["true"] }]])).to.deep.equal([
        "advancedEventSelectors record only read management events, not write ones.",
      ]);
      expect(
        await advanced([[management, { field: "eventSource", notEquals: ["kms.amazonaws.com"] }]]),
      ).to.deep.equal([
        "advancedEventSelectors exclude the management events of kms.amazonaws.com: their key and data API calls go unrecorded.",
      ]);
      expect(await advanced([[management]])).to.deep.equal([]);
    });

    it("refuses a member that says cloudTrailMode organization without an organization trail", async () => {
      const accountTrail = edit(mgmt, "organization-trail", (p) => (p.isOrganizationTrail = false));
      expect(await messages("member-organization-trail-mode", accountTrail)).to.deep.equal([
        "member component shipping says cloudTrailMode organization, but trail organization-trail is not an organization trail (isOrganizationTrail false): it records this account only, and the members that rely on it record nothing.",
      ]);
      const noTrail = mgmt.filter((r) => r.name !== "organization-trail");
      expect(await messages("member-organization-trail-mode", noTrail)).to.deep.equal([
        "member component shipping says cloudTrailMode organization but creates no trail: no organization trail covers the members that rely on it.",
      ]);
      expect(await messages("member-organization-trail-mode", mgmt)).to.deep.equal([]);
      // Two components in one stack: each owns the trails under it in the URN's type chain.
      const twoComponents = [
        ...accountTrail.map((r) =>
          r.name === "organization-trail"
            ? {
                ...r,
                urn: r.urn.replace(
                  "::aws:cloudtrail",
                  "::central-logging:member:MemberLogShipping$aws:cloudtrail",
                ),
              }
            : r,
        ),
        {
          ...mgmt.find((r) => r.name === "shipping")!,
          name: "other",
          urn: "urn:x::other",
          props: { cloudTrailMode: "account" },
        },
      ];
      expect(await messages("member-organization-trail-mode", twoComponents)).to.have.length(1);
    });
  });

  describe("5. flow logs that lose meaning", () => {
    const FL = "aws:ec2/flowLog:FlowLog";
    const DEFAULT =
      "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}";

    it("refuses a custom format without the default fields; the default fields plus extras pass", async () => {
      expect(
        await resourceCheck("vpc-flow-log-default-fields", FL, {
          logFormat: "${srcaddr} ${dstaddr} ${bytes}",
        }),
      ).to.deep.equal([
        "has a custom logFormat without ${version} ${account-id} ${interface-id} ${srcport} ${dstport} ${protocol} ${packets} ${start} ${end} ${action} ${log-status}: its records cannot answer who talked to whom, when, or whether the traffic was accepted.",
      ]);
      expect(
        await resourceCheck("vpc-flow-log-default-fields", FL, {
          logFormat: DEFAULT.replace(" ${action}", ""),
        }),
      ).to.have.length(1);
      expect(
        await resourceCheck("vpc-flow-log-default-fields", FL, {
          logFormat: `${DEFAULT} \${vpc-id} \${flow-direction}`,
        }),
      ).to.deep.equal([]);
      expect(await resourceCheck("vpc-flow-log-default-fields", FL, {})).to.deep.equal([]);
      expect(
        await resourceCheck("vpc-flow-log-default-fields", FL, { logFormat: UNKNOWN_STRING }),
      ).to.deep.equal([]);
    });
  });

  describe("6. retention that loses notifications or versions", () => {
    it("refuses a log queue that keeps messages for minutes; the minimum is configurable", async () => {
      const short = edit(central, "vpcflowlogs-queue", (p) => (p.messageRetentionSeconds = 300));
      expect(await messages("sqs-log-queue-retention", short)).to.deep.equal([
        "queue central-logs-vpcflowlogs receives S3 notifications of log objects but keeps messages 5 minutes; the minimum is 4 days: a longer SIEM outage loses the notifications for good.",
      ]);
      expect(
        await messages("sqs-log-queue-retention", short, { minMessageRetentionSeconds: 60 }),
      ).to.deep.equal([]);
      const unset = edit(central, "vpcflowlogs-queue", (p) => delete p.messageRetentionSeconds);
      expect(await messages("sqs-log-queue-retention", unset)).to.deep.equal([]);
    });

    it("refuses a dead-letter queue that keeps messages less long than its source", async () => {
      const shorter = edit(central, "waf-dlq", (p) => (p.messageRetentionSeconds = 345_600));
      expect(await messages("sqs-dead-letter-queue-retention", shorter)).to.deep.equal([
        "dead-letter queue central-logs-waf-dlq keeps messages 4 days, less than its source queue central-logs-waf (14 days): a notification that failed late in the source's retention expires in the dead-letter queue at once.",
      ]);
      // Twin: equal at SQS's maximum (the example), or longer.
      const longer = edit(
        edit(central, "waf-queue", (p) => (p.messageRetentionSeconds = 345_600)),
        "waf-dlq",
        (p) => (p.messageRetentionSeconds = 1_209_600),
      );
      expect(await messages("sqs-dead-letter-queue-retention", longer)).to.deep.equal([]);
    });

    it("refuses noncurrent versions of log objects expiring within days, unless Object Lock keeps them", async () => {
      const days = edit(
        central,
        "cloudtrail-logs-lifecycle",
        (p) => (p.rules[0].noncurrentVersionExpiration.noncurrentDays = 3),
      );
      expect(await messages("s3-log-noncurrent-version-retention", days)).to.deep.equal([
        "log bucket central-logs-cloudtrail-example-org (its policy lets cloudtrail.amazonaws.com write): lifecycle rule archive-retention deletes noncurrent versions after 3 days; the minimum is 30: a deleted or overwritten log object is gone for good before anyone notices.",
      ]);
      expect(
        await messages("s3-log-noncurrent-version-retention", days, { minNoncurrentDays: 3 }),
      ).to.deep.equal([]);
      const locked = added(days, {
        type: "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
        name: "cloudtrail-logs-object-lock",
        props: {
          bucket: "central-logs-cloudtrail-example-org",
          objectLockEnabled: "Enabled",
          rule: { defaultRetention: { mode: "COMPLIANCE", days: 400 } },
        },
      });
      expect(await messages("s3-log-noncurrent-version-retention", locked)).to.deep.equal([]);
      // The staging bucket keeps noncurrent versions one day: they live on in the archive.
      expect(await messages("s3-log-noncurrent-version-retention", web)).to.deep.equal([]);
    });
  });

  describe("7. trust values, not just trust keys", () => {
    const R = "aws:iam/role:Role";
    const awsTrust = (Condition: object) =>
      doc({
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::999999999999:role/siem-ingest" },
        Action: "sts:AssumeRole",
        Condition,
      });

    it("refuses an external ID that matches anything; an exact one passes", async () => {
      const cases: [object, string][] = [
        [{ StringLike: { "sts:ExternalId": "*" } }, "StringLike, which matches any external ID"],
        [
          { StringLike: { "sts:ExternalId": "ext-*" } },
          "StringLike, which matches a pattern (ext-*), not one ID",
        ],
        [{ Null: { "sts:ExternalId": "false" } }, "Null, which only tests that the key is present"],
        [
          { StringEqualsIfExists: { "sts:ExternalId": "ext-id-123" } },
          "(...IfExists) also matches a request without the key",
        ],
        [{ StringNotEquals: { "sts:ExternalId": "x" } }, "(a negated operator) matches every other value"],
      ];
      for (const [condition, why] of cases) {
        const found = await resourceCheck("iam-external-id-pinned", R, {
          assumeRolePolicy: awsTrust(condition),
        });
        expect(found, why).to.have.length(1);
        expect(found[0], why).to.contain(why);
      }
      const loose = editDoc(central, "siem-reader", "assumeRolePolicy", (d) => {
        d.Statement[0].Condition = { StringLike: { "sts:ExternalId": "*" } };
      });
      expect(await messages("iam-external-id-pinned", loose)).to.deep.equal([
        'statement "SiemAssumeWithExternalId" tests sts:ExternalId with StringLike, which matches any external ID: any caller of the trusted account passes.',
      ]);
      expect(await messages("iam-external-id-pinned", central)).to.deep.equal([]);
      expect(
        await resourceCheck("iam-external-id-pinned", R, {
          assumeRolePolicy: awsTrust({
            StringEquals: { "sts:ExternalId": "x" },
            StringLike: { "sts:ExternalId": "*" },
          }),
        }),
      ).to.deep.equal([]);
    });

    const GH = "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com";
    const SENTINEL =
      "arn:aws:iam::111111111111:oidc-provider/sts.windows.net/33e01921-4d64-4f8c-a055-5bdaffd5e33d/";
    const SENTINEL_AUD = "api://1462b192-27f7-4cb9-8523-0f4ecb54b47e";
    const WORKSPACE = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    const oidc = (Federated: string, Condition: object) =>
      doc({ Effect: "Allow", Principal: { Federated }, Action: "sts:AssumeRoleWithWebIdentity", Condition });
    const both = async (trust: string) => ({
      pinned: await resourceCheck("iam-web-identity-trust-pinned", R, { assumeRolePolicy: trust }),
      scope: await resourceCheck("iam-web-identity-trust-scope", R, { assumeRolePolicy: trust }),
    });
    const ghAud = { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" };
    const sentinelAud = { "sts.windows.net/33e01921-4d64-4f8c-a055-5bdaffd5e33d/:aud": SENTINEL_AUD };

    it("GitHub: refuses a trust pinned by the session name, or a subject open to any owner", async () => {
      const sessionOnly = await both(
        oidc(GH, { StringEquals: { ...ghAud, "sts:RoleSessionName": "verify" } }),
      );
      expect(sessionOnly.pinned).to.deep.equal([
        "statement 1 trusts GitHub Actions pinned only by sts:RoleSessionName, which the workflow chooses (role-session-name): every GitHub repository can assume the role. Pin token.actions.githubusercontent.com:sub.",
      ]);
      for (const sub of ["*", "repo:*", "repo:*/central-logging:*"])
        expect(
          (
            await both(
              oidc(GH, {
                StringEquals: ghAud,
                StringLike: { "token.actions.githubusercontent.com:sub": sub },
              }),
            )
          ).pinned,
          sub,
        ).to.have.length(1);
      // A pattern inside one owner is a judgment call: advisory only.
      const branches = await both(
        oidc(GH, {
          StringEquals: ghAud,
          StringLike: { "token.actions.githubusercontent.com:sub": "repo:example-org/central-logging:*" },
        }),
      );
      expect(branches.pinned).to.deep.equal([]);
      expect(branches.scope).to.deep.equal([
        "statement 1 pins token.actions.githubusercontent.com by a pattern (repo:example-org/central-logging:*): every identity it matches can assume the role.",
      ]);
      const exact = await both(
        oidc(GH, {
          StringEquals: {
            ...ghAud,
            "token.actions.githubusercontent.com:sub": "repo:example-org/central-logging:ref:refs/heads/main",
          },
        }),
      );
      expect(exact).to.deep.equal({ pinned: [], scope: [] });
    });

    it("Sentinel: refuses a session name that names no workspace, or a trust pinned by the subject only", async () => {
      const wildcard = await both(
        oidc(SENTINEL, {
          StringEquals: sentinelAud,
          StringLike: { "sts:RoleSessionName": "MicrosoftSentinel_*" },
        }),
      );
      expect(wildcard.pinned).to.have.length(1);
      expect(wildcard.pinned[0]).to.contain(
        "every Sentinel workspace of every tenant shares this provider and audience",
      );
      const subOnly = await both(
        oidc(SENTINEL, {
          StringEquals: { ...sentinelAud, "sts.windows.net/33e01921-4d64-4f8c-a055-5bdaffd5e33d/:sub": "x" },
        }),
      );
      expect(subOnly.pinned).to.have.length(1);
      expect(subOnly.pinned[0]).to.contain("without sts:RoleSessionName");
      // Twins: the exact session name, or a pattern that still names the workspace (both prefixes Microsoft used).
      expect(
        await both(
          oidc(SENTINEL, {
            StringEquals: { ...sentinelAud, "sts:RoleSessionName": `MicrosoftSentinel_${WORKSPACE}` },
          }),
        ),
      ).to.deep.equal({ pinned: [], scope: [] });
      expect(
        (
          await both(
            oidc(SENTINEL, {
              StringEquals: sentinelAud,
              StringLike: { "sts:RoleSessionName": `Microsoft*_${WORKSPACE}` },
            }),
          )
        ).pinned,
      ).to.deep.equal([]);
    });

    it("any provider: refuses an audience or a pin that matches anything; a session name alone is advisory", async () => {
      const other = "arn:aws:iam::111111111111:oidc-provider/idp.example.com";
      const audStar = await both(
        oidc(other, {
          StringLike: { "idp.example.com:aud": "*" },
          StringEquals: { "idp.example.com:sub": "svc" },
        }),
      );
      expect(audStar.pinned).to.deep.equal([
        "statement 1 trusts idp.example.com for any audience (StringLike *): tokens issued to any application pass.",
      ]);
      const subStar = await both(
        oidc(other, {
          StringEquals: { "idp.example.com:aud": "a" },
          StringLike: { "idp.example.com:sub": "*" },
        }),
      );
      expect(subStar.pinned).to.have.length(1);
      const sessionOnly = await both(
        oidc(other, { StringEquals: { "idp.example.com:aud": "a", "sts:RoleSessionName": "s" } }),
      );
      expect(sessionOnly.pinned).to.deep.equal([]);
      expect(sessionOnly.scope).to.deep.equal([
        "statement 1 pins idp.example.com by sts:RoleSessionName alone: the pack cannot tell whether that provider's callers choose their session name; pin the subject if they do.",
      ]);
    });

    it("passes the central stack with Microsoft Sentinel's documented trust and GitHub's verifier trust", async () => {
      const sim = await simulate(
        centralSettings({
          siem: {
            trust: "oidc",
            providerArn: SENTINEL,
            audience: SENTINEL_AUD,
            roleSessionName: `MicrosoftSentinel_${WORKSPACE}`,
          },
          verifier: {
            trust: "oidc",
            providerArn: GH,
            audience: "sts.amazonaws.com",
            subject: "repo:example-org/central-logging:ref:refs/heads/main",
          },
        }),
      );
      const rs = runnable(sim.central);
      for (const name of [
        "iam-web-identity-trust-pinned",
        "iam-web-identity-trust-scope",
        "iam-cross-account-trust-condition",
      ])
        expect(await messages(name, rs), name).to.deep.equal([]);
    });
  });

  describe("8. managed policies on the archive's roles", () => {
    const attach = (rs: RunnableResource[], policyArn: string, role = "central-logs-siem-reader") =>
      added(rs, {
        type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        name: `attach-${policyArn.split("/").pop()}`,
        props: { role, policyArn },
      });

    it("judges AWS managed policies by what they grant: AmazonS3FullAccess lets the reader delete logs", async () => {
      const found = await messages(
        "archive-access-model",
        attach(central, "arn:aws:iam::aws:policy/AmazonS3FullAccess"),
      );
      expect(found).to.have.length(4); // three log buckets and the access-log bucket
      expect(found[0]).to.match(
        /^statement 1 of managed policy AmazonS3FullAccess attached to role central-logs-siem-reader lets role central-logs-siem-reader delete log objects or the bucket and change who may access the logs .*s3:DeleteObject/,
      );
    });

    it("sees managedPolicyArns, PowerUserAccess's NotAction and ReadOnlyAccess's queue reads", async () => {
      const admin = edit(
        central,
        "siem-reader",
        (p) => (p.managedPolicyArns = ["arn:aws:iam::aws:policy/AdministratorAccess"]),
      );
      const adminFound = await messages("archive-access-model", admin);
      expect(adminFound.some((m) => /administer the archive key .*kms:ScheduleKeyDeletion/.test(m))).to.equal(
        true,
      );
      const power = await messages(
        "archive-access-model",
        attach(central, "arn:aws:iam::aws:policy/PowerUserAccess"),
      );
      expect(power.some((m) => /change, purge or delete the queue .*sqs:PurgeQueue/.test(m))).to.equal(true);
      const verifierSim = await simulate(
        centralSettings({
          verifier: {
            trust: "oidc",
            providerArn: `arn:aws:iam::${CENTRAL}:oidc-provider/token.actions.githubusercontent.com`,
            audience: "sts.amazonaws.com",
            subject: "repo:o/r:ref:refs/heads/main",
          },
        }),
      );
      const readOnly = await messages(
        "archive-access-model",
        attach(
          runnable(verifierSim.central),
          "arn:aws:iam::aws:policy/ReadOnlyAccess",
          "central-logs-verifier",
        ),
      );
      expect(
        readOnly.some((m) =>
          m.startsWith(
            "statement 1 of managed policy ReadOnlyAccess attached to role central-logs-verifier grants role central-logs-verifier s3:DescribeJob, s3:GetObject, s3:GetObjectVersion,",
          ),
        ),
      ).to.equal(true);
      expect(
        readOnly.some((m) => /sqs:ReceiveMessage on log queue central-logs-cloudtrail,/.test(m)),
      ).to.equal(true);
    });

    it("judges a customer managed policy of the stack from its document; a read-only one passes", async () => {
      const policy = (name: string, Action: string[]) => ({
        type: "aws:iam/policy:Policy",
        name,
        props: {
          name,
          arn: `arn:aws:iam::${CENTRAL}:policy/${name}`,
          policy: doc({
            Effect: "Allow",
            Action,
            Resource: "arn:aws:s3:::central-logs-cloudtrail-example-org/*",
          }),
        },
      });
      const deleting = attach(
        added(central, policy("cleanup", ["s3:DeleteObject"])),
        `arn:aws:iam::${CENTRAL}:policy/cleanup`,
      );
      expect(await messages("archive-access-model", deleting)).to.deep.equal([
        `statement 1 of managed policy arn:aws:iam::${CENTRAL}:policy/cleanup attached to role central-logs-siem-reader lets role central-logs-siem-reader delete log objects or the bucket (s3:DeleteObject) on log bucket central-logs-cloudtrail-example-org: only the archive's administrators may; the reader role may only s3:GetObject, s3:GetObjectVersion.`,
      ]);
      const reading = attach(
        added(central, policy("read", ["s3:GetObject"])),
        `arn:aws:iam::${CENTRAL}:policy/read`,
      );
      expect(await messages("archive-access-model", reading)).to.deep.equal([]);
      expect(await messages("iam-archive-role-managed-policy-known", reading)).to.deep.equal([]);
    });

    it("calls a managed policy it cannot read advisory: cannot judge", async () => {
      const unknownAws = attach(central, "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess");
      expect(await messages("iam-archive-role-managed-policy-known", unknownAws)).to.deep.equal([
        "the reader role central-logs-siem-reader has arn:aws:iam::aws:policy/job-function/ViewOnlyAccess attached (RolePolicyAttachment attach-ViewOnlyAccess), an AWS managed policy the pack has no copy of: the pack cannot tell what it grants on the archive.",
      ]);
      const foreign = attach(central, `arn:aws:iam::${CENTRAL}:policy/made-elsewhere`);
      expect((await messages("iam-archive-role-managed-policy-known", foreign))[0]).to.contain(
        "a customer managed policy this stack does not create",
      );
      expect(await messages("archive-access-model", unknownAws)).to.deep.equal([]);
    });
  });

  describe("9. the TLS deny that does not cover objects", () => {
    it("refuses a deny on the bucket ARN alone; bucket and bucket/* pass", async () => {
      const bucketOnly = editDoc(central, "vpcflowlogs-logs-policy", "policy", (d) => {
        d.Statement.find((s: any) => s.Sid === "DenyInsecureTransport").Resource =
          "arn:aws:s3:::central-logs-vpcflowlogs-example-org";
      });
      expect(await messages("s3-log-bucket-tls-only", bucketOnly)).to.deep.equal([
        "log bucket central-logs-vpcflowlogs-example-org (its policy lets delivery.logs.amazonaws.com write): denies requests without TLS only on arn:aws:s3:::central-logs-vpcflowlogs-example-org, not on its objects (arn:aws:s3:::central-logs-vpcflowlogs-example-org/*): log objects can still be read and written over plain HTTP.",
      ]);
      const star = editDoc(central, "vpcflowlogs-logs-policy", "policy", (d) => {
        d.Statement.find((s: any) => s.Sid === "DenyInsecureTransport").Resource = "*";
      });
      expect(await messages("s3-log-bucket-tls-only", star)).to.deep.equal([]);
      expect(await messages("s3-log-bucket-tls-only", central)).to.deep.equal([]);
    });
  });

  describe("10. the access-log bucket's constraints", () => {
    it("refuses an Object Lock default retention, inline or through BucketObjectLockConfiguration", async () => {
      const lockResource = added(central, {
        type: "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
        name: "access-logs-object-lock",
        props: {
          bucket: "central-logs-access-example-org",
          objectLockEnabled: "Enabled",
          rule: { defaultRetention: { mode: "GOVERNANCE", days: 30 } },
        },
      });
      expect(await messages("s3-access-log-bucket-sse-s3", lockResource)).to.deep.equal([
        "log bucket central-logs-access-example-org (it receives server access logs): has an Object Lock default retention (GOVERNANCE, 30 days, from BucketObjectLockConfiguration access-logs-object-lock); S3 server access logging cannot deliver to it, so every access log is lost.",
      ]);
      const inline = edit(central, "access-logs", (p) => {
        p.objectLockEnabled = true;
        p.objectLockConfiguration = {
          objectLockEnabled: "Enabled",
          rule: { defaultRetention: { mode: "COMPLIANCE", years: 1 } },
        };
      });
      expect((await messages("s3-access-log-bucket-sse-s3", inline))[0]).to.contain(
        "(COMPLIANCE, 1 years, from the bucket's objectLockConfiguration)",
      );
      // Twin: Object Lock enabled without a default retention does not stop delivery (S3 user guide).
      const enabledOnly = edit(central, "access-logs", (p) => (p.objectLockEnabled = true));
      expect(await messages("s3-access-log-bucket-sse-s3", enabledOnly)).to.deep.equal([]);
    });
  });

  it("every new rule has its level pinned: mandatory where logs are lost or trust is open", () => {
    for (const name of NEW_RULES)
      expect(packPolicy(name).enforcementLevel, name).to.equal(
        ["iam-web-identity-trust-scope", "iam-archive-role-managed-policy-known"].includes(name)
          ? "advisory"
          : "mandatory",
      );
  });
});
