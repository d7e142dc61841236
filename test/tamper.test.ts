/**
 * Tamper protection (docs/operations.md, "Tamper protection"): the archive's bucket-policy denies, the
 * tamper alarms and their event patterns, the organization guardrails, and the access matrix and pack
 * rules that prove them. The matrix tests turn cells red by breaking one guardrail at a time.
 */
import { expect } from "chai";
import { GUARDRAIL_POLICY_NAMES } from "../guardrails/guardrails";
import { PolicyDocument } from "../shared/iam";
import { PROTECTED_TAG } from "../shared/tampering";
import { AccessCell, accessMatrix, cellAsIntended } from "../tools/access/accessMatrix";
import { runPlan } from "../tools/plan/plan";
import { SimStack } from "../tools/simulation/simulate";
import { synthesizeOrganization } from "../tools/simulation/synthesize";
import {
  all,
  CENTRAL,
  centralSettings,
  find,
  listSettings,
  MGMT,
  memberSettings,
  ORG,
  packMessages,
  parsed,
  rejects,
  runnable,
  simulate,
  statement,
  WEB,
} from "./helpers";

const WEB_ACL = `arn:aws:wafv2:eu-west-1:${WEB}:regional/webacl/web-app/a1b2c3d4`;
const DEPLOY = `arn:aws:iam::${CENTRAL}:role/central-logging-deploy`;
const BREAK_GLASS = `arn:aws:iam::${CENTRAL}:role/central-logging-break-glass`;

/**
 * EventBridge content filtering, for the operators the stacks use: exact strings, `prefix`, nested
 * objects, and `$or` (EventBridge user guide, event patterns and content filtering).
 */
function matches(pattern: unknown, event: unknown): boolean {
  if (Array.isArray(pattern))
    return pattern.some((p) =>
      typeof p === "object" && p !== null && "prefix" in p
        ? typeof event === "string" && event.startsWith((p as { prefix: string }).prefix)
        : (Array.isArray(event) ? event : [event]).includes(p),
    );
  if (typeof pattern !== "object" || pattern === null) throw new Error("unsupported pattern");
  return Object.entries(pattern).every(([k, v]) =>
    k === "$or"
      ? (v as unknown[]).some((alt) => matches(alt, event))
      : typeof event === "object" && event !== null && k in event && matches(v, (event as any)[k]),
  );
}

const apiCall = (source: string, name: string, detail: Record<string, unknown> = {}) => ({
  "detail-type": "AWS API Call via CloudTrail",
  detail: {
    eventSource: source,
    eventName: name,
    userIdentity: { sessionContext: { sessionIssuer: { userName: "Administrator" } } },
    ...detail,
  },
});

