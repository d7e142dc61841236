/**
 * OrganizationGuardrails: the organization policies that keep the archive and what feeds it as they are,
 * as one ComponentResource. Deployed by a member stack in the management account, or in the account that
 * administers Organizations policies for it (central-logging:guardrails); attached to the targets that
 * config names: the member SCP to the member accounts' root, OUs or accounts, the archive SCP (and the
 * optional RCP) to the log-archive account.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { MemberSettings } from "../shared/config";
import { CentralArchiveOutputs } from "../shared/contract";
import { PolicyDocument, serializeWithinLimit } from "../shared/iam";
import { Partition } from "../shared/regions";
import {
  archiveGuardrailPolicy,
  archiveHandOffGuardrailPolicy,
  archiveResourceControlPolicy,
  GuardrailInputs,
  memberGuardrailPolicy,
} from "./policies";

export interface OrganizationGuardrailsArgs {
  partition: Partition;
  archive: CentralArchiveOutputs;
  settings: NonNullable<MemberSettings["guardrails"]>;
}

/** The policies the component creates, by name: what the plan and the access matrix evaluate. */
export const GUARDRAIL_POLICY_NAMES = {
  member: "central-logging-member-guardrails",
  archive: "central-logging-archive-guardrails",
  archiveHandOff: "central-logging-archive-hand-off-guardrails",
  resourceControl: "central-logging-archive-perimeter",
} as const;

export function guardrailInputs(args: OrganizationGuardrailsArgs): GuardrailInputs {
  return {
    partition: args.partition,
    archive: args.archive,
    exemptRoleNames: [
      ...new Set([...args.archive.tamperProtection.deployRoleNames, ...args.settings.exemptRoleNames]),
    ],
    breakGlassRoleName: args.archive.tamperProtection.breakGlassRoleName,
  };
}

export class OrganizationGuardrails extends pulumi.ComponentResource {
  public readonly policies: aws.organizations.Policy[] = [];

  constructor(name: string, args: OrganizationGuardrailsArgs, opts?: pulumi.ComponentResourceOptions) {
    // Serialise before registering anything, so an over-size policy stops the preview with one line.
    const g = guardrailInputs(args);
    const documents: [
      string,
      "SERVICE_CONTROL_POLICY" | "RESOURCE_CONTROL_POLICY",
      PolicyDocument,
      string[],
      string,
    ][] = [
      [
        GUARDRAIL_POLICY_NAMES.member,
        "SERVICE_CONTROL_POLICY",
        memberGuardrailPolicy(g),
        args.settings.memberTargets,
        "central-logging: member accounts keep their trails, flow logs, WAF logging and staging bucket",
      ],
      [
        GUARDRAIL_POLICY_NAMES.archive,
        "SERVICE_CONTROL_POLICY",
        archiveGuardrailPolicy(g),
        args.settings.archiveTargets ?? [args.archive.accountId],
        "central-logging: only the deploy roles and break-glass change the log archive's buckets and key",
      ],
      [
        GUARDRAIL_POLICY_NAMES.archiveHandOff,
        "SERVICE_CONTROL_POLICY",
        archiveHandOffGuardrailPolicy(g),
        args.settings.archiveTargets ?? [args.archive.accountId],
        "central-logging: only the SIEM consumes the log queues; the roles and tamper alarms stay",
      ],
      ...(args.settings.resourceControlPolicy
        ? ([
            [
              GUARDRAIL_POLICY_NAMES.resourceControl,
              "RESOURCE_CONTROL_POLICY",
              archiveResourceControlPolicy(g),
              args.settings.archiveTargets ?? [args.archive.accountId],
              "central-logging: no principal outside the organization reaches the log archive's S3, KMS or SQS",
            ],
          ] as [string, "RESOURCE_CONTROL_POLICY", PolicyDocument, string[], string][])
        : []),
    ];
    const json = documents.map(([policyName, , doc]) =>
      serializeWithinLimit(policyName, "organization", doc),
    );
    super("central-logging:guardrails:OrganizationGuardrails", name, {}, opts);
    documents.forEach(([policyName, type, , targets, description], i) => {
      const policy = new aws.organizations.Policy(
        policyName,
        { name: policyName, type, description, content: json[i] },
        { parent: this },
      );
      this.policies.push(policy);
      for (const target of targets)
        new aws.organizations.PolicyAttachment(
          `${policyName}-${target}`,
          { policyId: policy.id, targetId: target },
          { parent: this },
        );
    });
    this.registerOutputs({ policyIds: this.policies.map((p) => p.id) });
  }
}
