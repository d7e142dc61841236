/**
 * Runs the policy pack's policies outside the Pulumi CLI, with @pulumi/policy 1.21's runtime semantics:
 * props wrapped in the unknown-checking proxy, `notApplicable` throwing, enforcement levels resolved
 * from pack config as the CLI does (`all`, then per policy, then the policy's own default), and schema
 * defaults applied the way the CLI applies them.
 */
import * as policy from "@pulumi/policy";
import { SimStack } from "./simulate";

const { unknownCheckingProxy } = require("@pulumi/policy") as { unknownCheckingProxy: <T>(x: T) => T };

export class NotApplicable extends Error {}

export interface RunnableResource {
  type: string;
  name: string;
  urn: string;
  props: Record<string, any>;
  protect?: boolean;
}

export type PackConfig = Record<
  string,
  string | ({ enforcementLevel?: policy.EnforcementLevel } & Record<string, unknown>)
>;

export interface Violation {
  policy: string;
  level: "mandatory" | "advisory";
  stack: string;
  urn: string;
  message: string;
}

function options(protect = false): policy.PolicyResourceOptions {
  return {
    protect,
    ignoreChanges: [],
    aliases: [],
    additionalSecretOutputs: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  };
}

const matches = (type: string) => (cls: any) => cls?.__pulumiType === type;

export async function runResourcePolicy(
  p: policy.ResourceValidationPolicy,
  type: string,
  props: Record<string, any>,
  config: Record<string, unknown> = {},
  urn = `urn:pulumi:test::test::${type}::r`,
): Promise<string[] | "not-applicable"> {
  const violations: string[] = [];
  const proxied = unknownCheckingProxy(props);
  const args: policy.ResourceValidationArgs = {
    type,
    props: proxied,
    urn,
    name: urn.split("::").pop() ?? "r",
    opts: options(),
    stackTags: new Map(),
    isType: (cls) => matches(type)(cls),
    asType: ((cls: any) => (matches(type)(cls) ? proxied : undefined)) as any,
    getConfig: <T extends object>() => config as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason);
    },
  };
  const fns = Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource!];
  try {
    for (const fn of fns) await fn(args, (message) => violations.push(message));
  } catch (e) {
    if (e instanceof NotApplicable) return "not-applicable";
    throw e;
  }
  return violations;
}

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => strings(v, out));
  else if (value && typeof value === "object") Object.values(value).forEach((v) => strings(v, out));
  return out;
}

/**
 * PolicyResources for a stack policy. Property dependencies are inferred by value: a property that
 * holds another resource's ARN, ID or bucket name depends on it, as it would through an Output.
 */
export function policyResources(resources: RunnableResource[]): policy.PolicyResource[] {
  const byValue = new Map<string, policy.PolicyResource>();
  const out = resources.map((r) => {
    const pr: policy.PolicyResource = {
      type: r.type,
      name: r.name,
      urn: r.urn,
      props: unknownCheckingProxy(r.props),
      opts: options(r.protect),
      dependencies: [],
      propertyDependencies: {},
      isType: (cls: any) => matches(r.type)(cls),
      asType: ((cls: any) => (matches(r.type)(cls) ? r.props : undefined)) as any,
    };
    for (const key of ["arn", "id", "bucket"]) {
      const v = r.props[key];
      if (typeof v === "string" && !byValue.has(v)) byValue.set(v, pr);
    }
    return pr;
  });
  out.forEach((pr, i) => {
    for (const [key, value] of Object.entries(resources[i].props)) {
      if (
        key === "arn" ||
        key === "id" ||
        (key === "bucket" && resources[i].type.startsWith("aws:s3/bucket:"))
      )
        continue;
      const deps = [
        ...new Set(
          strings(value)
            .map((v) => byValue.get(v))
            .filter((d): d is policy.PolicyResource => !!d && d !== pr),
        ),
      ];
      if (deps.length) {
        pr.propertyDependencies[key] = deps;
        pr.dependencies.push(...deps.filter((d) => !pr.dependencies.includes(d)));
      }
    }
  });
  return out;
}

export async function runStackPolicy(
  p: policy.StackValidationPolicy,
  resources: RunnableResource[],
  config: Record<string, unknown> = {},
  built: policy.PolicyResource[] = policyResources(resources),
): Promise<{ message: string; urn?: string }[] | "not-applicable"> {
  const violations: { message: string; urn?: string }[] = [];
  const args: policy.StackValidationArgs = {
    resources: built,
    stackTags: new Map(),
    getConfig: <T extends object>() => config as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason);
    },
  };
  try {
    await p.validateStack(args, (message, urn) => violations.push({ message, urn }));
  } catch (e) {
    if (e instanceof NotApplicable) return "not-applicable";
    throw e;
  }
  return violations;
}

/** The level the CLI would apply, and the config it would hand the policy (schema defaults merged). */
export function effective(p: policy.Policy, config: PackConfig = {}) {
  const entry = config[p.name];
  const all = config.all as policy.EnforcementLevel | undefined;
  const own = typeof entry === "string" ? (entry as policy.EnforcementLevel) : entry?.enforcementLevel;
  const level: policy.EnforcementLevel = own ?? all ?? p.enforcementLevel ?? "advisory";
  const values: Record<string, unknown> = {};
  for (const [k, schema] of Object.entries(p.configSchema?.properties ?? {}))
    if ((schema as { default?: unknown }).default !== undefined)
      values[k] = (schema as { default?: unknown }).default;
  if (entry && typeof entry === "object")
    for (const [k, v] of Object.entries(entry)) if (k !== "enforcementLevel") values[k] = v;
  return { level, config: values };
}

/** Runs every policy over every simulated stack. */
export async function runPack(
  policies: policy.Policies,
  stacks: SimStack[],
  packConfig: PackConfig | ((stack: SimStack) => PackConfig) = {},
): Promise<Violation[]> {
  const found: Violation[] = [];
  for (const stack of stacks) {
    const config = typeof packConfig === "function" ? packConfig(stack) : packConfig;
    const resources: RunnableResource[] = stack.resources.map((r) => ({
      type: r.type,
      name: r.name,
      urn: r.urn,
      props: r.state,
      protect: r.protect,
    }));
    // One set of PolicyResources per stack, shared by its stack policies, as the engine hands them.
    let built: policy.PolicyResource[] | undefined;
    for (const p of policies) {
      const { level, config: values } = effective(p, config);
      if (level === "disabled") continue;
      const reported: "mandatory" | "advisory" = level === "advisory" ? "advisory" : "mandatory";
      if ("validateStack" in p) {
        built ??= policyResources(resources);
        const v = await runStackPolicy(p, resources, values, built);
        if (v !== "not-applicable")
          found.push(
            ...v.map((x) => ({
              policy: p.name,
              level: reported,
              stack: stack.name,
              urn: x.urn ?? "",
              message: x.message,
            })),
          );
      } else {
        for (const r of resources) {
          const v = await runResourcePolicy(
            p as policy.ResourceValidationPolicy,
            r.type,
            r.props,
            values,
            r.urn,
          );
          if (v !== "not-applicable")
            found.push(
              ...v.map((message) => ({
                policy: p.name,
                level: reported,
                stack: stack.name,
                urn: r.urn,
                message,
              })),
            );
        }
      }
    }
  }
  return found;
}
