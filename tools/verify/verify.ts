/**
 * `npm run verify`: proves, read-only, on the live archive, that every expected account's logs are
 * arriving, that the SIEM's queues are being drained, and that the archive's guards are still in
 * place. See docs/operations.md, "Verify delivery".
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ListAccountsCommand, ListAccountsCommandOutput } from "@aws-sdk/client-organizations";
import { verifierPermissionsPolicy, verifierScopeOfOutputs } from "../../central/verifierPolicies";
import { ARCHIVE_OUTPUT, CentralArchiveOutputs, CONTRACT_VERSION } from "../../shared/contract";
import { serializePolicy } from "../../shared/iam";
import { LOG_TYPES } from "../../shared/naming";
import { isKnownRegion } from "../../shared/regions";
import {
  bounded,
  checkOutputPath,
  CommandRun,
  readJsonFile,
  runAsProcess,
  UsageError,
  eachFlag,
  checkOutputsAreNotInputs,
  projectFiles,
  problemLines,
} from "../common/cli";
import { centralOutputsOf } from "../common/outputs";
import { StackFileError } from "../simulation/stackFiles";
import { Aws, AwsAccessError, Clients, createClients, missingProfile } from "./aws";
import { checkPrefix, unexpectedRows } from "./delivery";
import {
  cloudTrailPrefixes,
  expectedAccounts,
  ExpectedPrefix,
  expectFilePrefixes,
  readAccountsFile,
  stackDirHasFiles,
  stackFilePrefixes,
  uniquePrefixes,
} from "./expectations";
import { checkBuckets, checkKey, objectLockDeliveryGuards } from "./guards";
import { checkQueues } from "./handoff";
import { exitCodeOf, markdownReport, REPORT_VERSION, textReport, VerifyReport } from "./report";

export const USAGE = `usage: npm run verify -- (--outputs FILE | --stack NAME) [options]

Proves on the live archive, read-only, that logs are arriving: the newest object per account, log type
and Region (by date prefix, never a bucket scan), the SIEM queues and their dead-letter queues, and the
archive's guards (versioning, encryption with the archive key and a Bucket Key, public access block,
object ownership, the notification to each queue, key state and rotation). Uses the standard AWS
credential chain (profiles, SSO, roles); run it as the verifier role (--print-policy).

The archive:
  --outputs FILE          the central stack's outputs: pulumi stack output --json --stack <central> > FILE
                          (or only its "archive" output; or npm run plan -- --json FILE, for --print-policy)
  --stack NAME            read them with the Pulumi CLI instead (pulumi stack output --json --stack NAME)

What is expected:
  --accounts FILE         organization mode: the accounts, as aws organizations list-accounts prints them
                          (ACTIVE ones are expected)
  --organizations         organization mode: list the accounts with organizations:ListAccounts instead
                          (management account, or a delegated one)
  --organizations-profile NAME   the AWS profile for that call (default: the same credentials)
  --stacks DIR            member stack files whose VPC Flow Logs and WAF are expected (default: . when it
                          has Pulumi.<stack>.yaml files)
  --expect FILE           explicit rows, for member stacks kept elsewhere (docs/operations.md)
  --regions LIST          Regions where CloudTrail must deliver for every account (default: each trail's
                          home Region)
  --since DURATION        older than this is late: 90m, 2h, 1d (default 24h)
  --max-queue-age DURATION  an older oldest queued message fails the hand-off (default 1h)
  --fail-on-unexpected    exit 1 when an account outside the expected set delivers (default: report it)

Output:
  --json FILE|-           the report as JSON (docs/operations.md documents its shape); - for stdout
  --markdown FILE|-       the report as Markdown, for a ticket, a PR comment or a GitHub job summary
                          (with -, run npm run --silent verify, or npm's banner lines come first)
  --all                   list ok rows on the terminal too
  --quiet                 no progress lines on stderr

AWS:
  --profile NAME          an AWS profile (default: the standard chain, AWS_PROFILE included)
  --endpoint URL          an S3/SQS/KMS/CloudWatch-compatible endpoint (path-style S3)
  --concurrency N         prefixes listed at once (default 16); throttling is retried in the SDK's
                          standard retry mode
  --timeout DURATION      stop the whole run after this long (exit 2), for example 20m; every request
                          also gives up after 5 s without a connection or 30 s without an answer, and is
                          retried up to 5 times

  --print-policy          print the verifier's IAM policy for this archive and exit
  --help                  this text

Exit status: 0 everything expected is ok; 1 something is late or missing, a queue is failing or a
guard is off; 2 a usage, credential or permission error (one line naming what failed).`;

export interface VerifyArgs {
  outputs?: string;
  stack?: string;
  accounts?: string;
  organizations: boolean;
  organizationsProfile?: string;
  stacks?: string;
  expect?: string;
  regions?: string[];
  sinceSeconds: number;
  maxQueueAgeSeconds: number;
  failOnUnexpected: boolean;
  json?: string;
  markdown?: string;
  all: boolean;
  quiet: boolean;
  profile?: string;
  endpoint?: string;
  concurrency: number;
  printPolicy: boolean;
  /** The whole run's limit, in seconds (--timeout). */
  timeoutSeconds?: number;
}

