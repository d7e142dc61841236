/**
 * The access matrix's tampering cells: an account administrator (AdministratorAccess, `*` on `*`) cannot
 * make any call of shared/tampering.ts against the archive or against what feeds it, while the deploy
 * roles and break-glass can; an outsider whom a careless resource policy lets in is stopped by the
 * archive's resource control policy. Every cell is built from the request-context table like the others,
 * and evaluated under the organization policies the guardrails stack deploys (guardrails/).
 *
 * Without AWS Organizations (account-list mode) only the bucket policies' own denies stand: the key and
 * queue calls stay open to the archive account's administrators, and the cells say so.
 */
import { CentralArchiveOutputs } from "../../shared/contract";
import { PolicyDocument } from "../../shared/iam";
import { arn, LogType, TAMPER_RULE_NAME, wafReplicationRoleName } from "../../shared/naming";
import {
  ARCHIVE_BUCKET_CALLS,
  ARCHIVE_KEY_CALLS,
  ARCHIVE_OBJECT_CALLS,
  ARCHIVE_QUEUE_CALLS,
  FLOW_LOG_CALLS,
  PROTECTED_TAG,
  ROLE_CALLS,
  STAGING_BUCKET_CALLS,
  STAGING_KEY_CALLS,
  TamperingCall,
  TRAIL_CALLS,
  WAF_LOGGING_CALLS,
} from "../../shared/tampering";
import { RequestFacts } from "../../shared/requestContexts";
import { SimStack } from "../simulation/simulate";
import type { CellFunction, Expected, Identity } from "./accessMatrix";

export interface OrganizationPolicies {
  /** The stack that deploys them (a member stack in the management account), and its account. */
  stack: string;
  account: string;
  /** The targets (root, OU or account IDs) each policy is attached to, by policy name. */
  targets: Map<string, string[]>;
  serviceControlPolicies: { name: string; policy: PolicyDocument }[];
  resourceControlPolicies: { name: string; policy: PolicyDocument }[];
}

/** The SCPs and RCPs a guardrails stack of the simulated organization creates, parsed back. */
export function organizationPoliciesOf(stacks: SimStack[]): OrganizationPolicies | undefined {
  for (const s of stacks) {
    const policies = s.resources.filter((r) => r.type === "aws:organizations/policy:Policy");
    if (!policies.length) continue;
    const of = (type: string) =>
      policies
        .filter((r) => r.inputs.type === type)
        .map((r) => ({
          name: r.inputs.name as string,
          policy: JSON.parse(r.inputs.content) as PolicyDocument,
        }));
    const targets = new Map<string, string[]>();
    for (const r of s.resources.filter(
      (x) => x.type === "aws:organizations/policyAttachment:PolicyAttachment",
    )) {
      const target = r.inputs.targetId as string;
      const policyName = r.name.slice(0, -(target.length + 1));
      targets.set(policyName, [...(targets.get(policyName) ?? []), target]);
    }
    return {
      stack: s.name,
      account: s.config.accountId,
      targets,
      serviceControlPolicies: of("SERVICE_CONTROL_POLICY"),
      resourceControlPolicies: of("RESOURCE_CONTROL_POLICY"),
    };
  }
  return undefined;
}

const ADMINISTRATOR: Identity = {
  name: "AdministratorAccess",
  policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
};

export interface TamperingCellsInput {
  cell: CellFunction;
  stacks: SimStack[];
  archive: CentralArchiveOutputs;
  members: { account: string; stack: string }[];
  organization?: OrganizationPolicies;
  bucketPolicy: (t: LogType) => PolicyDocument;
  keyPolicy: PolicyDocument;
  objectIn: (t: LogType, key: string) => string;
}

interface Target {
  what: string;
  resource: string;
  resourcePolicy?: PolicyDocument;
  facts?: RequestFacts;
}