describe("tamper protection: the archive's own defences", () => {
  let central: SimStack;
  before(async () => {
    ({ central } = await simulate(centralSettings()));
  });

  it("denies bucket-setting changes to all but the deploy roles and break-glass, and erasing to all but break-glass", () => {
    for (const name of [
      "cloudtrail-logs-policy",
      "vpcflowlogs-logs-policy",
      "waf-logs-policy",
      "access-logs-policy",
    ]) {
      const doc = parsed(find(central, "aws:s3/bucketPolicy:BucketPolicy", name).inputs.policy);
      const settings = statement(doc, "DenySettingChangesExceptDeployAndBreakGlass");
      expect(settings.Effect).to.equal("Deny");
      expect(settings.Principal).to.equal("*");
      expect(settings.Action).to.include.members([
        "s3:PutBucketPolicy",
        "s3:DeleteBucketPolicy",
        "s3:PutLifecycleConfiguration",
        "s3:PutBucketVersioning",
        "s3:PutBucketObjectLockConfiguration",
        "s3:PutBucketNotification",
        "s3:DeleteBucket",
      ]);
      expect(settings.Condition).to.deep.equal({ ArnNotLike: { "aws:PrincipalArn": [DEPLOY, BREAK_GLASS] } });
      const erase = statement(doc, "DenyErasingLogsExceptBreakGlass");
      expect(erase.Action).to.include.members(["s3:BypassGovernanceRetention", "s3:DeleteObjectVersion"]);
      expect(erase.Resource).to.match(/\/\*$/);
      expect(erase.Condition).to.deep.equal({ ArnNotLike: { "aws:PrincipalArn": BREAK_GLASS } });
    }
  });

  it("never puts a deny in the key policy: KMS has no way back from a lockout", () => {
    const doc = parsed(find(central, "aws:kms/key:Key", "logs-key").inputs.policy);
    expect(doc.Statement.filter((s) => s.Effect === "Deny")).to.deep.equal([]);
  });

  it("takes the deploy role from access.deployRoleArn, and refuses denies with no deploy role to spare", async () => {
    const { central: fromAccess } = await simulate(
      centralSettings({
        tamperProtection: undefined,
        access: { deployRoleArn: `arn:aws:iam::${CENTRAL}:role/ci/pulumi-deploy` },
      }),
    );
    const doc = parsed(find(fromAccess, "aws:s3/bucketPolicy:BucketPolicy", "waf-logs-policy").inputs.policy);
    expect(statement(doc, "DenySettingChangesExceptDeployAndBreakGlass").Condition).to.deep.equal({
      ArnNotLike: { "aws:PrincipalArn": [`arn:aws:iam::${CENTRAL}:role/ci/pulumi-deploy`, BREAK_GLASS] },
    });
    const e = await rejects(simulate(centralSettings({ tamperProtection: undefined })));
    expect(e.message).to.match(
      /^stack "central": config key "central-logging:tamperProtection.deployRoleNames": is required: .*set central-logging:access.deployRoleArn\), or set tamperProtection.bucketPolicyDenies to false$/,
    );
    const { central: off } = await simulate(
      centralSettings({ tamperProtection: { bucketPolicyDenies: false } }),
    );
    const offDoc = parsed(find(off, "aws:s3/bucketPolicy:BucketPolicy", "waf-logs-policy").inputs.policy);
    expect(offDoc.Statement.map((s) => s.Sid)).not.to.include("DenySettingChangesExceptDeployAndBreakGlass");
  });

  it("refuses deploy role names that would not spare the role CI deploys with", async () => {
    const e = await rejects(
      simulate(
        centralSettings({
          tamperProtection: { deployRoleNames: ["someone-else"] },
          access: { deployRoleArn: `arn:aws:iam::${CENTRAL}:role/central-logging-deploy` },
        }),
      ),
    );
    expect(e.message).to.equal(
      'stack "central": config key "central-logging:tamperProtection.deployRoleNames": expected a name that matches the role of access.deployRoleArn (central-logging-deploy): the bucket policies would refuse its next pulumi up; add it to the list',
    );
  });

  it("keeps noncurrent versions at least as long as the Object Lock retention", async () => {
    const e = await rejects(
      simulate(
        centralSettings({
          objectLock: { mode: "GOVERNANCE", retentionDays: 365 },
          lifecycle: { noncurrentExpirationDays: 90 },
        }),
      ),
    );
    expect(e.message).to.equal(
      'stack "central": config key "central-logging:lifecycle.noncurrentExpirationDays": expected at least objectLock.retentionDays (365), got 90: a version made noncurrent (by a delete or an overwrite) must be kept at least as long as its lock',
    );
  });

  it("announces the archive account's tampering calls and every use of break-glass on the encrypted alarm topic", () => {
    const topic = find(central, "aws:sns/topic:Topic").inputs;
    expect(topic.kmsMasterKeyId).to.equal(central.outputs.archive.keyArn);
    const rule = find(central, "aws:cloudwatch/eventRule:EventRule", "tamper-archive-events").inputs;
    expect(rule.eventBusName).to.equal(undefined); // the default bus, where CloudTrail delivers
    const pattern = JSON.parse(rule.eventPattern);
    const bucket = central.outputs.archive.logs.cloudtrail.bucketName;
    const onBucket = { requestParameters: { bucketName: bucket } };
    const announced: [string, string, Record<string, unknown>][] = [
      ["s3.amazonaws.com", "PutBucketPolicy", onBucket],
      ["s3.amazonaws.com", "DeleteBucketPolicy", onBucket],
      ["s3.amazonaws.com", "PutBucketLifecycle", onBucket],
      ["s3.amazonaws.com", "PutBucketVersioning", onBucket],
      ["s3.amazonaws.com", "PutObjectLockConfiguration", onBucket],
      ["s3.amazonaws.com", "DeleteBucket", onBucket],
      ["kms.amazonaws.com", "ScheduleKeyDeletion", {}],
      ["kms.amazonaws.com", "DisableKey", {}],
      ["kms.amazonaws.com", "PutKeyPolicy", {}],
      ["sqs.amazonaws.com", "DeleteQueue", {}],
      ["sqs.amazonaws.com", "PurgeQueue", {}],
      ["sqs.amazonaws.com", "SetQueueAttributes", {}],
    ];
    for (const [source, name, detail] of announced)
      expect(matches(pattern, apiCall(source, name, detail)), name).to.equal(true);
    expect(
      matches(
        pattern,
        apiCall("s3.amazonaws.com", "PutBucketPolicy", { requestParameters: { bucketName: "other" } }),
      ),
    ).to.equal(false);
    expect(matches(pattern, apiCall("s3.amazonaws.com", "GetBucketPolicy", onBucket))).to.equal(false);
    const asBreakGlass = apiCall("ec2.amazonaws.com", "RunInstances", {
      userIdentity: { sessionContext: { sessionIssuer: { userName: "central-logging-break-glass" } } },
    });
    expect(matches(pattern, asBreakGlass)).to.equal(true);
    const target = all(central, "aws:cloudwatch/eventTarget:EventTarget").find(
      (t) => t.name === "tamper-archive-events-to-topic",
    )!.inputs;
    expect(target.arn).to.equal(find(central, "aws:sns/topic:Topic").state.arn);
    expect(target.roleArn).to.equal(undefined); // SNS targets use the topic policy, never a role
    const topicPolicy = parsed(find(central, "aws:sns/topicPolicy:TopicPolicy").inputs.policy);
    expect(statement(topicPolicy, "EventBridgeRulesPublish").Principal).to.deep.equal({
      Service: "events.amazonaws.com",
    });
    expect(
      statement(parsed(find(central, "aws:kms/key:Key").inputs.policy), "EventBridgeToEncryptedTopic"),
    ).to.include({
      Resource: "*",
    });
  });

  it("admits only the organization, or the listed members' forwarding roles, to its event bus", async () => {
    const org = parsed(find(central, "aws:cloudwatch/eventBusPolicy:EventBusPolicy").inputs.policy);
    // Only the forwarding roles, never any principal of the organization: no flood of forged events.
    expect(statement(org, "MembersForwardTamperEvents").Condition).to.deep.equal({
      StringEquals: { "aws:PrincipalOrgID": ORG },
      ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/central-logging-tamper-events-*" },
    });
    const fromMembers = JSON.parse(
      find(central, "aws:cloudwatch/eventRule:EventRule", "tamper-member-events").inputs.eventPattern,
    );
    expect(fromMembers.source).to.deep.equal([{ prefix: "aws." }]);
    const { central: list } = await simulate(listSettings());
    const listed = parsed(find(list, "aws:cloudwatch/eventBusPolicy:EventBusPolicy").inputs.policy);
    expect(statement(listed, "MembersForwardTamperEvents").Condition).to.deep.equal({
      StringEquals: { "aws:PrincipalAccount": [MGMT, WEB] },
      ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/central-logging-tamper-events-*" },
    });
  });

  it("stops the preview when the account list outgrows the event bus policy, naming the setting to raise", async () => {
    const accounts = Array.from({ length: 60 }, (_, i) => String(100000000000 + i));
    const e = await rejects(
      simulate(
        listSettings({
          memberAccountIds: accounts,
          tamperProtection: { deployRoleNames: ["central-logging-deploy"], eventBusPolicyLimit: 512 },
        }),
      ),
    );
    expect(e.message).to.contain("event bus policy");
    expect(e.message).to.contain("eventBusPolicyLimit");
  });
});

