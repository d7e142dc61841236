/**
 * Access proofs with a real IAM policy evaluator, @cloud-copilot/iam-simulate (AGPL-3.0, a
 * devDependency: used by the offline plan and the tests only, never by the deployed program).
 *
 * Known limit, handled here rather than ignored: the evaluator drops request context keys of the form
 * `kms:EncryptionContext:<key>` (its variable-key matching only knows `/`-separated keys), so a statement
 * conditioned on one would be judged without it. Before evaluation, `resolveEncryptionContext` decides
 * those conditions itself against the request and removes them (condition met) or the statement (not
 * met); each such cell is marked `contextCheckedLocally`.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { asList, PolicyDocument, PolicyStatement } from "../../shared/iam";

export type Decision = "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied";

export interface AccessRequest {
  /** An IAM principal ARN, a service principal, or "anonymous". */
  principal: string;
  action: string;
  resource: string;
  /** Account that owns the resource. */
  resourceAccount: string;
  context: Record<string, string | string[]>;
}

export interface AccessPolicies {
  resourcePolicy?: PolicyDocument;
  identityPolicies?: { name: string; policy: PolicyDocument }[];
  /** Service control policies that apply to the principal's account (FullAWSAccess is added). */
  serviceControlPolicies?: { name: string; policy: PolicyDocument }[];
  /** Resource control policies that apply to the resource's account (RCPFullAWSAccess is added). */
  resourceControlPolicies?: { name: string; policy: PolicyDocument }[];
}

/** AWS's default SCP, which every level of an organization carries unless replaced. */
export const FULL_AWS_ACCESS: PolicyDocument = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
};

export interface AccessResult {
  decision: Decision;
  contextCheckedLocally: boolean;
  error?: string;
}

const ENCRYPTION_CONTEXT = /^kms:encryptioncontext:.+/i;

function substitute(pattern: string, context: Record<string, string | string[]>): string | undefined {
  let missing = false;
  const out = pattern.replace(/\$\{([^}]+)\}/g, (_, key: string) => {
    const value = Object.entries(context).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
    if (value === undefined || Array.isArray(value)) {
      missing = true;
      return "";
    }
    return value;
  });
  return missing ? undefined : out;
}

function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  );
  return re.test(value);
}

/** Evaluates one operator on one encryption-context key; throws on an operator it does not know. */
export function encryptionContextConditionHolds(
  operator: string,
  key: string,
  expected: string[],
  context: Record<string, string | string[]>,
): boolean {
  const actual = Object.entries(context).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
  const ifExists = operator.endsWith("IfExists");
  const base = ifExists ? operator.slice(0, -"IfExists".length) : operator;
  if (base === "Null") return (actual === undefined) === (expected[0] === "true");
  if (actual === undefined) return ifExists || base === "StringNotEquals" || base === "StringNotLike";
  const values = asList(actual);
  const patterns = expected.map((e) => substitute(e, context)).filter((e): e is string => e !== undefined);
  const anyMatch = (cmp: (p: string, v: string) => boolean) =>
    values.some((v) => patterns.some((p) => cmp(p, v)));
  switch (base) {
    case "StringEquals":
      return anyMatch((p, v) => p === v);
    case "StringLike":
      return anyMatch(globMatch);
    case "StringNotEquals":
      return !anyMatch((p, v) => p === v);
    case "StringNotLike":
      return !anyMatch(globMatch);
    default:
      throw new Error(
        `condition operator ${operator} on ${key} is not supported by the local encryption-context check`,
      );
  }
}

/** Returns the document with every kms:EncryptionContext:<key> condition decided for this request. */
export function resolveEncryptionContext(
  doc: PolicyDocument,
  context: Record<string, string | string[]>,
): { doc: PolicyDocument; touched: boolean } {
  let touched = false;
  const statements: PolicyStatement[] = [];
  for (const statement of doc.Statement) {
    if (!statement.Condition) {
      statements.push(statement);
      continue;
    }
    let holds = true;
    const remaining: Record<string, Record<string, string | string[]>> = {};
    for (const [operator, entries] of Object.entries(statement.Condition)) {
      for (const [key, expected] of Object.entries(entries as Record<string, string | string[]>)) {
        if (ENCRYPTION_CONTEXT.test(key)) {
          touched = true;
          holds = holds && encryptionContextConditionHolds(operator, key, asList(expected), context);
        } else {
          remaining[operator] = { ...(remaining[operator] ?? {}), [key]: expected };
        }
      }
    }
    if (!holds) continue;
    const rest: PolicyStatement = { ...statement };
    delete rest.Condition;
    statements.push(Object.keys(remaining).length ? { ...rest, Condition: remaining } : rest);
  }
  return { doc: { ...doc, Statement: statements }, touched };
}

export async function evaluateAccess(
  request: AccessRequest,
  policies: AccessPolicies,
): Promise<AccessResult> {
  let touched = false;
  const resolve = (doc: PolicyDocument) => {
    const r = resolveEncryptionContext(doc, request.context);
    touched = touched || r.touched;
    return r.doc;
  };
  const principal = request.principal === "anonymous" ? ({ type: "Anonymous" } as const) : request.principal;
  const contextVariables = Object.fromEntries(
    Object.entries(request.context).filter(([k]) => !ENCRYPTION_CONTEXT.test(k)),
  );
  const result: any = await runSimulation(
    {
      request: {
        principal,
        action: request.action,
        resource: { resource: request.resource, accountId: request.resourceAccount },
        contextVariables,
      },
      identityPolicies: (policies.identityPolicies ?? []).map((p) => ({
        name: p.name,
        policy: resolve(p.policy),
      })),
      serviceControlPolicies: policies.serviceControlPolicies?.length
        ? [
            {
              orgIdentifier: "guardrail-target",
              policies: [
                { name: "FullAWSAccess", policy: FULL_AWS_ACCESS },
                ...policies.serviceControlPolicies,
              ],
            },
          ]
        : [],
      resourceControlPolicies: policies.resourceControlPolicies?.length
        ? // The evaluator adds RCPFullAWSAccess itself, as AWS attaches it to every level.
          [{ orgIdentifier: "guardrail-target", policies: policies.resourceControlPolicies }]
        : [],
      resourcePolicy: policies.resourcePolicy ? resolve(policies.resourcePolicy) : undefined,
    },
    {},
  );
  if (result.resultType === "error")
    return {
      decision: "ImplicitlyDenied",
      contextCheckedLocally: touched,
      error: JSON.stringify(result.errors),
    };
  return { decision: result.overallResult as Decision, contextCheckedLocally: touched };
}
