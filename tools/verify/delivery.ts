/**
 * Delivery: the newest object under each expected prefix, found by date prefix, never by scanning a
 * bucket. First the day folders inside the `--since` window (newest first): a healthy prefix costs one
 * listing. Only when the window is empty does it walk down the newest year, month and day folders to
 * tell `late` (something, but old) from `missing` (nothing ever).
 *
 * The time of an object is the period its file name covers (`..._20261127T0710Z_...`, as CloudTrail,
 * VPC Flow Logs and WAF name their files), else its LastModified: "logs up to when" is what an
 * operator needs, and a re-copied old file must not pass for fresh logs.
 */
import { ListObjectsV2Command, ListObjectsV2CommandOutput } from "@aws-sdk/client-s3";
import { CentralArchiveOutputs } from "../../shared/contract";
import { LogType } from "../../shared/naming";
import { Aws } from "./aws";
import { DateLayout, ExpectedPrefix } from "./expectations";
import { DeliveryRow, duration } from "./report";

const pad = (n: number) => String(n).padStart(2, "0");

export function dayFolder(layout: DateLayout, d: Date): string {
  const [y, m, day] = [d.getUTCFullYear(), pad(d.getUTCMonth() + 1), pad(d.getUTCDate())];
  return layout === "hive" ? `year=${y}/month=${m}/day=${day}/` : `${y}/${m}/${day}/`;
}

/** The day folders from `now` back to `now - since`, newest first. */
export function windowDays(layout: DateLayout, now: Date, sinceSeconds: number): string[] {
  const days: string[] = [];
  const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const earliest = now.getTime() - sinceSeconds * 1000;
  for (let t = start; t + 86_400_000 > earliest; t -= 86_400_000) days.push(dayFolder(layout, new Date(t)));
  return days;
}

const FILE_TIME = /_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z_/;

/** The period a log file covers, from its name; undefined when the name carries none. */
export function fileTime(key: string): Date | undefined {
  const m = FILE_TIME.exec(key.slice(key.lastIndexOf("/") + 1));
  if (!m) return undefined;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]));
  return Number.isNaN(d.getTime()) ? undefined : d;
}

interface Newest {
  key: string;
  at: Date;
}

/** Lists one S3 "folder" level or a whole prefix, every page. */
async function list(
  aws: Aws,
  bucket: string,
  prefix: string,
  delimiter?: string,
): Promise<{ keys: { key: string; at: Date }[]; folders: string[] }> {
  const keys: { key: string; at: Date }[] = [];
  const folders: string[] = [];
  let token: string | undefined;
  do {
    const page: ListObjectsV2CommandOutput = await aws.call("s3:ListBucket", bucket, () =>
      aws.clients.s3.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix,
          ...(delimiter ? { Delimiter: delimiter } : {}),
          ...(token ? { ContinuationToken: token } : {}),
        }),
      ),
    );
    for (const o of page.Contents ?? [])
      if (o.Key) keys.push({ key: o.Key, at: fileTime(o.Key) ?? o.LastModified ?? new Date(0) });
    for (const p of page.CommonPrefixes ?? []) if (p.Prefix) folders.push(p.Prefix);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return { keys, folders };
}

function newestOf(keys: { key: string; at: Date }[]): Newest | undefined {
  let best: Newest | undefined;
  for (const k of keys) if (!best || k.at > best.at) best = k;
  return best;
}

const DATE_LEVELS: Record<DateLayout, RegExp[]> = {
  plain: [/^\d{4}\/$/, /^\d{2}\/$/, /^\d{2}\/$/],
  hive: [/^year=\d{4}\/$/, /^month=\d{2}\/$/, /^day=\d{2}\/$/],
};

/** The newest object under `base`, by its newest year, month and day folders. */
async function newestByDescent(aws: Aws, bucket: string, base: string, layout: DateLayout) {
  let prefix = base;
  for (const level of DATE_LEVELS[layout]) {
    const { folders } = await list(aws, bucket, prefix, "/");
    const dated = folders.filter((f) => level.test(f.slice(prefix.length))).sort();
    if (!dated.length) return undefined;
    prefix = dated[dated.length - 1];
  }
  return newestOf((await list(aws, bucket, prefix)).keys);
}

export async function newestUnder(
  aws: Aws,
  bucket: string,
  base: string,
  layout: DateLayout,
  now: Date,
  sinceSeconds: number,
): Promise<Newest | undefined> {
  for (const day of windowDays(layout, now, sinceSeconds)) {
    const newest = newestOf((await list(aws, bucket, base + day)).keys);
    if (newest) return newest;
  }
  return newestByDescent(aws, bucket, base, layout);
}

