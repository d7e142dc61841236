/**
 * The AWS clients verify uses (SDK for JavaScript v3, standard credential chain, standard retry mode),
 * and the translation of the failures that end a run into one line: what was called, on what, and what
 * to do. Every request goes through `Aws.call`, which counts it for the progress line and the report.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
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
  /** Milliseconds to establish a connection (default CONNECT_TIMEOUT_MS). */
  connectTimeoutMs?: number;
  /** Milliseconds an attempt may take, and may stay silent (default REQUEST_TIMEOUT_MS). */
  requestTimeoutMs?: number;
}

export interface Clients {
  s3: S3Client;
  sqs: SQSClient;
  kms: KMSClient;
  cloudwatch: CloudWatchClient;
  organizations: (profile?: string) => OrganizationsClient;
  /** The AWS profile the clients use, when one is named (--profile, else AWS_PROFILE). */
  profile?: string;
}

export const DEFAULT_MAX_ATTEMPTS = 5;
/** An endpoint that does not complete the TCP handshake in 5 s is unreachable. */
export const CONNECT_TIMEOUT_MS = 5_000;
/** No request of verify (a listing of one date prefix, a setting) needs 30 s; one that does is stuck. */
export const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Timeouts for every client: without them the SDK waits forever on an endpoint that accepts the connection
 * and never answers. requestTimeout alone only logs a warning in @smithy/node-http-handler 4
 * (throwOnRequestTimeout turns it into an error); socketTimeout ends an attempt after that much silence.
 * A timed-out attempt is retried like any transient error, within maxAttempts.
 */
export function requestHandlerOptions(o: Pick<ClientOptions, "connectTimeoutMs" | "requestTimeoutMs">) {
  const requestTimeout = o.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  return {
    connectionTimeout: o.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
    requestTimeout,
    socketTimeout: requestTimeout,
    throwOnRequestTimeout: true,
  };
}

export function createClients(o: ClientOptions): Clients {
  const common = {
    region: o.region,
    retryMode: "standard",
    maxAttempts: o.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    requestHandler: requestHandlerOptions(o),
    ...(o.endpoint ? { endpoint: o.endpoint } : {}),
    ...(o.profile ? { profile: o.profile } : {}),
  };
  return {
    profile: o.profile ?? process.env.AWS_PROFILE,
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

/**
 * Why a named AWS profile cannot be used, checked before any request: it is in neither of the SDK's
 * shared files (AWS_CONFIG_FILE, default ~/.aws/config, as [profile NAME] or [default]; and
 * AWS_SHARED_CREDENTIALS_FILE, default ~/.aws/credentials, as [NAME]). Undefined when it is there.
 */
export function missingProfile(name: string): string | undefined {
  const home = os.homedir();
  const files = [
    { file: process.env.AWS_CONFIG_FILE ?? path.join(home, ".aws", "config"), config: true },
    {
      file: process.env.AWS_SHARED_CREDENTIALS_FILE ?? path.join(home, ".aws", "credentials"),
      config: false,
    },
  ];
  const found = new Set<string>();
  for (const { file, config } of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const [, section] of text.matchAll(/^\s*\[([^\]]+)\]/gm)) {
      const header = section.trim();
      if (!config) found.add(header);
      else if (header === "default") found.add("default");
      else if (/^profile\s+/.test(header)) found.add(header.replace(/^profile\s+/, ""));
    }
  }
  if (found.has(name)) return undefined;
  const where = files.map((f) => f.file.replace(home, "~")).join(" or ");
  return `no profile ${name} in ${where} (${found.size ? `profiles there: ${[...found].sort().join(", ")}` : "no profiles there"}); check the name, or run aws configure --profile ${name}`;
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

const HTTP_REASONS: Record<number, string> = {
  400: "Bad Request",
  404: "Not Found",
  405: "Method Not Allowed",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

export const VERIFIER_POLICY_HINT =
  'grant the verifier the read-only policy: npm run verify -- --print-policy (docs/operations.md, "The verifier\'s permissions")';

/**
 * The one line for a failure that ends the run, or undefined when the caller handles it as a finding
 * (a missing bucket or queue is a guard that is off, not a reason to stop).
 */
export function fatalMessage(
  e: unknown,
  action: string,
  resource: string,
  profile: string | undefined = process.env.AWS_PROFILE,
): string | undefined {
  const f = failureOf(e);
  if (f.name === "CredentialsProviderError" || /Could not load credentials/i.test(f.message))
    return profile
      ? `no AWS credentials from the profile ${profile} for ${action}: check it (aws configure list-profiles, aws configure get region --profile ${profile}), or run aws sso login --profile ${profile}`
      : `no AWS credentials for ${action}: set AWS_PROFILE or pass --profile, run aws sso login, or assume the verifier role first`;
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
  if (f.name === "TimeoutError") {
    const seconds = Number(/(\d+) ms/.exec(f.message)?.[1] ?? 0) / 1000;
    const what = /establish a connection/.test(f.message)
      ? `no connection within ${seconds} s`
      : `no answer within ${seconds} s`;
    return `${what} on ${action} for ${resource}${f.attempts ? ` (${f.attempts} attempts)` : ""}: the endpoint is unreachable or stuck; check --endpoint, the network or the proxy`;
  }
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code && /^(ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET|EAI_AGAIN)$/.test(code))
    return `${code} on ${action} for ${resource}: cannot reach the endpoint; check --endpoint, the network or the proxy`;
  // An answer without an AWS error code (the SDK calls it UnknownError): the endpoint is not the service.
  if (f.status && [f.name, f.message].some((t) => t === "UnknownError" || t === "Unknown"))
    return `HTTP ${f.status}${HTTP_REASONS[f.status] ? ` ${HTTP_REASONS[f.status]}` : ""} on ${action} for ${resource}, without an AWS error code: the endpoint${f.status === 404 ? " has no such resource or" : ""} is not the AWS API verify expects; check --endpoint and the outputs (the bucket, queue or key names)`;
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
      const fatal = fatalMessage(e, action, resource, this.clients.profile);
      if (fatal) throw new AwsAccessError(fatal);
      const f = failureOf(e);
      if (finding?.test(`${f.name} ${f.message}`)) throw e;
      throw new AwsAccessError(`${f.name} on ${action} for ${resource}: ${f.message}`);
    }
  }
}
