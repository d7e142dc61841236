/**
 * SNS topics that AWS services publish to: the delivery alarms' topic (CloudWatch) and topics that S3
 * event notifications target. A topic the service cannot publish to drops every alarm without an error
 * anyone sees; a topic anyone may publish to or subscribe to is a channel for forged alarms or a leak.
 */
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { asArray, conditionKeys, hasWildcard, list, parseDocument, principals, Statement } from "./documents";
import { is, T } from "./types";
import { containsUnknown, isUnknown, rawProps } from "./unknowns";

/** An AWS managed key named by alias: alias/aws/sns, or any alias/aws/<service>, bare or as an ARN. */
const AWS_MANAGED_ALIAS = /(^|:)alias\/aws\/[a-z0-9-]+$/;

/** The topics of a stack that CloudWatch alarms or S3 event notifications publish to, and who does. */
function publishedTopics(resources: PolicyResource[]): Map<PolicyResource, Set<string>> {
  const topics = resources.filter((r) => is(r.type, T.topic));
  const byArn = new Map(
    topics.map((t) => [rawProps(t.props).arn, t] as const).filter(([arn]) => typeof arn === "string"),
  );
  const found = new Map<PolicyResource, Set<string>>();
  const add = (t: PolicyResource, who: string) => found.set(t, (found.get(t) ?? new Set()).add(who));
  const link = (r: PolicyResource, props: string[], values: unknown[], who: string) => {
    for (const prop of props)
      for (const d of r.propertyDependencies?.[prop] ?? []) if (is(d.type, T.topic)) add(d, who);
    for (const v of values) {
      const t = typeof v === "string" && !isUnknown(v) ? byArn.get(v) : undefined;
      if (t) add(t, who);
    }
  };
  for (const r of resources) {
    const p = rawProps(r.props);
    if (is(r.type, T.alarm)) {
      const props = ["alarmActions", "okActions", "insufficientDataActions"];
      link(
        r,
        props,
        props.flatMap((k) => asArray(p[k])),
        `CloudWatch alarm ${p.name ?? p.alarmName ?? r.name}`,
      );
    }
    if (is(r.type, T.notification))
      link(
        r,
        ["topics"],
        asArray<any>(p.topics).map((x) => x?.topicArn),
        `S3 event notification ${r.name}`,
      );
  }
  return found;
}

export const snsAlarmTopicCustomerManagedKey: StackValidationPolicy = {
  name: "sns-alarm-topic-customer-managed-key",
  description:
    "Topics that CloudWatch alarms or S3 event notifications publish to are unencrypted or encrypted with a customer managed key, never alias/aws/sns or another AWS managed key: those services cannot use an AWS managed key, whose policy cannot be changed, so every alarm is dropped.",
  severity: "high",
  enforcementLevel: "mandatory",
  remediationSteps:
    "Set kmsMasterKeyId to a customer managed key whose policy lets cloudwatch.amazonaws.com (and s3.amazonaws.com for notifications) use kms:GenerateDataKey* and kms:Decrypt.",
  url: "https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services",
  validateStack: (args, report) => {
    for (const [topic, publishers] of publishedTopics(args.resources)) {
      const p = rawProps(topic.props);
      const key = p.kmsMasterKeyId;
      if (typeof key !== "string" || isUnknown(key) || !AWS_MANAGED_ALIAS.test(key)) continue;
      report(
        `topic ${p.name ?? topic.name} is encrypted with the AWS managed key ${key}, so ${[...publishers].join(", ")} cannot publish to it: every notification is dropped, silently.`,
        topic.urn,
      );
    }
  },
};

const TOPIC_ACTIONS = /^(\*|sns:\*|sns:publish|sns:subscribe|sns:receive)$/i;
/** Keys that bind who may act, when their value names someone rather than everyone. */
const BINDING_KEYS = [
  "aws:sourceowner",
  "aws:sourceaccount",
  "aws:sourcearn",
  "aws:sourceorgid",
  "aws:principalorgid",
  "aws:principalaccount",
  "aws:principalarn",
];

/** Binding conditions of a statement whose values are not all wildcards. */
function bindsCaller(s: Statement): boolean {
  for (const [operator, entries] of Object.entries(s.Condition ?? {})) {
    // A negated or ...IfExists test holds for requests that carry no such key.
    if (/Not|IfExists$/.test(operator) || operator === "Null") continue;
    for (const [key, value] of Object.entries(entries ?? {}))
      if (
        BINDING_KEYS.includes(key.toLowerCase()) &&
        list(value).length &&
        list(value).every(
          (x) => !/^[*?]*$/.test(x) && !(hasWildcard(x) && /^arn:[^:]*:[^:]*:[^:]*:\*/.test(x)),
        )
      )
        return true;
  }
  return false;
}

export const snsTopicNotPublic: ResourceValidationPolicy = {
  name: "sns-topic-not-public",
  description:
    'No topic policy lets everyone ("*") publish to or subscribe to a topic without a condition that names the accounts, organization or sources allowed.',
  severity: "critical",
  enforcementLevel: "mandatory",
  remediationSteps:
    'Name the principals (the account root, the service principal), or bind Principal "*" by aws:SourceAccount, aws:SourceArn or aws:PrincipalOrgID with literal values.',
  url: "https://docs.aws.amazon.com/sns/latest/dg/sns-security-best-practices.html#ensure-topics-not-publicly-accessible",
  validateResource: (args, report) => {
    if (!is(args.type, T.topic) && !is(args.type, T.topicPolicy)) return;
    const value = rawProps(args.props).policy;
    if (value === undefined || value === "" || containsUnknown(value)) return;
    const parsed = parseDocument(value);
    if (!parsed.ok) return;
    parsed.doc.Statement.forEach((s, i) => {
      if (s.Effect !== "Allow" || !principals(s).star) return;
      const open = list(s.Action).filter((a) => TOPIC_ACTIONS.test(a));
      if (!open.length || bindsCaller(s)) return;
      const where = s.Sid ? `statement "${s.Sid}"` : `statement ${i + 1}`;
      report(
        `${where} lets everyone ${open.join(", ")}${conditionKeys(s).length ? " (its conditions bind no account, organization or source)" : ""}: anyone can forge alarms or read them.`,
      );
    });
  },
};