describe("tamper protection: what a member forwards", () => {
  it("forwards its trail, flow-log, WAF-logging and staging-bucket tampering to the archive's bus, and tags what the guardrails protect by tag", async () => {
    const { central, members } = await simulate(centralSettings(), {
      web: {
        account: WEB,
        settings: memberSettings({
          flowLogs: { vpcIds: ["vpc-0123456789abcdef0"] },
          waf: { webAclArns: [WEB_ACL] },
        }),
      },
    });
    const web = members.web;
    const rule = find(web, "aws:cloudwatch/eventRule:EventRule", "tamper-events").inputs;
    const pattern = JSON.parse(rule.eventPattern);
    const staging = find(web, "aws:s3/bucket:Bucket", "waf-staging").inputs.bucket;
    for (const [source, name, detail] of [
      // One permission authorizes both: s3:PutReplicationConfiguration covers DeleteBucketReplication.
      ["s3.amazonaws.com", "DeleteBucketReplication", { requestParameters: { bucketName: staging } }],
      ["s3.amazonaws.com", "DeleteBucketLifecycle", { requestParameters: { bucketName: staging } }],
      ["cloudtrail.amazonaws.com", "StopLogging", {}],
      ["cloudtrail.amazonaws.com", "DeleteTrail", {}],
      ["cloudtrail.amazonaws.com", "UpdateTrail", {}],
      ["cloudtrail.amazonaws.com", "PutEventSelectors", {}],
      ["ec2.amazonaws.com", "DeleteFlowLogs", {}],
      ["wafv2.amazonaws.com", "DeleteLoggingConfiguration", {}],
      ["s3.amazonaws.com", "PutBucketReplication", { requestParameters: { bucketName: staging } }],
    ] as [string, string, Record<string, unknown>][])
      expect(matches(pattern, apiCall(source, name, detail)), name).to.equal(true);
    expect(
      matches(
        pattern,
        apiCall("s3.amazonaws.com", "PutBucketReplication", { requestParameters: { bucketName: "x" } }),
      ),
    ).to.equal(false);
    const target = find(web, "aws:cloudwatch/eventTarget:EventTarget", "tamper-events-to-archive").inputs;
    expect(target.arn).to.equal(central.outputs.archive.tamperProtection.eventBusArn);
    const role = find(web, "aws:iam/role:Role", "tamper-events-forwarder");
    expect(target.roleArn).to.equal(role.state.arn);
    expect(role.inputs.name).to.equal("central-logging-tamper-events-eu-west-1");
    expect(parsed(role.inputs.assumeRolePolicy).Statement[0].Principal).to.deep.equal({
      Service: "events.amazonaws.com",
    });
    const permissions = parsed(
      find(web, "aws:iam/rolePolicy:RolePolicy", "tamper-events-forwarder-permissions").inputs.policy,
    );
    expect(permissions.Statement).to.deep.equal([
      {
        Sid: "PutEventsOnArchiveBus",
        Effect: "Allow",
        Action: "events:PutEvents",
        Resource: central.outputs.archive.tamperProtection.eventBusArn,
      },
    ]);
    expect(find(web, "aws:ec2/flowLog:FlowLog").inputs.tags[PROTECTED_TAG]).to.equal("true");
    expect(find(web, "aws:kms/key:Key", "waf-staging-key").inputs.tags[PROTECTED_TAG]).to.equal("true");
  });
});

