/**
 * Tamper events of a member account, forwarded to the archive's event bus: the calls that stop, narrow or
 * reroute what this account ships (trails, flow logs, WAF logging, the WAF staging bucket and key), and
 * every call made as break-glass. CloudTrail delivers them to this account's default bus (EventBridge user
 * guide, AWS service events delivered via CloudTrail); a rule forwards them, through a role EventBridge
 * assumes, to the central bus (EventBridge user guide, sending events between accounts), whose rule
 * publishes them to the alarm topic. IAM's events arrive only in us-east-1, so role changes are left to
 * the guardrails.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { breakGlassPattern, callPattern } from "../central/tamperPolicies";
import { serializeWithinLimit } from "../shared/iam";
import { tamperForwarderRoleName, TAMPER_RULE_NAME } from "../shared/naming";
import {
  FLOW_LOG_CALLS,
  STAGING_BUCKET_CALLS,
  STAGING_KEY_CALLS,
  TRAIL_CALLS,
  WAF_LOGGING_CALLS,
} from "../shared/tampering";
import { tamperForwarderPermissions, tamperForwarderTrust } from "./policies";

export interface TamperEventsArgs {
  eventBusArn: string;
  /** This stack's Region: the forwarding role's name carries it (IAM names are account-wide). */
  region: string;
  breakGlassRoleName: string;
  /** The WAF staging bucket's name and key, when the member has one. */
  staging?: { bucketName: string; keyArn: pulumi.Output<string> };
}

/** The EventBridge pattern of this member's tampering calls. */
export function memberTamperEventPattern(args: {
  breakGlassRoleName: string;
  staging?: { bucketName: string; keyArn: string };
}) {
  return {
    "detail-type": ["AWS API Call via CloudTrail"],
    $or: [
      ...callPattern([...TRAIL_CALLS, ...FLOW_LOG_CALLS, ...WAF_LOGGING_CALLS]),
      ...(args.staging
        ? [
            ...callPattern(STAGING_BUCKET_CALLS, {
              requestParameters: { bucketName: [args.staging.bucketName] },
            }),
            ...callPattern(STAGING_KEY_CALLS, { resources: { ARN: [args.staging.keyArn] } }),
          ]
        : []),
      breakGlassPattern(args.breakGlassRoleName),
    ],
  };
}

export function createTamperEvents(parent: pulumi.Resource, args: TamperEventsArgs) {
  const role = new aws.iam.Role(
    "tamper-events-forwarder",
    {
      name: tamperForwarderRoleName(args.region),
      description: "central-logging: forwards this account's tampering calls to the archive's event bus",
      assumeRolePolicy: serializeWithinLimit(
        "tamper events forwarder trust policy",
        "trust",
        tamperForwarderTrust(),
      ),
    },
    { parent },
  );
  new aws.iam.RolePolicy(
    "tamper-events-forwarder-permissions",
    {
      name: "central-logging-forward-tamper-events",
      role: role.name,
      policy: serializeWithinLimit(
        "tamper events forwarder permissions",
        "inline",
        tamperForwarderPermissions(args.eventBusArn),
      ),
    },
    { parent },
  );
  const pattern = args.staging
    ? args.staging.keyArn.apply((keyArn) =>
        JSON.stringify(
          memberTamperEventPattern({
            breakGlassRoleName: args.breakGlassRoleName,
            staging: { bucketName: args.staging!.bucketName, keyArn },
          }),
        ),
      )
    : JSON.stringify(memberTamperEventPattern({ breakGlassRoleName: args.breakGlassRoleName }));
  const rule = new aws.cloudwatch.EventRule(
    "tamper-events",
    {
      name: TAMPER_RULE_NAME,
      description: "central-logging: tampering calls of this account, forwarded to the archive's event bus",
      eventPattern: pattern,
    },
    { parent },
  );
  new aws.cloudwatch.EventTarget(
    "tamper-events-to-archive",
    { rule: rule.name, arn: args.eventBusArn, roleArn: role.arn, targetId: "archive-event-bus" },
    { parent },
  );
  return { rule, role };
}
