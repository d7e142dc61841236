/**
 * Documents of the archive's tamper detection: the event bus policy that admits the member accounts'
 * forwarded events, the pattern of the archive account's own tampering calls, and the alarm topic's
 * policy.
 */
import { policy, PolicyDocument } from "../shared/iam";
import { LOG_TYPES, TAMPER_EVENT_BUS_NAME, TAMPER_FORWARDER_ROLE_PREFIX } from "../shared/naming";
import {
  ARCHIVE_BUCKET_CALLS,
  ARCHIVE_KEY_CALLS,
  ARCHIVE_QUEUE_CALLS,
  TamperingCall,
  TRAIL_CALLS,
} from "../shared/tampering";
import { ArchiveContext } from "./archiveContext";

export const ALARM_TOPIC_NAME = "central-logs-delivery-alarms";

export const tamperEventBusArn = (ctx: ArchiveContext) =>
  `arn:${ctx.partition}:events:${ctx.region}:${ctx.accountId}:event-bus/${TAMPER_EVENT_BUS_NAME}`;
export const alarmTopicArn = (ctx: ArchiveContext) =>
  `arn:${ctx.partition}:sns:${ctx.region}:${ctx.accountId}:${ALARM_TOPIC_NAME}`;

/**
 * Only the members' forwarding roles may put events on the bus: of the organization (aws:PrincipalOrgID,
 * EventBridge user guide, permissions for an organization) or of the listed accounts. A member account
 * that could not would lose its announcements silently, so the account list admits every member; the bus
 * policy's size is EventBridge's adjustable 10,240-character quota. The role-name pattern keeps any other
 * principal of the organization from flooding the alarm topic with forged events.
 */
export function tamperEventBusPolicy(ctx: ArchiveContext): PolicyDocument {
  const org = ctx.mode === "organization";
  return policy([
    {
      Sid: "MembersForwardTamperEvents",
      Effect: "Allow",
      Principal: { AWS: "*" },
      Action: "events:PutEvents",
      Resource: tamperEventBusArn(ctx),
      Condition: {
        StringEquals: org
          ? { "aws:PrincipalOrgID": ctx.organizationId! }
          : {
              "aws:PrincipalAccount":
                ctx.memberAccountIds!.length === 1 ? ctx.memberAccountIds![0] : ctx.memberAccountIds!,
            },
        ArnLike: {
          "aws:PrincipalArn": `arn:${ctx.partition}:iam::*:role/${TAMPER_FORWARDER_ROLE_PREFIX}-*`,
        },
      },
    },
  ]);
}

/** The EventBridge pattern of a set of tampering calls (CloudTrail's eventSource and eventName). */
export function callPattern(calls: TamperingCall[], detail: Record<string, unknown> = {}) {
  const bySource = new Map<string, string[]>();
  for (const c of calls)
    if (c.event) bySource.set(c.event.source, [...(bySource.get(c.event.source) ?? []), ...c.event.names]);
  return [...bySource].map(([source, names]) => ({
    detail: { eventSource: [source], eventName: [...new Set(names)], ...detail },
  }));
}

/** The use of a break-glass role, whatever the call: its sessions' issuer is the role. */
export const breakGlassPattern = (breakGlassRoleName: string) => ({
  detail: {
    userIdentity: { sessionContext: { sessionIssuer: { userName: [breakGlassRoleName.split("/").pop()] } } },
  },
});

/**
 * The archive account's tampering calls: bucket settings of the archive's buckets (by name; S3's
 * CloudTrail event names differ from the IAM actions, hence the prefixes), and any call on a key or queue
 * of this account that would end, open or empty them; and any call made as break-glass.
 */
export function archiveTamperEventPattern(ctx: ArchiveContext) {
  const buckets = [...LOG_TYPES.map((t) => ctx.bucketNames[t]), ctx.accessLogBucketName];
  return {
    "detail-type": ["AWS API Call via CloudTrail"],
    $or: [
      {
        detail: {
          eventSource: ["s3.amazonaws.com"],
          eventName: [
            { prefix: "PutBucket" },
            { prefix: "DeleteBucket" },
            ...new Set(
              ARCHIVE_BUCKET_CALLS.flatMap((c) => c.event!.names).filter(
                (n) => !/^(Put|Delete)Bucket/.test(n),
              ),
            ),
          ],
          requestParameters: { bucketName: buckets },
        },
      },
      // The archive account's own trails too: EventBridge sees its API calls only while a trail logs.
      ...callPattern([...ARCHIVE_KEY_CALLS, ...ARCHIVE_QUEUE_CALLS, ...TRAIL_CALLS]),
      breakGlassPattern(ctx.tamper.breakGlassRoleName),
    ],
  };
}

/**
 * The alarm topic: CloudWatch alarms of this account (AWS's statement, SNS developer guide, "Allow any
 * CloudWatch alarm to publish"), and EventBridge rules (AWS's statement, EventBridge user guide, Amazon
 * SNS permissions, which has no condition: a rule of another account that knows the topic's ARN could
 * publish to it too; no AWS page says which source keys EventBridge sends, so none is required).
 */
export function alarmTopicPolicy(ctx: ArchiveContext): PolicyDocument {
  const topic = alarmTopicArn(ctx);
  return policy([
    {
      Sid: "CloudWatchAlarmsPublish",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: "sns:Publish",
      Resource: topic,
      Condition: {
        ArnLike: {
          "aws:SourceArn": `arn:${ctx.partition}:cloudwatch:${ctx.region}:${ctx.accountId}:alarm:*`,
        },
        StringEquals: { "aws:SourceAccount": ctx.accountId },
      },
    },
    ...(ctx.tamperAlarms
      ? [
          {
            Sid: "EventBridgeRulesPublish",
            Effect: "Allow" as const,
            Principal: { Service: "events.amazonaws.com" },
            Action: "sns:Publish",
            Resource: topic,
          },
        ]
      : []),
  ]);
}
