/**
 * Synthetic organizations for scale runs: a central stack and N member stacks, in organization mode or
 * account-list mode, as raw configs (what Pulumi.<stack>.yaml files would hold).
 */
import { RawConfig } from "../../shared/config";

export type Mode = "organization" | "account-list";

export interface SyntheticStack {
  stack: string;
  file: string;
  raw: RawConfig;
  secretKeys: string[];
}

const CENTRAL_ACCOUNT = "100000000000";
export const syntheticAccount = (i: number) => String(200000000000 + i);

export interface SynthesizeOptions {
  region?: string;
  /** How the central stack admits account trails (account-list mode): by account (default) or by ARN. */
  admitAccountTrailsBy?: "account" | "trail";
  /** The Pulumi organization the members' centralStack names (`organization` when self-managed). */
  organization?: string;
}

export function synthesizeOrganization(
  members: number,
  mode: Mode,
  options: SynthesizeOptions = {},
): SyntheticStack[] {
  const region = options.region ?? "eu-west-1";
  const organization = options.organization ?? "organization";
  const accounts = Array.from({ length: members }, (_, i) => syntheticAccount(i));
  const ns = (o: Record<string, unknown>): RawConfig =>
    Object.fromEntries(
      Object.entries(o).map(([k, v]) => [
        k.includes(":") ? k : `central-logging:${k}`,
        typeof v === "string" ? v : JSON.stringify(v),
      ]),
    );
  const central: SyntheticStack = {
    stack: "central",
    file: `synthetic ${mode} organization of ${members} members`,
    secretKeys: [],
    raw: ns({
      "aws:region": region,
      "aws:allowedAccountIds": [CENTRAL_ACCOUNT],
      role: "central",
      // Organization mode as docs/operations.md recommends it: the first member is the management
      // account and runs the organization trail; the list admits every member's flow logs.
      ...(mode === "organization"
        ? {
            organizationId: "o-synthetic01",
            memberAccountIds: accounts,
            cloudTrail: {
              organizationTrail: { managementAccountId: accounts[0], name: "organization-trail" },
            },
          }
        : {
            memberAccountIds: accounts,
            ...(options.admitAccountTrailsBy
              ? { cloudTrail: { admitAccountTrailsBy: options.admitAccountTrailsBy } }
              : {}),
          }),
      bucketSuffix: `synthetic-${mode === "organization" ? "org" : "list"}`,
      siem: {
        trust: "aws",
        principals: ["arn:aws:iam::999999999999:role/siem-ingest"],
        externalId: "synthetic-external-id",
      },
      tamperProtection: {
        deployRoleNames: ["central-logging-deploy"],
        // The account list's event bus policy names every member: about 650 fit EventBridge's default
        // 10,240 characters, a quota AWS raises on request (docs/operations.md, "Tamper protection").
        ...(mode === "account-list" && members > 600 ? { eventBusPolicyLimit: 20480 } : {}),
      },
    }),
  };
  const memberStacks = accounts.map((account, i): SyntheticStack => ({
    stack: `member-${account}`,
    file: `synthetic ${mode} organization of ${members} members`,
    secretKeys: [],
    raw: ns({
      "aws:region": region,
      "aws:allowedAccountIds": [account],
      role: "member",
      centralStack: `${organization}/central-logging/central`,
      // Onboarded as the README says: only the management account names its trail; every other
      // member is covered by the organization trail, or ships its account trail in account-list mode.
      ...(mode === "organization" && i === 0
        ? { cloudTrail: { mode: "organization", name: "organization-trail" } }
        : {}),
      flowLogs: { vpcIds: "all" },
      ...(i % 3 === 0
        ? {
            waf: {
              webAclArns: [
                `arn:aws:wafv2:${region}:${account}:regional/webacl/app/${String(i).padStart(8, "0")}`,
              ],
            },
          }
        : {}),
    }),
  }));
  return [central, ...memberStacks];
}
