/**
 * Runs this project's program under Pulumi's mock runtime, one stack at a time, the way the Node.js
 * language host would (inside a root Stack resource), and records every resource with its inputs and
 * its protect / retainOnDelete options. Member StackReferences resolve to stacks simulated earlier.
 * Used by the unit tests and by the offline plan.
 */
import * as pulumi from "@pulumi/pulumi";
import { parseStackConfig, RawConfig, StackConfig } from "../../shared/config";
import { PROJECT } from "../../shared/naming";
import { withoutStackTraces } from "../common/stackTraces";
import { synthesizeState, syntheticVpcIds } from "./syntheticState";

const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
const rpc = require("@pulumi/pulumi/runtime/rpc") as {
  deserializeProperties(s: unknown): Record<string, any>;
};

/**
 * The engine shows a component to stack policies with its registered outputs as props, not the props
 * passed to its constructor. The mock monitor keeps registered outputs to itself, so the simulator
 * listens for them and makes them the component's state, as the engine would.
 */
type OutputsListener = (urn: string, outputs: Record<string, any>) => void;
let outputsListener: OutputsListener | undefined;
const { MockMonitor } = require("@pulumi/pulumi/runtime/mocks") as {
  MockMonitor: {
    prototype: { registerResourceOutputs(req: any, cb: (e: unknown, r: unknown) => void): void };
  };
};
const registerResourceOutputs = MockMonitor.prototype.registerResourceOutputs;
MockMonitor.prototype.registerResourceOutputs = function (req, callback) {
  try {
    outputsListener?.(req.getUrn(), rpc.deserializeProperties(req.getOutputs()));
  } catch {
    // A listener problem must not change what the program sees.
  }
  return registerResourceOutputs.call(this, req, callback);
};

export interface SimResource {
  type: string;
  name: string;
  urn: string;
  custom: boolean;
  inputs: Record<string, any>;
  /** Inputs plus the outputs the stand-in provider invented (arn, id, url...). */
  state: Record<string, any>;
  protect: boolean;
  retainOnDelete: boolean;
  /** The names of the resources this one names in dependsOn (the order the engine will respect). */
  dependsOn: string[];
}

export interface SimStack {
  name: string;
  role: "central" | "member";
  config: StackConfig;
  resources: SimResource[];
  outputs: Record<string, any>;
  secretOutputNames: string[];
  /** Values the simulator invented where a real run would look them up (the VPCs of `vpcIds: all`). */
  simulated: string[];
}

export class SimulationError extends Error {
  constructor(
    public readonly stack: string,
    message: string,
  ) {
    super(message);
  }
}

export interface SimulatorOptions {
  /** VPC IDs `aws.ec2.getVpcs` returns for an account and Region (default: two per account). */
  vpcsFor?: (accountId: string, region: string) => string[];
  /** Run as a preview: outputs the mocks do not set stay unknown. Default false. */
  preview?: boolean;
  /**
   * The Pulumi organization of the stacks' fully qualified names (`<org>/central-logging/<stack>`), which
   * member StackReferences name: your Pulumi Cloud organization, or `organization` (the default) on a
   * self-managed backend.
   */
  organization?: string;
  /**
   * Keep the stack traces @pulumi/pulumi captures for each of its promises while a program runs
   * (tools/common/stackTraces.ts). Default true; the plan drops them unless PLAN_DEBUG is set.
   */
  stackTraces?: boolean;
}

export class Simulator {
  private readonly stacks = new Map<string, SimStack>();
  constructor(private readonly options: SimulatorOptions = {}) {}

  get organization(): string {
    return this.options.organization ?? "organization";
  }

  get simulated(): SimStack[] {
    return [...this.stacks.values()];
  }

