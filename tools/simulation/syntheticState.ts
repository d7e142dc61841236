/**
 * Computed outputs a real AWS provider would return (ids, ARNs, URLs), invented deterministically from
 * the inputs, the account and the Region. Shared by the mock-runtime simulator and the stand-in AWS
 * provider of the engine lane, so that both describe the same archive.
 */
import { createHash } from "crypto";

export function shortId(seed: string, length = 8): string {
  return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

/** Computed outputs a real provider would return, invented deterministically from the inputs. */
export function synthesizeState(type: string, name: string, inputs: any, account: string, region: string) {
  const p = region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
  const id = shortId(`${type}/${name}/${account}/${region}`);
  switch (type) {
    case "aws:s3/bucket:Bucket":
      return { id: inputs.bucket, state: { ...inputs, arn: `arn:${p}:s3:::${inputs.bucket}`, region } };
    case "aws:sqs/queue:Queue":
      return {
        id: `https://sqs.${region}.amazonaws.com/${account}/${inputs.name}`,
        state: {
          ...inputs,
          arn: `arn:${p}:sqs:${region}:${account}:${inputs.name}`,
          url: `https://sqs.${region}.amazonaws.com/${account}/${inputs.name}`,
        },
      };
    case "aws:kms/key:Key": {
      const keyId = `${shortId(name + account, 8)}-0000-4000-8000-${shortId(name + region, 12)}`;
      return {
        id: keyId,
        state: { ...inputs, keyId, arn: `arn:${p}:kms:${region}:${account}:key/${keyId}` },
      };
    }
    case "aws:iam/role:Role":
      return { id: inputs.name, state: { ...inputs, arn: `arn:${p}:iam::${account}:role/${inputs.name}` } };
    case "aws:cloudtrail/trail:Trail":
      return {
        id: inputs.name,
        state: { ...inputs, arn: `arn:${p}:cloudtrail:${region}:${account}:trail/${inputs.name}` },
      };
    case "aws:sns/topic:Topic":
      return {
        id: `arn:${p}:sns:${region}:${account}:${inputs.name}`,
        state: { ...inputs, arn: `arn:${p}:sns:${region}:${account}:${inputs.name}` },
      };
    case "aws:iam/policy:Policy": {
      const arn = `arn:${p}:iam::${account}:policy/${inputs.name ?? `${name}-${id}`}`;
      return { id: arn, state: { ...inputs, arn } };
    }
    case "aws:ec2/flowLog:FlowLog":
      return {
        id: `fl-${id}`,
        state: { ...inputs, arn: `arn:${p}:ec2:${region}:${account}:vpc-flow-log/fl-${id}` },
      };
    case "aws:cloudwatch/eventBus:EventBus":
      return {
        id: inputs.name,
        state: { ...inputs, arn: `arn:${p}:events:${region}:${account}:event-bus/${inputs.name}` },
      };
    case "aws:cloudwatch/eventRule:EventRule": {
      const bus = inputs.eventBusName && inputs.eventBusName !== "default" ? `${inputs.eventBusName}/` : "";
      return {
        id: `${inputs.eventBusName ?? "default"}/${inputs.name}`,
        state: { ...inputs, arn: `arn:${p}:events:${region}:${account}:rule/${bus}${inputs.name}` },
      };
    }
    case "aws:organizations/policy:Policy": {
      // Organizations is global: its ARNs name the management account and the organization, no Region.
      const policyId = `p-${shortId(`${inputs.name}/${account}`, 8)}`;
      return {
        id: policyId,
        state: {
          ...inputs,
          arn: `arn:${p}:organizations::${account}:policy/o-synthetic/${String(inputs.type).toLowerCase()}/${policyId}`,
        },
      };
    }
    case "aws:organizations/policyAttachment:PolicyAttachment":
      return { id: `${inputs.targetId}:${inputs.policyId}`, state: { ...inputs } };
    default:
      return { id: `${name}-${id}`, state: { ...inputs } };
  }
}

/** The VPC IDs `aws.ec2.getVpcs` returns for an account, by default two per account. */
export function syntheticVpcIds(account: string): string[] {
  return [`vpc-${shortId(account + "a", 17)}`, `vpc-${shortId(account + "b", 17)}`];
}
