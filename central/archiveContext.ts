/**
 * Everything the central policies need to know, resolved from the validated stack config. All of it is
 * known before deployment, so the bucket, key and queue policies are plain strings at preview time.
 */
import { CentralConfig } from "../shared/config";
import { Extension } from "../shared/extensions";
import {
  arn,
  accessLogBucketName,
  LOG_TYPES,
  LogType,
  logBucketName,
  MEMBER_TRAIL_NAME,
  queueName,
} from "../shared/naming";
import { Partition } from "../shared/regions";

export interface ArchiveContext {
  partition: Partition;
  region: string;
  /** The log-archive account. */
  accountId: string;
  mode: "organization" | "account-list";
  organizationId?: string;
  memberAccountIds?: string[];
  bucketNames: Record<LogType, string>;
  accessLogBucketName: string;
  siemRoleArn: string;
  wafDelivery: "replication" | "direct" | "both";
  /** Alarm notifications go to an SNS topic encrypted with the CMK. */
  alarmTopic: boolean;
  /** The trails the CloudTrail bucket and the key admit, by ARN (what CloudTrail sends as aws:SourceArn). */
  trails: AdmittedTrail[];
  /**
   * Accounts whose log delivery (VPC Flow Logs, direct WAF) is admitted by aws:SourceAccount; undefined
   * when the extension org-id-for-log-delivery admits the organization by aws:SourceOrgID instead.
   */
  logDeliveryAccounts?: string[];
  extensions: ReadonlySet<Extension>;
}

export interface AdmittedTrail {
  arn: string;
  /** The account that owns the trail (the management account for the organization trail). */
  accountId: string;
  organization: boolean;
}

export function archiveContext(config: CentralConfig): ArchiveContext {
  const s = config.settings;
  return {
    partition: config.partition,
    region: config.region,
    accountId: config.accountId,
    mode: config.mode,
    organizationId: s.organizationId,
    memberAccountIds: s.memberAccountIds,
    bucketNames: Object.fromEntries(LOG_TYPES.map((t) => [t, logBucketName(t, s.bucketSuffix)])) as Record<
      LogType,
      string
    >,
    accessLogBucketName: accessLogBucketName(s.bucketSuffix),
    siemRoleArn: arn.role(config.partition, config.accountId, config.siemRoleName),
    wafDelivery: s.wafDelivery,
    alarmTopic: s.alarms.enabled && (s.alarms.notifications?.length ?? 0) > 0,
    trails: admittedTrails(config),
    logDeliveryAccounts:
      config.mode === "organization" && config.extensions.has("org-id-for-log-delivery")
        ? undefined
        : s.memberAccountIds,
    extensions: config.extensions,
  };
}

/**
 * Account-list mode without a cloudTrail setting admits one account trail per member, named as the
 * member stacks name it by default and homed in the archive's Region; organization mode names its trails.
 */
export function admittedTrails(config: CentralConfig): AdmittedTrail[] {
  const s = config.settings;
  const p = config.partition;
  const out: AdmittedTrail[] = [];
  const org = s.cloudTrail?.organizationTrail;
  if (org)
    out.push({
      arn: arn.trail(p, org.homeRegion ?? config.region, org.managementAccountId, org.name),
      accountId: org.managementAccountId,
      organization: true,
    });
  const accountTrails =
    s.cloudTrail?.accountTrails ??
    (config.mode === "account-list"
      ? (s.memberAccountIds ?? []).map((accountId) => ({
          accountId,
          name: MEMBER_TRAIL_NAME,
          homeRegion: undefined,
        }))
      : []);
  for (const t of accountTrails)
    out.push({
      arn: arn.trail(p, t.homeRegion ?? config.region, t.accountId, t.name),
      accountId: t.accountId,
      organization: false,
    });
  return out;
}

export const bucketArnOf = (ctx: ArchiveContext, logType: LogType) =>
  arn.bucket(ctx.partition, ctx.bucketNames[logType]);
export const queueArnOf = (ctx: ArchiveContext, logType: LogType) =>
  arn.queue(ctx.partition, ctx.region, ctx.accountId, queueName(logType));
export const acceptsDirectWaf = (ctx: ArchiveContext) => ctx.wafDelivery !== "replication";
export const acceptsWafReplication = (ctx: ArchiveContext) => ctx.wafDelivery !== "direct";
