/**
 * The verify report: its JSON shape (documented in docs/operations.md, "npm run verify"), the exit
 * status it implies, and its terminal and Markdown renderings.
 */
import { LogType } from "../../shared/naming";
import { textTable } from "../common/cli";

export const REPORT_VERSION = 1;

export type DeliveryStatus = "ok" | "late" | "missing" | "unexpected";

export interface DeliveryRow {
  /** A 12-digit account, or the folder name found where an account was expected (unexpected rows). */
  account: string;
  logType: LogType;
  /** The Region in the key; "-" for unexpected rows, which are reported per account. */
  region: string;
  /** What writes here: organization trail, account trail, flow logs, flow logs (Hive), WAF <web ACL>. */
  source: string;
  /** The prefix that was listed (date folders below it). */
  prefix: string;
  status: DeliveryStatus;
  /** Why this row is expected: the trail, the stack file, the accounts file... */
  expectedBy: string;
  /** The newest object: its key, the time its file name covers (LastModified when it names none). */
  newestKey?: string;
  newestAt?: string;
  ageSeconds?: number;
  /** The likely cause and where to look, in one line; absent when ok. */
  why?: string;
}

export type CheckStatus = "ok" | "failing";

export interface QueueRow {
  logType: LogType;
  queue: string;
  /** Messages waiting to be received. */
  visible: number;
  /** Messages received and not yet deleted. */
  inFlight: number;
  /** ApproximateAgeOfOldestMessage from CloudWatch; null when CloudWatch has no recent datapoint. */
  oldestAgeSeconds: number | null;
  deadLetterQueue: string;
  deadLetterVisible: number;
  status: CheckStatus;
  verdict: string;
}

export interface GuardRow {
  /** The bucket, key or queue read. */
  resource: string;
  check: string;
  status: "ok" | "off";
  /** What AWS returned, in a few words. */
  found: string;
  expected: string;
  /** How to restore it; absent when ok. */
  fix?: string;
}

export interface VerifyReport {
  version: number;
  checkedAt: string;
  sinceSeconds: number;
  archive: {
    accountId: string;
    region: string;
    mode: "organization" | "account-list";
    organizationId?: string;
  };
  /** Where the expected accounts came from, and whether the set is complete (unexpected rows need it). */
  expected: { accounts: number; source: string; complete: boolean; notes: string[] };
  delivery: DeliveryRow[];
  queues: QueueRow[];
  guards: GuardRow[];
  summary: {
    ok: number;
    late: number;
    missing: number;
    unexpected: number;
    queuesFailing: number;
    guardsOff: number;
    /** S3, SQS, KMS, CloudWatch and Organizations requests made. */
    requests: number;
    seconds: number;
    exitCode: 0 | 1;
  };
}

/**
 * 1 when anything expected is late or missing, a queue is failing or a guard is off. Unexpected
 * accounts are reported but fail only with `failOnUnexpected`: the usual cause is a stale account list.
 */
export function exitCodeOf(
  r: Pick<VerifyReport, "delivery" | "queues" | "guards">,
  failOnUnexpected = false,
): 0 | 1 {
  const bad =
    r.delivery.some(
      (d) => d.status === "late" || d.status === "missing" || (failOnUnexpected && d.status === "unexpected"),
    ) ||
    r.queues.some((q) => q.status === "failing") ||
    r.guards.some((g) => g.status === "off");
  return bad ? 1 : 0;
}