/** "90m", "2h", "1d", "1h30m", "45s" → seconds. */
export function parseDuration(text: string): number | undefined {
  if (!/^(\d+[smhd])+$/.test(text)) return undefined;
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)([smhd])/g))
    total += Number(n) * { s: 1, m: 60, h: 3600, d: 86400 }[unit as "s" | "m" | "h" | "d"];
  return total > 0 ? total : undefined;
}

export function parseArgs(argv: string[]): VerifyArgs | "help" {
  if (argv.includes("--help") || argv.includes("-h")) return "help";
  const args: VerifyArgs = {
    organizations: false,
    sinceSeconds: 86400,
    maxQueueAgeSeconds: 3600,
    failOnUnexpected: false,
    all: false,
    quiet: false,
    concurrency: 16,
    printPolicy: false,
  };
  eachFlag(argv, (flag, value) => {
    const durationOf = () => {
      const v = value();
      const s = parseDuration(v);
      if (s === undefined)
        throw new UsageError(`(command line): ${flag}: expected a duration such as 90m, 2h or 1d, got ${v}`);
      return s;
    };
    if (flag === "--outputs") args.outputs = value();
    else if (flag === "--stack") args.stack = value();
    else if (flag === "--accounts") args.accounts = value();
    else if (flag === "--organizations") args.organizations = true;
    else if (flag === "--organizations-profile") args.organizationsProfile = value();
    else if (flag === "--stacks") args.stacks = value();
    else if (flag === "--expect") args.expect = value();
    else if (flag === "--regions") {
      const v = value();
      const regions = v.split(",").filter(Boolean);
      const bad = regions.find((r) => !isKnownRegion(r));
      if (bad || !regions.length)
        throw new UsageError(
          `(command line): --regions: expected known AWS Regions separated by commas, got ${bad ?? v}`,
        );
      args.regions = regions;
    } else if (flag === "--since") args.sinceSeconds = durationOf();
    else if (flag === "--max-queue-age") args.maxQueueAgeSeconds = durationOf();
    else if (flag === "--fail-on-unexpected") args.failOnUnexpected = true;
    else if (flag === "--json") args.json = value();
    else if (flag === "--markdown") args.markdown = value();
    else if (flag === "--all") args.all = true;
    else if (flag === "--quiet") args.quiet = true;
    else if (flag === "--profile") args.profile = value();
    else if (flag === "--endpoint") {
      const v = value();
      if (!/^https?:\/\/[^\s/]+(\/.*)?$/.test(v))
        throw new UsageError(
          `(command line): --endpoint: expected a URL such as http://127.0.0.1:5000, got ${v}`,
        );
      args.endpoint = v;
    } else if (flag === "--concurrency") {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1 || n > 256)
        throw new UsageError("(command line): --concurrency: expected a whole number from 1 to 256");
      args.concurrency = n;
    } else if (flag === "--timeout") args.timeoutSeconds = durationOf();
    else if (flag === "--print-policy") args.printPolicy = true;
    else throw new UsageError(`(command line): ${flag}: unknown option; see npm run verify -- --help`);
  });
  if (args.outputs && args.stack)
    throw new UsageError(
      "(command line): --outputs and --stack: they are alternatives, give one: the central stack's outputs from a file, or read with the Pulumi CLI",
    );
  if (!args.outputs && !args.stack)
    throw new UsageError(
      "(command line): expected --outputs FILE or --stack NAME: the central stack's outputs",
    );
  if (args.accounts && args.organizations)
    throw new UsageError(
      "(command line): --accounts and --organizations: give one source of the organization's accounts",
    );
  if (args.organizationsProfile && !args.organizations)
    throw new UsageError("(command line): --organizations-profile: applies only to --organizations; add it");
  for (const [option, profile] of [
    ["--profile", args.profile],
    ["--organizations-profile", args.organizationsProfile],
  ] as const) {
    const missing = profile === undefined ? undefined : missingProfile(profile);
    if (missing) throw new UsageError(`(command line): ${option} ${profile}: ${missing}`);
  }
  if (args.json === "-" && args.markdown === "-")
    throw new UsageError(
      "(command line): --json - and --markdown -: only one of them can use standard output",
    );
  return args;
}