describe("tamper protection: the organization guardrails", () => {
  let stacks: SimStack[];
  const policyOf = (s: SimStack[], name: string) =>
    JSON.parse(
      s
        .flatMap((x) => x.resources)
        .find((r) => r.type === "aws:organizations/policy:Policy" && r.inputs.name === name)!.inputs.content,
    ) as PolicyDocument;
  before(async () => {
    stacks = (await runPlan({ stacksDir: "." })).stacks;
  });

  it("deploys the member SCP, the archive SCP and the RCP from the management stack, to the targets config names", () => {
    const management = stacks.find((s) => s.name === "management")!;
    const types = all(management, "aws:organizations/policy:Policy").map((r) => [
      r.inputs.name,
      r.inputs.type,
    ]);
    expect(types).to.deep.equal([
      [GUARDRAIL_POLICY_NAMES.member, "SERVICE_CONTROL_POLICY"],
      [GUARDRAIL_POLICY_NAMES.archive, "SERVICE_CONTROL_POLICY"],
      [GUARDRAIL_POLICY_NAMES.archiveHandOff, "SERVICE_CONTROL_POLICY"],
      [GUARDRAIL_POLICY_NAMES.resourceControl, "RESOURCE_CONTROL_POLICY"],
    ]);
    const targets = all(management, "aws:organizations/policyAttachment:PolicyAttachment").map(
      (r) => r.inputs.targetId,
    );
    expect(targets).to.deep.equal(["ou-a1b2-c3d4e5f6", CENTRAL, CENTRAL, CENTRAL]);
    for (const r of all(management, "aws:organizations/policy:Policy"))
      expect(r.inputs.content.length, r.inputs.name).to.be.at.most(5120);
  });

  it("names every call the issue lists, and spares the deploy roles and break-glass in every SCP statement", () => {
    const member = policyOf(stacks, GUARDRAIL_POLICY_NAMES.member);
    const archiveDocs = [
      policyOf(stacks, GUARDRAIL_POLICY_NAMES.archive),
      policyOf(stacks, GUARDRAIL_POLICY_NAMES.archiveHandOff),
    ];
    const archive: PolicyDocument = {
      Version: "2012-10-17",
      Statement: archiveDocs.flatMap((d) => d.Statement),
    };
    const actions = (d: PolicyDocument) => d.Statement.flatMap((s) => [s.Action ?? []].flat());
    expect(actions(member)).to.include.members([
      "cloudtrail:StopLogging",
      "cloudtrail:DeleteTrail",
      "cloudtrail:UpdateTrail",
      "cloudtrail:PutEventSelectors",
      "ec2:DeleteFlowLogs",
      "wafv2:DeleteLoggingConfiguration",
      "s3:PutReplicationConfiguration",
      "s3:PutLifecycleConfiguration",
      "s3:PutBucketPolicy",
      "s3:PutEncryptionConfiguration",
      "iam:UpdateAssumeRolePolicy",
      "iam:PutRolePolicy",
    ]);
    expect(actions(archive)).to.include.members([
      "s3:PutBucketPolicy",
      "s3:DeleteBucketPolicy",
      "s3:PutLifecycleConfiguration",
      "s3:PutBucketVersioning",
      "s3:PutBucketObjectLockConfiguration",
      "s3:PutBucketNotification",
      "s3:DeleteBucket",
      "s3:BypassGovernanceRetention",
      "kms:PutKeyPolicy",
      "kms:ScheduleKeyDeletion",
      "kms:DisableKey",
      "kms:DisableKeyRotation",
      "sqs:DeleteQueue",
      "sqs:PurgeQueue",
      "sqs:SetQueueAttributes",
      "sqs:DeleteMessage",
      "organizations:LeaveOrganization",
    ]);
    expect(actions(member)).to.include("organizations:LeaveOrganization");
    for (const doc of [member, archive])
      for (const s of doc.Statement) {
        expect(s.Effect, s.Sid).to.equal("Deny");
        if (s.Sid === "StayInTheOrganization") {
          expect(s.Condition, "no one may leave").to.equal(undefined);
          continue;
        }
        const spared = [(s.Condition as any).ArnNotLike["aws:PrincipalArn"]].flat();
        expect(
          spared.some((a: string) => a.endsWith(":role/central-logging-break-glass")),
          s.Sid,
        ).to.equal(true);
        if (s.Sid !== "KeepLogObjectsExceptBreakGlass")
          expect(
            spared.some((a: string) => a.endsWith(":role/central-logging-deploy")),
            s.Sid,
          ).to.equal(true);
      }
    const rcp = policyOf(stacks, GUARDRAIL_POLICY_NAMES.resourceControl);
    expect(rcp.Statement[0].Condition).to.deep.equal({
      StringNotEqualsIfExists: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" },
      Bool: { "aws:PrincipalIsAWSService": "false" },
    });
  });

  it("refuses guardrails when the central stack has no organization", async () => {
    const e = await rejects(
      simulate(listSettings(), {
        mgmt: { account: MGMT, settings: memberSettings({ guardrails: { memberTargets: ["r-a1b2"] } }) },
      }),
    );
    expect(e.message).to.match(
      /^stack "mgmt": config key "central-logging:guardrails": needs organization mode/,
    );
  });

  it("fits AWS's 5,120-character SCP limit whatever the number of accounts, in a plan that stays clean", async () => {
    const files = synthesizeOrganization(20, "organization");
    // The first member is the management account: it deploys the guardrails, to the root.
    files[1].raw["central-logging:guardrails"] = JSON.stringify({
      memberTargets: ["r-a1b2"],
      resourceControlPolicy: true,
    });
    const r = await runPlan({ stackFiles: files, sampleMembers: 3 });
    expect(r.violations.filter((v) => v.level === "mandatory")).to.deep.equal([]);
    expect(r.access.filter((c) => !cellAsIntended(c)).map((c) => `${c.who}: ${c.scenario}`)).to.deep.equal(
      [],
    );
    const guardrails = r.policySizes.filter((p) => p.kind === "organization");
    expect(guardrails).to.have.length(4);
    for (const p of guardrails) expect(p.bytes, p.resource).to.be.at.most(5120);
  });
});

