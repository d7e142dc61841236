/**
 * What verify expects to find: which accounts, and per account which log types in which Regions under
 * which prefix. The accounts come from the central stack's outputs (account-list mode), or from the
 * organization (`--accounts FILE` or `--organizations`). CloudTrail follows the trails the archive
 * admits (their ARNs are in the outputs); VPC Flow Logs and WAF follow the member stack files (or an
 * `--expect FILE`), since only they say which accounts ship them, in which Region and how.
 */
import * as fs from "fs";
import { z } from "zod";
import { ConfigError, parseStackConfig, StackConfig } from "../../shared/config";
import { CentralArchiveOutputs } from "../../shared/contract";
import { LOG_TYPES, LogType } from "../../shared/naming";
import { isKnownRegion } from "../../shared/regions";
import { readJsonFile, UsageError } from "../common/cli";
import { findStackFiles, readStackFolder, StackFileError } from "../simulation/stackFiles";

/** How a prefix's date folders are named. */
export type DateLayout = "plain" | "hive";

export interface ExpectedPrefix {
  account: string;
  logType: LogType;
  region: string;
  source: string;
  /** The folder whose date folders are listed (ends with "/"). */
  base: string;
  layout: DateLayout;
  expectedBy: string;
  /** For CloudFront (global) web ACLs, a second Region segment to look under. */
  alternateBases?: string[];
}

export interface ExpectedAccounts {
  ids: Set<string>;
  source: string;
  /** Unexpected accounts are reported only when the set is the whole organization or account list. */
  complete: boolean;
  notes: string[];
}

/** ACTIVE accounts of `aws organizations list-accounts` output (or a plain list of IDs). */
export function readAccountsFile(file: string): string[] {
  const data = readJsonFile(file) as any;
  const list: unknown[] | undefined = Array.isArray(data)
    ? data
    : Array.isArray(data?.Accounts)
      ? data.Accounts
      : undefined;
  if (!list)
    throw new UsageError(
      `${file}: (root): expected the output of aws organizations list-accounts ({"Accounts": [...]}) or a list of account IDs`,
    );
  const ids: string[] = [];
  list.forEach((entry, i) => {
    const id = typeof entry === "string" ? entry : (entry as any)?.Id;
    if (typeof id !== "string" || !/^\d{12}$/.test(id))
      throw new UsageError(
        `${file}: Accounts[${i}].Id: expected a 12-digit account ID, got ${JSON.stringify(id)}`,
      );
    // State supersedes Status (SUSPENDED, PENDING_CLOSURE, CLOSED): only active accounts deliver logs.
    const state =
      typeof entry === "string" ? "ACTIVE" : ((entry as any).State ?? (entry as any).Status ?? "ACTIVE");
    if (state === "ACTIVE") ids.push(id);
  });
  return ids;
}

export function expectedAccounts(
  outputs: CentralArchiveOutputs,
  organizationAccounts: { ids: string[]; source: string } | undefined,
): ExpectedAccounts {
  if (organizationAccounts)
    return {
      ids: new Set(organizationAccounts.ids),
      source: organizationAccounts.source,
      complete: true,
      notes: [],
    };
  if (outputs.mode === "account-list")
    return {
      ids: new Set(outputs.memberAccountIds ?? []),
      source: "the central stack's memberAccountIds",
      complete: true,
      notes: [],
    };
  const listed = outputs.logDeliveryAccounts ?? [];
  return {
    ids: new Set(listed),
    source: listed.length ? "the central stack's memberAccountIds" : "the stack files",
    complete: false,
    notes: [
      "organization mode without --accounts FILE or --organizations: only the listed accounts are expected, and accounts outside them are not reported as unexpected",
    ],
  };
}

