/**
 * AWS Regions a stack may name in `aws:region`, and the partition each belongs to. Checked against
 * the AWS General Reference "Regions and Zones" list; add new Regions here as AWS opens them.
 */
export const AWS_REGIONS: Readonly<Record<string, Partition>> = {
  "us-east-1": "aws",
  "us-east-2": "aws",
  "us-west-1": "aws",
  "us-west-2": "aws",
  "af-south-1": "aws",
  "ap-east-1": "aws",
  "ap-east-2": "aws",
  "ap-south-1": "aws",
  "ap-south-2": "aws",
  "ap-southeast-1": "aws",
  "ap-southeast-2": "aws",
  "ap-southeast-3": "aws",
  "ap-southeast-4": "aws",
  "ap-southeast-5": "aws",
  "ap-southeast-6": "aws",
  "ap-southeast-7": "aws",
  "ap-northeast-1": "aws",
  "ap-northeast-2": "aws",
  "ap-northeast-3": "aws",
  "ca-central-1": "aws",
  "ca-west-1": "aws",
  "eu-central-1": "aws",
  "eu-central-2": "aws",
  "eu-west-1": "aws",
  "eu-west-2": "aws",
  "eu-west-3": "aws",
  "eu-south-1": "aws",
  "eu-south-2": "aws",
  "eu-north-1": "aws",
  "il-central-1": "aws",
  "me-south-1": "aws",
  "me-central-1": "aws",
  "mx-central-1": "aws",
  "sa-east-1": "aws",
  "us-gov-east-1": "aws-us-gov",
  "us-gov-west-1": "aws-us-gov",
  "cn-north-1": "aws-cn",
  "cn-northwest-1": "aws-cn",
};

export type Partition = "aws" | "aws-us-gov" | "aws-cn";

export function isKnownRegion(region: string): boolean {
  return Object.prototype.hasOwnProperty.call(AWS_REGIONS, region);
}

export function partitionOf(region: string): Partition {
  const partition = AWS_REGIONS[region];
  if (!partition) throw new Error(`unknown AWS region "${region}"`);
  return partition;
}

/** The DNS suffix of service endpoints (https://sqs.<region>.<suffix>/...). */
export function dnsSuffixOf(partition: Partition): string {
  return partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
}

/**
 * A kms:ViaService value. Unlike endpoints, it ends in .amazonaws.com in every partition (KMS developer
 * guide, kms:ViaService: "Use the .amazonaws.com suffix of the AWS KMS ViaService name in all AWS
 * partitions"), so a China-Region policy built from the endpoint suffix would never match.
 */
export function viaService(service: string, region: string): string {
  return `${service}.${region}.amazonaws.com`;
}

/** The Region of a partition's global AWS Organizations endpoint. */
export function organizationsRegion(partition: Partition): string {
  return { aws: "us-east-1", "aws-us-gov": "us-gov-west-1", "aws-cn": "cn-northwest-1" }[partition];
}