/** The one-line likely cause of a late or missing prefix, per writer. */
export function likelyCause(p: ExpectedPrefix, status: "late" | "missing"): string {
  const stopped = status === "late" ? "stopped delivering" : "never delivered here";
  switch (p.source) {
    case "organization trail":
      return `the organization trail ${stopped} for this account: is it in the organization and ACTIVE? Check aws cloudtrail get-trail-status (IsLogging, LatestDeliveryError) in the management account`;
    case "account trail":
      return `the account trail ${stopped}: check aws cloudtrail get-trail-status in ${p.account} (LatestDeliveryError names an S3 or KMS denial); the member stack must point at this bucket`;
    case "flow logs":
    case "flow logs (Hive)":
      return `VPC Flow Logs ${stopped}: check aws ec2 describe-flow-logs in ${p.account} ${p.region} (DeliverLogsStatus, DeliverLogsErrorMessage); an access error there is the bucket or key policy (aws:SourceAccount)`;
    default:
      return `WAF ${stopped}: check the member bucket aws-waf-logs-${p.account}-${p.region} has new objects and their replication status (FAILED: the central bucket or key policy refuses the replication role; the member's central-logging-waf-replication-failed alarm says when), then re-replicate with S3 Batch Replication (docs/operations.md); a quiet web ACL writes nothing`;
  }
}

export async function checkPrefix(
  aws: Aws,
  outputs: CentralArchiveOutputs,
  p: ExpectedPrefix,
  now: Date,
  sinceSeconds: number,
): Promise<DeliveryRow> {
  const bucket = outputs.logs[p.logType].bucketName;
  let newest: Newest | undefined;
  let base = p.base;
  for (const candidate of [p.base, ...(p.alternateBases ?? [])]) {
    const found = await newestUnder(aws, bucket, candidate, p.layout, now, sinceSeconds);
    if (found && (!newest || found.at > newest.at)) [newest, base] = [found, candidate];
  }
  const row: DeliveryRow = {
    account: p.account,
    logType: p.logType,
    region: p.region,
    source: p.source,
    prefix: `s3://${bucket}/${base}`,
    status: "missing",
    expectedBy: p.expectedBy,
  };
  if (!newest) return { ...row, why: likelyCause(p, "missing") };
  const age = Math.max(0, Math.round((now.getTime() - newest.at.getTime()) / 1000));
  const status = age <= sinceSeconds ? "ok" : "late";
  return {
    ...row,
    status,
    newestKey: newest.key,
    newestAt: newest.at.toISOString(),
    ageSeconds: age,
    ...(status === "late" ? { why: `newest file is ${duration(age)} old: ${likelyCause(p, "late")}` } : {}),
  };
}

const ACCOUNT_FOLDER = /^(?:aws-account-id=)?(\d{12})\/$/;

/**
 * Accounts that deliver into a bucket but are not expected: the account folders under AWSLogs/ (and
 * under the organization's folder in the CloudTrail bucket). One delimiter listing per folder level.
 */
export async function unexpectedRows(
  aws: Aws,
  outputs: CentralArchiveOutputs,
  logType: LogType,
  expected: Set<string>,
  source: string,
): Promise<DeliveryRow[]> {
  const bucket = outputs.logs[logType].bucketName;
  const rows: DeliveryRow[] = [];
  const unexpected = (account: string, prefix: string, why: string) =>
    rows.push({
      account,
      logType,
      region: "-",
      source: "-",
      prefix: `s3://${bucket}/${prefix}`,
      status: "unexpected",
      expectedBy: "-",
      why,
    });
  const { folders } = await list(aws, bucket, "AWSLogs/", "/");
  for (const folder of folders) {
    const name = folder.slice("AWSLogs/".length);
    const account = ACCOUNT_FOLDER.exec(name)?.[1];
    if (account) {
      if (!expected.has(account))
        unexpected(
          account,
          folder,
          `account ${account} delivers ${logType} logs here but is not among the expected accounts (${source}): add it there, or find out which trail or flow log writes it`,
        );
      continue;
    }
    if (logType === "cloudtrail" && /^o-[a-z0-9]{10,32}\/$/.test(name)) {
      const org = name.slice(0, -1);
      if (org !== outputs.organizationId) {
        unexpected(
          org,
          folder,
          `an organization trail of ${org}, not this archive's organization, writes here: find the trail and its owner`,
        );
        continue;
      }
      for (const inner of (await list(aws, bucket, folder, "/")).folders) {
        const member = ACCOUNT_FOLDER.exec(inner.slice(folder.length))?.[1];
        if (member && !expected.has(member))
          unexpected(
            member,
            inner,
            `the organization trail logs account ${member}, which is not among the expected accounts (${source}): refresh the accounts file`,
          );
      }
      continue;
    }
    unexpected(
      name.replace(/\/$/, ""),
      folder,
      `AWSLogs/${name} is not an account folder AWS writes: find out who wrote it`,
    );
  }
  return rows;
}