/**
 * The central stack's outputs: `pulumi stack output --json`, only its archive output, or the offline
 * plan's JSON (for --print-policy on the example organization).
 */
export function archiveOutputsOf(data: unknown, where: string): CentralArchiveOutputs {
  const found = centralOutputsOf(data);
  if ("error" in found) throw new UsageError(`${where}: ${found.error}`);
  const candidate = found.outputs?.[ARCHIVE_OUTPUT] ?? found.outputs;
  if (
    !candidate ||
    typeof candidate !== "object" ||
    !("contractVersion" in candidate) ||
    !("logs" in candidate)
  )
    throw new UsageError(
      `${where}: expected the central stack's outputs (pulumi stack output --json --stack <central>), with an "${ARCHIVE_OUTPUT}" output; got ${
        Object.keys((data as object) ?? {})
          .slice(0, 5)
          .join(", ") || "nothing"
      }`,
    );
  const outputs = candidate as CentralArchiveOutputs;
  if (outputs.contractVersion !== CONTRACT_VERSION)
    throw new UsageError(
      `${where}: ${ARCHIVE_OUTPUT}.contractVersion: expected ${CONTRACT_VERSION} (this checkout's contract), got ${outputs.contractVersion}; run pulumi up on the central stack, or use the matching checkout`,
    );
  for (const t of LOG_TYPES)
    if (!outputs.logs?.[t]?.bucketName || !outputs.logs[t].queueUrl)
      throw new UsageError(`${where}: ${ARCHIVE_OUTPUT}.logs.${t}: expected bucketName and queueUrl`);
  return outputs;
}

/** `pulumi stack output --json --stack NAME`, with the CLI on PATH (or CENTRAL_LOGGING_PULUMI_ROOT/bin). */
function stackOutputs(stack: string): Promise<unknown> {
  const root = process.env.CENTRAL_LOGGING_PULUMI_ROOT;
  const pulumi = root ? path.join(root, "bin", "pulumi") : "pulumi";
  return new Promise((resolve, reject) =>
    execFile(
      pulumi,
      ["stack", "output", "--json", "--stack", stack],
      { maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        if (error) {
          const why =
            (error as NodeJS.ErrnoException).code === "ENOENT"
              ? `the Pulumi CLI (${pulumi}) is not installed; use --outputs FILE instead`
              : (stderr.trim().split("\n").pop() ?? error.message);
          return reject(new UsageError(`(command line): --stack ${stack}: ${why}`));
        }
        try {
          resolve(JSON.parse(stdout));
        } catch {
          reject(new UsageError(`(command line): --stack ${stack}: pulumi stack output printed no JSON`));
        }
      },
    ),
  );
}

