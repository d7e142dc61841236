/**
 * The organization guardrails as typed documents: a service control policy for the member accounts, one
 * for the log-archive account, and an optional resource control policy for the archive.
 *
 * SCPs restrict the IAM principals of the accounts they are attached to; they never restrict service
 * principals, service-linked roles, or the management account (Organizations user guide, SCPs). So the
 * services that deliver logs are out of their reach by construction; the access matrix proves it anyway,
 * by evaluating every delivery under them. Each deny exempts, by aws:PrincipalArn, the deploy roles and
 * break-glass, and nothing else.
 */
import { CentralArchiveOutputs } from "../shared/contract";
import { policy, PolicyDocument, PolicyStatement } from "../shared/iam";
import {
  arn,
  TAMPER_FORWARDER_ROLE_PREFIX,
  TAMPER_RULE_NAME,
  WAF_BUCKET_PREFIX,
  WAF_REPLICATION_ROLE_NAME,
} from "../shared/naming";
import { Partition } from "../shared/regions";
import {
  actionsOf,
  ARCHIVE_BUCKET_CALLS,
  ARCHIVE_KEY_CALLS,
  ARCHIVE_OBJECT_CALLS,
  ARCHIVE_QUEUE_CALLS,
  FLOW_LOG_CALLS,
  PROTECTED_TAG,
  ROLE_CALLS,
  STAGING_BUCKET_CALLS,
  STAGING_KEY_CALLS,
  TRAIL_CALLS,
  WAF_LOGGING_CALLS,
} from "../shared/tampering";

export interface GuardrailInputs {
  partition: Partition;
  archive: CentralArchiveOutputs;
  /** Role names (or path/name patterns) exempt in every account besides break-glass: the deploy roles. */
  exemptRoleNames: string[];
  breakGlassRoleName: string;
}

/** The name (with its path) of a role ARN: arn:aws:iam::111122223333:role/path/name gives path/name. */
const roleName = (roleArn: string) => roleArn.split(":role/")[1];

const rolePattern = (p: Partition, account: string, name: string) => `arn:${p}:iam::${account}:role/${name}`;

/** The ArnNotLike exemption of the deploy roles and break-glass, in any account the policy applies to. */
function exempt(g: GuardrailInputs, account = "*") {
  return {
    ArnNotLike: {
      "aws:PrincipalArn": [...g.exemptRoleNames, g.breakGlassRoleName].map((n) =>
        rolePattern(g.partition, account, n),
      ),
    },
  };
}

/**
 * An account that leaves the organization leaves every SCP and RCP behind with it (Organizations API
 * reference, LeaveOrganization: SCPs can prevent member administrators from calling it). No exemption:
 * leaving is the management account's decision (RemoveAccountFromOrganization), never a member's.
 */
const STAY_IN_THE_ORGANIZATION: PolicyStatement = {
  Sid: "StayInTheOrganization",
  Effect: "Deny",
  Action: "organizations:LeaveOrganization",
  Resource: "*",
};

/** The GitHub OIDC provider the CI roles trust: deleting it stops every deployment. */
const oidcProvider = (p: Partition) => `arn:${p}:iam::*:oidc-provider/token.actions.githubusercontent.com`;
const OIDC_PROVIDER_CALLS = [
  "iam:DeleteOpenIDConnectProvider",
  "iam:UpdateOpenIDConnectProviderThumbprint",
  "iam:AddClientIDToOpenIDConnectProvider",
  "iam:RemoveClientIDFromOpenIDConnectProvider",
];

const deny = (sid: string, actions: string[], resources: string[], condition: object): PolicyStatement => ({
  Sid: sid,
  Effect: "Deny",
  Action: actions,
  Resource: resources.length === 1 ? resources[0] : resources,
  Condition: condition as PolicyStatement["Condition"],
});

/** The trail names the member stacks use: the account trails the archive expects, and the default. */
function trailNames(a: CentralArchiveOutputs): string[] {
  const names = new Set(["central-logging"]);
  for (const t of a.cloudTrail.accountTrailArns) names.add(t.split(":trail/")[1]);
  return [...names].sort();
}

/**
 * The member accounts: their trails keep logging everything, their flow logs and WAF logging stay, their
 * WAF staging bucket keeps replicating to the archive, and the roles the project relies on stay as they
 * are. Flow logs and the staging key are protected by the tag the member stacks set, which itself cannot
 * be removed or changed.
 */
