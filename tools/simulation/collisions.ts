/**
 * Names AWS allows only once in a scope, claimed by more than one stack file: the second `pulumi up`
 * would fail on the name the first one created, so the plan and the fleet refuse the pair before running
 * anything, in one line naming both files.
 *
 * Each rule says which names a stack creates and where they must be unique: in the whole partition (S3
 * bucket names are global), in one account (IAM names are account-wide, whatever the Region) or in one
 * account and Region (queues, key aliases). Add a rule here for every new name that is not scoped by the
 * stack's own account and Region.
 */
import { StackConfig } from "../../shared/config";
import { accessLogBucketName, LOG_TYPES, logBucketName, PROJECT } from "../../shared/naming";

/** Where a name must be unique. */
export type NameScope = "partition" | "account" | "region";

/** A validated stack file. */
export interface PlacedStack {
  file: string;
  config: StackConfig;
}

export interface CollisionRule {
  /**
   * Where the names must be unique: a NameScope, or a key of its own (one organization, say), which may
   * depend on the other stacks of the set (a member's organization is its central stack's).
   */
  scope: NameScope | ((stack: StackConfig, all: StackConfig[]) => string);
  /**
   * The names the stack creates that must be unique in the scope (none when the rule does not apply);
   * `all` is every stack of the set, for names that depend on another stack (a member's trail, on its
   * central stack's organization trail).
   */
  names(stack: StackConfig, all: StackConfig[]): string[];
  /** The one line for two files that claim the same names (the names they share, first file first). */
  message(first: string, second: string, shared: string[], stack: StackConfig): string;
  /**
   * The pair's other collisions follow from this one (two stacks of one role in one account and Region
   * share everything): once a pair is reported by such a rule, later rules leave it out.
   */
  coversPair?: boolean;
}

export function scopeKey(scope: CollisionRule["scope"], c: StackConfig, all: StackConfig[] = [c]): string {
  if (typeof scope === "function") return scope(c, all);
  if (scope === "partition") return c.partition;
  if (scope === "account") return `${c.partition}/${c.accountId}`;
  return `${c.partition}/${c.accountId}/${c.region}`;
}

const list = (names: string[]) => names.join(", ");

/** The central stack a member ships to, when it is among the valid files of the set. */
function centralOf(c: StackConfig, all: StackConfig[]): StackConfig | undefined {
  if (c.role !== "member") return undefined;
  const centrals = all.filter((x) => x.role === "central");
  return (
    centrals.find((x) => x.stack === c.settings.centralStack.split("/")[2]) ??
    (centrals.length === 1 ? centrals[0] : undefined)
  );
}

/**
 * Whether a member stack creates its account's multi-Region trail (or the organization trail). Unset, the
 * mode follows its central stack (member/program.ts): unknown, and no claim, when that is not in the set.
 */
export function createsTrail(c: StackConfig, all: StackConfig[]): boolean {
  if (c.role !== "member") return false;
  const central = centralOf(c, all);
  const mode =
    c.settings.cloudTrail.mode ??
    (central?.role !== "central"
      ? undefined
      : central.settings.cloudTrail?.organizationTrail
        ? "covered-by-organization-trail"
        : "account");
  return mode === "account" || mode === "organization";
}

/**
 * Accounts whose trail no stack of the set creates, though one must: a stack that says its account's
 * trail is in another stack (covered-by-account-trail), and, when the central stack expects an account's
 * own trail (account-list mode, or listed in cloudTrail.accountTrails), the stacks of that account.
 */
export function missingTrails(stacks: PlacedStack[]): string[] {
  const all = stacks.map((s) => s.config);
  const lines: string[] = [];
  const byAccount = new Map<string, PlacedStack[]>();
  for (const s of stacks)
    if (s.config.role === "member")
      byAccount.set(s.config.accountId, [...(byAccount.get(s.config.accountId) ?? []), s]);
  for (const [account, members] of byAccount) {
    if (members.some((m) => createsTrail(m.config, all))) continue;
    const pointing = members.find(
      (m) => m.config.role === "member" && m.config.settings.cloudTrail.mode === "covered-by-account-trail",
    );
    const central = centralOf(members[0].config, all);
    const expects =
      central?.role === "central" &&
      (central.settings.organizationId === undefined ||
        (central.settings.cloudTrail?.accountTrails ?? []).some((t) => t.accountId === account));
    if (pointing)
      lines.push(
        `${pointing.file}: ${PROJECT}:cloudTrail.mode is covered-by-account-trail, but no stack of account ${account} here creates its trail; set ${PROJECT}:cloudTrail.mode to account in one of its stacks (${members.map((m) => m.file).join(", ")})`,
      );
    else if (expects)
      lines.push(
        `${members[0].file}: the central stack expects account ${account}'s own trail (${central!.settings.organizationId === undefined ? "account-list mode" : `${PROJECT}:cloudTrail.accountTrails`}), but no stack of the account here creates it; set ${PROJECT}:cloudTrail.mode to account in one of its stacks${central!.settings.organizationId === undefined ? "" : ", or remove the account from cloudTrail.accountTrails (the organization trail covers it)"}`,
      );
  }
  return lines;
}