describe("tamper protection: proofs that break when a guardrail does", () => {
  let base: SimStack[];
  before(async () => {
    base = (await runPlan({ stacksDir: "." })).stacks;
  });

  /** The example organization with one organization policy rewritten. */
  function withPolicy(name: string, change: (doc: PolicyDocument) => void): SimStack[] {
    const copy = JSON.parse(JSON.stringify(base)) as SimStack[];
    const r = copy
      .flatMap((s) => s.resources)
      .find((x) => x.inputs.name === name && x.type === "aws:organizations/policy:Policy")!;
    const doc = JSON.parse(r.inputs.content) as PolicyDocument;
    change(doc);
    r.inputs.content = JSON.stringify(doc);
    r.state.content = r.inputs.content;
    return copy;
  }
  const red = async (stacks: SimStack[]): Promise<AccessCell[]> =>
    (await accessMatrix(stacks)).filter((c) => !cellAsIntended(c));
  const describeCell = (c: AccessCell) => `${c.who}: ${c.scenario}`;

  it("the example is as intended: every delivery path under the SCPs and the RCP, every tampering call denied to an administrator", async () => {
    const cells = await accessMatrix(base);
    expect(cells.filter((c) => !cellAsIntended(c)).map(describeCell)).to.deep.equal([]);
    const delivery = cells.filter(
      (c) =>
        c.expected === "Allowed" &&
        /CloudTrail for|log delivery service|WAF replication role|S3 for its own|SIEM reader role/.test(
          c.who,
        ),
    );
    expect(delivery.length).to.be.greaterThan(20);
    // Each under the RCP on the archive's resources and the SCPs over its principal's account (all of them
    // for a service principal, though AWS applies none: the stricter proof).
    for (const c of delivery.filter((x) => x.principal !== "anonymous")) {
      if (
        c.resource.includes(":111111111111:") ||
        c.resource.includes("central-logs-") ||
        c.resource.includes("-central-")
      )
        expect(c.organizationPolicies, describeCell(c)).to.include(GUARDRAIL_POLICY_NAMES.resourceControl);
      expect(
        c.organizationPolicies.some((x) => x !== GUARDRAIL_POLICY_NAMES.resourceControl),
        describeCell(c),
      ).to.equal(true);
    }
    const admin = cells.filter((c) => c.who.includes("(the log-archive account's administrator"));
    expect(admin.length).to.be.greaterThan(30);
    expect(admin.every((c) => c.actual !== "Allowed")).to.equal(true);
  });

  it("turns red if the deploy role is no longer spared", async () => {
    const stacks = withPolicy(GUARDRAIL_POLICY_NAMES.archive, (doc) => {
      for (const s of doc.Statement) {
        const c = s.Condition as any;
        if (!c) continue;
        c.ArnNotLike["aws:PrincipalArn"] = [c.ArnNotLike["aws:PrincipalArn"]]
          .flat()
          .filter((a: string) => !a.endsWith("central-logging-deploy"));
      }
    });
    const wrong = await red(stacks);
    expect(wrong.length).to.be.greaterThan(10);
    expect(wrong.every((c) => c.who.includes("central-logging-deploy") && c.expected === "Allowed")).to.equal(
      true,
    );
  });

  it("turns red if a listed tampering call is left out of the archive SCP", async () => {
    const stacks = withPolicy(GUARDRAIL_POLICY_NAMES.archive, (doc) => {
      const key = doc.Statement.find((s) => s.Sid === "KeepArchiveKey")!;
      key.Action = [key.Action!].flat().filter((a) => a !== "kms:ScheduleKeyDeletion");
    });
    expect((await red(stacks)).map((c) => c.scenario)).to.deep.equal([
      "ScheduleKeyDeletion on the archive key",
    ]);
  });

  it("turns red if a member's administrator may stop its trail", async () => {
    const stacks = withPolicy(GUARDRAIL_POLICY_NAMES.member, (doc) => {
      doc.Statement = doc.Statement.filter((s) => s.Sid !== "KeepTrailsLogging");
    });
    expect((await red(stacks)).map((c) => c.scenario)).to.deep.equal([
      "StopLogging on its trail central-logging",
      "DeleteTrail on its trail central-logging",
      "UpdateTrail on its trail central-logging",
      "PutEventSelectors on its trail central-logging",
    ]);
  });

  it("turns the delivery paths red, and the pack refuses it, if the RCP stops excluding AWS services", async () => {
    const stacks = withPolicy(GUARDRAIL_POLICY_NAMES.resourceControl, (doc) => {
      delete (doc.Statement[0].Condition as any).Bool;
    });
    const wrong = await red(stacks);
    const who = new Set(wrong.map((c) => c.who.split(" for ")[0]));
    expect([...who]).to.include.members(["CloudTrail", "The log delivery service", "S3"]);
    const management = stacks.find((s) => s.name === "management")!;
    const messages = await packMessages("organization-guardrails-keep-delivery", runnable(management));
    expect(messages).to.deep.equal([
      "RCP central-logging-archive-perimeter statement KeepArchiveInsideTheOrganization denies s3:PutObject, s3:GetBucketAcl, s3:ListBucket, kms:GenerateDataKey, kms:Encrypt, kms:Decrypt, kms:DescribeKey, sqs:SendMessage without excluding service principals (aws:PrincipalIsAWSService false): RCPs apply to CloudTrail, the log delivery service and S3, so their deliveries can be refused, silently.",
    ]);
  });

  it("turns WAF replication red, and the pack refuses it, if an SCP denies replicas to every role", async () => {
    const stacks = withPolicy(GUARDRAIL_POLICY_NAMES.member, (doc) => {
      doc.Statement.push({ Sid: "NoReplicas", Effect: "Deny", Action: "s3:Replicate*", Resource: "*" });
    });
    const wrong = await red(stacks);
    expect(wrong.map((c) => c.scenario)).to.include("replicates a WAF log object under its own prefix");
    const management = stacks.find((s) => s.name === "management")!;
    const messages = await packMessages("organization-guardrails-keep-delivery", runnable(management));
    expect(messages).to.deep.equal([
      "SCP central-logging-member-guardrails statement NoReplicas denies s3:ReplicateObject, s3:ReplicateTags to the WAF replication roles (central-logging-waf-replication-<region>) too: WAF logs would stop replicating into the archive.",
    ]);
  });

  it("turns red if a member deploys with a role the guardrails do not spare", async () => {
    const stacks = JSON.parse(JSON.stringify(base)) as SimStack[];
    const web = stacks.find((s) => s.name === "workload-web")!;
    (web.config as any).settings.access.deployRoleArn = `arn:aws:iam::${WEB}:role/team-pipeline`;
    const wrong = (await red(stacks)).map(describeCell);
    expect(wrong.every((w) => w.startsWith(`arn:aws:iam::${WEB}:role/team-pipeline `))).to.equal(true);
    expect(wrong).to.include(
      `arn:aws:iam::${WEB}:role/team-pipeline (the deploy role of stack workload-web, access.deployRoleArn): updates its account trail's event selectors, as pulumi up may`,
    );
  });

  it("never counts a cell the evaluator could not evaluate (an unknown action) as intended", () => {
    const cell = {
      expected: "Denied",
      actual: "ImplicitlyDenied",
      error: '{"message":"invalid.action"}',
    } as unknown as AccessCell;
    expect(cellAsIntended(cell)).to.equal(false);
    expect(cellAsIntended({ ...cell, error: undefined })).to.equal(true);
    expect(cellAsIntended({ ...cell, error: undefined, explicitDeny: true })).to.equal(false);
  });

  it("says plainly, without the guardrails, that the archive's key and queues are open to its administrator", async () => {
    const stacks = JSON.parse(JSON.stringify(base)) as SimStack[];
    const management = stacks.find((s) => s.name === "management")!;
    management.resources = management.resources.filter((r) => r.type !== "aws:organizations/policy:Policy");
    const wrong = await red(stacks);
    // Without Organizations policies the matrix drops the member and perimeter cells; the bucket policies
    // still refuse the bucket calls, and the key and queue calls are intended (and shown) open.
    expect(wrong).to.deep.equal([]);
    const cells = await accessMatrix(stacks);
    const key = cells.find(
      (c) => c.scenario === "ScheduleKeyDeletion on the archive key" && c.who.includes("administrator"),
    )!;
    expect(key).to.include({ expected: "Allowed", actual: "Allowed" });
    expect(key.why).to.contain("without AWS Organizations no SCP guards the key");
  });
});

