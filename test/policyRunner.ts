/** Runs a resource policy with @pulumi/policy 1.21 runtime semantics (unknown proxy, notApplicable). */
import * as policy from "@pulumi/policy";

const { unknownCheckingProxy } = require("@pulumi/policy") as { unknownCheckingProxy: <T>(x: T) => T };

export class NotApplicable extends Error {}

const opts = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  additionalSecretOutputs: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
};

export async function runResourcePolicy(
  p: policy.ResourceValidationPolicy,
  type: string,
  props: Record<string, any>,
  config: Record<string, any> = {},
): Promise<string[] | "not-applicable"> {
  const violations: string[] = [];
  const proxied = unknownCheckingProxy(props);
  const matches = (cls: any) => cls.__pulumiType === type;
  const args: policy.ResourceValidationArgs = {
    type,
    props: proxied,
    urn: `urn:pulumi:test::test::${type}::r`,
    name: "r",
    opts,
    stackTags: new Map(),
    isType: (cls) => matches(cls),
    asType: ((cls: any) => (matches(cls) ? proxied : undefined)) as any,
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
