/**
 * Delivery correctness: statements that look right and silently deny the service they are written for,
 * because they test a condition key the service never puts in its requests.
 */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { Statement, principals } from "./documents";
import { forEachDocument } from "./leastPrivilege";

/** Keys a service principal is publicly reported not to send (see docs/policies.md for the reports). */
const NOT_SENT_BY: Record<string, string[]> = {
  "cloudtrail.amazonaws.com": ["aws:sourceorgid", "aws:sourceorgpaths"],
};
/** Keys that describe an IAM principal; requests made by a service principal carry none of them. */
const PRINCIPAL_KEYS = [
  "aws:principalorgid",
  "aws:principalorgpaths",
  "aws:principalaccount",
  "aws:principalarn",
];

/**
 * A condition that requires a key to be present: every operator except the ...IfExists forms, the
 * negated ones (true when the key is missing) and Null.
 */
function requiresKey(operator: string): boolean {
  const base = operator.replace(/^For(AllValues|AnyValue):/, "");
  if (operator.startsWith("ForAllValues:")) return false;
  return !base.endsWith("IfExists") && !/Not/.test(base) && base !== "Null";
}

function missingKeys(s: Statement): { service: string; key: string }[] {
  const p = principals(s);
  if (!p.service.length || p.aws.length || p.federated.length) return [];
  const found: { service: string; key: string }[] = [];
  for (const [operator, entries] of Object.entries(s.Condition ?? {})) {
    if (!requiresKey(operator)) continue;
    for (const key of Object.keys(entries ?? {})) {
      const k = key.toLowerCase();
      for (const service of p.service)
        if (PRINCIPAL_KEYS.includes(k) || NOT_SENT_BY[service]?.includes(k)) found.push({ service, key });
    }
  }
  return found;
}

export const servicePrincipalKeysSent: ResourceValidationPolicy = {
  name: "service-principal-condition-keys-sent",
  description:
    "An Allow to an AWS service principal never requires a condition key that service does not send: aws:SourceOrgID for CloudTrail, aws:Principal* keys for any service.",
  severity: "critical",
  enforcementLevel: "mandatory",
  remediationSteps:
    "Key CloudTrail grants by aws:SourceArn (the trail ARN); scope other service principals by aws:SourceAccount or aws:SourceArn.",
  url: "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html",
  validateResource: forEachDocument((doc, _args, report) =>
    doc.Statement.forEach((s, i) => {
      if (s.Effect !== "Allow") return;
      const where = s.Sid ? `statement "${s.Sid}"` : `statement ${i + 1}`;
      for (const { service, key } of missingKeys(s))
        report(
          service === "cloudtrail.amazonaws.com" && NOT_SENT_BY[service].includes(key.toLowerCase())
            ? `${where} admits cloudtrail.amazonaws.com only when ${key} matches, but CloudTrail does not send ${key}: the statement never matches and CloudTrail's deliveries are denied. Key it by aws:SourceArn, the trail's ARN.`
            : `${where} admits ${service} only when ${key} matches, but requests made by a service principal carry no ${key}: the statement never matches.`,
        );
    }),
  ),
};
