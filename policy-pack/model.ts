/**
 * A stack-wide view of S3 buckets and what hangs off them (encryption, versioning, logging, public access
 * block, ownership, policies, notifications, replication), and which buckets hold logs. Side resources
 * are linked to their bucket by the engine's property dependencies when present, otherwise by name, so
 * the view works in preview (names unknown) and in tools that only know inputs.
 */
import { PolicyResource } from "@pulumi/policy";
import { asArray, Document, list, parseDocument, principals } from "./documents";
import { T, is } from "./types";
import { containsUnknown, isUnknown, rawProps } from "./unknowns";

export interface Linked {
  resource: PolicyResource;
  props: Record<string, any>;
}

export interface BucketView extends Linked {
  urn: string;
  name?: string;
  sse: Linked[];
  versioning: Linked[];
  logging: Linked[];
  lifecycle: Linked[];
  publicAccessBlock: Linked[];
  ownership: Linked[];
  policies: Linked[];
  notifications: Linked[];
  replication: Linked[];
  objectLock: Linked[];
  acls: Linked[];
  /** Why the bucket counts as a log bucket (empty if it does not). */
  logReasons: string[];
  /** Why it counts as a server-access-log target (empty if it does not). */
  accessLogReasons: string[];
}

const LOG_WRITERS = ["cloudtrail.amazonaws.com", "delivery.logs.amazonaws.com", "config.amazonaws.com"];

/** The bucket name in an S3 ARN or a plain name. */
export function bucketNameOf(value: unknown): string | undefined {
  if (typeof value !== "string" || isUnknown(value)) return undefined;
  const m = /^arn:aws[a-z-]*:s3:::([^/]+)/.exec(value);
  return m ? m[1] : value.startsWith("arn:") ? undefined : value;
}

function dependencyOf(r: PolicyResource, prop: string, tokens: string[]): PolicyResource | undefined {
  return (r.propertyDependencies?.[prop] ?? []).find((d) => is(d.type, tokens));
}

/** Parsed policy documents of a linked policy resource or an inline bucket policy; unknown ones skipped. */
export function parsedDocuments(items: Linked[]): Document[] {
  const docs: Document[] = [];
  for (const item of items) {
    const value = item.props.policy;
    if (value === undefined || containsUnknown(value)) continue;
    const parsed = parseDocument(value);
    if (parsed.ok) docs.push(parsed.doc);
  }
  return docs;
}

