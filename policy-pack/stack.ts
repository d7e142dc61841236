/** Stack-level rules about what a member stack ships. */
import { StackValidationPolicy } from "@pulumi/policy";
import { is, T } from "./types";
import { rawProps } from "./unknowns";

export const memberShipsCloudTrail: StackValidationPolicy = {
  name: "member-ships-cloudtrail",
  description:
    "A stack that ships flow logs or WAF logs also delivers CloudTrail, or declares the trail that covers it: the organization trail, or its account's trail created by another stack of the account.",
  severity: "medium",
  enforcementLevel: "mandatory",
  remediationSteps:
    'Add a multi-Region trail to the central bucket, or set central-logging:cloudTrail.mode to "covered-by-organization-trail" (or "covered-by-account-trail" when another stack of the account creates its trail).',
  url: "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/creating-trail-organization.html",
  validateStack: (args, report) => {
    const ships = args.resources.filter((r) => is(r.type, T.flowLog) || is(r.type, T.wafLogging));
    if (!ships.length) return;
    if (args.resources.some((r) => is(r.type, T.trail))) return;
    const declared = args.resources.some(
      (r) =>
        is(r.type, T.memberComponent) &&
        ["covered-by-organization-trail", "covered-by-account-trail"].includes(
          rawProps(r.props).cloudTrailMode,
        ),
    );
    if (!declared)
      report(
        "ships flow or WAF logs but has no CloudTrail trail and declares no trail that covers it.",
        ships[0].urn,
      );
  },
};