export function memberGuardrailPolicy(g: GuardrailInputs): PolicyDocument {
  const p = g.partition;
  const ex = exempt(g);
  const tagged = { StringEquals: { [`aws:ResourceTag/${PROTECTED_TAG}`]: "true" } };
  return policy([
    deny(
      "KeepTrailsLogging",
      actionsOf(TRAIL_CALLS),
      trailNames(g.archive).map((n) => `arn:${p}:cloudtrail:*:*:trail/${n}`),
      ex,
    ),
    deny("KeepFlowLogs", actionsOf(FLOW_LOG_CALLS), [`arn:${p}:ec2:*:*:vpc-flow-log/*`], {
      ...ex,
      ...tagged,
    }),
    // Regional web ACLs, and CloudFront's (scope global, in us-east-1).
    deny(
      "KeepWafLogging",
      actionsOf(WAF_LOGGING_CALLS),
      [`arn:${p}:wafv2:*:*:regional/webacl/*/*`, `arn:${p}:wafv2:*:*:global/webacl/*/*`],
      ex,
    ),
    deny(
      "KeepWafStagingBucket",
      actionsOf(STAGING_BUCKET_CALLS),
      // aws-waf-logs-<12-digit account>-<region>: the member stacks' staging buckets, no other.
      [arn.bucket(p, `${WAF_BUCKET_PREFIX}????????????-*`)],
      ex,
    ),
    deny("KeepWafStagingKey", actionsOf(STAGING_KEY_CALLS), [`arn:${p}:kms:*:*:key/*`], { ...ex, ...tagged }),
    deny(
      "KeepProtectedTags",
      ["ec2:DeleteTags", "ec2:CreateTags", "kms:UntagResource", "kms:TagResource"],
      [`arn:${p}:ec2:*:*:vpc-flow-log/*`, `arn:${p}:kms:*:*:key/*`],
      { ...ex, "ForAnyValue:StringEquals": { "aws:TagKeys": PROTECTED_TAG } },
    ),
    deny(
      "KeepRolesTheProjectReliesOn",
      [...actionsOf(ROLE_CALLS), ...OIDC_PROVIDER_CALLS],
      [
        ...[
          WAF_REPLICATION_ROLE_NAME,
          `${WAF_REPLICATION_ROLE_NAME}-*`,
          `${TAMPER_FORWARDER_ROLE_PREFIX}-*`,
          ...g.exemptRoleNames,
          g.breakGlassRoleName,
        ].map((n) => rolePattern(p, "*", n)),
        oidcProvider(p),
      ],
      ex,
    ),
    deny(
      "KeepTamperEventsForwarded",
      [
        "events:DeleteRule",
        "events:DisableRule",
        "events:PutRule",
        "events:PutTargets",
        "events:RemoveTargets",
      ],
      [`arn:${p}:events:*:*:rule/${TAMPER_RULE_NAME}`],
      ex,
    ),
    STAY_IN_THE_ORGANIZATION,
  ]);
}

/**
 * The log-archive account's storage: nobody but the deploy roles and break-glass changes the archive's
 * buckets or key; nobody but break-glass erases or unlocks a log object; the account stays in the
 * organization.
 */
export function archiveGuardrailPolicy(g: GuardrailInputs): PolicyDocument {
  const a = g.archive;
  const p = g.partition;
  const account = a.accountId;
  const buckets = [...Object.values(a.logs).map((l) => l.bucketArn), a.accessLogBucket.bucketArn];
  const ex = exempt(g, account);
  return policy([
    deny("KeepArchiveBuckets", actionsOf(ARCHIVE_BUCKET_CALLS), buckets, ex),
    deny(
      "KeepLogObjectsExceptBreakGlass",
      actionsOf(ARCHIVE_OBJECT_CALLS),
      buckets.map((b) => `${b}/*`),
      { ArnNotLike: { "aws:PrincipalArn": rolePattern(p, account, g.breakGlassRoleName) } },
    ),
    deny("KeepArchiveKey", actionsOf(ARCHIVE_KEY_CALLS), [a.keyArn], ex),
    STAY_IN_THE_ORGANIZATION,
  ]);
}

/**
 * The log-archive account's hand-off and watch: the queues and their messages, the roles the exemptions
 * name, the tamper alarms. A second SCP because one would outgrow Organizations' 5,120 characters.
 */
