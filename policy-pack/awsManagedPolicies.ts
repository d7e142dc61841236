/**
 * The documents of the AWS managed policies a reader, verifier or replication role is most often given,
 * so that the access model judges them by what they grant. Copied from the AWS Managed Policy Reference
 * (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/<name>.html) as read on 2026-11-26;
 * the version is the default version there. ReadOnlyAccess lists several hundred services: only its S3,
 * SQS and KMS actions are kept, the only services the access model judges. An AWS managed policy that is
 * not here cannot be judged offline (iam-archive-role-managed-policy-known).
 */
import { Document } from "./documents";

export interface ManagedPolicy {
  version: string;
  document: Document;
}

const allow = (actions: string[]) => ({ Effect: "Allow", Action: actions, Resource: "*" });

export const AWS_MANAGED_POLICIES: Record<string, ManagedPolicy> = {
  AdministratorAccess: {
    version: "v1",
    document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
  },
  PowerUserAccess: {
    version: "v12",
    document: {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", NotAction: ["iam:*", "organizations:*", "account:*"], Resource: "*" },
        allow([
          "account:GetAccountInformation",
          "account:GetGovCloudAccountInformation",
          "account:GetPrimaryEmail",
          "account:ListRegions",
          "iam:CreateServiceLinkedRole",
          "iam:DeleteServiceLinkedRole",
          "iam:ListRoles",
          "organizations:DescribeEffectivePolicy",
          "organizations:DescribeOrganization",
        ]),
      ],
    },
  },
  ReadOnlyAccess: {
    version: "S3, SQS and KMS actions of the default version",
    document: {
      Version: "2012-10-17",
      Statement: [
        allow([
          "kms:Describe*",
          "kms:Get*",
          "kms:List*",
          "s3:DescribeJob",
          "s3:Get*",
          "s3:List*",
          "sqs:Get*",
          "sqs:List*",
          "sqs:Receive*",
        ]),
      ],
    },
  },
  AmazonS3FullAccess: {
    version: "v2",
    document: { Version: "2012-10-17", Statement: [allow(["s3:*", "s3-object-lambda:*"])] },
  },
  AmazonS3ReadOnlyAccess: {
    version: "v3",
    document: {
      Version: "2012-10-17",
      Statement: [
        allow(["s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*", "s3-object-lambda:List*"]),
      ],
    },
  },
  AmazonSQSFullAccess: {
    version: "v1",
    document: { Version: "2012-10-17", Statement: [allow(["sqs:*"])] },
  },
  AmazonSQSReadOnlyAccess: {
    version: "v4",
    document: {
      Version: "2012-10-17",
      Statement: [
        allow([
          "sqs:GetQueueAttributes",
          "sqs:GetQueueUrl",
          "sqs:ListDeadLetterSourceQueues",
          "sqs:ListQueues",
          "sqs:ListMessageMoveTasks",
          "sqs:ListQueueTags",
        ]),
      ],
    },
  },
  AWSKeyManagementServicePowerUser: {
    version: "v2",
    document: {
      Version: "2012-10-17",
      Statement: [
        allow([
          "kms:CreateAlias",
          "kms:CreateKey",
          "kms:DeleteAlias",
          "kms:Describe*",
          "kms:GenerateRandom",
          "kms:Get*",
          "kms:List*",
          "kms:TagResource",
          "kms:UntagResource",
          "iam:ListGroups",
          "iam:ListRoles",
          "iam:ListUsers",
        ]),
      ],
    },
  },
};

/** The name of an AWS managed policy ARN (arn:<partition>:iam::aws:policy/[path/]Name), else undefined. */
export function awsManagedPolicyName(arn: string): string | undefined {
  const m = /^arn:aws[a-z-]*:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(arn);
  return m ? m[1] : undefined;
}
