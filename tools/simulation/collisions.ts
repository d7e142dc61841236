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
  /** Where the names must be unique: a NameScope, or a key of its own (one organization, say). */
  scope: NameScope | ((stack: StackConfig) => string);
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

export function scopeKey(scope: CollisionRule["scope"], c: StackConfig): string {
  if (typeof scope === "function") return scope(c);
  if (scope === "partition") return c.partition;
  if (scope === "account") return `${c.partition}/${c.accountId}`;
  return `${c.partition}/${c.accountId}/${c.region}`;
}

const list = (names: string[]) => names.join(", ");

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
    names: (c, all) => {
      if (c.role !== "member") return [];
      const centrals = all.filter((x) => x.role === "central");
      const central =
        centrals.find((x) => x.stack === c.settings.centralStack.split("/")[2]) ??
        (centrals.length === 1 ? centrals[0] : undefined);
      // Unset, the mode follows the central stack: no claim when it is not among the valid files.
      const mode =
        c.settings.cloudTrail.mode ??
        (central?.role !== "central"
          ? undefined
          : central.settings.cloudTrail?.organizationTrail
            ? "covered-by-organization-trail"
            : "account");
      return mode === "account" || mode === "organization" ? ["account trail"] : [];
    },
    message: (a, b, _names, c) =>
      `${a} and ${b}: both create a multi-Region trail in account ${c.accountId} (${PROJECT}:cloudTrail.mode account or organization), and a multi-Region trail already logs every Region of its account; the second would fail on the name or pay for a second copy of the events. Set ${PROJECT}:cloudTrail.mode to covered-by-account-trail in the stack of the other Region`,
  },
  {
    // Organizations policy names are unique in an organization; the plan's stacks are one organization.
    scope: "partition",
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
        const key = `${scopeKey(rule.scope, s.config)}|${name}`;
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
