/**
 * The AWS clients verify uses (SDK for JavaScript v3, standard credential chain, standard retry mode),
 * and the translation of the failures that end a run into one line: what was called, on what, and what
 * to do. Every request goes through `Aws.call`, which counts it for the progress line and the report.
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { KMSClient } from "@aws-sdk/client-kms";
import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { organizationsRegion, partitionOf } from "../../shared/regions";

/** A failure that makes the run meaningless (credentials, permissions, throttling): exit 2, one line. */
export class AwsAccessError extends Error {}

export interface ClientOptions {
  region: string;
  /** An S3/SQS-compatible endpoint (tests: moto's server mode). */
  endpoint?: string;
  profile?: string;
  /** Attempts per request, retries included (standard retry mode backs off on throttling). */
  maxAttempts?: number;
}

export interface Clients {
  s3: S3Client;
  sqs: SQSClient;
  kms: KMSClient;
  cloudwatch: CloudWatchClient;
  organizations: (profile?: string) => OrganizationsClient;
}

export const DEFAULT_MAX_ATTEMPTS = 5;

export function createClients(o: ClientOptions): Clients {
  const common = {
    region: o.region,
    retryMode: "standard",
    maxAttempts: o.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    ...(o.endpoint ? { endpoint: o.endpoint } : {}),
    ...(o.profile ? { profile: o.profile } : {}),
  };
  return {
    // Path-style addressing only for a custom endpoint: virtual-hosted names need DNS for each bucket.
    s3: new S3Client({ ...common, ...(o.endpoint ? { forcePathStyle: true } : {}) }),
    sqs: new SQSClient(common),
    kms: new KMSClient(common),
    cloudwatch: new CloudWatchClient(common),
    // Organizations is a global service with one endpoint per partition.
    organizations: (profile?: string) =>
      new OrganizationsClient({
        ...common,
        region: organizationsRegion(partitionOf(o.region)),
        ...(profile ? { profile } : {}),
      }),
  };
}

/** Error names AWS uses for a refused permission. */
const DENIED = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "AuthorizationError",
  "AuthorizationErrorException",
]);
const EXPIRED = new Set(["ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"]);
const REJECTED = new Set([
  "InvalidAccessKeyId",
  "InvalidClientTokenId",
  "SignatureDoesNotMatch",
  "UnrecognizedClientException",
  "IncompleteSignature",
  "InvalidToken",
]);
const THROTTLED = new Set([
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "SlowDown",
  "RequestLimitExceeded",
  "TooManyRequestsException",
  "RequestThrottled",
  "RequestThrottledException",
]);

export interface AwsFailure {
  name: string;
  status?: number;
  message: string;
  attempts?: number;
}

export function failureOf(e: unknown): AwsFailure {
  const err = e as {
    name?: string;
    Code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number; attempts?: number };
  };
  return {
    name: err?.name ?? err?.Code ?? "Error",
    status: err?.$metadata?.httpStatusCode,
    message: String(err?.message ?? e).split("\n")[0],
    attempts: err?.$metadata?.attempts,
  };
}

export const VERIFIER_POLICY_HINT =
  'grant the verifier the read-only policy: npm run verify -- --print-policy (docs/operations.md, "The verifier\'s permissions")';

/**
 * The one line for a failure that ends the run, or undefined when the caller handles it as a finding
 * (a missing bucket or queue is a guard that is off, not a reason to stop).
 */
export function fatalMessage(e: unknown, action: string, resource: string): string | undefined {
  const f = failureOf(e);
  if (f.name === "CredentialsProviderError" || /Could not load credentials/i.test(f.message))
    return `no AWS credentials for ${action}: set AWS_PROFILE or pass --profile, run aws sso login, or assume the verifier role first`;
  if (EXPIRED.has(f.name))
    return `${f.name} on ${action} for ${resource}: the credentials have expired; refresh them (aws sso login, or assume the role again) and run again`;
  if (REJECTED.has(f.name))
    return `${f.name} on ${action} for ${resource}: AWS rejected the credentials; check the profile or the role session`;
  if (DENIED.has(f.name) || (f.status === 403 && !EXPIRED.has(f.name)))
    return `AccessDenied on ${action} for ${resource}: ${VERIFIER_POLICY_HINT}`;
  if (
    THROTTLED.has(f.name) ||
    f.status === 429 ||
    (f.status === 503 && /slow ?down/i.test(f.name + f.message))
  )
    return `${f.name} on ${action} for ${resource}${f.attempts ? ` after ${f.attempts} attempts` : ""}: AWS is throttling; run again with a lower --concurrency`;
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code && /^(ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET|EAI_AGAIN)$/.test(code))
    return `${code} on ${action} for ${resource}: cannot reach the endpoint; check --endpoint, the network or the proxy`;
  return undefined;
}

/**
 * Counts requests, and turns every failure into AwsAccessError (one line, exit 2) except those the
 * caller reports as findings: `finding` matches their error names (a deleted bucket, a missing queue).
 */
export class Aws {
  requests = 0;
  constructor(public readonly clients: Clients) {}

  async call<T>(action: string, resource: string, fn: () => Promise<T>, finding?: RegExp): Promise<T> {
    this.requests++;
    try {
      return await fn();
    } catch (e) {
      const fatal = fatalMessage(e, action, resource);
      if (fatal) throw new AwsAccessError(fatal);
      const f = failureOf(e);
      if (finding?.test(`${f.name} ${f.message}`)) throw e;
      throw new AwsAccessError(`${f.name} on ${action} for ${resource}: ${f.message}`);
    }
  }
}
