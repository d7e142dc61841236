/**
 * Provenance of the emitted statements: every condition key an Allow statement relies on must be one
 * its principal is known to send (shared/requestContexts.ts); no Deny may cover a call a service makes
 * with conditions that all rest on keys that service does not send (it would drop the delivery); and no
 * policy variable may appear unless an extension that needs it is on. Used by test/provenance.test.ts
 * over every example configuration.
 */
import { Extension } from "../../shared/extensions";
import { asList, PolicyDocument, PolicyStatement } from "../../shared/iam";
import {
  actionMatches,
  ContextKey,
  CONTEXT_KEYS,
  contextRow,
  keyInUse,
  REQUEST_CONTEXTS,
} from "../../shared/requestContexts";

export interface ProvenanceProblem {
  sid: string;
  problem: string;
}

/** Keys documented for IAM principals' own requests (IAM global keys, KMS, STS). */
const PRINCIPAL_REQUEST_KEYS = new Set([
  "aws:principalarn",
  "aws:principalaccount",
  "aws:principalorgid",
  "aws:securetransport",
  "kms:viaservice",
  "kms:encryptioncontext:aws:s3:arn",
  "sts:externalid",
  "sts:rolesessionname",
]);

const known = (key: string) =>
  Object.keys(CONTEXT_KEYS).find((k) => k.toLowerCase() === key.toLowerCase()) as ContextKey | undefined;

/**
 * The keys a service sends for an action, given the extensions that are on; null when the service never
 * makes that call (no row), undefined when the table does not cover the service at all.
 */
function sentKeys(
  service: string,
  action: string,
  extensions: ReadonlySet<Extension>,
): Set<string> | null | undefined {
  if (!REQUEST_CONTEXTS.some((r) => r.principal === service)) return undefined;
  try {
    const row = contextRow(service, action);
    return new Set(row.keys.filter((k) => keyInUse(k, extensions)).map((k) => k.key.toLowerCase()));
  } catch {
    return null;
  }
}

/**
 * Policy variables a statement may use by default: the IAM principal keys in statements for IAM
 * principals (AWS documents ${aws:PrincipalAccount} and friends as policy variables, IAM user guide,
 * policy variables). A service principal's keys in Resource (${aws:SourceAccount}) only with the
 * own-account-prefix extension.
 */
const PRINCIPAL_VARIABLES = /^\$\{aws:(PrincipalAccount|PrincipalOrgID|PrincipalArn)\}$/i;

export function provenanceProblems(
  doc: PolicyDocument,
  extensions: ReadonlySet<Extension>,
): ProvenanceProblem[] {
  const problems: ProvenanceProblem[] = [];
  const variablesAllowed = extensions.has("own-account-prefix");
  doc.Statement.forEach((s, i) => {
    const sid = s.Sid ?? `statement ${i + 1}`;
    const text = JSON.stringify({ Resource: s.Resource, Condition: s.Condition });
    const forIamPrincipals =
      s.Principal === "*" || (typeof s.Principal === "object" && s.Principal.AWS !== undefined);
    const variables = text.match(/\$\{[^}]+\}/g) ?? [];
    const undocumented = variables.filter((v) => !(forIamPrincipals && PRINCIPAL_VARIABLES.test(v)));
    if (!variablesAllowed && undocumented.length)
      problems.push({
        sid,
        problem: `uses the policy variable ${undocumented[0]}, which only the own-account-prefix extension may`,
      });
    if (s.Effect === "Deny") {
      problems.push(...denyProblems(s, sid, extensions));
      return;
    }
    if (s.Effect !== "Allow") return;
    const principal = s.Principal === "*" ? { AWS: "*" } : (s.Principal ?? {});
    const services = asList((principal as { Service?: string | string[] }).Service);
    const actions = asList(s.Action);
    for (const [operator, entries] of Object.entries(s.Condition ?? {})) {
      const optional = operator.endsWith("IfExists") || operator === "Null";
      for (const key of Object.keys(entries ?? {})) {
        const lower = key.toLowerCase();
        if (services.length) {
          for (const service of services) {
            // A statement shared by several services may list actions one of them never calls: judge each
            // service by the calls it makes. A statement of one service must cover only calls it makes.
            const all = actions.map((a) => sentKeys(service, a, extensions));
            const perAction = (services.length > 1 ? all.filter((k) => k !== null) : all).map((k) =>
              k === null ? new Set<string>() : k,
            ) as (Set<string> | undefined)[];
            if (!perAction.length || perAction.some((k) => k === undefined)) {
              problems.push({
                sid,
                problem: `admits ${service}, which the request-context table does not cover for ${actions.join(", ")}`,
              });
              continue;
            }
            // A required key must be sent for every action; an ...IfExists key for at least one.
            const sent = optional
              ? perAction.some((k) => k!.has(lower))
              : perAction.every((k) => k!.has(lower));
            if (!sent)
              problems.push({
                sid,
                problem: `relies on ${key}, which ${service} is not documented to send for ${actions.join(", ")}${
                  known(key) ? "" : " (not a key the table knows)"
                }`,
              });
          }
        } else if (!PRINCIPAL_REQUEST_KEYS.has(lower) && !/:(aud|sub)$/.test(lower))
          problems.push({
            sid,
            problem: `relies on ${key}, not a key IAM principals' requests are documented to carry`,
          });
      }
    }
  });
  return problems;
}