export async function tamperingCells(input: TamperingCellsInput): Promise<void> {
  const { cell, stacks, archive: a, members, organization, bucketPolicy, keyPolicy, objectIn } = input;
  const p = a.partition;
  const acct = a.accountId;
  const region = a.region;
  const org = a.organizationId;
  const tp = a.tamperProtection;
  const central = stacks.find((s) => s.role === "central")!;
  const guarded = organization !== undefined;

  const roleFacts = (principal: string, account: string, extra: RequestFacts = {}): RequestFacts => ({
    secureTransport: "true",
    principalArn: principal,
    principalAccount: account,
    ...(org ? { principalOrgId: org } : {}),
    ...extra,
  });
  const run = async (
    who: string,
    principal: string,
    account: string,
    calls: TamperingCall[],
    target: Target,
    expected: Expected,
    why: string,
    withoutOrganizationPolicies = false,
  ) => {
    for (const c of calls)
      await cell({
        who,
        scenario: `${c.action.split(":")[1]} on ${target.what}${withoutOrganizationPolicies ? " (no SCP attached)" : ""}`,
        why,
        expected,
        as: "iam",
        principal,
        action: c.action,
        resource: target.resource,
        resourceAccount: account,
        facts: roleFacts(principal, account, target.facts),
        resourcePolicy: target.resourcePolicy,
        identity: [ADMINISTRATOR],
        withoutOrganizationPolicies,
        // A tampering call must meet a deny statement, never merely a missing grant.
        explicitDeny: expected === "Denied",
      });
  };

  // ---------------------------------------------------------------- The log-archive account
  const queuePolicy = (t: LogType) =>
    JSON.parse(
      central.resources.find(
        (r) => r.type === "aws:sqs/queuePolicy:QueuePolicy" && r.name === `${t}-queue-policy`,
      )!.inputs.policy,
    ) as PolicyDocument;
  const accessLogPolicy = central.resources.find((r) => r.name === "access-logs-policy");
  const archiveBucket: Target = {
    what: "the CloudTrail log bucket",
    resource: a.logs.cloudtrail.bucketArn,
    resourcePolicy: bucketPolicy("cloudtrail"),
  };
  const otherBuckets: Target[] = [
    ...(["vpcflowlogs", "waf"] as LogType[]).map((t) => ({
      what: `the ${t} log bucket`,
      resource: a.logs[t].bucketArn,
      resourcePolicy: bucketPolicy(t),
    })),
    ...(accessLogPolicy
      ? [
          {
            what: "the access-log bucket",
            resource: a.accessLogBucket.bucketArn,
            resourcePolicy: JSON.parse(accessLogPolicy.inputs.policy) as PolicyDocument,
          },
        ]
      : []),
  ];
  const logObject: Target = {
    what: "a CloudTrail log object",
    resource: objectIn("cloudtrail", `AWSLogs/${members[0]?.account ?? acct}/CloudTrail/${region}/x.json.gz`),
    resourcePolicy: bucketPolicy("cloudtrail"),
  };
  const key: Target = { what: "the archive key", resource: a.keyArn, resourcePolicy: keyPolicy };
  const queue: Target = {
    what: "the CloudTrail queue",
    resource: a.logs.cloudtrail.queueArn,
    resourcePolicy: queuePolicy("cloudtrail"),
  };
  const bucketDenies = central.resources.some(
    (r) =>
      r.type === "aws:s3/bucketPolicy:BucketPolicy" &&
      (r.inputs.policy as string).includes("DenySettingChangesExceptDeployAndBreakGlass"),
  );

  const admin = arn.role(p, acct, "Administrator");
  const adminWho = `${admin} (the log-archive account's administrator, AdministratorAccess)`;
  const guardedWhy = (by: string) =>
    guarded
      ? `the guardrail SCPs deny it to everyone but ${by}`
      : `the bucket policy denies it to everyone but ${by}`;
  const deployAndBreakGlass = "the deploy roles and break-glass";
  if (guarded || bucketDenies) {
    await run(
      adminWho,
      admin,
      acct,
      ARCHIVE_BUCKET_CALLS,
      archiveBucket,
      "Denied",
      guardedWhy(deployAndBreakGlass),
    );
    for (const b of otherBuckets)
      await run(
        adminWho,
        admin,
        acct,
        ARCHIVE_BUCKET_CALLS.slice(0, 1),
        b,
        "Denied",
        guardedWhy(deployAndBreakGlass),
      );
    await run(adminWho, admin, acct, ARCHIVE_OBJECT_CALLS, logObject, "Denied", guardedWhy("break-glass"));
  }
  if (guarded && bucketDenies) {
    // Defence in depth: the same calls with no SCP attached, refused by the bucket policy alone.
    await run(
      adminWho,
      admin,
      acct,
      ARCHIVE_BUCKET_CALLS,
      archiveBucket,
      "Denied",
      `the bucket policy denies it to everyone but ${deployAndBreakGlass}, SCP or not`,
      true,
    );
    await run(
      adminWho,
      admin,
      acct,
      ARCHIVE_OBJECT_CALLS,
      logObject,
      "Denied",
      "the bucket policy denies it to everyone but break-glass, SCP or not",
      true,
    );
  }
  for (const [calls, target] of [
    [ARCHIVE_KEY_CALLS, key],
    [ARCHIVE_QUEUE_CALLS, queue],
  ] as const)
    await run(
      adminWho,
      admin,
      acct,
      calls,
      target,
      guarded ? "Denied" : "Allowed",
      guarded
        ? guardedWhy(deployAndBreakGlass)
        : "without AWS Organizations no SCP guards the key or queues (and a key policy never denies: KMS has no way back from a lockout); the tamper alarm announces the call",
    );

  // Calls beside the lists, each one way around the guardrails above.
  if (guarded) {
    const topic = a.tamperProtection.alarmTopicArn;
    const extra: [string, string, string, string][] = [
      [
        "organizations:LeaveOrganization",
        "*",
        "leaves the organization, and every SCP with it",
        "StayInTheOrganization: no exemption",
      ],
      [
        "sqs:ReceiveMessage",
        a.logs.cloudtrail.queueArn,
        "receives the SIEM's messages",
        "only the SIEM reader consumes the queues",
      ],
      [
        "sqs:DeleteMessage",
        a.logs.cloudtrail.queueArn,
        "deletes the SIEM's messages one by one",
        "only the SIEM reader consumes the queues",
      ],
      [
        "iam:DeleteOpenIDConnectProvider",
        `arn:${p}:iam::${acct}:oidc-provider/token.actions.githubusercontent.com`,
        "deletes the GitHub OIDC provider the deploy roles trust",
        "the provider stays: without it no deployment runs",
      ],
      ...(topic
        ? ([
            ["sns:Unsubscribe", topic, "unsubscribes from the alarm topic", "the alarms' subscriptions stay"],
            [
              "cloudwatch:DeleteAlarms",
              `arn:${p}:cloudwatch:${region}:${acct}:alarm:central-logs-cloudtrail-dead-letters`,
              "deletes a delivery alarm",
              "the delivery alarms stay",
            ],
          ] as [string, string, string, string][])
        : []),
    ];
    for (const [action, resource, scenario, why] of extra)
      await cell({
        who: adminWho,
        scenario,
        why: `the guardrail SCPs deny it: ${why}`,
        expected: "Denied",
        explicitDeny: true,
        as: "iam",
        principal: admin,
        action,
        resource,
        resourceAccount: acct,
        facts: roleFacts(admin, acct),
        identity: [ADMINISTRATOR],
      });
  }

  const exempt: [string, string][] = [
    ...tp.deployRoleNames.map(
      (n) => [arn.role(p, acct, n.replace(/[*?]/g, "x")), "a deploy role"] as [string, string],
    ),
    [arn.role(p, acct, tp.breakGlassRoleName), "break-glass"],
  ];
  for (const [role, kind] of exempt) {
    const who = `${role} (${kind} of the log-archive account)`;
    const why = `${kind} is exempt, by aws:PrincipalArn, from every guardrail on the archive's settings`;
    await run(who, role, acct, ARCHIVE_BUCKET_CALLS, archiveBucket, "Allowed", why);
    await run(who, role, acct, ARCHIVE_KEY_CALLS, key, "Allowed", why);
    await run(who, role, acct, ARCHIVE_QUEUE_CALLS, queue, "Allowed", why);
    if (kind === "break-glass" || guarded || bucketDenies)
      await run(
        who,
        role,
        acct,
        ARCHIVE_OBJECT_CALLS,
        logObject,
        kind === "break-glass" ? "Allowed" : "Denied",
        kind === "break-glass"
          ? "only break-glass may erase a log object or bypass governance retention (and every use is announced)"
          : "the deploy roles change settings, never log objects: only break-glass erases or unlocks one",
      );
  }

  // ---------------------------------------------------------------- A member account
  // SCPs reach member accounts only where AWS Organizations exists; the guardrails need it.
  // Never the management account: no SCP reaches it (its own cell, at the end, says so).
  const management = new Set([
    ...(a.cloudTrail.organizationTrailArn ? [a.cloudTrail.organizationTrailArn.split(":")[4]] : []),
    ...(organization ? [organization.account] : []),
  ]);
  const candidates = stacks.filter(
    (s) =>
      s.role === "member" && members.some((m) => m.stack === s.name) && !management.has(s.config.accountId),
  );
  const member = candidates.find((s) => s.resources.some((r) => r.name === "waf-staging")) ?? candidates[0];
  if (guarded && member) {
    const m = member.config.accountId;
    const settings = member.config.role === "member" ? member.config.settings : undefined;
    const trailName =
      a.cloudTrail.accountTrailArns.find((t) => t.split(":")[4] === m)?.split(":trail/")[1] ??
      a.cloudTrail.accountTrailArns[0]?.split(":trail/")[1] ??
      "central-logging";
    const targets: [TamperingCall[], Target][] = [
      [TRAIL_CALLS, { what: `its trail ${trailName}`, resource: arn.trail(p, region, m, trailName) }],
      [
        FLOW_LOG_CALLS,
        {
          what: "a flow log of the project (tagged)",
          resource: `arn:${p}:ec2:${region}:${m}:vpc-flow-log/fl-0123456789abcdef0`,
          facts: { protectedTag: "true" },
        },
      ],
    ];
    const webAcl = settings?.waf?.webAclArns[0];
    if (webAcl) targets.push([WAF_LOGGING_CALLS, { what: "a web ACL's logging", resource: webAcl }]);
    const staging = member.resources.find((r) => r.name === "waf-staging");
    const stagingKey = member.resources.find((r) => r.name === "waf-staging-key");
    const stagingPolicy = member.resources.find((r) => r.name === "waf-staging-policy");
    if (staging)
      targets.push([
        STAGING_BUCKET_CALLS,
        {
          what: "the WAF staging bucket",
          resource: arn.bucket(p, staging.inputs.bucket),
          ...(stagingPolicy
            ? { resourcePolicy: JSON.parse(stagingPolicy.inputs.policy) as PolicyDocument }
            : {}),
        },
      ]);
    const stagingKeyTarget: Target | undefined = stagingKey
      ? {
          what: "the WAF staging key (tagged)",
          resource: `arn:${p}:kms:${region}:${m}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
          resourcePolicy: JSON.parse(stagingKey.inputs.policy) as PolicyDocument,
          facts: { protectedTag: "true" },
        }
      : undefined;
    if (stagingKeyTarget) targets.push([STAGING_KEY_CALLS, stagingKeyTarget]);
    targets.push([
      ROLE_CALLS,
      {
        what: "the WAF replication role",
        resource: arn.role(p, m, wafReplicationRoleName(member.config.region)),
      },
    ]);
    const tagRemoval: [TamperingCall[], Target][] = [
      [
        [{ action: "ec2:DeleteTags" }],
        {
          what: `a project flow log's ${PROTECTED_TAG} tag`,
          resource: `arn:${p}:ec2:${region}:${m}:vpc-flow-log/fl-0123456789abcdef0`,
          facts: { protectedTag: "true", tagKeys: [PROTECTED_TAG] },
        },
      ],
      ...(stagingKeyTarget
        ? ([
            [
              [{ action: "kms:UntagResource" }],
              {
                ...stagingKeyTarget,
                what: `the staging key's ${PROTECTED_TAG} tag`,
                facts: { protectedTag: "true", tagKeys: [PROTECTED_TAG] },
              },
            ],
          ] as [TamperingCall[], Target][])
        : []),
    ];
    const forwarding: Target = {
      what: "the rule that forwards tampering events",
      resource: `arn:${p}:events:${region}:${m}:rule/${TAMPER_RULE_NAME}`,
    };
    const forwardingCalls: TamperingCall[] = [
      { action: "events:DisableRule" },
      { action: "events:DeleteRule" },
    ];

    const memberAdmin = arn.role(p, m, "Administrator");
    const memberWho = `${memberAdmin} (member ${m}'s administrator, AdministratorAccess)`;
    const memberWhy = "the member guardrail SCP denies it to everyone but the deploy roles and break-glass";
    for (const [calls, target] of [
      ...targets,
      ...tagRemoval,
      [forwardingCalls, forwarding] as [TamperingCall[], Target],
      [[{ action: "organizations:LeaveOrganization" }], { what: "the organization", resource: "*" }] as [
        TamperingCall[],
        Target,
      ],
    ])
      await run(memberWho, memberAdmin, m, calls, target, "Denied", memberWhy);
    await run(
      memberWho,
      memberAdmin,
      m,
      FLOW_LOG_CALLS,
      {
        what: "a flow log the project did not create (untagged)",
        resource: `arn:${p}:ec2:${region}:${m}:vpc-flow-log/fl-0fedcba9876543210`,
      },
      "Allowed",
      "the guardrail protects the project's flow logs, by their tag, and leaves the account's own alone",
    );

    const memberDeploy =
      settings?.access?.deployRoleArn ?? arn.role(p, m, tp.deployRoleNames[0].replace(/[*?]/g, "x"));
    for (const [role, kind] of [
      [memberDeploy, "its deploy role"],
      [arn.role(p, m, tp.breakGlassRoleName), "break-glass"],
    ] as const) {
      const who = `${role} (${kind}, member ${m})`;
      for (const [calls, target] of [...targets, ...tagRemoval])
        await run(
          who,
          role,
          m,
          calls,
          target,
          "Allowed",
          kind === "break-glass"
            ? "break-glass is exempt from every guardrail (and every use is announced)"
            : "the member's deploy role is exempt (tamperProtection.deployRoleNames or guardrails.exemptRoleNames): without it, pulumi up could not change what it manages",
        );
    }
  }

  // Every member's own deploy role (access.deployRoleArn) must be spared, or its next pulumi up fails.
  if (guarded)
    for (const s of candidates) {
      const deploy = s.config.role === "member" ? s.config.settings.access?.deployRoleArn : undefined;
      if (!deploy) continue;
      const account = s.config.accountId;
      const trail = arn.trail(p, s.config.region, account, "central-logging");
      await cell({
        who: `${deploy} (the deploy role of stack ${s.name}, access.deployRoleArn)`,
        scenario: "updates its account trail's event selectors, as pulumi up may",
        why: "every member's deploy role is spared by the guardrails (tamperProtection.deployRoleNames, guardrails.exemptRoleNames)",
        expected: "Allowed",
        as: "iam",
        principal: deploy,
        action: "cloudtrail:PutEventSelectors",
        resource: trail,
        resourceAccount: account,
        facts: roleFacts(deploy, account),
        identity: [ADMINISTRATOR],
      });
    }

  // ---------------------------------------------------------------- The archive's perimeter (RCP)
  if (organization?.resourceControlPolicies.length) {
    const outsider = arn.role(p, "999999999998", "reader");
    const careless: PolicyDocument = {
      Version: "2012-10-17",
      Statement: [
        ...bucketPolicy("cloudtrail").Statement,
        {
          Sid: "CarelessGrantToEveryone",
          Effect: "Allow",
          Principal: { AWS: "*" },
          Action: "s3:GetObject",
          Resource: `${a.logs.cloudtrail.bucketArn}/*`,
        },
      ],
    };
    await cell({
      who: `${outsider}, a role outside the organization`,
      scenario: "reads a log object that a careless bucket policy statement grants to everyone",
      why: `${organization.resourceControlPolicies.map((x) => x.name).join(", ")} denies every principal outside the organization, whatever the bucket policy says`,
      expected: "Denied",
      as: "iam",
      principal: outsider,
      action: "s3:GetObject",
      resource: logObject.resource,
      resourceAccount: acct,
      facts: {
        secureTransport: "true",
        principalArn: outsider,
        principalAccount: "999999999998",
        principalOrgId: "o-outside0000",
      },
      resourcePolicy: careless,
      identity: [ADMINISTRATOR],
    });
  }

  // ---------------------------------------------------------------- What no guardrail stops
  const orgTrail = a.cloudTrail.organizationTrailArn;
  if (guarded && orgTrail) {
    const management = orgTrail.split(":")[4];
    const managementAdmin = arn.role(p, management, "Administrator");
    await cell({
      who: `${managementAdmin} (the management account's administrator)`,
      scenario: "stops the organization trail",
      why: "SCPs never apply to the management account: protect it by who may sign in, and the tamper rule of the management stack announces the call",
      expected: "Allowed",
      as: "iam",
      principal: managementAdmin,
      action: "cloudtrail:StopLogging",
      resource: orgTrail,
      resourceAccount: management,
      facts: roleFacts(managementAdmin, management),
      identity: [ADMINISTRATOR],
      withoutOrganizationPolicies: true,
    });
  }
}