async function organizationAccounts(aws: Aws, profile?: string): Promise<string[]> {
  const client = aws.clients.organizations(profile);
  const ids: string[] = [];
  let NextToken: string | undefined;
  do {
    const page: ListAccountsCommandOutput = await aws.call(
      "organizations:ListAccounts",
      "the organization",
      () => client.send(new ListAccountsCommand({ NextToken })),
    );
    for (const a of page.Accounts ?? [])
      if (a.Id && (a.State ?? a.Status ?? "ACTIVE") === "ACTIVE") ids.push(a.Id);
    NextToken = page.NextToken;
  } while (NextToken);
  return ids;
}

export interface VerifyOptions {
  args: VerifyArgs;
  outputs: CentralArchiveOutputs;
  /** Injected by tests (aws-sdk-client-mock, or clients pointed at moto). */
  clients?: Clients;
  now?: Date;
  progress?: (message: string) => void;
}

export async function runVerify(o: VerifyOptions): Promise<VerifyReport> {
  const started = Date.now();
  const { args, outputs } = o;
  const now = o.now ?? new Date();
  const aws = new Aws(
    o.clients ?? createClients({ region: outputs.region, endpoint: args.endpoint, profile: args.profile }),
  );

  // What is expected: everything read and validated before the first AWS request but the account list.
  const stacksDir = args.stacks ?? (stackDirHasFiles(".") ? "." : undefined);
  const fromStacks = stacksDir ? stackFilePrefixes(stacksDir) : { prefixes: [], accounts: [], files: 0 };
  const fromExpect = args.expect ? expectFilePrefixes(args.expect, outputs) : [];
  let org: { ids: string[]; source: string } | undefined;
  if (args.accounts) org = { ids: readAccountsFile(args.accounts), source: args.accounts };
  else if (args.organizations)
    org = {
      ids: await organizationAccounts(aws, args.organizationsProfile),
      source: "organizations:ListAccounts",
    };
  const accounts = expectedAccounts(outputs, org);
  if (!accounts.complete) for (const a of fromStacks.accounts) accounts.ids.add(a);
  if (stacksDir && !fromStacks.files)
    accounts.notes.push(
      `${stacksDir} has no member stack files: VPC Flow Logs and WAF are not expected anywhere`,
    );
  if (!stacksDir && !args.expect)
    accounts.notes.push(
      "no member stack files (--stacks) or --expect FILE: VPC Flow Logs and WAF are not expected anywhere",
    );
  const prefixes: ExpectedPrefix[] = uniquePrefixes([
    ...cloudTrailPrefixes(outputs, [...accounts.ids].sort(), args.regions),
    ...fromStacks.prefixes,
    ...fromExpect,
  ]);

  let done = 0;
  const total = prefixes.length + (accounts.complete ? LOG_TYPES.length : 0) + 2;
  const timer = o.progress
    ? setInterval(
        () =>
          o.progress!(
            `${done} of ${total} checks, ${aws.requests} requests, ${((Date.now() - started) / 1000).toFixed(0)} s`,
          ),
        5000,
      )
    : undefined;
  try {
    const delivery = await bounded(prefixes, args.concurrency, async (p) => {
      const r = await checkPrefix(aws, outputs, p, now, args.sinceSeconds);
      done++;
      return r;
    });
    if (accounts.complete) {
      const known = new Set([...accounts.ids, ...fromStacks.accounts, ...prefixes.map((p) => p.account)]);
      for (const t of LOG_TYPES) {
        delivery.push(...(await unexpectedRows(aws, outputs, t, known, accounts.source)));
        done++;
      }
    }
    const guards = [...(await checkBuckets(aws, outputs)), ...(await checkKey(aws, outputs))];
    done++;
    const handoff = await checkQueues(aws, outputs, now, args.maxQueueAgeSeconds);
    done++;
    guards.push(...handoff.guards, ...objectLockDeliveryGuards(outputs, delivery));
    const count = (s: string) => delivery.filter((d) => d.status === s).length;
    const report: VerifyReport = {
      version: REPORT_VERSION,
      checkedAt: now.toISOString(),
      sinceSeconds: args.sinceSeconds,
      archive: {
        accountId: outputs.accountId,
        region: outputs.region,
        mode: outputs.mode,
        ...(outputs.organizationId ? { organizationId: outputs.organizationId } : {}),
      },
      expected: {
        accounts: accounts.ids.size,
        source: accounts.source,
        complete: accounts.complete,
        notes: accounts.notes,
      },
      delivery,
      queues: handoff.queues,
      guards,
      summary: {
        ok: count("ok"),
        late: count("late"),
        missing: count("missing"),
        unexpected: count("unexpected"),
        queuesFailing: handoff.queues.filter((q) => q.status === "failing").length,
        guardsOff: guards.filter((g) => g.status === "off").length,
        requests: aws.requests,
        seconds: (Date.now() - started) / 1000,
        exitCode: 0,
      },
    };
    report.summary.exitCode = exitCodeOf(report, args.failOnUnexpected);
    return report;
  } finally {
    if (timer) clearInterval(timer);
  }
}

