/** Stack-level rules about what a member stack ships. */
import { StackValidationPolicy } from "@pulumi/policy";
import { is, T } from "./types";
import { rawProps } from "./unknowns";

export const memberShipsCloudTrail: StackValidationPolicy = {
  name: "member-ships-cloudtrail",
  description:
    "A stack that ships flow logs or WAF logs also delivers CloudTrail, or declares the organization trail that covers it.",
  severity: "medium",
  enforcementLevel: "mandatory",
  remediationSteps:
    'Add a multi-Region trail to the central bucket, or set central-logging:cloudTrail.mode to "covered-by-organization-trail".',
  url: "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/creating-trail-organization.html",
  validateStack: (args, report) => {
    const ships = args.resources.filter((r) => is(r.type, T.flowLog) || is(r.type, T.wafLogging));
    if (!ships.length) return;
    if (args.resources.some((r) => is(r.type, T.trail))) return;
    const declared = args.resources.some(
      (r) =>
        is(r.type, T.memberComponent) && rawProps(r.props).cloudTrailMode === "covered-by-organization-trail",
    );
    if (!declared)
      report(
        "ships flow or WAF logs but has no CloudTrail trail and declares no organization trail.",
        ships[0].urn,
      );
  },
};
