/**
 * The member side from the package: MemberLogShipping with the central stack's output contract, which a
 * real member reads through a StackReference (central-logging's member/program.ts does). Here the
 * contract comes from a LogArchive in the same mocked run.
 */
import * as pulumi from "@pulumi/pulumi";
import { LogArchive } from "central-logging/central/logArchive";
import { MemberLogShipping } from "central-logging/member/memberLogShipping";
import { CentralConfig, parseStackConfig } from "central-logging/shared/config";
import { CentralArchiveOutputs, CONTRACT_VERSION } from "central-logging/shared/contract";

export async function shipLogs(): Promise<number> {
  const archive = new LogArchive("archive-for-member", {
    config: parseStackConfig("central", pulumi.runtime.allConfig()) as CentralConfig,
    protectArchive: false,
  });
  const central = await new Promise<CentralArchiveOutputs>((resolve) => archive.outputs.apply(resolve));
  if (central.contractVersion !== CONTRACT_VERSION) throw new Error("unexpected contract version");
  const member = parseStackConfig("workload", {
    "aws:region": central.region,
    "aws:allowedAccountIds": JSON.stringify(["333333333333"]),
    "central-logging:role": "member",
    "central-logging:centralStack": "organization/central-logging/central",
    "central-logging:flowLogs": JSON.stringify({ vpcIds: ["vpc-0a1b2c3d4e5f60718"] }),
  });
  if (member.role !== "member") throw new Error("expected a member config");
  const shipping = new MemberLogShipping("shipping", {
    config: member,
    central,
    vpcIds: ["vpc-0a1b2c3d4e5f60718"],
  });
  return shipping.flowLogs.length + (shipping.trail ? 1 : 0);
}