export interface VerifyRun extends CommandRun {
  report?: VerifyReport;
}

/** The CLI, without touching the process: returns the exit status and what to print. */
export async function main(
  argv: string[],
  inject: { clients?: Clients; now?: Date; progress?: (m: string) => void } = {},
): Promise<VerifyRun> {
  try {
    const args = parseArgs(argv);
    if (args === "help") return { code: 0, out: `${USAGE}\n`, err: "" };
    checkOutputPath("--json", args.json);
    checkOutputPath("--markdown", args.markdown);
    checkOutputsAreNotInputs(
      [
        ["--json", args.json],
        ["--markdown", args.markdown],
      ],
      [
        ["--outputs", args.outputs],
        ["--accounts", args.accounts],
        ["--expect", args.expect],
        ...projectFiles(args.stacks ?? ".").map((f): [string, string] => ["--stacks", f]),
      ],
    );
    return await withinTimeout(args, () => verifyRun(args, inject));
  } catch (e) {
    if (e instanceof UsageError || e instanceof AwsAccessError || e instanceof StackFileError)
      return { code: 2, out: "", err: problemLines("verify", e) };
    throw e;
  }
}

/** Runs `fn`, or fails with a UsageError when --timeout passes first; without --timeout, just runs it. */
async function withinTimeout<T>(args: VerifyArgs, fn: () => Promise<T>): Promise<T> {
  if (args.timeoutSeconds === undefined) return fn();
  const run = fn();
  // The run goes on in the background until the process exits; its late failure must not surface.
  run.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new UsageError(
            `--timeout ${formatDuration(args.timeoutSeconds!)}: the run did not finish in time; an endpoint may be slow or unreachable (check --endpoint, the network or the proxy), or allow more time`,
          ),
        ),
      args.timeoutSeconds! * 1000,
    );
  });
  try {
    return await Promise.race([run, limit]);
  } finally {
    clearTimeout(timer);
  }
}

const formatDuration = (seconds: number) =>
  seconds % 3600 === 0 ? `${seconds / 3600}h` : seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;

async function verifyRun(
  args: VerifyArgs,
  inject: { clients?: Clients; now?: Date; progress?: (m: string) => void },
): Promise<VerifyRun> {
  const outputs = args.outputs
    ? archiveOutputsOf(readJsonFile(args.outputs), args.outputs)
    : archiveOutputsOf(await stackOutputs(args.stack!), `stack ${args.stack}`);
  if (args.printPolicy)
    return {
      code: 0,
      out: `${JSON.stringify(JSON.parse(serializePolicy(verifierPermissionsPolicy(verifierScopeOfOutputs(outputs)))), null, 2)}\n`,
      err: "",
    };
  const report = await runVerify({
    args,
    outputs,
    clients: inject.clients,
    now: inject.now,
    progress: args.quiet ? undefined : inject.progress,
  });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  if (args.json && args.json !== "-") fs.writeFileSync(args.json, json);
  if (args.markdown && args.markdown !== "-") fs.writeFileSync(args.markdown, markdownReport(report));
  const out =
    args.json === "-"
      ? json
      : args.markdown === "-"
        ? markdownReport(report)
        : `${textReport(report, { all: args.all })}\n`;
  return { code: report.summary.exitCode, out, err: "", report };
}

if (require.main === module) runAsProcess("verify", (argv, progress) => main(argv, { progress }));
