/**
 * The typed stack configuration and its validation. Everything a stack reads from its
 * `Pulumi.<stack>.yaml` goes through `parseStackConfig` before any resource is registered, so bad input
 * ends the run with one line naming the stack, the key and what was expected.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import {
  describeInput,
  discriminatorMessage,
  keyOf,
  namespaceProblem,
  OtherRole,
  plainIssueMessage,
  unknownKeyMessage,
  unquotedAccountId,
  valueAt,
} from "./configMessages";
import { Extension, EXTENSIONS, resolveExtensions } from "./extensions";
import { isKnownRegion, partitionOf, Partition } from "./regions";
import {
  bucketNameProblem,
  DEFAULT_OIDC_SIEM_ROLE_NAME,
  DEFAULT_SIEM_ROLE_NAME,
  DEFAULT_BREAK_GLASS_ROLE_NAME,
  DEFAULT_VERIFIER_ROLE_NAME,
  LOG_TYPES,
  logBucketName,
  accessLogBucketName,
  MEMBER_TRAIL_NAME,
  PROJECT,
} from "./naming";

/** A configuration mistake. A RunError, so the Pulumi CLI prints the message without a stack trace. */
export class ConfigError extends pulumi.RunError {
  constructor(
    public readonly stack: string,
    public readonly key: string,
    public readonly expected: string,
  ) {
    super(`stack "${stack}": config key "${key}": ${expected}`);
    this.name = "ConfigError";
  }
}

export const ACCOUNT_ID = /^\d{12}$/;
export const ORG_ID = /^o-[a-z0-9]{10,32}$/;
const accountId = z
  .string({
    error: (issue) =>
      `expected a 12-digit AWS account ID, ${unquotedAccountId(issue.input) ?? `got ${describeInput(issue.input)}`}`,
  })
  .regex(ACCOUNT_ID, "expected a 12-digit AWS account ID");
const intIn = (min: number, max: number, what: string) =>
  z.coerce
    .number(`expected ${what}: a whole number from ${min} to ${max}`)
    .int(`expected ${what}: a whole number from ${min} to ${max}`)
    .min(min, `expected ${what}: a whole number from ${min} to ${max}`)
    .max(max, `expected ${what}: a whole number from ${min} to ${max}`);
const bool = z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")], {
  error: "expected true or false",
});

const lifecycleSchema = z
  .object({
    transitionDays: intIn(1, 36500, "days before current versions move to colder storage").default(90),
    transitionStorageClass: z
      .enum(["STANDARD_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"], {
        error: "expected one of STANDARD_IA, GLACIER_IR, GLACIER, DEEP_ARCHIVE",
      })
      .default("GLACIER_IR"),
    expirationDays: intIn(1, 36500, "days before current versions expire").default(2557),
    noncurrentTransitionDays: intIn(1, 36500, "days before noncurrent versions move").default(30),
    noncurrentExpirationDays: intIn(1, 36500, "days before noncurrent versions are deleted").default(365),
  })
  .strict()
  .superRefine((l, ctx) => {
    if (l.expirationDays <= l.transitionDays)
      ctx.addIssue({
        code: "custom",
        path: ["expirationDays"],
        message: `expected more days than transitionDays (${l.transitionDays}): S3 rejects an expiration before the transition`,
      });
    if (l.noncurrentExpirationDays <= l.noncurrentTransitionDays)
      ctx.addIssue({
        code: "custom",
        path: ["noncurrentExpirationDays"],
        message: `expected more days than noncurrentTransitionDays (${l.noncurrentTransitionDays})`,
      });
    if (l.transitionStorageClass === "STANDARD_IA" && l.transitionDays < 30)
      ctx.addIssue({
        code: "custom",
        path: ["transitionDays"],
        message: "expected at least 30 days: S3 moves objects to STANDARD_IA only after 30 days",
      });
  });

const objectLockSchema = z
  .object({
    mode: z.enum(["GOVERNANCE", "COMPLIANCE"], { error: "expected GOVERNANCE or COMPLIANCE" }),
    retentionDays: intIn(1, 36500, "default retention in days"),
  })
  .strict();

const queueSchema = z
  .object({
    visibilityTimeoutSeconds: intIn(0, 43200, "SQS visibility timeout in seconds").default(300),
    maxReceiveCount: intIn(1, 1000, "receives before a message moves to the dead-letter queue").default(5),
  })
  .strict();

const alarmPeriodSchema = z
  .union([z.literal(60), z.literal(300), z.literal(900), z.literal(3600)], {
    error: "expected 60, 300, 900 or 3600",
  })
  .default(300);
