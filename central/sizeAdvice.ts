/**
 * What to change when one of the archive's growing policies (the key policy, a log bucket's policy) is
 * over its AWS size limit, for this archive's mode and settings: never advice it already follows, such
 * as organization mode to an organization-mode archive (docs/policies.md, "Sizes").
 */
import { CentralConfig } from "../shared/config";
import { PolicySizeError } from "../shared/iam";
import { PROJECT } from "../shared/naming";

export function sizeAdvice(config: CentralConfig): string {
  const s = config.settings;
  const byTrail = s.cloudTrail?.admitAccountTrailsBy === "trail";
  const accountTrails = s.cloudTrail?.accountTrails?.length ?? 0;
  const advice: string[] = [];
  if (byTrail && (config.mode === "account-list" || accountTrails))
    advice.push(`admit account trails by account (${PROJECT}:cloudTrail.admitAccountTrailsBy: account)`);
  if (config.mode === "account-list") {
    advice.push(
      `use organization mode with an organization trail (${PROJECT}:organizationId and cloudTrail.organizationTrail)`,
      `list fewer accounts in ${PROJECT}:memberAccountIds`,
    );
  } else {
    if (accountTrails && s.cloudTrail?.organizationTrail)
      advice.push(
        `let the organization trail cover the members that run account trails (cloudTrail.mode: covered-by-organization-trail in their stacks) and list fewer ${PROJECT}:cloudTrail.accountTrails`,
      );
    if (!config.extensions.has("org-id-for-log-delivery") && s.memberAccountIds?.length)
      advice.push(
        "turn on the policy extension org-id-for-log-delivery (the log delivery service admitted by aws:SourceOrgID, so nothing grows with the number of accounts; its risk: docs/policies.md, Policy extensions)",
        `list fewer accounts in ${PROJECT}:memberAccountIds`,
      );
  }
  if (!advice.length) advice.push("list fewer accounts or trails");
  const last = advice.pop()!;
  return `${advice.length ? `${advice.join(", ")}, or ${last}` : last} (docs/policies.md, Sizes)`;
}

/**
 * Runs `fn` (which serialises the archive's policies) and gives an over-size key or log bucket policy the
 * advice for this archive; other errors pass unchanged.
 */
export function withSizeAdvice<T>(config: CentralConfig, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof PolicySizeError && /(key|bucket) policy$/.test(e.policyName))
      e.message = `policy "${e.policyName}" is ${e.bytes} bytes, over the AWS limit of ${e.limit} bytes; ${sizeAdvice(config)}`;
    throw e;
  }
}
