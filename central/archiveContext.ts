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
  /**
   * An SNS topic encrypted with the CMK receives the alarms: when delivery-alarm notifications are set,
   * and always with tamper alarms (subscribe to it to be told).
   */
  alarmTopic: boolean;
  /** Every trail the archive expects: the organization trail, and the account trails. */
  trails: AdmittedTrail[];
  /**
   * How account trails are admitted: `account`, any trail of an admitted account by aws:SourceAccount
   * (constant per account, scales to 1,000+ accounts); `trail`, each trail by its ARN (aws:SourceArn).
   * The organization trail is always admitted by its ARN.
   */
  admitAccountTrailsBy: "account" | "trail";
  /** The accounts whose trails are admitted by aws:SourceAccount (admitAccountTrailsBy: account). */
  trailAccounts: string[];
  /**
   * Tamper protection: the roles of this account, besides break-glass, that may change the archive's
   * settings (as ArnLike patterns), break-glass, and whether the bucket policies deny everyone else.
   */
  tamper: {
    deployRoleArns: string[];
    deployRoleNames: string[];
    breakGlassRoleArn: string;
    breakGlassRoleName: string;
    bucketPolicyDenies: boolean;
    eventBusPolicyLimit: number;
  };
  /** EventBridge rules announce tampering calls on the alarm topic (tamperProtection.alarms). */
  tamperAlarms: boolean;
  /** Object Lock default retention of the log buckets, when on. */
  objectLock?: { mode: "GOVERNANCE" | "COMPLIANCE"; retentionDays: number };
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
  const trails = admittedTrails(config);
  const admitAccountTrailsBy = s.cloudTrail?.admitAccountTrailsBy ?? "account";
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
    alarmTopic:
      config.tamperProtection.alarms || (s.alarms.enabled && (s.alarms.notifications?.length ?? 0) > 0),
    trails,
    admitAccountTrailsBy,
    trailAccounts:
      admitAccountTrailsBy === "account"
        ? config.mode === "account-list"
          ? // Account-list mode: every member may run its own trail (and only its own).
            [...(s.memberAccountIds ?? [])]
          : [...new Set(trails.filter((t) => !t.organization).map((t) => t.accountId))]
        : [],
    tamper: {
      deployRoleArns: config.tamperProtection.deployRoleNames.map((n) =>
        arn.role(config.partition, config.accountId, n),
      ),
      deployRoleNames: config.tamperProtection.deployRoleNames,
      breakGlassRoleArn: arn.role(
        config.partition,
        config.accountId,
        config.tamperProtection.breakGlassRoleName,
      ),
      breakGlassRoleName: config.tamperProtection.breakGlassRoleName,
      bucketPolicyDenies: config.tamperProtection.bucketPolicyDenies,
      eventBusPolicyLimit: config.tamperProtection.eventBusPolicyLimit,
    },
    tamperAlarms: config.tamperProtection.alarms,
    ...(s.objectLock ? { objectLock: s.objectLock } : {}),
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
  const listed = s.cloudTrail?.accountTrails ?? [];
  // Account-list mode: every member has an account trail. An entry names where one member's trail
  // differs (another home Region or name); every member without an entry keeps the default one.
  const defaults =
    config.mode === "account-list"
      ? (s.memberAccountIds ?? [])
          .filter((accountId) => !listed.some((t) => t.accountId === accountId))
          .map((accountId) => ({ accountId, name: MEMBER_TRAIL_NAME, homeRegion: undefined }))
      : [];
  const accountTrails = [...listed, ...defaults];
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
/** The trails admitted by ARN: the organization trail, and every account trail under `trail` admission. */
export const trailsAdmittedByArn = (ctx: ArchiveContext) =>
  ctx.trails.filter((t) => t.organization || ctx.admitAccountTrailsBy === "trail");