const alarmNotificationsSchema = z
  .array(
    z
      .object({
        protocol: z.enum(["email", "email-json", "https", "sqs", "lambda"], {
          error: "expected email, email-json, https, sqs or lambda",
        }),
        endpoint: z.string().min(3, "expected the subscription endpoint (an address, URL or ARN)"),
      })
      .strict(),
  )
  .optional();

const alarmsSchema = z
  .object({
    enabled: bool.default(true),
    oldestMessageAgeSeconds: intIn(
      60,
      1209600,
      "age of the oldest queued message that raises the alarm, in seconds",
    ).default(3600),
    noDeliverySeconds: intIn(
      300,
      86400,
      "seconds without any new log object that raise the no-delivery alarm",
    )
      .refine((n) => n % 60 === 0, "expected a multiple of 60 seconds")
      .default(3600),
    noDeliveryLogTypes: z
      .array(
        z.enum(["cloudtrail", "vpcflowlogs", "waf"], { error: "expected cloudtrail, vpcflowlogs or waf" }),
      )
      .default(["cloudtrail", "vpcflowlogs"]),
    periodSeconds: alarmPeriodSchema,
    notifications: alarmNotificationsSchema,
  })
  .strict();

/**
 * A member's alarms: today the failed-replication alarm of its WAF staging bucket. The same options as the
 * central alarms; the topic, when notifications are set, is encrypted with the staging bucket's key.
 */
const memberAlarmsSchema = z
  .object({
    enabled: bool.default(true),
    periodSeconds: alarmPeriodSchema,
    notifications: alarmNotificationsSchema,
  })
  .strict();

const principalArn = z
  .string()
  .regex(
    /^(\d{12}|arn:aws[a-z-]*:iam::\d{12}:(root|role\/[\w+=,.@/-]+))$/,
    "expected a 12-digit account ID or an IAM role or account-root ARN (never an IAM user)",
  );
const externalId = z
  .string()
  .regex(/^[\w+=,.@:/-]{2,1224}$/, "expected 2 to 1224 characters of letters, digits and +=,.@:/-_");
const roleName = z.string().regex(/^[\w+=,.@-]{1,64}$/, "expected an IAM role name of 1 to 64 characters");

/**
 * Microsoft Sentinel's documented OIDC trust: the identity provider of Microsoft's own tenant, and the
 * session name Sentinel sets to `MicrosoftSentinel_<workspace id>` (learn.microsoft.com, "Connect
 * Microsoft Sentinel to AWS", connect-aws-configure-environment). It is the one provider this project
 * knows to choose the session name itself: with any other provider, such as GitHub's
 * token.actions.githubusercontent.com, the caller names its session (aws-actions/configure-aws-credentials
 * takes `role-session-name` as an input), so only the token's subject (`sub`) says who is calling.
 */
export const SENTINEL_OIDC_PROVIDER = "sts.windows.net/33e01921-4d64-4f8c-a055-5bdaffd5e33d/";
export const SENTINEL_SESSION_NAME = /^MicrosoftSentinel_[A-Za-z0-9-]+$/;
/** IAM's StringLike wildcards; the reader trusts compare with StringEquals, where they would be literal. */
const WILDCARD = /[*?]/;

/** The provider's URL in an IAM OIDC provider ARN (what prefixes its condition keys). */
export function oidcProviderUrl(providerArn: string): string {
  return providerArn.slice(providerArn.indexOf("oidc-provider/") + "oidc-provider/".length);
}

/**
 * How a cross-account reader role is assumed: by AWS principals with an external ID, or by OIDC web
 * identity with the audience and a subject. A session-name pin alone is accepted only where the provider
 * is documented to set the session name itself (Microsoft Sentinel); wildcards are refused everywhere.
 * Shared by the SIEM and verifier roles.
 */