export function duration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${m % 60 ? `${String(m % 60).padStart(2, "0")}m` : ""}`;
  return `${Math.floor(h / 24)}d${h % 24 ? `${h % 24}h` : ""}`;
}

const ageOf = (d: DeliveryRow) => (d.ageSeconds === undefined ? "–" : duration(d.ageSeconds));

const table = textTable;

const DELIVERY_HEADER = ["status", "log type", "account", "region", "source", "newest", "age", "why"];
const deliveryCells = (d: DeliveryRow) => [
  d.status,
  d.logType,
  d.account,
  d.region,
  d.source,
  d.newestAt ?? "–",
  ageOf(d),
  d.why ?? "",
];

const QUEUE_HEADER = ["status", "log type", "visible", "in flight", "oldest", "DLQ", "verdict"];
const queueCells = (q: QueueRow) => [
  q.status,
  q.logType,
  String(q.visible),
  String(q.inFlight),
  q.oldestAgeSeconds === null ? "–" : duration(q.oldestAgeSeconds),
  String(q.deadLetterVisible),
  q.verdict,
];

const order: Record<DeliveryStatus, number> = { missing: 0, late: 1, unexpected: 2, ok: 3 };
const sorted = (rows: DeliveryRow[]) =>
  [...rows].sort(
    (a, b) =>
      order[a.status] - order[b.status] ||
      a.logType.localeCompare(b.logType) ||
      a.account.localeCompare(b.account) ||
      a.region.localeCompare(b.region) ||
      a.source.localeCompare(b.source),
  );

function countsLine(r: VerifyReport): string {
  const s = r.summary;
  return `${s.ok} ok, ${s.late} late, ${s.missing} missing, ${s.unexpected} unexpected; ${s.queuesFailing} queue(s) failing; ${s.guardsOff} guard(s) off`;
}

/** The terminal report: problems in full, ok rows counted unless `all`. */
export function textReport(r: VerifyReport, options: { all?: boolean } = {}): string {
  const out: string[] = [];
  const since = duration(r.sinceSeconds);
  out.push(
    `== delivery: newest object per account, log type and Region (late: older than ${since}); expected accounts: ${r.expected.accounts} from ${r.expected.source}`,
  );
  for (const n of r.expected.notes) out.push(`   note: ${n}`);
  const shown = sorted(options.all ? r.delivery : r.delivery.filter((d) => d.status !== "ok"));
  if (shown.length) out.push(table(DELIVERY_HEADER, shown.map(deliveryCells)));
  const okRows = r.delivery.filter((d) => d.status === "ok").length;
  if (!options.all) out.push(`${okRows} row(s) ok${okRows ? " (--all lists them)" : ""}`);
  out.push("", "== hand-off: the SIEM's queues");
  out.push(table(QUEUE_HEADER, r.queues.map(queueCells)));
  out.push("", "== guards: the archive's settings, read back");
  const guards = options.all ? r.guards : r.guards.filter((g) => g.status !== "ok");
  if (guards.length)
    out.push(
      table(
        ["status", "resource", "check", "found", "fix"],
        guards.map((g) => [g.status, g.resource, g.check, g.found, g.fix ?? ""]),
      ),
    );
  const okGuards = r.guards.filter((g) => g.status === "ok").length;
  if (!options.all) out.push(`${okGuards} guard(s) ok${okGuards ? " (--all lists them)" : ""}`);
  out.push(
    "",
    `${r.summary.exitCode === 0 ? "VERIFIED" : "NOT VERIFIED"}: ${countsLine(r)} (${r.summary.requests} requests in ${r.summary.seconds.toFixed(1)} s)`,
  );
  return out.join("\n");
}

const md = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
const mdTable = (header: string[], rows: string[][]) =>
  [
    `| ${header.join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.map(md).join(" | ")} |`),
  ].join("\n");

/** For a ticket, a PR comment or a GitHub job summary: problems first, ok rows folded. */
export function markdownReport(r: VerifyReport): string {
  const out: string[] = [];
  const verdict = r.summary.exitCode === 0 ? "✅ verified" : "❌ not verified";
  out.push(`## central-logging verify: ${verdict}`, "");
  out.push(
    `Archive ${r.archive.accountId} (${r.archive.region}, ${r.archive.mode} mode), checked ${r.checkedAt}; late means older than ${duration(r.sinceSeconds)}. ${countsLine(r)}.`,
    "",
  );
  out.push(`Expected accounts: ${r.expected.accounts}, from ${r.expected.source}.`);
  for (const n of r.expected.notes) out.push(`> ${n}`);
  out.push("");
  const rowOf = deliveryCells;
  const header = DELIVERY_HEADER;
  const problems = sorted(r.delivery.filter((d) => d.status !== "ok"));
  out.push("### Delivery", "");
  out.push(problems.length ? mdTable(header, problems.map(rowOf)) : "Every expected prefix has fresh logs.");
  const ok = sorted(r.delivery.filter((d) => d.status === "ok"));
  if (ok.length)
    out.push(
      "",
      `<details><summary>${ok.length} ok row(s)</summary>`,
      "",
      mdTable(header, ok.map(rowOf)),
      "",
      "</details>",
    );
  out.push("", "### Hand-off to the SIEM", "");
  out.push(mdTable(QUEUE_HEADER, r.queues.map(queueCells)));
  out.push("", "### Guards", "");
  out.push(
    mdTable(
      ["status", "resource", "check", "found", "expected", "fix"],
      r.guards.map((g) => [g.status, g.resource, g.check, g.found, g.expected, g.fix ?? ""]),
    ),
  );
  return `${out.join("\n")}\n`;
}