  /** Runs one stack's program with the given raw config (namespaced keys, as in Pulumi.<stack>.yaml). */
  async runStack(stackName: string, raw: RawConfig): Promise<SimStack> {
    const config = parseStackConfig(stackName, raw);
    const resources: SimResource[] = [];
    const simulated: string[] = [];
    const options = new Map<string, { protect: boolean; retainOnDelete: boolean; dependsOn: string[] }>();
    let failure: unknown;
    const account = config.accountId;
    const region = config.region;
    const vpcsFor = this.options.vpcsFor ?? ((a: string) => syntheticVpcIds(a));

    const mocks: pulumi.runtime.Mocks = {
      newResource: (args) => {
        if (args.type === "pulumi:pulumi:StackReference") {
          const target = this.stacks.get(String(args.inputs.name));
          if (!target) {
            failure = new SimulationError(
              stackName,
              `stack "${stackName}": its StackReference names "${args.inputs.name}", which is not among the simulated stacks (${[...this.stacks.keys()].join(", ") || "none"})`,
            );
            return {
              id: args.inputs.name,
              state: { name: args.inputs.name, outputs: {}, secretOutputNames: [] },
            };
          }
          resources.push({
            type: args.type,
            name: args.name,
            urn: `urn:pulumi:${stackName}::${PROJECT}::${args.type}::${args.name}`,
            custom: true,
            inputs: args.inputs,
            state: args.inputs,
            protect: false,
            retainOnDelete: false,
            dependsOn: [],
          });
          return {
            id: args.inputs.name,
            state: {
              name: args.inputs.name,
              outputs: target.outputs,
              secretOutputNames: target.secretOutputNames,
            },
          };
        }
        const { id, state } = synthesizeState(args.type, args.name, args.inputs, account, region);
        const opt = options.get(`${args.type}::${args.name}`) ?? {
          protect: false,
          retainOnDelete: false,
          dependsOn: [],
        };
        resources.push({
          type: args.type,
          name: args.name,
          urn: `urn:pulumi:${stackName}::${PROJECT}::${args.type}::${args.name}`,
          custom: args.custom ?? true,
          inputs: args.inputs,
          state: { ...state, id },
          ...opt,
        });
        return { id, state };
      },
      call: (args) => {
        switch (args.token) {
          case "aws:ec2/getVpcs:getVpcs": {
            const ids = vpcsFor(account, region);
            simulated.push(...ids);
            return { id: region, ids };
          }
          case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: account, arn: `arn:aws:iam::${account}:root`, userId: account, id: account };
          case "aws:index/getRegion:getRegion":
            return { name: region, region, id: region };
          case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
          default:
            return args.inputs;
        }
      },
    };
    await pulumi.runtime.setMocks(
      mocks,
      PROJECT,
      stackName,
      this.options.preview ?? false,
      this.organization,
    );
    outputsListener = (urn, outputs) => {
      const [, , typePath, name] = urn.split("::");
      const type = typePath.split("$").pop();
      const component = resources.find((r) => !r.custom && r.type === type && r.name === name);
      if (component) component.state = outputs;
    };
    pulumi.runtime.setAllConfig(raw);

    const program = require("../../index") as () => Promise<Record<string, unknown>>;
    // Registration goes on after the program returns: the RPCs and the outputs are awaited inside too.
    const { outputs, secretOutputNames } = await withoutStackTraces(
      this.options.stackTraces ?? true,
      async () => {
        try {
          let exported: Record<string, unknown> = {};
          await pulumi.runtime.runInPulumiStack(async () => {
            pulumi.runtime.registerStackTransformation((t) => {
              const dependsOn = t.opts.dependsOn;
              options.set(`${t.type}::${t.name}`, {
                protect: !!t.opts.protect,
                retainOnDelete: !!t.opts.retainOnDelete,
                // The program passes plain resources (never outputs) to dependsOn; their names are enough.
                dependsOn: (Array.isArray(dependsOn) ? dependsOn : dependsOn ? [dependsOn] : [])
                  .map((d: any) => d?.__name)
                  .filter((n: unknown): n is string => typeof n === "string"),
              });
              return undefined;
            });
            exported = (await program()) ?? {};
            return exported;
          });
          await settings.waitForRPCs();
          return await resolveOutputs(exported);
        } catch (e) {
          await settings.waitForRPCs().catch(() => undefined);
          throw failure ?? e;
        }
      },
    );
    if (failure) throw failure;
    const sim: SimStack = {
      name: stackName,
      role: config.role,
      config,
      resources,
      outputs,
      secretOutputNames,
      simulated,
    };
    this.stacks.set(`${this.organization}/${PROJECT}/${stackName}`, sim);
    return sim;
  }
}

async function resolveOutputs(exported: Record<string, unknown>) {
  const outputs: Record<string, any> = {};
  const secretOutputNames: string[] = [];
  for (const [key, value] of Object.entries(exported)) {
    const output = pulumi.output(value as any) as pulumi.Output<any>;
    outputs[key] = await new Promise((resolve) => output.apply((v: unknown) => resolve(v)));
    if (await (output as any).isSecret) secretOutputNames.push(key);
  }
  return { outputs, secretOutputNames };
}