const readerTrustSchema = (reader: string) =>
  z.discriminatedUnion(
    "trust",
    [
      z
        .object({
          trust: z.literal("aws"),
          principals: z.array(principalArn).min(1, "expected at least one trusted principal"),
          externalId,
          roleName: roleName.optional(),
        })
        .strict(),
      z
        .object({
          trust: z.literal("oidc"),
          providerArn: z
            .string()
            .regex(
              /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/.+$/,
              "expected an IAM OIDC provider ARN (arn:aws:iam::<account>:oidc-provider/<url>)",
            ),
          audience: z.string().min(1, `expected the OIDC audience (aud) the ${reader} presents`),
          subject: z.string().min(1).optional(),
          roleSessionName: z.string().min(1).optional(),
          roleName: roleName.optional(),
        })
        .strict()
        .superRefine((o, ctx) => {
          const issue = (path: string, message: string) =>
            ctx.addIssue({ code: "custom", path: [path], message });
          for (const key of ["audience", "subject", "roleSessionName"] as const)
            if (o[key] !== undefined && WILDCARD.test(o[key]))
              return issue(
                key,
                `expected an exact value without * or ?, got "${o[key]}": the trust compares with StringEquals, and a pattern would let more than your ${reader} in`,
              );
          if (o.subject !== undefined) return;
          const provider = oidcProviderUrl(o.providerArn);
          if (provider === SENTINEL_OIDC_PROVIDER) {
            if (o.roleSessionName !== undefined && SENTINEL_SESSION_NAME.test(o.roleSessionName)) return;
            return issue(
              o.roleSessionName === undefined ? "subject" : "roleSessionName",
              `expected roleSessionName MicrosoftSentinel_<workspace id> (Microsoft Sentinel's documented pin) or a subject${o.roleSessionName === undefined ? "" : `, got "${o.roleSessionName}"`}`,
            );
          }
          issue(
            "subject",
            `is required for the OIDC provider ${provider}: its callers choose their own session name, so only the subject (sub) pins your ${reader}; a session name alone is accepted only for Microsoft Sentinel's provider ${SENTINEL_OIDC_PROVIDER}`,
          );
        }),
    ],
    { error: 'expected an object whose "trust" is "aws" (with principals and externalId) or "oidc"' },
  );
const siemSchema = readerTrustSchema("SIEM tenant");
/** The optional read-only role `npm run verify` runs as (for example from a scheduled GitHub workflow). */
const verifierSchema = readerTrustSchema("verifier (for example one repository's workflow)");

const trailName = z
  .string()
  .regex(/^[\w.-]{3,128}$/, "expected a trail name of 3 to 128 letters, digits, . _ -");
const regionName = z
  .string()
  .refine(isKnownRegion, "expected a known AWS Region such as eu-west-1 (shared/regions.ts)");

/**
 * The trails the archive admits. CloudTrail identifies itself to S3 and KMS only by the trail's ARN
 * (aws:SourceArn), so the central stack must know each trail's home Region, owner account and name.
 */
const centralCloudTrailSchema = z
  .object({
    admitAccountTrailsBy: z
      .enum(["account", "trail"], {
        error:
          "expected account (any trail of an admitted account, by aws:SourceAccount: scales to 1,000+ accounts) or trail (each trail by its ARN: stricter, about 90 trails fit)",
      })
      .default("account"),
    organizationTrail: z
      .object({
        managementAccountId: accountId,
        name: trailName,
        homeRegion: regionName.optional(),
      })
      .strict()
      .optional(),
    accountTrails: z
      .array(
        z
          .object({
            accountId,
            name: trailName.default(MEMBER_TRAIL_NAME),
            homeRegion: regionName.optional(),
          })
          .strict(),
      )
      .optional(),
  })
  .strict();

/**
 * AWS WAF logs to S3 only in the web ACL's own account: "you set up an Amazon S3 bucket from the same
 * account as you use to manage the web ACL" (WAF developer guide, logging-s3). Direct delivery into the
 * archive account is therefore refused, with that reason, wherever an older stack file still asks for it.
 */
export const WAF_SAME_ACCOUNT_REASON =
  'AWS WAF logs only to a bucket in the web ACL\'s own account ("set up an Amazon S3 bucket from the same account as you use to manage the web ACL", WAF developer guide, logging-s3)';
const wafDeliverySchema = (expected: string) =>
  z
    .string({ error: `expected ${expected}` })
    .default("replication")
    .superRefine((v, ctx) => {
      if (v === "replication") return;
      ctx.addIssue({
        code: "custom",
        message:
          v === "direct" || v === "both"
            ? `"${v}" is no longer accepted: ${WAF_SAME_ACCOUNT_REASON}; remove the key (docs/configuration.md, "Migrating from direct WAF delivery")`
            : `expected ${expected}, got ${JSON.stringify(v)}`,
      });
    })
    .transform(() => "replication" as const);

const policyExtensionsSchema = z.union(
  [
    z.enum(["none", "all"]),
    z.array(z.enum(EXTENSIONS, { error: `expected extension names: ${EXTENSIONS.join(", ")}` })),
  ],
  { error: `expected none, all, or a list of: ${EXTENSIONS.join(", ")}` },
);

