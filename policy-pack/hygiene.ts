/** Policy hygiene: documents parse, Sids are unique, ARNs are well formed, sizes fit AWS's limits. */
import { ResourceValidationArgs, ResourceValidationPolicy, ReportViolation } from "@pulumi/policy";
import { Document, documentsOf, FoundDocument, list, parseDocument, SIZE_LIMITS } from "./documents";
import { containsUnknown, rawProps } from "./unknowns";

type Check = (found: FoundDocument, doc: Document, report: ReportViolation) => void;

function forEachKnownDocument(check: Check, parseFailures = false) {
  return (args: ResourceValidationArgs, report: ReportViolation) => {
    for (const found of documentsOf(args.type, rawProps(args.props))) {
      if (containsUnknown(found.value)) continue;
      const parsed = parseDocument(found.value);
      if (parsed.ok) check(found, parsed.doc, report);
      else if (parseFailures) report(`${found.path} ${parsed.error}.`);
    }
  };
}

export const policyDocumentValid: ResourceValidationPolicy = {
  name: "iam-policy-document-valid",
  description:
    'Policy documents parse, declare Version "2012-10-17", and every statement has an Effect and an Action.',
  severity: "medium",
  enforcementLevel: "advisory",
  remediationSteps: "Build policy documents from typed objects and serialise them with JSON.stringify.",
  url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html",
  validateResource: forEachKnownDocument((found, doc, report) => {
    if (doc.Version !== "2012-10-17")
      report(
        `${found.path} has Version ${JSON.stringify(doc.Version)}; without "2012-10-17" policy variables are not substituted.`,
      );
    doc.Statement.forEach((s, i) => {
      if (s.Effect !== "Allow" && s.Effect !== "Deny")
        report(`${found.path} statement ${i + 1} has Effect ${JSON.stringify(s.Effect)}.`);
      if (s.Action === undefined && s.NotAction === undefined)
        report(`${found.path} statement ${i + 1} has no Action.`);
    });
  }, true),
};

export const policyUniqueSids: ResourceValidationPolicy = {
  name: "iam-policy-unique-sids",
  description: "Statement IDs are unique within a document (S3 and SQS reject duplicates).",
  severity: "low",
  enforcementLevel: "advisory",
  remediationSteps: "Rename the duplicated Sid.",
  url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html",
  validateResource: forEachKnownDocument((found, doc, report) => {
    const sids = doc.Statement.map((s) => s.Sid).filter((s): s is string => typeof s === "string");
    const dup = [...new Set(sids.filter((s, i) => sids.indexOf(s) !== i))];
    if (dup.length) report(`${found.path} repeats Sid ${dup.join(", ")}.`);
  }),
};

const ACCOUNT = /^(\d{12}|\*|aws|)$/;
const REGION = /^([a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+|\*|)$/;
const VARIABLE = /\$\{[^}]+\}/;
const AWSLOGS_SEGMENT =
  /^(\d{12}|o-[a-z0-9]{10,32}|\*|aws-account-id=(\d{12}|\*|\$\{aws:[A-Za-z]+\})|\$\{aws:[A-Za-z]+\})$/;
const ACCOUNT_KEYS = ["aws:sourceaccount", "aws:principalaccount", "aws:resourceaccount"];

/** Problems of one ARN, or of an account ID given alone. */
export function arnProblems(value: string): string[] {
  const problems: string[] = [];
  if (!value.startsWith("arn:")) return problems;
  // Policy variables such as ${aws:SourceAccount} contain colons of their own.
  const parts = value.replace(/\$\{[^}]+\}/g, "${var}").split(":");
  if (parts.length < 6) return [`"${value}" is not an ARN (arn:partition:service:region:account:resource)`];
  const [, partition, , region, account] = parts;
  if (!/^aws(-cn|-us-gov|-iso[a-z-]*)?$|^\*$/.test(partition))
    problems.push(`"${value}" has partition "${partition}"`);
  if (!VARIABLE.test(region) && !REGION.test(region)) problems.push(`"${value}" has Region "${region}"`);
  if (!VARIABLE.test(account) && !/\*/.test(account) && !ACCOUNT.test(account))
    problems.push(`"${value}" has account "${account}", not 12 digits`);
  const logs = value.indexOf("/AWSLogs/");
  if (logs >= 0) {
    const segment = value.slice(logs + "/AWSLogs/".length).split("/")[0];
    if (!AWSLOGS_SEGMENT.test(segment))
      problems.push(
        `"${value}" has "${segment}" after AWSLogs/, which no log key matches (expected 12 digits, an organization ID or *)`,
      );
  }
  return problems;
}

export const policyArnsWellFormed: ResourceValidationPolicy = {
  name: "iam-policy-arns-well-formed",
  description:
    "ARNs and account IDs in policies are well formed: 12-digit accounts, known Region shapes, and after AWSLogs/ only an account ID, an organization ID or *.",
  severity: "high",
  enforcementLevel: "advisory",
  remediationSteps:
    "Fix the ARN; a malformed one matches nothing and silently denies the writer it was meant for.",
  url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html",
  validateResource: forEachKnownDocument((found, doc, report) => {
    doc.Statement.forEach((s, i) => {
      const where = `${found.path} ${s.Sid ? `statement "${s.Sid}"` : `statement ${i + 1}`}`;
      const principal =
        s.Principal && typeof s.Principal === "object" ? (s.Principal as Record<string, unknown>) : {};
      const values = [...list(s.Resource), ...list((s as any).NotResource), ...list(principal.AWS)];
      for (const [, entries] of Object.entries(s.Condition ?? {}))
        for (const [key, v] of Object.entries(entries ?? {})) {
          values.push(...list(v).filter((x) => x.startsWith("arn:")));
          if (ACCOUNT_KEYS.includes(key.toLowerCase()))
            for (const id of list(v))
              if (!/^\d{12}$/.test(id) && !VARIABLE.test(id))
                report(`${where} compares ${key} with "${id}", not a 12-digit account ID.`);
        }
      for (const v of values) {
        if (/^\d+$/.test(v) && v.length !== 12) report(`${where} names account "${v}", not 12 digits.`);
        for (const problem of arnProblems(v)) report(`${where}: ${problem}.`);
      }
    });
  }),
};

export const policySizeLimit: ResourceValidationPolicy = {
  name: "iam-policy-size-limit",
  description:
    "Each policy document fits its AWS size limit (bucket 20 KB, key 32 KB, queue 8 KB, trust 2 KB, inline 10 KB).",
  severity: "high",
  enforcementLevel: "advisory",
  remediationSteps:
    "Use organization conditions (aws:SourceOrgID, aws:PrincipalOrgID) and wildcard resources instead of per-account lists.",
  url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html",
  validateResource: forEachKnownDocument((found, _doc, report) => {
    const text = typeof found.value === "string" ? found.value : JSON.stringify(found.value);
    const bytes = Buffer.byteLength(text, "utf8");
    if (bytes > SIZE_LIMITS[found.kind])
      report(
        `${found.path} is ${bytes} bytes, over the ${found.kind} policy limit of ${SIZE_LIMITS[found.kind]}.`,
      );
  }),
};
