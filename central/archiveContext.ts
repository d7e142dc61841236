/**
 * Everything the central policies need to know, resolved from the validated stack config. All of it is
 * known before deployment, so the bucket, key and queue policies are plain strings at preview time.
 */
import { CentralConfig } from "../shared/config";
import { arn, accessLogBucketName, LOG_TYPES, LogType, logBucketName, queueName } from "../shared/naming";
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
  };
}

export const bucketArnOf = (ctx: ArchiveContext, logType: LogType) =>
  arn.bucket(ctx.partition, ctx.bucketNames[logType]);
export const queueArnOf = (ctx: ArchiveContext, logType: LogType) =>
  arn.queue(ctx.partition, ctx.region, ctx.accountId, queueName(logType));
export const acceptsDirectWaf = (ctx: ArchiveContext) => ctx.wafDelivery !== "replication";
export const acceptsWafReplication = (ctx: ArchiveContext) => ctx.wafDelivery !== "direct";