/**
 * How tools reach the stack's account: an AWS profile for `npm run fleet`, and the roles the GitHub
 * workflows assume (a read-only one for previews, one for deploys). Not used by the program itself.
 */
const stackRoleArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/,
    "expected an IAM role ARN (arn:aws:iam::<account>:role/<name>)",
  );
/**
 * The GitHub repository whose workflows assume the CI roles, and the form of the OIDC subject (`sub`)
 * its tokens carry: `classic` (`repo:<owner>/<repo>:...`) or `immutable`
 * (`repo:<owner>@<owner id>/<repo>@<repo id>:...`), which GitHub uses for repositories created, renamed
 * or transferred after July 15, 2026 and for those that opt in (GitHub docs, OpenID Connect reference,
 * "Immutable subject claims"). `npm run stack-access -- <stack> <purpose> --print-trust` builds the
 * trust policies from it.
 */
const githubSchema = z
  .object({
    repository: z
      .string()
      .regex(
        /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/,
        "expected the repository as <owner>/<repo>, letters, digits, . _ - only",
      ),
    subjectFormat: z
      .enum(["classic", "immutable"], { error: "expected classic or immutable" })
      .default("classic"),
    ownerId: z
      .string()
      .regex(/^\d+$/, "expected the owner's numeric ID (gh api users/<owner> --jq .id)")
      .optional(),
    repositoryId: z
      .string()
      .regex(/^\d+$/, "expected the repository's numeric ID (gh api repos/<owner>/<repo> --jq .id)")
      .optional(),
  })
  .strict()
  .superRefine((g, ctx) => {
    if (g.subjectFormat !== "immutable") return;
    for (const key of ["ownerId", "repositoryId"] as const)
      if (g[key] === undefined)
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: `is required with subjectFormat immutable: GitHub puts it in every subject (repo:<owner>@<owner id>/<repo>@<repo id>:...)`,
        });
  });
const accessSchema = z
  .object({
    profile: z
      .string()
      .regex(/^[\w.+@-]+$/, "expected an AWS profile name")
      .optional(),
    previewRoleArn: stackRoleArn.optional(),
    deployRoleArn: stackRoleArn.optional(),
    github: githubSchema.optional(),
  })
  .strict();
export type GithubAccess = z.infer<typeof githubSchema>;

/**
 * A role name, or a role path and name, as it appears after `role/` in the role's ARN; `*` and `?` match
 * as in ArnLike (an SSO permission set's role: aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_*).
 */
