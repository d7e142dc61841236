/**
 * The member stack's program. It reads the central stack's output contract through a StackReference,
 * checks that this account may ship to it, resolves the VPC list, then registers MemberLogShipping.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, MemberConfig, resolveTrailMode } from "../shared/config";
import { ARCHIVE_OUTPUT, CentralArchiveOutputs, CONTRACT_VERSION } from "../shared/contract";
import { arn, PROJECT } from "../shared/naming";
import { OrganizationGuardrails } from "../guardrails/guardrails";
import { MemberLogShipping } from "./memberLogShipping";

/** Checks the member's settings against what the central stack accepts; throws a ConfigError. */
export function checkAgainstCentral(config: MemberConfig, central: CentralArchiveOutputs): void {
  const s = config.settings;
  const fail = (key: string, expected: string) => {
    throw new ConfigError(config.stack, `${PROJECT}:${key}`, expected);
  };
  if (central.contractVersion !== CONTRACT_VERSION)
    fail(
      "centralStack",
      `expected a central stack with output contract version ${CONTRACT_VERSION}, got ${central.contractVersion}; update both stacks to the same release`,
    );
  if (central.accountId === config.accountId)
    fail(
      "centralStack",
      `expected a member account, but ${config.accountId} is the log-archive account itself`,
    );
  if (s.guardrails && central.mode !== "organization")
    fail(
      "guardrails",
      "needs organization mode: service and resource control policies are AWS Organizations policies, and the central stack is in account-list mode (the archive's bucket policies still deny tampering there)",
    );
  if (central.mode === "account-list" && !central.memberAccountIds?.includes(config.accountId))
    fail(
      "centralStack",
      `account ${config.accountId} is missing from the central stack's memberAccountIds; add it there and run pulumi up on the central stack first`,
    );
  const mode = resolveTrailMode(s, central);
  const ct = central.cloudTrail;
  const orgTrail = ct.organizationTrailArn;
  if (
    (mode === "organization" || mode === "covered-by-organization-trail") &&
    central.mode !== "organization"
  )
    fail(
      "cloudTrail.mode",
      `expected "account" or "covered-by-account-trail": the central stack is in account-list mode, so there is no organization trail`,
    );
  if (mode === "covered-by-organization-trail" && !orgTrail)
    fail(
      "cloudTrail.mode",
      `expected "account" or "covered-by-account-trail": the central stack admits no organization trail to cover this account; set central-logging:cloudTrail.organizationTrail in the central stack first`,
    );
  const trailArn = arn.trail(config.partition, config.region, config.accountId, s.cloudTrail.name);
  const trailSetting = `{managementAccountId: "${config.accountId}", name: "${s.cloudTrail.name}", homeRegion: ${config.region}}`;
  if (mode === "organization" && orgTrail !== trailArn)
    fail(
      "cloudTrail",
      `the central stack admits ${orgTrail ? `the organization trail ${orgTrail}` : "no organization trail"}, not ${trailArn}, the one this stack would create; set central-logging:cloudTrail.organizationTrail to ${trailSetting} in the central stack and run pulumi up on it first`,
    );
  const admitsAccount =
    ct.admitAccountTrailsBy === "account"
      ? ct.accountTrailAccounts.includes(config.accountId)
      : ct.accountTrailArns.some((t) => t.split(":")[4] === config.accountId);
  // An explicit account trail next to an organization trail is a second, paid copy of the management
  // events: say so, and offer the default first.
  const covered = orgTrail
    ? `; this account is already logged by the organization trail ${orgTrail}: remove central-logging:cloudTrail.mode here (members are covered by default), unless you want a second, paid copy of its management events`
    : "";
  // Unset, the mode is "account" only because the central stack names no organization trail: say so.
  const is =
    s.cloudTrail.mode === undefined
      ? `is unset, so "account" (the central stack names no organization trail${central.mode === "organization" ? "; or set central-logging:cloudTrail.organizationTrail there, and members are covered by it" : ""})`
      : `is "${mode}"`;
  if (mode === "account") {
    if (ct.admitAccountTrailsBy === "account" && !admitsAccount)
      fail(
        "cloudTrail.mode",
        `${is}, but the central stack does not admit the trails of account ${config.accountId}${covered}; to keep an account trail, add {accountId: "${config.accountId}"} to central-logging:cloudTrail.accountTrails in the central stack and run pulumi up on it first`,
      );
    if (ct.admitAccountTrailsBy === "trail" && !ct.accountTrailArns.includes(trailArn))
      fail(
        "cloudTrail.mode",
        `${is}, but the central stack does not admit ${trailArn}, the account trail this stack would create${covered}; to keep it, add {accountId: "${config.accountId}", name: "${s.cloudTrail.name}", homeRegion: ${config.region}} to central-logging:cloudTrail.accountTrails in the central stack and run pulumi up on it first`,
      );
  }
  if (mode === "covered-by-account-trail" && !admitsAccount)
    fail(
      "cloudTrail.mode",
      `is "covered-by-account-trail", but the central stack admits no trail of account ${config.accountId}${orgTrail ? `; the organization trail ${orgTrail} already logs it: remove central-logging:cloudTrail.mode here` : `; the stack that creates it (mode "account", in another Region) needs it admitted in central-logging:cloudTrail.accountTrails`}`,
    );
  if (
    s.flowLogs !== undefined &&
    central.logDeliveryAccounts &&
    !central.logDeliveryAccounts.includes(config.accountId)
  )
    fail(
      "flowLogs",
      `account ${config.accountId} is missing from the central stack's memberAccountIds, which admit VPC Flow Logs by aws:SourceAccount; add it there and run pulumi up on the central stack first`,
    );
}

async function resolveVpcIds(config: MemberConfig): Promise<string[]> {
  const wanted = config.settings.flowLogs?.vpcIds;
  if (wanted === undefined) return [];
  if (wanted !== "all") return wanted;
  const found = await aws.ec2.getVpcs({});
  return [...found.ids].sort();
}

export async function runMember(config: MemberConfig) {
  const centralStack = config.settings.centralStack;
  const ref = new pulumi.StackReference("central", { name: centralStack });
  const details = await ref.getOutputDetails(ARCHIVE_OUTPUT);
  const central = (details.value ?? details.secretValue) as CentralArchiveOutputs | undefined;
  if (!central || typeof central !== "object")
    throw new ConfigError(
      config.stack,
      `${PROJECT}:centralStack`,
      `stack "${centralStack}" exports no "${ARCHIVE_OUTPUT}" output; check the name and run pulumi up on the central stack first`,
    );
  checkAgainstCentral(config, central);
  const vpcIds = await resolveVpcIds(config);
  const shipping = new MemberLogShipping("shipping", { config, central, vpcIds });
  const guardrails = config.settings.guardrails
    ? new OrganizationGuardrails("guardrails", {
        partition: config.partition,
        archive: central,
        settings: config.settings.guardrails,
      })
    : undefined;
  return {
    centralStack,
    // What the StackReference resolved: the archive this member ships to.
    centralKeyArn: central.keyArn,
    ...(shipping.trail ? { trailArn: shipping.trail.arn } : {}),
    flowLogIds: shipping.flowLogs.map((f) => f.id),
    ...(shipping.wafStagingBucket ? { wafStagingBucket: shipping.wafStagingBucket.bucket } : {}),
    ...(guardrails ? { guardrailPolicyIds: guardrails.policies.map((p) => p.id) } : {}),
  };
}