export function bucketViews(resources: PolicyResource[]): BucketView[] {
  const views: BucketView[] = resources
    .filter((r) => is(r.type, T.bucket))
    .map((r) => {
      const props = rawProps(r.props);
      return {
        resource: r,
        props,
        urn: r.urn,
        name: bucketNameOf(props.bucket) ?? bucketNameOf(props.id),
        sse: [],
        versioning: [],
        logging: [],
        lifecycle: [],
        publicAccessBlock: [],
        ownership: [],
        policies: props.policy ? [{ resource: r, props }] : [],
        notifications: [],
        replication: [],
        objectLock: [],
        acls: [],
        logReasons: [],
        accessLogReasons: [],
      };
    });
  const byUrn = new Map(views.map((v) => [v.urn, v]));
  const byName = new Map(views.filter((v) => v.name).map((v) => [v.name!, v]));
  const find = (r: PolicyResource, prop: string): BucketView | undefined => {
    const dep = dependencyOf(r, prop, T.bucket);
    if (dep) return byUrn.get(dep.urn);
    const name = bucketNameOf(rawProps(r.props)[prop]);
    return name ? byName.get(name) : undefined;
  };

  const sides: [string[], keyof BucketView][] = [
    [T.sse, "sse"],
    [T.versioning, "versioning"],
    [T.logging, "logging"],
    [T.lifecycle, "lifecycle"],
    [T.publicAccessBlock, "publicAccessBlock"],
    [T.ownership, "ownership"],
    [T.bucketPolicy, "policies"],
    [T.notification, "notifications"],
    [T.replication, "replication"],
    [T.objectLock, "objectLock"],
    [T.acl, "acls"],
  ];
  for (const r of resources) {
    for (const [tokens, field] of sides) {
      if (!is(r.type, tokens)) continue;
      const view = find(r, "bucket");
      if (view) (view[field] as Linked[]).push({ resource: r, props: rawProps(r.props) });
    }
    const props = rawProps(r.props);
    if (is(r.type, T.logging)) {
      const target = find(r, "targetBucket");
      if (target) target.accessLogReasons.push("it receives server access logs");
    }
    if (is(r.type, T.trail)) find(r, "s3BucketName")?.logReasons.push("a CloudTrail trail delivers to it");
    if (is(r.type, T.flowLog) && props.logDestinationType === "s3")
      find(r, "logDestination")?.logReasons.push("VPC flow logs deliver to it");
    if (is(r.type, T.wafLogging)) {
      const deps = (r.propertyDependencies?.logDestinationConfigs ?? []).filter((d) => is(d.type, T.bucket));
      for (const d of deps) byUrn.get(d.urn)?.logReasons.push("AWS WAF logs to it");
      for (const dest of Array.isArray(props.logDestinationConfigs) ? props.logDestinationConfigs : []) {
        const name = bucketNameOf(dest);
        if (name) byName.get(name)?.logReasons.push("AWS WAF logs to it");
      }
    }
  }
  for (const v of views) {
    if (v.name?.startsWith("aws-waf-logs-")) v.logReasons.push("its name marks an AWS WAF log bucket");
    for (const doc of parsedDocuments(v.policies))
      for (const s of doc.Statement) {
        if (s.Effect !== "Allow") continue;
        const p = principals(s);
        const actions = list(s.Action).map((a) => a.toLowerCase());
        const writes = actions.some((a) => a === "s3:putobject" || a === "s3:*" || a === "*");
        if (writes && p.service.some((x) => LOG_WRITERS.includes(x)))
          v.logReasons.push(
            `its policy lets ${p.service.filter((x) => LOG_WRITERS.includes(x)).join(", ")} write`,
          );
        if (actions.includes("s3:replicateobject"))
          v.logReasons.push("its policy accepts replicated log objects");
        if (writes && p.service.includes("logging.s3.amazonaws.com"))
          v.accessLogReasons.push("its policy lets S3 server access logging write");
      }
    v.logReasons = [...new Set(v.logReasons)];
    v.accessLogReasons = [...new Set(v.accessLogReasons)];
  }
  return views;
}

/** Log buckets, except server-access-log targets (which follow their own rules). */
export function logBuckets(resources: PolicyResource[]): BucketView[] {
  return bucketViews(resources).filter((v) => v.logReasons.length > 0 && v.accessLogReasons.length === 0);
}

export function accessLogBuckets(resources: PolicyResource[]): BucketView[] {
  return bucketViews(resources).filter((v) => v.accessLogReasons.length > 0);
}

export const describe = (v: BucketView) =>
  `log bucket ${v.name ?? v.resource.name} (${v.logReasons[0] ?? v.accessLogReasons[0]})`;

/** The encryption rules of a bucket: from side resources, or the deprecated inline settings. */
export function encryptionRules(v: BucketView): any[] | "unknown" {
  const rules: any[] = [];
  for (const sse of v.sse) {
    if (containsUnknown(sse.props.rules)) return "unknown";
    rules.push(...asArray(sse.props.rules));
  }
  const inline = v.props.serverSideEncryptionConfiguration;
  if (inline?.rule) rules.push(inline.rule);
  for (const c of Array.isArray(v.props.serverSideEncryptionConfigurations)
    ? v.props.serverSideEncryptionConfigurations
    : [])
    rules.push(...(c.rules ?? []));
  return rules;
}

/**
 * The Object Lock default retention of a bucket, from an aws.s3.BucketObjectLockConfiguration (or V2)
 * or the deprecated inline objectLockConfiguration; "unknown" while a rule is unknown at preview.
 */
export function defaultRetention(
  v: BucketView,
): { mode?: string; days?: number; years?: number; from: string } | "unknown" | undefined {
  const sources = [
    ...v.objectLock.map((l) => ({
      props: l.props,
      from: `BucketObjectLockConfiguration ${l.resource.name}`,
    })),
    ...(v.props.objectLockConfiguration
      ? [{ props: v.props.objectLockConfiguration, from: "the bucket's objectLockConfiguration" }]
      : []),
  ];
  for (const { props, from } of sources) {
    if (isUnknown(props.rule) || isUnknown(props.rule?.defaultRetention)) return "unknown";
    const retention = props.rule?.defaultRetention;
    if (
      retention &&
      (retention.days !== undefined || retention.years !== undefined || retention.mode !== undefined)
    )
      return { mode: retention.mode, days: retention.days, years: retention.years, from };
  }
  return undefined;
}