const rolePathPattern = z
  .string()
  .regex(
    /^[\w+=,.@/*?-]{1,512}$/,
    "expected a role name, or path/name, as in the role's ARN after role/ (wildcards * and ? allowed)",
  );

/**
 * Tamper protection of the archive (docs/operations.md, "Tamper protection"): who, besides break-glass,
 * may change the archive's settings, and whether the bucket policies deny everyone else.
 */
const tamperProtectionSchema = z
  .object({
    deployRoleNames: z.array(rolePathPattern).min(1, "expected at least one role name").optional(),
    breakGlassRoleName: rolePathPattern.default(DEFAULT_BREAK_GLASS_ROLE_NAME),
    bucketPolicyDenies: bool.default(true),
    alarms: bool.default(true),
    eventBusPolicyLimit: intIn(
      10240,
      1_000_000,
      "the EventBridge event bus policy size quota of the archive account, in characters (default 10,240)",
    ).default(10240),
  })
  .strict();

const centralSchema = z
  .object({
    role: z.literal("central"),
    organizationId: z
      .string()
      .regex(ORG_ID, "expected an AWS Organizations ID matching o-[a-z0-9]{10,32}")
      .optional(),
    memberAccountIds: z.array(accountId).min(1, "expected at least one member account ID").optional(),
    bucketSuffix: z
      .string()
      .regex(/^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/, "expected 1 to 32 lowercase letters, digits or hyphens"),
    keyRotationDays: intIn(90, 2560, "the KMS key rotation period in days").default(365),
    lifecycle: lifecycleSchema.default(lifecycleSchema.parse({})),
    accessLogExpirationDays: intIn(1, 36500, "days to keep server access logs").default(365),
    objectLock: objectLockSchema.optional(),
    queue: queueSchema.default(queueSchema.parse({})),
    alarms: alarmsSchema.default(alarmsSchema.parse({})),
    siem: siemSchema,
    verifier: verifierSchema.optional(),
    wafDelivery: wafDeliverySchema("replication (members replicate from a bucket in their own account)"),
    cloudTrail: centralCloudTrailSchema.optional(),
    policyExtensions: policyExtensionsSchema.default("none"),
    tamperProtection: tamperProtectionSchema.default(tamperProtectionSchema.parse({})),
    access: accessSchema.optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: "custom", path, message });
    if (c.organizationId === undefined && c.memberAccountIds === undefined)
      issue(
        ["organizationId"],
        "expected organizationId (organization mode) or memberAccountIds (account-list mode)",
      );
    const orgIdForLogDelivery =
      c.policyExtensions === "all" ||
      (Array.isArray(c.policyExtensions) && c.policyExtensions.includes("org-id-for-log-delivery"));
    if (c.organizationId !== undefined && c.memberAccountIds === undefined && !orgIdForLogDelivery)
      issue(
        ["memberAccountIds"],
        "is required in organization mode too: the accounts whose VPC Flow Logs and direct WAF logs the archive admits by aws:SourceAccount (AWS documents no organization-wide key for the log delivery service); or turn on the policy extension org-id-for-log-delivery",
      );
    const trails = c.cloudTrail;
    if (trails?.organizationTrail && c.organizationId === undefined)
      issue(["cloudTrail", "organizationTrail"], "needs organization mode (organizationId)");
    if (c.organizationId !== undefined && !trails?.organizationTrail && !trails?.accountTrails?.length)
      issue(
        ["cloudTrail"],
        "is required in organization mode: organizationTrail (managementAccountId, name, homeRegion) and/or accountTrails; CloudTrail identifies a trail to S3 and KMS only by its ARN (aws:SourceArn)",
      );
    const seen = new Set<string>();
    trails?.accountTrails?.forEach((t, i) => {
      const id = `${t.accountId}/${t.homeRegion ?? ""}/${t.name}`;
      if (seen.has(id))
        issue(["cloudTrail", "accountTrails", i], `expected unique trails; ${id} is listed twice`);
      seen.add(id);
      if (c.memberAccountIds && c.organizationId === undefined && !c.memberAccountIds.includes(t.accountId))
        issue(
          ["cloudTrail", "accountTrails", i, "accountId"],
          `expected one of memberAccountIds, got ${t.accountId}`,
        );
    });
    if (c.objectLock && c.lifecycle.noncurrentExpirationDays < c.objectLock.retentionDays)
      issue(
        ["lifecycle", "noncurrentExpirationDays"],
        `expected at least objectLock.retentionDays (${c.objectLock.retentionDays}), got ${c.lifecycle.noncurrentExpirationDays}: a version made noncurrent (by a delete or an overwrite) must be kept at least as long as its lock`,
      );
    const ids = c.memberAccountIds ?? [];
    const dup = ids.find((id, i) => ids.indexOf(id) !== i);
    if (dup)
      ctx.addIssue({
        code: "custom",
        path: ["memberAccountIds"],
        message: `expected unique IDs; ${dup} is listed twice`,
      });
    for (const name of [
      ...LOG_TYPES.map((t) => logBucketName(t, c.bucketSuffix)),
      accessLogBucketName(c.bucketSuffix),
    ]) {
      const problem = bucketNameProblem(name);
      if (problem)
        ctx.addIssue({
          code: "custom",
          path: ["bucketSuffix"],
          message: `gives an invalid bucket name: ${problem}`,
        });
    }
  });

/**
 * How a member stack takes part in CloudTrail: `account`, its account's multi-Region trail; `organization`,
 * the organization trail (the management account, or the delegated administrator); the two `covered-by`
 * modes create no trail: the organization trail logs this account, or another stack of this account (in
 * another Region) creates its account trail.
 */
export const MEMBER_TRAIL_MODES = [
  "account",
  "organization",
  "covered-by-organization-trail",
  "covered-by-account-trail",
] as const;
export type MemberTrailMode = (typeof MEMBER_TRAIL_MODES)[number];

/** The member's trail mode: as set, or, unset, covered by the central stack's organization trail if any. */
export function resolveTrailMode(
  settings: Pick<MemberSettings, "cloudTrail">,
  central: { cloudTrail: { organizationTrailArn?: string } },
): MemberTrailMode {
  return (
    settings.cloudTrail.mode ??
    (central.cloudTrail.organizationTrailArn ? "covered-by-organization-trail" : "account")
  );
}

const vpcId = z.string().regex(/^vpc-[0-9a-f]{8,17}$/, "expected VPC IDs like vpc-0123456789abcdef0");
const webAclArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:\d{12}:(regional|global)\/webacl\/[\w-]+\/[\w-]+$/,
    "expected a WAFv2 web ACL ARN (arn:aws:wafv2:<region>:<account>:regional|global/webacl/<name>/<id>)",
  );