describe("tamper protection: pack rules on organization policies", () => {
  const policyResource = (type: string, content: object) => ({
    type: "aws:organizations/policy:Policy",
    name: "p",
    urn: "urn:pulumi:mgmt::central-logging::aws:organizations/policy:Policy::p",
    props: { name: "custom", type, content: JSON.stringify(content) },
  });

  it("accepts AWS's example RCP shape and refuses one that does not spare services", async () => {
    const rcp = (condition: object) =>
      policyResource("RESOURCE_CONTROL_POLICY", {
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "Perimeter",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: "*",
            Condition: condition,
          },
        ],
      });
    expect(
      await packMessages("organization-guardrails-keep-delivery", [
        rcp({
          StringNotEqualsIfExists: { "aws:PrincipalOrgID": ORG },
          Bool: { "aws:PrincipalIsAWSService": "false" },
        }),
      ] as any),
    ).to.deep.equal([]);
    expect(
      await packMessages("organization-guardrails-keep-delivery", [
        rcp({ StringNotEqualsIfExists: { "aws:SourceOrgID": ORG }, Null: { "aws:SourceAccount": "false" } }),
      ] as any),
    ).to.have.length(1);
  });

  it("advises when an SCP that guards the project's resources spares no deploy role", async () => {
    const scp = (condition?: object) =>
      policyResource("SERVICE_CONTROL_POLICY", {
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "KeepTrails",
            Effect: "Deny",
            Action: "cloudtrail:StopLogging",
            Resource: "*",
            ...(condition ? { Condition: condition } : {}),
          },
        ],
      });
    expect(await packMessages("organization-guardrails-spare-deployments", [scp()] as any)).to.deep.equal([
      "SCP custom statement KeepTrails spares no principal by aws:PrincipalArn: it will lock out your own deployments.",
    ]);
    const spared = scp({ ArnNotLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/other" } });
    expect(
      await packMessages("organization-guardrails-spare-deployments", [spared] as any, {
        deployRoleArns: ["arn:aws:iam::*:role/central-logging-deploy"],
      }),
    ).to.deep.equal([
      "SCP custom statement KeepTrails does not spare the deploy role arn:aws:iam::*:role/central-logging-deploy: it will lock out your own deployments.",
    ]);
  });
});