export const COLLISION_RULES: CollisionRule[] = [
  {
    // Everything a stack names after its account and Region (a member's aws-waf-logs-<account>-<region>
    // bucket, a central stack's queues and key alias) is shared by two stacks of one role there.
    scope: "region",
    coversPair: true,
    names: (c) => [`${c.role} stack`],
    message: (a, b, _names, c) => {
      const what =
        c.role === "member"
          ? `the bucket aws-waf-logs-${c.accountId}-${c.region} and the replication role central-logging-waf-replication-${c.region}`
          : "the archive's queues, key alias and roles";
      return `${a} and ${b}: both deploy a ${c.role} stack to account ${c.accountId} in ${c.region}; the second would collide with the first on ${what}. Keep one stack file per account and Region`;
    },
  },
  {
    // S3 bucket names are unique across all accounts and Regions of a partition (S3 user guide, "Bucket
    // naming rules"), and the central stack names its buckets after bucketSuffix alone.
    scope: "partition",
    names: (c) =>
      c.role === "central"
        ? [
            ...LOG_TYPES.map((t) => logBucketName(t, c.settings.bucketSuffix)),
            accessLogBucketName(c.settings.bucketSuffix),
          ]
        : [],
    message: (a, b, names) =>
      `${a} and ${b}: both create the S3 buckets ${list(names)} (${PROJECT}:bucketSuffix is the same), and bucket names are global across all AWS accounts; the second would fail on them. Give each central stack its own ${PROJECT}:bucketSuffix`,
  },
  {
    // IAM role names are unique in an account across all Regions (IAM user guide, "IAM identifiers").
    scope: "account",
    names: (c) =>
      c.role === "central" ? [c.siemRoleName, ...(c.verifierRoleName ? [c.verifierRoleName] : [])] : [],
    message: (a, b, names, c) =>
      `${a} and ${b}: both create the IAM role${names.length > 1 ? "s" : ""} ${list(names)} in account ${c.accountId}, and IAM role names are account-wide, whatever the Region; the second would fail on ${names.length > 1 ? "them" : "it"}. Give one of the central stacks another ${PROJECT}:siem.roleName${names.length > 1 ? " (and verifier.roleName)" : ""}`,
  },
  {
    // A member's trail is multi-Region: it exists in every Region of its account under its name (CloudTrail
    // user guide, multi-Region trails), so a second stack of the account, in another Region, cannot create
    // one of the same name, and a second trail of another name would pay for a second copy of the events.
    scope: "account",
    names: (c, all) => (createsTrail(c, all) ? ["account trail"] : []),
    message: (a, b, _names, c) =>
      `${a} and ${b}: both create a multi-Region trail in account ${c.accountId}, and a multi-Region trail already logs every Region of its account; the second would fail on the name or pay for a second copy of the events. Set ${PROJECT}:cloudTrail.mode to covered-by-account-trail in ${b}`,
  },
  {
    // Organizations policy names are unique in an organization: the organization of the member's central
    // stack (two central stacks, two archives, may share one organization), else that central stack.
    scope: (c, all) => {
      const central = centralOf(c, all);
      const organization = central?.role === "central" ? central.settings.organizationId : undefined;
      return organization ?? (c.role === "member" ? c.settings.centralStack : c.stack);
    },
    names: (c) => (c.role === "member" && c.settings.guardrails ? ["organization guardrails"] : []),
    message: (a, b) =>
      `${a} and ${b}: both deploy the organization guardrails (${PROJECT}:guardrails), whose policy names are unique in an organization; the second would fail on them. Deploy them from one stack, in the management account`,
  },
];

/**
 * Every collision among the stacks, one line per pair of files and rule: each later file is paired with
 * the first file that claimed the same name.
 */
export function collisions(stacks: PlacedStack[], rules: CollisionRule[] = COLLISION_RULES): string[] {
  const lines: string[] = [];
  const covered = new Set<string>();
  for (const rule of rules) {
    const owner = new Map<string, PlacedStack>();
    const shared = new Map<string, { first: PlacedStack; second: PlacedStack; names: string[] }>();
    const all = stacks.map((x) => x.config);
    for (const s of stacks) {
      for (const name of rule.names(s.config, all)) {
        const key = `${scopeKey(rule.scope, s.config, all)}|${name}`;
        const first = owner.get(key);
        if (!first) {
          owner.set(key, s);
          continue;
        }
        const pair = `${first.file}\u0000${s.file}`;
        if (covered.has(pair)) continue;
        const entry = shared.get(pair) ?? { first, second: s, names: [] };
        entry.names.push(name);
        shared.set(pair, entry);
      }
    }
    for (const [pair, { first, second, names }] of shared) {
      lines.push(rule.message(first.file, second.file, names, second.config));
      if (rule.coversPair) covered.add(pair);
    }
  }
  return lines;
}