/** Where an organization policy attaches: the root, an OU, or an account (Organizations AttachPolicy). */
const organizationTarget = z
  .string()
  .regex(
    /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|\d{12})$/,
    "expected a root ID (r-...), an OU ID (ou-...-...) or a 12-digit account ID",
  );

/**
 * The organization guardrails a member stack in the management account (or the delegated administrator
 * for Organizations policies) deploys: service control policies for the member accounts and the
 * log-archive account, and optionally a resource control policy for the archive.
 */
const guardrailsSchema = z
  .object({
    memberTargets: z.array(organizationTarget).min(1, "expected at least one root, OU or account ID"),
    archiveTargets: z
      .array(organizationTarget)
      .min(1, "expected at least one root, OU or account ID")
      .optional(),
    resourceControlPolicy: bool.default(false),
    exemptRoleNames: z.array(rolePathPattern).default([]),
  })
  .strict();

const memberSchema = z
  .object({
    role: z.literal("member"),
    centralStack: z
      .string({ error: "expected the central stack's name as <organization>/central-logging/<stack>" })
      .regex(
        /^[\w.-]+\/[\w.-]+\/[\w.-]+$/,
        "expected the central stack's name as <organization>/central-logging/<stack> (organization/... on a self-managed backend)",
      ),
    cloudTrail: z
      .object({
        // Unset: covered by the organization trail when the central stack admits one, else "account"
        // (resolveTrailMode). The central stack decides, so that 150 members need not each say it.
        mode: z
          .enum(MEMBER_TRAIL_MODES, {
            error: `expected ${MEMBER_TRAIL_MODES.slice(0, -1).join(", ")} or ${MEMBER_TRAIL_MODES.at(-1)}`,
          })
          .optional(),
        name: trailName.default(MEMBER_TRAIL_NAME),
      })
      .strict()
      .default({ name: MEMBER_TRAIL_NAME }),
    flowLogs: z
      .object({
        vpcIds: z.union([z.literal("all"), z.array(vpcId).min(1, "expected at least one VPC ID")], {
          error: 'expected "all" or a list of VPC IDs',
        }),
        fileFormat: z
          .enum(["plain-text", "parquet"], { error: "expected plain-text or parquet" })
          .default("plain-text"),
        hiveCompatiblePartitions: bool.default(false),
        perHourPartition: bool.default(false),
        logFormat: z.string().min(1).optional(),
        maxAggregationInterval: z
          .union([z.literal(60), z.literal(600)], { error: "expected 60 or 600" })
          .default(600),
      })
      .strict()
      .optional(),
    waf: z
      .object({
        webAclArns: z.array(webAclArn).min(1, "expected at least one web ACL ARN"),
        delivery: wafDeliverySchema(
          "replication (the default; a bucket in this account replicates to the archive)",
        ),
        localBucketExpirationDays: intIn(
          1,
          365,
          "days the WAF staging bucket keeps each object, the window to re-replicate a failed one",
        ).default(14),
        accessLogExpirationDays: intIn(
          1,
          36500,
          "days to keep the staging bucket's server access logs",
        ).default(90),
        redactedHeaders: z.array(z.string().min(1)).default(["authorization", "cookie"]),
      })
      .strict()
      .optional(),
    alarms: memberAlarmsSchema.default(memberAlarmsSchema.parse({})),
    guardrails: guardrailsSchema.optional(),
    access: accessSchema.optional(),
  })
  .strict();

export type CentralSettings = z.infer<typeof centralSchema>;
export type MemberSettings = z.infer<typeof memberSchema>;
export type SiemTrust = CentralSettings["siem"];
/** The trust of a cross-account reader role (SIEM or verifier). */
export type ReaderTrust = SiemTrust;

interface CommonConfig {
  stack: string;
  region: string;
  partition: Partition;
  accountId: string;
}
export interface CentralConfig extends CommonConfig {
  role: "central";
  settings: CentralSettings;
  mode: "organization" | "account-list";
  siemRoleName: string;
  /** The verifier role's name, when `verifier` is configured. */
  verifierRoleName?: string;
  /** The policy extensions that are on (shared/extensions.ts); empty by default. */
  extensions: Set<Extension>;
  /** Tamper protection, resolved: the roles exempt from the archive's denies besides break-glass. */
  tamperProtection: CentralSettings["tamperProtection"] & { deployRoleNames: string[] };
}
export interface MemberConfig extends CommonConfig {
  role: "member";
  settings: MemberSettings;
}
export type StackConfig = CentralConfig | MemberConfig;