const trailParts = (trailArn: string) => {
  const [, , , region, account, resource] = trailArn.split(":");
  return { region, account, name: resource.replace(/^trail\//, "") };
};

/** CloudTrail prefixes: the organization trail for every expected account, and each account trail. */
export function cloudTrailPrefixes(
  outputs: CentralArchiveOutputs,
  accounts: Iterable<string>,
  regions: string[] | undefined,
): ExpectedPrefix[] {
  const out: ExpectedPrefix[] = [];
  const org = outputs.cloudTrail.organizationTrailArn;
  if (org && outputs.organizationId) {
    const t = trailParts(org);
    for (const account of accounts)
      for (const region of regions ?? [t.region])
        out.push({
          account,
          logType: "cloudtrail",
          region,
          source: "organization trail",
          base: `AWSLogs/${outputs.organizationId}/${account}/CloudTrail/${region}/`,
          layout: "plain",
          expectedBy: `organization trail ${t.name}`,
        });
  }
  const seen = new Set<string>();
  for (const arn of outputs.cloudTrail.accountTrailArns) {
    const t = trailParts(arn);
    for (const region of regions ?? [t.region]) {
      if (seen.has(`${t.account}/${region}`)) continue;
      seen.add(`${t.account}/${region}`);
      out.push({
        account: t.account,
        logType: "cloudtrail",
        region,
        source: "account trail",
        base: `AWSLogs/${t.account}/CloudTrail/${region}/`,
        layout: "plain",
        expectedBy: `account trail ${t.name}`,
      });
    }
  }
  return out;
}

export function flowLogPrefix(
  account: string,
  region: string,
  hive: boolean,
  expectedBy: string,
): ExpectedPrefix {
  return {
    account,
    logType: "vpcflowlogs",
    region,
    source: hive ? "flow logs (Hive)" : "flow logs",
    base: hive
      ? `AWSLogs/aws-account-id=${account}/aws-service=vpcflowlogs/aws-region=${region}/`
      : `AWSLogs/${account}/vpcflowlogs/${region}/`,
    layout: hive ? "hive" : "plain",
    expectedBy,
  };
}

export function wafPrefix(
  account: string,
  region: string,
  webAcl: string,
  expectedBy: string,
  global = false,
): ExpectedPrefix {
  return {
    account,
    logType: "waf",
    region,
    source: `WAF ${webAcl}`,
    base: `AWSLogs/${account}/WAFLogs/${region}/${webAcl}/`,
    layout: "plain",
    expectedBy,
    // Unverified: AWS documents the key layout for regional web ACLs; a CloudFront web ACL's logs may
    // carry "cloudfront" as their Region segment, so both are listed.
    ...(global ? { alternateBases: [`AWSLogs/${account}/WAFLogs/cloudfront/${webAcl}/`] } : {}),
  };
}

/** Flow-log and WAF prefixes from the member stack files of a folder. */
export function stackFilePrefixes(dir: string): {
  prefixes: ExpectedPrefix[];
  accounts: string[];
  files: number;
} {
  const prefixes: ExpectedPrefix[] = [];
  const accounts: string[] = [];
  let files = 0;
  const { files: stackFiles, problems } = readStackFolder(dir);
  const configs: [string, StackConfig][] = [];
  for (const stackFile of stackFiles)
    try {
      configs.push([stackFile.file, parseStackConfig(stackFile.stack, stackFile.raw)]);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems.push(`${stackFile.file}: ${e.message}`);
    }
  if (problems.length) throw new UsageError(...problems);
  for (const [file, config] of configs) {
    if (config.role !== "member") continue;
    files++;
    accounts.push(config.accountId);
    const by = file.split(/[\\/]/).pop()!;
    const s = config.settings;
    if (s.flowLogs)
      prefixes.push(flowLogPrefix(config.accountId, config.region, s.flowLogs.hiveCompatiblePartitions, by));
    for (const acl of s.waf?.webAclArns ?? []) {
      const resource = acl.split(":")[5];
      const name = resource.split("/")[2];
      prefixes.push(wafPrefix(config.accountId, config.region, name, by, resource.startsWith("global/")));
    }
  }
  return { prefixes, accounts, files };
}

const expectFileSchema = z.array(
  z
    .object({
      account: z.string().regex(/^\d{12}$/, "expected a 12-digit account ID"),
      logType: z.enum(LOG_TYPES, { error: `expected one of ${LOG_TYPES.join(", ")}` }),
      region: z.string().refine(isKnownRegion, "expected a known AWS Region"),
      /** VPC Flow Logs: Hive-compatible partitions. */
      hive: z.boolean().optional(),
      /** WAF: the web ACL's name. */
      webAcl: z
        .string()
        .regex(/^[\w-]{1,128}$/, "expected a web ACL name")
        .optional(),
      /** WAF: a CloudFront (global) web ACL, logged from us-east-1 under a "cloudfront" Region segment. */
      global: z.boolean().optional(),
      /** CloudTrail: "organization" or "account" trail. */
      trail: z.enum(["organization", "account"]).optional(),
    })
    .strict(),
);

/** `--expect FILE`: explicit rows, for member stacks kept outside this repository. */
export function expectFilePrefixes(file: string, outputs: CentralArchiveOutputs): ExpectedPrefix[] {
  const parsed = expectFileSchema.safeParse(readJsonFile(file));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(
      `${file}: ${
        issue.path
          .map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`))
          .join("")
          .replace(/^\./, "") || "(root)"
      }: ${issue.message}`,
    );
  }
  return parsed.data.map((e, i) => {
    const by = `${file.split(/[\\/]/).pop()} [${i}]`;
    if (e.logType === "vpcflowlogs") return flowLogPrefix(e.account, e.region, e.hive ?? false, by);
    if (e.logType === "waf") {
      if (!e.webAcl) throw new UsageError(`${file}: [${i}].webAcl: is required for WAF: the web ACL's name`);
      if (e.global && e.region !== "us-east-1")
        throw new UsageError(
          `${file}: [${i}].region: a CloudFront (global) web ACL logs from us-east-1; expected "us-east-1"`,
        );
      return wafPrefix(e.account, e.region, e.webAcl, by, e.global ?? false);
    }
    const org = (e.trail ?? (outputs.organizationId ? "organization" : "account")) === "organization";
    if (org && !outputs.organizationId)
      throw new UsageError(`${file}: [${i}].trail: the archive is in account-list mode; expected "account"`);
    return {
      account: e.account,
      logType: "cloudtrail" as const,
      region: e.region,
      source: org ? "organization trail" : "account trail",
      base: org
        ? `AWSLogs/${outputs.organizationId}/${e.account}/CloudTrail/${e.region}/`
        : `AWSLogs/${e.account}/CloudTrail/${e.region}/`,
      layout: "plain" as const,
      expectedBy: by,
    };
  });
}

/** Every expected prefix once (the first reason wins). */
export function uniquePrefixes(prefixes: ExpectedPrefix[]): ExpectedPrefix[] {
  const seen = new Map<string, ExpectedPrefix>();
  for (const p of prefixes) if (!seen.has(`${p.logType}|${p.base}`)) seen.set(`${p.logType}|${p.base}`, p);
  return [...seen.values()];
}

export function stackDirHasFiles(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory() && findStackFiles(dir).length > 0;
  } catch {
    return false;
  }
}

export { StackFileError };
