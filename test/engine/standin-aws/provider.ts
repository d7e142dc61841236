/**
 * A stand-in for the `aws` resource provider, for the engine lane only: the real Pulumi engine drives
 * it exactly as it would drive pulumi-resource-aws, but it touches no network. It echoes inputs as
 * state, invents ids and ARNs for the stack's account and Region (tools/simulation/syntheticState.ts,
 * shared with the mock simulator), and answers the invokes the programs make.
 *
 * The stack's account and Region come from the environment the fleet command sets for each stack
 * (AWS_REGION, CENTRAL_LOGGING_ACCOUNT_ID), or else from the stack's Pulumi.<stack>.yaml in the
 * working directory, found through the resource's URN.
 *
 * Launch contract: the engine starts the plugin with its address and reads the port from the first line
 * of stdout, which provider.main prints; nothing else may write to stdout.
 */
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { synthesizeState, syntheticVpcIds } from "../../../tools/simulation/syntheticState";

/** The @pulumi/aws version whose plugin this stands in for. */
const VERSION = require("@pulumi/aws/package.json").version as string;

interface Place {
  account: string;
  region: string;
}

function placeFromStackFile(stack: string): Place | undefined {
  const file = path.join(process.cwd(), `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) return undefined;
  const config = parse(fs.readFileSync(file, "utf8"))?.config ?? {};
  const allowed = config["aws:allowedAccountIds"];
  const account = Array.isArray(allowed) ? String(allowed[0]) : undefined;
  const region = config["aws:region"];
  return account && region ? { account, region: String(region) } : undefined;
}

function place(urn?: string): Place {
  const env = { account: process.env.CENTRAL_LOGGING_ACCOUNT_ID, region: process.env.AWS_REGION };
  if (env.account && env.region) return env as Place;
  const stack = urn?.split("::")[0]?.replace(/^urn:pulumi:/, "");
  const found = stack ? placeFromStackFile(stack) : undefined;
  if (found) return found;
  throw new Error(
    `stand-in aws provider: no account and Region for ${urn ?? "an invoke"}; set AWS_REGION and CENTRAL_LOGGING_ACCOUNT_ID`,
  );
}

const typeOf = (urn: string) => urn.split("::")[2].split("$").pop()!;
const nameOf = (urn: string) => urn.split("::")[3];
const partitionOf = (region: string) =>
  region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";

/** A policy document from aws.iam.getPolicyDocument's statements, in IAM's JSON form. */
function policyDocumentJson(inputs: any): string {
  const statements = (inputs.statements ?? []).map((s: any) => {
    const out: Record<string, unknown> = { Effect: s.effect ?? "Allow" };
    if (s.sid) out.Sid = s.sid;
    for (const p of s.principals ?? []) {
      out.Principal = out.Principal ?? {};
      (out.Principal as Record<string, unknown>)[p.type] = p.identifiers;
    }
    if (s.actions) out.Action = s.actions;
    if (s.resources) out.Resource = s.resources;
    for (const c of s.conditions ?? []) {
      const cond = ((out.Condition as Record<string, Record<string, unknown>>) ??= {});
      (cond[c.test] ??= {})[c.variable] = c.values;
    }
    return out;
  });
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

const provider: pulumi.provider.Provider = {
  version: VERSION,
  async check(_urn, _olds, news) {
    return { inputs: news };
  },
  async create(urn, inputs) {
    const { account, region } = place(urn);
    const { id, state } = synthesizeState(typeOf(urn), nameOf(urn), inputs, account, region);
    return { id: id ?? `${nameOf(urn)}-id`, outs: state };
  },
  async update(id, urn, _olds, news) {
    const { account, region } = place(urn);
    return {
      outs: synthesizeState(typeOf(urn), nameOf(urn), news, account, region).state ?? { ...news, id },
    };
  },
  async read(id, _urn, props) {
    return { id, props };
  },
  async delete() {
    // Nothing exists outside the state file.
  },
  async invoke(token, inputs) {
    switch (token) {
      case "aws:index/getCallerIdentity:getCallerIdentity": {
        const { account } = place();
        return {
          outputs: { accountId: account, arn: `arn:aws:iam::${account}:root`, userId: account, id: account },
        };
      }
      case "aws:index/getRegion:getRegion": {
        const { region } = place();
        return { outputs: { name: region, region, id: region } };
      }
      case "aws:index/getPartition:getPartition": {
        const partition = partitionOf(place().region);
        return {
          outputs: {
            partition,
            dnsSuffix: partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com",
            id: partition,
          },
        };
      }
      case "aws:ec2/getVpcs:getVpcs": {
        const { account, region } = place();
        return { outputs: { id: region, ids: syntheticVpcIds(account) } };
      }
      case "aws:iam/getPolicyDocument:getPolicyDocument":
        return { outputs: { json: policyDocumentJson(inputs), id: "policy-document" } };
      default:
        throw new Error(`stand-in aws provider: invoke ${token} is not implemented`);
    }
  },
};

pulumi.provider.main(provider, process.argv.slice(2)).catch((e) => {
  process.stderr.write(`stand-in aws provider: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