/** Config values as Pulumi hands them over: scalars as strings, objects and lists as JSON text. */
export type RawConfig = Record<string, string>;

function decode(value: string): unknown {
  const trimmed = value.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      return JSON.parse(trimmed);
    } catch {
      return value;
    }
  }
  return value;
}

/**
 * Validates `data` (this project's settings, without the namespace) against a role's schema; the first
 * problem becomes a ConfigError in the user's terms (shared/configMessages.ts). `other` is the other role,
 * to say so when a key belongs to it.
 */
function parseWith<T>(
  schema: z.ZodType<T>,
  stack: string,
  data: Record<string, unknown>,
  role: string,
  other: OtherRole,
): T {
  const result = schema.safeParse(data, { reportInput: true });
  if (result.success) return result.data;
  // A misspelt key also makes the key it stands for missing: report the spelling first.
  const issue = result.error.issues.find((i) => i.code === "unrecognized_keys") ?? result.error.issues[0];
  if (issue.code === "unrecognized_keys") {
    const unknown = issue.keys[0];
    throw new ConfigError(
      stack,
      keyOf([...issue.path, unknown]),
      unknownKeyMessage(schema, data, issue.path, unknown, role, other),
    );
  }
  const key = keyOf(issue.path.length ? issue.path : ["(root)"]);
  const given = valueAt(data, issue.path);
  if (issue.code === "invalid_union" && (issue as { note?: string }).note === "No matching discriminator")
    throw new ConfigError(stack, key, discriminatorMessage(schema, issue.path, given));
  const message = plainIssueMessage(issue, given);
  if (given === undefined && issue.code !== "custom")
    throw new ConfigError(stack, key, `is required: ${message}`);
  if (issue.code === "custom" || / got /.test(message)) throw new ConfigError(stack, key, message);
  throw new ConfigError(stack, key, `${message}, got ${describeInput(given)}`);
}

/**
 * Validates one stack's configuration. `raw` is the stack's whole config map with namespaced keys
 * (`aws:region`, `central-logging:role`, ...), as `pulumi.runtime.allConfig()` returns it.
 */
