/**
 * Staging buckets: a log bucket that replicates to the archive is exempt from the SIEM notification and
 * the minimum retention only because its objects live on in the archive. That holds only if an enabled
 * replication rule selects every key its writers produce: AWS WAF writes
 * AWSLogs/<account>/WAFLogs/<region>/<web-acl>/..., CloudTrail [prefix/]AWSLogs/..., flow logs
 * [prefix/]AWSLogs/.... A rule filtered on another prefix, or on a tag no writer sets, replicates nothing.
 */
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { asArray } from "./documents";
import { bucketNameOf, BucketView, describe, logBuckets } from "./model";
import { is, T } from "./types";
import { containsUnknown, isUnknown, rawProps } from "./unknowns";

const ACCOUNT = "<account>";

/** Whether every key under `keys` (which may hold <account>, any 12-digit account) starts with `prefix`. */
export function prefixCovers(prefix: string, keys: string): boolean {
  const at = keys.indexOf(ACCOUNT);
  if (at < 0 || prefix.length <= at) return keys.slice(0, at < 0 ? undefined : at).startsWith(prefix);
  const account = prefix.slice(at, at + 12);
  return /^\d{12}$/.test(account) && keys.replace(ACCOUNT, account).startsWith(prefix);
}

const accountOfArn = (arn: unknown) =>
  typeof arn === "string" && !isUnknown(arn) ? /^arn:[^:]+:[^:]+:[^:]*:(\d{12}):/.exec(arn)?.[1] : undefined;

/** The key prefixes the writers of a bucket produce, as far as the stack shows them. */
function writerPrefixes(v: BucketView, resources: PolicyResource[]): string[] {
  const out = new Set<string>();
  const mine = (r: PolicyResource, prop: string, value: unknown) =>
    (r.propertyDependencies?.[prop] ?? []).some((d) => d.urn === v.urn) ||
    (v.name !== undefined && bucketNameOf(value) === v.name);
  for (const r of resources) {
    const p = rawProps(r.props);
    if (
      is(r.type, T.wafLogging) &&
      asArray(p.logDestinationConfigs).some((d) => mine(r, "logDestinationConfigs", d))
    )
      out.add(`AWSLogs/${accountOfArn(p.resourceArn) ?? ACCOUNT}/WAFLogs/`);
    if (is(r.type, T.trail) && mine(r, "s3BucketName", p.s3BucketName))
      out.add(`${typeof p.s3KeyPrefix === "string" && p.s3KeyPrefix ? `${p.s3KeyPrefix}/` : ""}AWSLogs/`);
    if (
      is(r.type, T.flowLog) &&
      p.logDestinationType === "s3" &&
      mine(r, "logDestination", p.logDestination)
    ) {
      const path =
        typeof p.logDestination === "string"
          ? /^arn:[^:]+:s3:::[^/]+\/(.*)$/.exec(p.logDestination)?.[1]
          : "";
      out.add(`${path ? (path.endsWith("/") ? path : `${path}/`) : ""}AWSLogs/`);
    }
  }
  if (!out.size) out.add(v.name?.startsWith("aws-waf-logs-") ? `AWSLogs/${ACCOUNT}/WAFLogs/` : "AWSLogs/");
  return [...out];
}

interface RuleScope {
  id: string;
  /** undefined: the rule selects nothing a writer produces (a tag filter). */
  prefix?: string;
  unknown: boolean;
}

function scopesOf(v: BucketView): RuleScope[] {
  const scopes: RuleScope[] = [];
  for (const r of v.replication) {
    if (containsUnknown(r.props.rules)) scopes.push({ id: "(unknown)", prefix: "", unknown: true });
    else
      for (const rule of asArray<any>(r.props.rules)) {
        if (rule?.status !== "Enabled") continue;
        const f = rule.filter;
        const tags = f?.tag || asArray(f?.and?.tags).length || Object.keys(f?.and?.tags ?? {}).length;
        scopes.push({
          id: rule.id ?? "(no id)",
          prefix: tags ? undefined : (f?.prefix ?? f?.and?.prefix ?? rule.prefix ?? ""),
          unknown: false,
        });
      }
  }
  return scopes;
}

export const s3StagingReplicationCoversLogs: StackValidationPolicy = {
  name: "s3-staging-replication-covers-logs",
  description:
    "A log bucket that replicates to the archive (the WAF staging bucket) has an enabled replication rule whose filter covers every key its writers produce (AWSLogs/<account>/WAFLogs/ for AWS WAF): no other prefix, no tag filter.",
  severity: "high",
  enforcementLevel: "mandatory",
  remediationSteps:
    'Give the replication rule an empty filter ({}) or filter.prefix "AWSLogs/" (or "AWSLogs/<account>/WAFLogs/"), with status Enabled.',
  url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-add-config.html",
  validateStack: (args, report) => {
    for (const v of logBuckets(args.resources)) {
      if (!v.replication.length) continue;
      const scopes = scopesOf(v);
      if (scopes.some((s) => s.unknown)) continue;
      for (const keys of writerPrefixes(v, args.resources)) {
        if (
          scopes.some((s) => s.prefix !== undefined && (isUnknown(s.prefix) || prefixCovers(s.prefix, keys)))
        )
          continue;
        const rules = scopes.length
          ? scopes
              .map((s) => `${s.id} ${s.prefix === undefined ? "filtered by tag" : `prefix "${s.prefix}"`}`)
              .join(", ")
          : "none enabled";
        report(
          `${describe(v)}: is exempt from the SIEM notification because it replicates, but no enabled replication rule covers ${keys.replace(ACCOUNT, "<account>")} (rules: ${rules}); those logs never reach the archive and expire in the staging bucket.`,
          v.urn,
        );
      }
    }
  },
};
