/**
 * Trust values, not just trust keys. iam-cross-account-trust-condition checks that a role trusting
 * another account tests sts:ExternalId and that a web-identity trust tests an audience and a subject or
 * session name; these rules check that the values pin someone:
 *
 * - An external ID compared with a wildcard, only for presence (Null), negated or ...IfExists matches
 *   any caller's external ID, or none.
 * - A web-identity trust is pinned by the claim the caller cannot choose. For GitHub Actions
 *   (token.actions.githubusercontent.com) that is the subject: the session name is the
 *   role-session-name input of whoever runs the workflow, and every GitHub repository can get a token
 *   with the audience sts.amazonaws.com. For Microsoft Sentinel (Microsoft's tenant
 *   sts.windows.net/33e01921-.../, audience api://1462b192-...) every workspace of every tenant shares
 *   the provider and the audience, and Microsoft's service names the session
 *   MicrosoftSentinel_<workspace id>: the session name is the only pin, and a wildcard in it admits
 *   every workspace.
 */
import { ResourceValidationArgs, ResourceValidationPolicy, ReportViolation } from "@pulumi/policy";
import { hasWildcard, list, principals, Statement } from "./documents";
import { forEachDocument } from "./leastPrivilege";

interface Entry {
  operator: string;
  key: string;
  values: string[];
}

function entries(s: Statement): Entry[] {
  return Object.entries(s.Condition ?? {}).flatMap(([operator, e]) =>
    Object.entries(e ?? {}).map(([key, v]) => ({ operator, key: key.toLowerCase(), values: list(v) })),
  );
}

/**
 * Why an operator lets any value, or no value, through (undefined: it compares the value). Negated
 * operators match every other value; ...IfExists and ForAllValues match a request without the key;
 * Null only tests presence.
 */
function openOperator(operator: string): string | undefined {
  if (operator === "Null") return "only tests that the key is present";
  if (operator.startsWith("ForAllValues:")) return "(ForAllValues) also matches a request without the key";
  if (operator.endsWith("IfExists")) return "(...IfExists) also matches a request without the key";
  if (/Not/.test(operator)) return "(a negated operator) matches every other value";
  return undefined;
}

const wildcardOnly = (v: string) => /^[*?]+$/.test(v);
const canMatchWildcards = (operator: string) => /Like/.test(operator);

/** A value that, compared under `operator`, matches anything (a wildcard alone). */
const matchesAnything = (e: Entry) => canMatchWildcards(e.operator) && e.values.some(wildcardOnly);
/** A value with a wildcard that matches more than one literal. */
const isPattern = (e: Entry, v: string) => canMatchWildcards(e.operator) && hasWildcard(v);

const label = (s: Statement, i: number) => (s.Sid ? `statement "${s.Sid}"` : `statement ${i + 1}`);

function forEachTrust(
  check: (s: Statement, where: string, report: ReportViolation, args: ResourceValidationArgs) => void,
) {
  return forEachDocument((doc, args, report) => {
    if (args.type !== "aws:iam/role:Role") return;
    doc.Statement.forEach((s, i) => {
      if (s.Effect === "Allow") check(s, label(s, i), report, args);
    });
  });
}

export const externalIdNotWildcard: ResourceValidationPolicy = {
  name: "iam-external-id-pinned",
  description:
    "An sts:ExternalId condition compares the external ID with exact values (StringEquals, no wildcard, no Null, negated or ...IfExists test): one that matches anything is no external ID at all.",
  severity: "critical",
  enforcementLevel: "mandatory",
  remediationSteps:
    'Use {"StringEquals": {"sts:ExternalId": "<the ID your SIEM vendor gave you>"}} and nothing looser.',
  url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html",
  validateResource: forEachTrust((s, where, report) => {
    if (!principals(s).aws.length) return;
    const ids = entries(s).filter((e) => e.key === "sts:externalid");
    if (!ids.length) return; // a missing external ID is iam-cross-account-trust-condition's
    const pins = ids.filter((e) => !openOperator(e.operator) && !e.values.some((v) => isPattern(e, v)));
    if (pins.length) return; // an exact comparison next to a loose one still pins the ID
    for (const e of ids) {
      const why =
        openOperator(e.operator) ??
        (matchesAnything(e)
          ? "matches any external ID"
          : `matches a pattern (${e.values.join(", ")}), not one ID`);
      report(
        `${where} tests sts:ExternalId with ${e.operator}, which ${why}: any caller of the trusted account passes.`,
      );
    }
  }),
};

const GITHUB = /^token\.actions\.githubusercontent\.com(\/|$)/;
/** Microsoft's own tenants, which issue Sentinel's and Defender for Cloud's tokens (commercial, government). */
const MICROSOFT_SERVICE_TENANTS = [
  "sts.windows.net/33e01921-4d64-4f8c-a055-5bdaffd5e33d/",
  "sts.windows.net/cab8a31a-1906-4287-a0d8-4eef66b95f6e/",
];
const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

const providerOf = (federated: string) =>
  federated.includes(":oidc-provider/")
    ? federated.slice(federated.indexOf(":oidc-provider/") + 15)
    : federated;

type Kind = "github" | "microsoft" | "other";
const kindOf = (provider: string): Kind =>
  GITHUB.test(provider) ? "github" : MICROSOFT_SERVICE_TENANTS.includes(provider) ? "microsoft" : "other";

interface Pins {
  provider: string;
  kind: Kind;
  aud: Entry[];
  sub: Entry[];
  session: Entry[];
}