export function parseStackConfig(stack: string, raw: RawConfig): StackConfig {
  const misnamed = namespaceProblem(Object.keys(raw));
  if (misnamed) throw new ConfigError(stack, misnamed.key, misnamed.message);
  const region = raw["aws:region"];
  if (region === undefined)
    throw new ConfigError(stack, "aws:region", "is required: expected an AWS Region such as eu-west-1");
  if (!isKnownRegion(region))
    throw new ConfigError(stack, "aws:region", `expected a known AWS Region, got "${region}"`);
  const allowed =
    raw["aws:allowedAccountIds"] === undefined ? undefined : decode(raw["aws:allowedAccountIds"]);
  if (
    !Array.isArray(allowed) ||
    allowed.length !== 1 ||
    typeof allowed[0] !== "string" ||
    !ACCOUNT_ID.test(allowed[0])
  )
    throw new ConfigError(
      stack,
      "aws:allowedAccountIds",
      `expected a list of exactly one 12-digit account ID, the account this stack deploys to, ${(Array.isArray(allowed) && allowed.length === 1 && unquotedAccountId(allowed[0])) || `got ${describeInput(allowed)}`}`,
    );
  const accountIdValue = allowed[0];
  const ours: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key.startsWith(`${PROJECT}:`)) ours[key.slice(PROJECT.length + 1)] = decode(value);
  }
  const common = { stack, region, partition: partitionOf(region), accountId: accountIdValue };
  const access = ours.access as Record<string, unknown> | undefined;
  for (const key of ["previewRoleArn", "deployRoleArn"]) {
    const roleArn = access?.[key];
    if (typeof roleArn === "string" && roleArn.split(":")[4] !== accountIdValue)
      throw new ConfigError(
        stack,
        `${PROJECT}:access.${key}`,
        `expected a role of this stack's account ${accountIdValue}, got one of ${roleArn.split(":")[4]}`,
      );
  }
  if (ours.role === "central") {
    const settings = parseWith(centralSchema, stack, ours, "central", {
      role: "member",
      schema: memberSchema,
    });
    if (settings.memberAccountIds?.includes(accountIdValue))
      throw new ConfigError(
        stack,
        `${PROJECT}:memberAccountIds`,
        `must not list the log-archive account ${accountIdValue} itself`,
      );
    settings.cloudTrail?.accountTrails?.forEach((t, i) => {
      if (t.homeRegion && partitionOf(t.homeRegion) !== common.partition)
        throw new ConfigError(
          stack,
          `${PROJECT}:cloudTrail.accountTrails[${i}].homeRegion`,
          `expected a Region of this stack's partition ${common.partition}, got ${t.homeRegion}`,
        );
    });
    const orgTrailRegion = settings.cloudTrail?.organizationTrail?.homeRegion;
    if (orgTrailRegion && partitionOf(orgTrailRegion) !== common.partition)
      throw new ConfigError(
        stack,
        `${PROJECT}:cloudTrail.organizationTrail.homeRegion`,
        `expected a Region of this stack's partition ${common.partition}, got ${orgTrailRegion}`,
      );
    const siemRoleName =
      settings.siem.roleName ??
      (settings.siem.trust === "oidc" ? DEFAULT_OIDC_SIEM_ROLE_NAME : DEFAULT_SIEM_ROLE_NAME);
    const verifierRoleName = settings.verifier
      ? (settings.verifier.roleName ?? DEFAULT_VERIFIER_ROLE_NAME)
      : undefined;
    if (verifierRoleName === siemRoleName)
      throw new ConfigError(
        stack,
        `${PROJECT}:verifier.roleName`,
        `expected a role name other than the SIEM role's ${siemRoleName}: the verifier is a separate, read-only role`,
      );
    const tp = settings.tamperProtection;
    const deployRoleNames =
      tp.deployRoleNames ??
      (settings.access?.deployRoleArn ? [settings.access.deployRoleArn.split(":role/")[1]] : []);
    if (tp.bucketPolicyDenies && !deployRoleNames.length)
      throw new ConfigError(
        stack,
        `${PROJECT}:tamperProtection.deployRoleNames`,
        "is required: the archive's bucket policies deny policy, lifecycle, versioning, Object Lock, notification and deletion changes to every role but these and break-glass; name the role(s) that run pulumi up for this stack (or set central-logging:access.deployRoleArn), or set tamperProtection.bucketPolicyDenies to false",
      );
    // The role CI deploys with must be one the denies spare, or the next pulumi up locks itself out.
    const ciRole = settings.access?.deployRoleArn?.split(":role/")[1];
    const glob = (pattern: string) =>
      new RegExp(
        `^${pattern
          .replace(/[.+^${}()|[\]\\]/g, "\\$&")
          .replace(/\*/g, ".*")
          .replace(/\?/g, ".")}$`,
      );
    if (tp.bucketPolicyDenies && ciRole && !deployRoleNames.some((n) => glob(n).test(ciRole)))
      throw new ConfigError(
        stack,
        `${PROJECT}:tamperProtection.deployRoleNames`,
        `expected a name that matches the role of access.deployRoleArn (${ciRole}): the bucket policies would refuse its next pulumi up; add it to the list`,
      );
    return {
      ...common,
      role: "central",
      tamperProtection: { ...tp, deployRoleNames },
      settings,
      mode: settings.organizationId ? "organization" : "account-list",
      siemRoleName,
      ...(verifierRoleName ? { verifierRoleName } : {}),
      extensions: resolveExtensions(settings.policyExtensions),
    };
  }
  if (ours.role === "member") {
    const settings = parseWith(memberSchema, stack, ours, "member", {
      role: "central",
      schema: centralSchema,
    });
    settings.waf?.webAclArns.forEach((webAcl, i) => {
      const [, , , aclRegion, aclAccount, resource] = webAcl.split(":");
      const key = `${PROJECT}:waf.webAclArns[${i}]`;
      if (aclAccount !== accountIdValue)
        throw new ConfigError(
          stack,
          key,
          `expected a web ACL of this stack's account ${accountIdValue}, got one of ${aclAccount}`,
        );
      if (resource.startsWith("global/") && region !== "us-east-1")
        throw new ConfigError(
          stack,
          key,
          `is a CloudFront (global) web ACL, which logs from us-east-1; expected a regional web ACL of ${region}, or put this one in a member stack in us-east-1`,
        );
      if (aclRegion !== region)
        throw new ConfigError(
          stack,
          key,
          `expected a web ACL in this stack's Region ${region}, got one in ${aclRegion}`,
        );
    });
    return { ...common, role: "member", settings };
  }
  throw new ConfigError(
    stack,
    `${PROJECT}:role`,
    `expected central or member, got ${describeInput(ours.role)}`,
  );
}

/** Reads and validates the running stack's configuration. */
export function loadStackConfig(): StackConfig {
  return parseStackConfig(pulumi.getStack(), pulumi.runtime.allConfig());
}