/**
 * Whether a condition operator is true when its key is missing from the request: every negated operator
 * (StringNotEquals, ArnNotLike, ...), every ...IfExists operator, and Null (for "true"). A Deny built on
 * such a block fires for a service principal that does not send the key.
 */
function firesWhenMissing(operator: string, value: unknown): boolean {
  const base = operator.replace(/^For(All|Any)Values:/, "");
  if (base === "Null") return asList(value as string | string[]).includes("true");
  return base.endsWith("IfExists") || /Not(Equals|Like|IpAddress)/.test(base);
}

/**
 * A Deny that applies to a service principal (Principal "*", as in bucket policies and resource control
 * policies, or the service named) and covers a call the service makes, but whose every condition block
 * fires for that service because it rests on a key the service does not send: it would drop the
 * service's delivery. SCPs (no Principal element) never apply to service principals. Conditions on keys
 * the service does send (aws:SecureTransport, aws:PrincipalIsAWSService) are left to the access matrix,
 * which evaluates their values.
 */
function denyProblems(
  s: PolicyStatement,
  sid: string,
  extensions: ReadonlySet<Extension>,
): ProvenanceProblem[] {
  if (s.Principal === undefined) return [];
  const named =
    s.Principal === "*"
      ? undefined
      : asList((s.Principal as { Service?: string | string[]; AWS?: string | string[] }).Service);
  const everyone =
    s.Principal === "*" || asList((s.Principal as { AWS?: string | string[] }).AWS).includes("*");
  const problems: ProvenanceProblem[] = [];
  const denied = asList(s.Action);
  for (const row of REQUEST_CONTEXTS) {
    if (!row.principal.endsWith(".amazonaws.com")) continue;
    if (!everyone && !(named ?? []).includes(row.principal)) continue;
    // The row's calls this Deny covers (a row's "kms:*", any KMS call, is matched only by a Deny of all).
    const calls = row.actions.filter((call) =>
      denied.some((d) => actionMatches(d, call) || (!call.endsWith(":*") && actionMatches(call, d))),
    );
    if (!calls.length) continue;
    // Keys the service always sends; an optional one (a header only some requests carry) may be missing.
    const sent = new Set(
      row.keys.filter((k) => keyInUse(k, extensions) && !k.optional).map((k) => k.key.toLowerCase()),
    );
    const blocks = Object.entries(s.Condition ?? {}).flatMap(([operator, entries]) =>
      Object.entries(entries ?? {}).map(([key, value]) => ({ operator, key, value })),
    );
    const missing = blocks.filter((b) => !sent.has(b.key.toLowerCase()));
    if (
      blocks.length &&
      (missing.length < blocks.length || !missing.every((b) => firesWhenMissing(b.operator, b.value)))
    )
      continue;
    problems.push({
      sid,
      problem: blocks.length
        ? `denies ${row.principal} ${calls.join(", ")}: it does not send ${missing.map((b) => b.key).join(", ")}, so ${missing.length > 1 ? "these conditions hold" : "the condition holds"} for every such delivery`
        : `denies ${row.principal} ${calls.join(", ")} with no condition`,
    });
  }
  return problems;
}