function pinsOf(s: Statement): Pins[] {
  const all = entries(s);
  return principals(s).federated.map((f) => {
    const provider = providerOf(f);
    const p = provider.toLowerCase();
    return {
      provider,
      kind: kindOf(provider),
      aud: all.filter((e) => e.key === `${p}:aud`),
      sub: all.filter((e) => e.key === `${p}:sub`),
      session: all.filter((e) => e.key === "sts:rolesessionname"),
    };
  });
}

/** A GitHub subject value whose repository owner is a wildcard (repo:*, repo:*\/x...). */
const githubOwnerOpen = (v: string) => wildcardOnly(v) || /^repo:[^/]*[*?]/.test(v);
/** A Sentinel session name value that still names one workspace: it holds a whole workspace ID. */
const namesWorkspace = (v: string) => !hasWildcard(v) || GUID.test(v);

/** The entries of a claim that pin it, each value judged by `open` (a value that admits anyone). */
const pinning = (es: Entry[], open: (e: Entry, v: string) => boolean) =>
  es.filter((e) => !openOperator(e.operator) && e.values.length && e.values.every((v) => !open(e, v)));

const describeEntries = (es: Entry[]) => es.map((e) => `${e.operator} ${e.values.join(", ")}`).join("; ");

export const webIdentityTrustPinned: ResourceValidationPolicy = {
  name: "iam-web-identity-trust-pinned",
  description:
    "A web-identity (OIDC) trust pins the claim its caller cannot choose, with a value that is not a wildcard: the audience; for GitHub Actions the subject with a literal repository owner (the session name is the workflow's choice); for Microsoft Sentinel the session name MicrosoftSentinel_<workspace id> (every tenant shares Microsoft's provider and audience); for other providers the subject or session name.",
  severity: "critical",
  enforcementLevel: "mandatory",
  remediationSteps:
    'GitHub: {"StringEquals": {"token.actions.githubusercontent.com:sub": "repo:<owner>/<repo>:ref:refs/heads/main"}}. Sentinel: {"StringEquals": {"sts:RoleSessionName": "MicrosoftSentinel_<workspace id>"}}. Never "*" and never an operator that also matches a missing claim.',
  url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html",
  validateResource: forEachTrust((s, where, report) => {
    for (const p of pinsOf(s)) {
      const openAud = p.aud.length && !pinning(p.aud, (e, v) => isPattern(e, v) && wildcardOnly(v)).length;
      if (openAud)
        report(
          `${where} trusts ${p.provider} for any audience (${describeEntries(p.aud)}): tokens issued to any application pass.`,
        );
      if (!p.sub.length && !p.session.length) continue; // no pin at all: iam-cross-account-trust-condition's
      if (p.kind === "github") {
        if (pinning(p.sub, (e, v) => isPattern(e, v) && githubOwnerOpen(v)).length) continue;
        report(
          p.sub.length
            ? `${where} trusts GitHub Actions with a subject that admits any repository owner (${describeEntries(p.sub)}): every GitHub repository can assume the role.`
            : `${where} trusts GitHub Actions pinned only by sts:RoleSessionName, which the workflow chooses (role-session-name): every GitHub repository can assume the role. Pin token.actions.githubusercontent.com:sub.`,
        );
      } else if (p.kind === "microsoft") {
        if (pinning(p.session, (e, v) => isPattern(e, v) && !namesWorkspace(v)).length) continue;
        report(
          p.session.length
            ? `${where} trusts Microsoft's tenant ${p.provider} with a session name that names no workspace (${describeEntries(p.session)}): every Sentinel workspace of every tenant shares this provider and audience and can assume the role.`
            : `${where} trusts Microsoft's tenant ${p.provider} without sts:RoleSessionName: every Sentinel workspace of every tenant shares this provider and audience; only the session name MicrosoftSentinel_<workspace id> pins yours.`,
        );
      } else {
        const open = (e: Entry, v: string) => isPattern(e, v) && wildcardOnly(v);
        if (pinning([...p.sub, ...p.session], open).length) continue;
        report(
          `${where} trusts ${p.provider} with a subject or session name that matches anything (${describeEntries([...p.sub, ...p.session])}): any identity of the provider can assume the role.`,
        );
      }
    }
  }),
};

export const webIdentityTrustScope: ResourceValidationPolicy = {
  name: "iam-web-identity-trust-scope",
  description:
    "A web-identity trust's pin is exact: a wildcard in the subject or session name admits more than one workflow or identity (any branch, any repository of an owner), and a pin on the session name alone cannot be judged for a provider whose callers may choose it.",
  severity: "medium",
  enforcementLevel: "advisory",
  remediationSteps:
    "Pin the exact subject (repository and branch or environment), or confirm that the provider's service, not the caller, sets the session name.",
  url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif",
  validateResource: forEachTrust((s, where, report) => {
    for (const p of pinsOf(s)) {
      const claims =
        p.kind === "microsoft" ? p.session : p.kind === "github" ? p.sub : [...p.sub, ...p.session];
      const patterns = claims.flatMap((e) => e.values.filter((v) => isPattern(e, v) && !wildcardOnly(v)));
      const judged = p.kind === "github" ? patterns.filter((v) => !githubOwnerOpen(v)) : patterns;
      if (judged.length)
        report(
          `${where} pins ${p.provider} by a pattern (${judged.join(", ")}): every identity it matches can assume the role.`,
        );
      if (p.kind === "other" && !p.sub.length && p.session.length)
        report(
          `${where} pins ${p.provider} by sts:RoleSessionName alone: the pack cannot tell whether that provider's callers choose their session name; pin the subject if they do.`,
        );
    }
  }),
};
