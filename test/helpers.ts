/** Shared fixtures: raw stack configs like the example organization's, policy look-ups, and pack runs. */
import { expect } from "chai";
import { RawConfig } from "../shared/config";
import { PolicyDocument, PolicyStatement } from "../shared/iam";
import * as policy from "@pulumi/policy";
import { policies } from "../policy-pack/policies";
import { RunnableResource, runResourcePolicy, runStackPolicy } from "../tools/simulation/policyRunner";
import { SimResource, SimStack, Simulator } from "../tools/simulation/simulate";

export const CENTRAL = "111111111111";
export const MGMT = "222222222222";
export const WEB = "333333333333";
export const OUTSIDER = "444444444444";
export const ORG = "o-a1b2c3d4e5";
export const REGION = "eu-west-1";
export const CENTRAL_STACK = "organization/central-logging/central";
export const ORG_TRAIL = `arn:aws:cloudtrail:${REGION}:${MGMT}:trail/organization-trail`;
/** The account trail a member creates by default (name central-logging, homed in its Region). */
export const accountTrail = (account: string, region = REGION) =>
  `arn:aws:cloudtrail:${region}:${account}:trail/central-logging`;

type Settings = Record<string, unknown>;

/** Encodes settings the way the Pulumi runtime hands them over (objects as JSON text). */
export function raw(account: string, settings: Settings, extra: Record<string, string> = {}): RawConfig {
  const out: RawConfig = {
    "aws:region": REGION,
    "aws:allowedAccountIds": JSON.stringify([account]),
    ...extra,
  };
  for (const [key, value] of Object.entries(settings)) {
    if (value === undefined) continue;
    out[`central-logging:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return out;
}

/**
 * Organization mode as the example runs it: the management account's organization trail, account trails
 * of both members admitted too, and both members' flow logs admitted by aws:SourceAccount.
 */
export const centralSettings = (overrides: Settings = {}): Settings => ({
  role: "central",
  organizationId: ORG,
  memberAccountIds: [MGMT, WEB],
  cloudTrail: {
    organizationTrail: { managementAccountId: MGMT, name: "organization-trail" },
    accountTrails: [{ accountId: MGMT }, { accountId: WEB }],
  },
  bucketSuffix: "example-org",
  siem: {
    trust: "aws",
    principals: ["arn:aws:iam::999999999999:role/siem-ingest"],
    externalId: "ext-id-123",
  },
  tamperProtection: { deployRoleNames: ["central-logging-deploy"] },
  ...overrides,
});

/** Account-list mode: every member may run its default account trail (the default when cloudTrail is unset). */
export const listSettings = (overrides: Settings = {}): Settings =>
  centralSettings({
    organizationId: undefined,
    memberAccountIds: [MGMT, WEB],
    cloudTrail: undefined,
    ...overrides,
  });

/** The archive bucket policies' tamper denies (tamperProtection.bucketPolicyDenies, on by default). */
export const TAMPER_DENIES = [
  "DenySettingChangesExceptDeployAndBreakGlass",
  "DenyErasingLogsExceptBreakGlass",
] as const;

export const memberSettings = (overrides: Settings = {}): Settings => ({
  role: "member",
  centralStack: CENTRAL_STACK,
  ...overrides,
});

export function find(stack: SimStack, type: string, name?: string): SimResource {
  const found = stack.resources.filter((r) => r.type === type && (name === undefined || r.name === name));
  expect(found, `${type} ${name ?? ""} in ${stack.name}`).to.have.length(1);
  return found[0];
}

export function all(stack: SimStack, type: string): SimResource[] {
  return stack.resources.filter((r) => r.type === type);
}

/** Parses a policy input back from the JSON the program produced. */
export function parsed(json: unknown): PolicyDocument {
  expect(json, "policy JSON").to.be.a("string");
  const doc = JSON.parse(json as string) as PolicyDocument;
  expect(doc.Version).to.equal("2012-10-17");
  return doc;
}

export function statement(doc: PolicyDocument, sid: string): PolicyStatement {
  const found = doc.Statement.filter((s) => s.Sid === sid);
  expect(found, `statement ${sid} in ${doc.Statement.map((s) => s.Sid).join(",")}`).to.have.length(1);
  return found[0];
}

/**
 * This machine's test time factor (test/timeoutFactor.js, set by .mocharc.js): 1 on a quiet machine, more
 * on a busy one. A test that sets its own timeout scales it, so a slow machine passes and a hang still fails.
 */
export const TIMEOUT_FACTOR = Number(process.env.CENTRAL_LOGGING_TEST_TIMEOUT_FACTOR || 1);
export const scaled = (ms: number) => Math.round(ms * TIMEOUT_FACTOR);

const simulations = new Map<string, ReturnType<typeof simulate>>();

/**
 * `simulate`, run once per test process for the same settings: several suites simulate the same
 * organization, and each run costs seconds on a busy machine. The stacks are shared: read them, never
 * change them (copy with `runnable` or JSON first).
 */
export function simulateOnce(
  central: Settings,
  members: Record<string, { account: string; settings: Settings }> = {},
): ReturnType<typeof simulate> {
  const key = JSON.stringify([central, members]);
  if (!simulations.has(key)) simulations.set(key, simulate(central, members));
  return simulations.get(key)!;
}

/** Runs the central stack (and optionally members) in a fresh simulator. */
export async function simulate(
  central: Settings,
  members: Record<string, { account: string; settings: Settings }> = {},
) {
  const sim = new Simulator();
  const centralStack = await sim.runStack("central", raw(CENTRAL, central));
  const memberStacks: Record<string, SimStack> = {};
  for (const [name, m] of Object.entries(members))
    memberStacks[name] = await sim.runStack(name, raw(m.account, m.settings));
  return { sim, central: centralStack, members: memberStacks };
}

export async function rejects(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a rejection");
}

/** A pack policy by name (test/policyPack*.test.ts). */
export function packPolicy(name: string): policy.Policy {
  const p = policies.find((x) => x.name === name);
  if (!p) throw new Error(`no policy ${name}`);
  return p;
}

/** A simulated stack's resources as the pack sees them: state as props, copied so tests may edit them. */
export function runnable(stack: SimStack): RunnableResource[] {
  return stack.resources.map((r) => ({
    type: r.type,
    name: r.name,
    urn: r.urn,
    props: JSON.parse(JSON.stringify(r.state)),
    protect: r.protect,
  }));
}

/** A copy of the resources with one resource's props changed. */
export function editResource(
  rs: RunnableResource[],
  name: string,
  change: (props: Record<string, any>) => void,
): RunnableResource[] {
  return rs.map((r) => {
    if (r.name !== name) return r;
    const props = JSON.parse(JSON.stringify(r.props));
    change(props);
    return { ...r, props };
  });
}

/** The messages a pack policy (stack or resource) reports over the resources. */
export async function packMessages(name: string, rs: RunnableResource[], config = {}): Promise<string[]> {
  const p = packPolicy(name);
  if ("validateStack" in p) {
    const v = await runStackPolicy(p as policy.StackValidationPolicy, rs, config);
    return v === "not-applicable" ? [] : v.map((x) => x.message);
  }
  const found = await Promise.all(
    rs.map((r) => runResourcePolicy(p as policy.ResourceValidationPolicy, r.type, r.props, config, r.urn)),
  );
  return found.filter((x): x is string[] => x !== "not-applicable").flat();
}
