/**
 * Tamper detection: every call that changes what the archive keeps, or what feeds it, is announced on the
 * alarm topic, whether a guardrail denied it or an exempt role made it (so every use of break-glass is
 * announced). CloudTrail delivers API calls to the default EventBridge bus of the account they were made
 * in (EventBridge user guide, AWS service events delivered via CloudTrail, best effort); a rule there
 * matches the archive account's own calls, and a custom bus receives the member accounts' calls, which
 * their stacks forward (member/tamperEvents.ts).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { serializeWithinLimit } from "../shared/iam";
import { ArchiveContext } from "./archiveContext";
import { TAMPER_EVENT_BUS_NAME } from "../shared/naming";
import { archiveTamperEventPattern, tamperEventBusPolicy } from "./tamperPolicies";

export interface TamperAlarmsArgs {
  ctx: ArchiveContext;
  topic: aws.sns.Topic;
  /** The topic's policy: rules may target the topic only once it admits EventBridge. */
  topicPolicy: aws.sns.TopicPolicy;
}

export function createTamperAlarms(parent: pulumi.Resource, args: TamperAlarmsArgs) {
  const { ctx } = args;
  const opts = { parent, dependsOn: [args.topicPolicy] };
  const bus = new aws.cloudwatch.EventBus("tamper-events", { name: TAMPER_EVENT_BUS_NAME }, { parent });
  new aws.cloudwatch.EventBusPolicy(
    "tamper-events-policy",
    {
      eventBusName: bus.name,
      policy: serializeWithinLimit(
        `${TAMPER_EVENT_BUS_NAME} event bus policy`,
        "eventBus",
        tamperEventBusPolicy(ctx),
        ctx.tamper.eventBusPolicyLimit,
      ),
    },
    { parent },
  );
  // Everything on the custom bus was forwarded by a member's tamper rule: announce it all.
  const fromMembers = new aws.cloudwatch.EventRule(
    "tamper-member-events",
    {
      name: `${TAMPER_EVENT_BUS_NAME}-from-members`,
      eventBusName: bus.name,
      description: "central-logging: tampering calls in member accounts (forwarded by their stacks)",
      // AWS's own events only: PutEvents refuses a custom event whose source starts with "aws.".
      eventPattern: JSON.stringify({
        source: [{ prefix: "aws." }],
        "detail-type": ["AWS API Call via CloudTrail"],
      }),
    },
    { parent },
  );
  new aws.cloudwatch.EventTarget(
    "tamper-member-events-to-topic",
    { rule: fromMembers.name, eventBusName: bus.name, arn: args.topic.arn, targetId: "alarm-topic" },
    opts,
  );
  const archiveRule = new aws.cloudwatch.EventRule(
    "tamper-archive-events",
    {
      name: `${TAMPER_EVENT_BUS_NAME}-archive`,
      description:
        "central-logging: tampering calls on the archive, and every use of break-glass, in this account",
      eventPattern: JSON.stringify(archiveTamperEventPattern(ctx)),
    },
    { parent },
  );
  new aws.cloudwatch.EventTarget(
    "tamper-archive-events-to-topic",
    { rule: archiveRule.name, arn: args.topic.arn, targetId: "alarm-topic" },
    opts,
  );
  return { bus };
}