export function archiveHandOffGuardrailPolicy(g: GuardrailInputs): PolicyDocument {
  const a = g.archive;
  const p = g.partition;
  const account = a.accountId;
  const queues = Object.values(a.logs).flatMap((l) => [l.queueArn, l.deadLetterQueueArn]);
  const ex = exempt(g, account);
  return policy([
    deny("KeepArchiveQueues", actionsOf(ARCHIVE_QUEUE_CALLS), queues, ex),
    // Receiving and deleting messages one by one empties a queue as surely as PurgeQueue: only the SIEM
    // reader consumes them (and break-glass or a deploy role, to move dead letters back).
    deny(
      "KeepLogMessagesForTheSiem",
      ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"],
      queues,
      {
        ArnNotLike: {
          "aws:PrincipalArn": [
            ...(ex.ArnNotLike["aws:PrincipalArn"] as string[]),
            rolePattern(p, account, roleName(a.siemRoleArn)),
          ],
        },
      },
    ),
    // The exemptions are by role name: whoever could recreate or re-trust those roles could take them.
    deny(
      "KeepArchiveRoles",
      [...actionsOf(ROLE_CALLS), ...OIDC_PROVIDER_CALLS],
      [
        ...[...g.exemptRoleNames, g.breakGlassRoleName, roleName(a.siemRoleArn)].map((n) =>
          rolePattern(p, account, n),
        ),
        oidcProvider(p).replace("::*:", `::${account}:`),
      ],
      ex,
    ),
    ...(a.tamperProtection.eventBusArn
      ? [
          deny(
            "KeepTamperAlarms",
            [
              "events:DeleteEventBus",
              "events:PutPermission",
              "events:RemovePermission",
              "events:DeleteRule",
              "events:DisableRule",
              "events:PutRule",
              "events:PutTargets",
              "events:RemoveTargets",
              "sns:DeleteTopic",
              "sns:SetTopicAttributes",
              "sns:RemovePermission",
              "sns:Subscribe",
              "cloudwatch:DeleteAlarms",
              "cloudwatch:DisableAlarmActions",
              "cloudwatch:PutMetricAlarm",
            ],
            [
              a.tamperProtection.eventBusArn,
              `arn:${p}:events:${a.region}:${account}:rule/central-logging-tamper-*`,
              `arn:${p}:events:${a.region}:${account}:rule/${a.tamperProtection.eventBusArn.split("/").pop()}/*`,
              ...(a.tamperProtection.alarmTopicArn
                ? [a.tamperProtection.alarmTopicArn, `${a.tamperProtection.alarmTopicArn}:*`]
                : []),
              `arn:${p}:cloudwatch:${a.region}:${account}:alarm:central-logs-*`,
            ],
            ex,
          ),
          // A subscription removed or filtered silences the topic as surely as deleting it. These calls
          // name a subscription, not a topic (its resource type is optional): any, in this account.
          deny("KeepAlarmSubscriptions", ["sns:Unsubscribe", "sns:SetSubscriptionAttributes"], ["*"], ex),
        ]
      : []),
  ]);
}

/**
 * The archive's resource control policy: no principal outside the organization reaches the archive
 * account's S3, KMS or SQS resources, whatever a bucket, key or queue policy says; AWS services acting
 * for the archive (CloudTrail, the log delivery service, S3 notifications) are left alone
 * (aws:PrincipalIsAWSService). STS is not in it: the SIEM's own accounts, outside the organization, must
 * still assume the reader role. No aws:SourceOrgID confused-deputy statement either: CloudTrail's sending
 * of that key is not settled (docs/policies.md).
 */
export function archiveResourceControlPolicy(g: GuardrailInputs): PolicyDocument {
  const a = g.archive;
  const org = a.organizationId!;
  const buckets = [...Object.values(a.logs).map((l) => l.bucketArn), a.accessLogBucket.bucketArn];
  return policy([
    {
      Sid: "KeepArchiveInsideTheOrganization",
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:*", "kms:*", "sqs:*"],
      // The archive's own resources, never "*": attached to an OU by mistake, it still reaches no other.
      Resource: [
        ...buckets.flatMap((b) => [b, `${b}/*`]),
        a.keyArn,
        ...Object.values(a.logs).flatMap((l) => [l.queueArn, l.deadLetterQueueArn]),
      ],
      Condition: {
        StringNotEqualsIfExists: { "aws:PrincipalOrgID": org },
        // The documented shape (KMS developer guide, resource control policies): every signed request
        // carries aws:PrincipalIsAWSService, true for a service principal.
        Bool: { "aws:PrincipalIsAWSService": "false" },
      },
    },
  ]);
}
