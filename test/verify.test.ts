/**
 * `npm run verify` without an endpoint: the verifier role and its policy, the command line, the pieces
 * of the report, and the faults moto cannot produce (AccessDenied, throttling past the retries, expired
 * or missing credentials), injected with aws-sdk-client-mock. The moto lane (test/verify/) covers the
 * rest against a real S3/SQS/KMS API.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { verifierPermissionsPolicy, verifierScopeOfOutputs } from "../central/verifierPolicies";
import { CentralArchiveOutputs, CONTRACT_VERSION } from "../shared/contract";
import { arn, LOG_TYPES, logBucketName } from "../shared/naming";
import { stackAccess } from "../tools/ci/stackAccess";
import { createClients } from "../tools/verify/aws";
import { fileTime, windowDays } from "../tools/verify/delivery";
import { expectFilePrefixes, readAccountsFile, stackFilePrefixes } from "../tools/verify/expectations";
import { deadLetterQueueUrl } from "../tools/verify/handoff";
import { duration, exitCodeOf, markdownReport, VerifyReport } from "../tools/verify/report";
import { main, parseArgs, parseDuration } from "../tools/verify/verify";
import {
  CENTRAL,
  centralSettings,
  find,
  listSettings,
  MGMT,
  ORG,
  parsed,
  raw,
  rejects,
  simulate,
  simulateOnce,
  WEB,
} from "./helpers";
import { parseStackConfig } from "../shared/config";

const VERIFIER = {
  trust: "oidc",
  providerArn: `arn:aws:iam::${CENTRAL}:oidc-provider/token.actions.githubusercontent.com`,
  audience: "sts.amazonaws.com",
  subject: "repo:example-org/central-logging:ref:refs/heads/main",
};
const KEY_ARN = `arn:aws:kms:eu-west-1:${CENTRAL}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

function outputs(mode: "organization" | "account-list" = "account-list"): CentralArchiveOutputs {
  const logs = Object.fromEntries(
    LOG_TYPES.map((t) => [
      t,
      {
        bucketName: logBucketName(t, "unit"),
        bucketArn: arn.bucket("aws", logBucketName(t, "unit")),
        queueUrl: `https://sqs.eu-west-1.amazonaws.com/${CENTRAL}/central-logs-${t}`,
        queueArn: arn.queue("aws", "eu-west-1", CENTRAL, `central-logs-${t}`),
        deadLetterQueueArn: arn.queue("aws", "eu-west-1", CENTRAL, `central-logs-${t}-dlq`),
        skipKeyPatterns: [],
      },
    ]),
  ) as unknown as CentralArchiveOutputs["logs"];
  return {
    contractVersion: CONTRACT_VERSION,
    mode,
    ...(mode === "organization" ? { organizationId: ORG } : { memberAccountIds: [MGMT, WEB] }),
    accountId: CENTRAL,
    region: "eu-west-1",
    partition: "aws",
    keyArn: KEY_ARN,
    logs,
    siemRoleArn: arn.role("aws", CENTRAL, "central-logs-siem-reader"),
    cloudTrail: {
      admitAccountTrailsBy: "account",
      accountTrailArns: [arn.trail("aws", "eu-west-1", MGMT, "central-logging")],
      accountTrailAccounts: [MGMT],
    },
    accessLogBucket: {
      bucketName: "central-logs-access-example-org",
      bucketArn: "arn:aws:s3:::central-logs-access-example-org",
    },
    tamperProtection: {
      deployRoleNames: ["central-logging-deploy"],
      breakGlassRoleName: "central-logging-break-glass",
    },
    logDeliveryAccounts: [MGMT, WEB],
    policyExtensions: [],
  };
}

function tmpDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), "verify-unit-"));
}

function outputsFile(o: unknown = { archive: outputs() }): string {
  const file = path.join(tmpDir(), "outputs.json");
  fs.writeFileSync(file, JSON.stringify(o));
  return file;
}

const awsError = (name: string, status: number, extra: object = {}) =>
  Object.assign(new Error(`${name}: the service says no`), {
    name,
    $metadata: { httpStatusCode: status, ...extra },
  });

describe("verify: the verifier role", () => {
  it("is created only when configured: OIDC trust pinned to audience and subject, a separate read-only policy", async () => {
    const without = (await simulateOnce(centralSettings())).central;
    expect(without.resources.some((r) => r.name === "verifier")).to.equal(false);
    expect(without.outputs.archive).not.to.have.property("verifierRoleArn");

    const { central } = await simulate(centralSettings({ verifier: VERIFIER }));
    const role = find(central, "aws:iam/role:Role", "verifier");
    expect(role.inputs.name).to.equal("central-logs-verifier");
    expect(parsed(role.inputs.assumeRolePolicy).Statement).to.deep.equal([
      {
        Sid: "VerifierAssumeWithWebIdentity",
        Effect: "Allow",
        Principal: { Federated: VERIFIER.providerArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": VERIFIER.subject,
          },
        },
      },
    ]);
    const doc = parsed(find(central, "aws:iam/rolePolicy:RolePolicy", "verifier-permissions").inputs.policy);
    const bySid = Object.fromEntries(doc.Statement.map((s: any) => [s.Sid, s]));
    expect(Object.keys(bySid)).to.deep.equal([
      "ListKeysAndReadBucketSettings",
      "ReadQueueDepth",
      "ReadKeyState",
      "ReadQueueAgeMetric",
      "ListOrganizationAccounts",
    ]);
    expect(bySid.ListKeysAndReadBucketSettings.Resource).to.deep.equal(
      LOG_TYPES.map((t) => `arn:aws:s3:::${logBucketName(t, "example-org")}`),
    );
    expect(bySid.ReadQueueDepth.Resource).to.have.length(6);
    expect(bySid.ReadQueueDepth.Resource).to.include(`arn:aws:sqs:eu-west-1:${CENTRAL}:central-logs-waf-dlq`);
    const actions = doc.Statement.flatMap((s: any) => [s.Action].flat());
    for (const forbidden of ["s3:GetObject", "kms:Decrypt", "sqs:ReceiveMessage", "sqs:DeleteMessage"])
      expect(actions).not.to.include(forbidden);
    expect(
      actions.every((a: string) =>
        /^(s3:(List|Get)|kms:(Describe|Get)|sqs:Get|cloudwatch:Get|organizations:List)/.test(a),
      ),
    ).to.equal(true);
    const archive = central.outputs.archive as CentralArchiveOutputs;
    expect(archive.verifierRoleArn).to.equal(`arn:aws:iam::${CENTRAL}:role/central-logs-verifier`);
    // What --print-policy derives from the outputs is what the stack attached.
    expect(verifierPermissionsPolicy(verifierScopeOfOutputs(archive))).to.deep.equal(doc);
  });

  it("trusts AWS principals with an external ID as the SIEM role does, and never lists the organization in account-list mode", async () => {
    const { central } = await simulate(
      listSettings({
        verifier: {
          trust: "aws",
          principals: ["arn:aws:iam::999999999999:role/ops"],
          externalId: "verify-123",
        },
      }),
    );
    const trust = parsed(find(central, "aws:iam/role:Role", "verifier").inputs.assumeRolePolicy).Statement[0];
    expect(trust.Sid).to.equal("VerifierAssumeWithExternalId");
    expect(trust.Condition).to.deep.equal({ StringEquals: { "sts:ExternalId": "verify-123" } });
    const doc = parsed(find(central, "aws:iam/rolePolicy:RolePolicy", "verifier-permissions").inputs.policy);
    expect(doc.Statement.map((s: any) => s.Sid)).not.to.include("ListOrganizationAccounts");
  });

  it("refuses a verifier named like the SIEM role, or an OIDC trust without a subject", async () => {
    const same = await rejects(
      simulate(centralSettings({ verifier: { ...VERIFIER, roleName: "central-logs-siem-reader" } })),
    );
    expect(same.message).to.equal(
      'stack "central": config key "central-logging:verifier.roleName": expected a role name other than the SIEM role\'s central-logs-siem-reader: the verifier is a separate, read-only role',
    );
    expect(() =>
      parseStackConfig(
        "central",
        raw(CENTRAL, centralSettings({ verifier: { ...VERIFIER, subject: undefined } })),
      ),
    ).to.throw(
      /config key "central-logging:verifier.subject": is required for the OIDC provider token.actions.githubusercontent.com: its callers choose their own session name/,
    );
  });

  it("--print-policy prints the same policy the stack creates, from the outputs alone", async () => {
    const r = await main(["--outputs", outputsFile(), "--print-policy"]);
    expect(r.code).to.equal(0);
    expect(JSON.parse(r.out)).to.deep.equal(verifierPermissionsPolicy(verifierScopeOfOutputs(outputs())));
    expect(JSON.parse(r.out).Statement.find((s: any) => s.Sid === "ReadKeyState").Resource).to.equal(KEY_ARN);
  });

  it("stack-access gives the verify workflow the verifier role of the central stack", () => {
    const r = stackAccess(["central", "verify"]);
    expect(r.code, r.err).to.equal(0);
    expect(r.out).to.contain("role-arn=arn:aws:iam::111111111111:role/central-logs-verifier\n");
    const member = stackAccess(["workload-web", "verify"]);
    expect(member.code).to.equal(2);
    expect(member.err).to.contain("verify runs against the central stack");
  });
});

describe("verify: faults moto cannot produce (aws-sdk-client-mock)", () => {
  const run = async (error: Error) => {
    const clients = createClients({ region: "eu-west-1" });
    mockClient(clients.s3).on(ListObjectsV2Command).rejects(error);
    return main(["--outputs", outputsFile(), "--stacks", tmpDir(), "--quiet"], { clients });
  };
  const bucket = logBucketName("cloudtrail", "unit");

  it("AccessDenied: exit 2, one line naming the action, the bucket and the policy to grant", async () => {
    const r = await run(awsError("AccessDenied", 403));
    expect(r.code).to.equal(2);
    expect(r.out).to.equal("");
    expect(r.err).to.equal(
      `verify: AccessDenied on s3:ListBucket for ${bucket}: grant the verifier the read-only policy: npm run verify -- --print-policy (docs/operations.md, "The verifier's permissions")\n`,
    );
  });

  it("throttling beyond the retries: exit 2, with the attempts and what to do", async () => {
    const r = await run(awsError("SlowDown", 503, { attempts: 5 }));
    expect(r.code).to.equal(2);
    expect(r.err).to.equal(
      `verify: SlowDown on s3:ListBucket for ${bucket} after 5 attempts: AWS is throttling; run again with a lower --concurrency\n`,
    );
  });

  it("expired, rejected or missing credentials: exit 2 with the way out", async () => {
    expect((await run(awsError("ExpiredToken", 400))).err).to.equal(
      `verify: ExpiredToken on s3:ListBucket for ${bucket}: the credentials have expired; refresh them (aws sso login, or assume the role again) and run again\n`,
    );
    expect((await run(awsError("InvalidAccessKeyId", 403))).err).to.contain("AWS rejected the credentials");
    const none = Object.assign(new Error("Could not load credentials from any providers"), {
      name: "CredentialsProviderError",
    });
    const r = await run(none);
    expect(r.code).to.equal(2);
    expect(r.err).to.equal(
      "verify: no AWS credentials for s3:ListBucket: set AWS_PROFILE or pass --profile, run aws sso login, or assume the verifier role first\n",
    );
  });

  it("any other service error ends the run in one line too, never with a stack trace", async () => {
    const r = await run(awsError("InternalError", 500));
    expect(r.code).to.equal(2);
    expect(r.err).to.equal(
      `verify: InternalError on s3:ListBucket for ${bucket}: InternalError: the service says no\n`,
    );
    expect(r.err.split("\n")).to.have.length(2);
  });

  it("configures every client with the SDK's standard retry mode", async () => {
    const c = createClients({ region: "eu-west-1" });
    for (const client of [c.s3, c.sqs, c.kms, c.cloudwatch, c.organizations()]) {
      const strategy = await (client.config as any).retryStrategy();
      expect(strategy.mode).to.equal("standard");
      expect(await (client.config as any).maxAttempts()).to.equal(5);
    }
    // Organizations has one endpoint per partition.
    expect(await c.organizations().config.region()).to.equal("us-east-1");
    expect(await createClients({ region: "cn-north-1" }).organizations().config.region()).to.equal(
      "cn-northwest-1",
    );
    expect(await createClients({ region: "us-gov-east-1" }).organizations().config.region()).to.equal(
      "us-gov-west-1",
    );
  });

  it("gives every client connect and request timeouts that end an attempt (requestTimeout alone only warns)", async () => {
    const c = createClients({ region: "eu-west-1" });
    for (const client of [c.s3, c.sqs, c.kms, c.cloudwatch, c.organizations()]) {
      const handler = (client.config as any).requestHandler;
      const config = await handler.configProvider;
      expect(config).to.deep.include({
        connectionTimeout: 5000,
        requestTimeout: 30000,
        socketTimeout: 30000,
        throwOnRequestTimeout: true,
      });
    }
  });
});

/** A TCP server that accepts connections and never answers, or an HTTP server that answers 404 with no body. */
async function endpoint(kind: "silent" | "bare-404") {
  const server =
    kind === "silent"
      ? net.createServer(() => undefined)
      : http.createServer((_req, res) => {
          res.statusCode = 404;
          res.end();
        });
  const sockets = new Set<net.Socket>();
  server.on("connection", (s) => sockets.add(s));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

/** Runs `fn` with static test credentials and no shared AWS files, so nothing reaches a real profile. */
async function withTestCredentials<T>(fn: () => Promise<T>, extra: Record<string, string> = {}): Promise<T> {
  const keys = {
    AWS_ACCESS_KEY_ID: "AKIDTEST",
    AWS_SECRET_ACCESS_KEY: "secret",
    AWS_CONFIG_FILE: path.join(tmpDir(), "none"),
    AWS_SHARED_CREDENTIALS_FILE: path.join(tmpDir(), "none"),
    ...extra,
  };
  const saved = Object.fromEntries(Object.keys({ ...keys, AWS_PROFILE: "" }).map((k) => [k, process.env[k]]));
  delete process.env.AWS_PROFILE;
  Object.assign(process.env, keys);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  }
}

describe("verify: endpoints that hang or are not AWS", () => {
  it("--timeout ends a run against an endpoint that accepts connections and never answers: exit 2, one line", async () => {
    const silent = await endpoint("silent");
    try {
      const started = Date.now();
      const r = await withTestCredentials(() =>
        main(["--outputs", outputsFile(), "--endpoint", silent.url, "--timeout", "2s", "--quiet"]),
      );
      const seconds = (Date.now() - started) / 1000;
      expect(r.code).to.equal(2);
      expect(r.err).to.equal(
        "verify: --timeout 2s: the run did not finish in time; an endpoint may be slow or unreachable (check --endpoint, the network or the proxy), or allow more time\n",
      );
      expect(seconds).to.be.within(1.9, 10);
    } finally {
      silent.close();
    }
  });

  it("each request gives up on silence, so a run without --timeout ends too, in one line", async () => {
    const silent = await endpoint("silent");
    try {
      const c = createClients({
        region: "eu-west-1",
        endpoint: silent.url,
        requestTimeoutMs: 500,
        maxAttempts: 2,
      });
      const started = Date.now();
      const r = await withTestCredentials(() =>
        main(["--outputs", outputsFile(), "--quiet"], { clients: c }),
      );
      expect(Date.now() - started).to.be.below(10000);
      expect(r.code).to.equal(2);
      expect(r.err).to.match(
        /^verify: no answer within 0.5 s on s3:ListBucket for \S+ \(2 attempts\): the endpoint is unreachable or stuck; check --endpoint, the network or the proxy\n$/,
      );
    } finally {
      silent.close();
    }
  });

  it("a bare HTTP 404 names the status and the likely cause, never UnknownError", async () => {
    const notAws = await endpoint("bare-404");
    try {
      const r = await withTestCredentials(() =>
        main(["--outputs", outputsFile(), "--endpoint", notAws.url, "--quiet"]),
      );
      expect(r.code).to.equal(2);
      expect(r.err).not.to.contain("UnknownError");
      expect(r.err).to.match(
        /^verify: HTTP 404 Not Found on s3:ListBucket for central-logs-\S+, without an AWS error code: the endpoint has no such resource or is not the AWS API verify expects; check --endpoint and the outputs/,
      );
      expect(r.err.trim().split("\n")).to.have.length(1);
    } finally {
      notAws.close();
    }
  });

  it("--profile names a profile that is in neither shared file, before any request", async () => {
    const dir = tmpDir();
    const config = path.join(dir, "config");
    fs.writeFileSync(config, "[default]\nregion = eu-west-1\n[profile audit]\nregion = eu-west-1\n");
    const credentials = path.join(dir, "credentials");
    fs.writeFileSync(credentials, "[ci]\naws_access_key_id = x\n");
    const r = await withTestCredentials(() => main(["--outputs", outputsFile(), "--profile", "nosuch"]), {
      AWS_CONFIG_FILE: config,
      AWS_SHARED_CREDENTIALS_FILE: credentials,
    });
    expect(r.code).to.equal(2);
    expect(r.err).to.equal(
      `verify: (command line): --profile nosuch: no profile nosuch in ${config} or ${credentials} (profiles there: audit, ci, default); check the name, or run aws configure --profile nosuch\n`,
    );
    const org = await withTestCredentials(
      () => main(["--outputs", outputsFile(), "--organizations", "--organizations-profile", "mgmt"]),
      { AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials },
    );
    expect(org.err).to.match(/^verify: \(command line\): --organizations-profile mgmt: no profile mgmt in /);
    // The profiles the files hold are accepted.
    await withTestCredentials(
      async () => {
        for (const known of ["audit", "ci", "default"])
          expect(parseArgs(["--outputs", "x", "--profile", known]), known).to.include({ profile: known });
      },
      { AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials },
    );
  });
});

describe("verify: WAF prefixes of a CloudFront (global) web ACL", () => {
  it("looks under the Region and under cloudfront, from the stack files and from --expect rows", () => {
    // The example's us-east-1 stack of workload-web carries a global web ACL.
    const fromStacks = stackFilePrefixes(".").prefixes.filter(
      (p) => p.logType === "waf" && p.region === "us-east-1",
    );
    expect(fromStacks.map((p) => [p.base, p.alternateBases])).to.deep.equal([
      [
        "AWSLogs/333333333333/WAFLogs/us-east-1/web-cdn/",
        ["AWSLogs/333333333333/WAFLogs/cloudfront/web-cdn/"],
      ],
    ]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "expect-"));
    const file = path.join(dir, "expect.json");
    const row = { account: "333333333333", logType: "waf", region: "us-east-1", webAcl: "cdn", global: true };
    fs.writeFileSync(file, JSON.stringify([row]));
    expect(expectFilePrefixes(file, {} as any)[0].alternateBases).to.deep.equal([
      "AWSLogs/333333333333/WAFLogs/cloudfront/cdn/",
    ]);
    fs.writeFileSync(file, JSON.stringify([{ ...row, region: "eu-west-1" }]));
    expect(() => expectFilePrefixes(file, {} as any)).to.throw(
      /\[0\]\.region: a CloudFront \(global\) web ACL logs from us-east-1; expected "us-east-1"/,
    );
  });
});

describe("verify: command line and inputs", () => {
  it("parses durations and refuses bad ones", () => {
    expect(parseDuration("90m")).to.equal(5400);
    expect(parseDuration("1h30m")).to.equal(5400);
    expect(parseDuration("1d")).to.equal(86400);
    expect(parseDuration("2 hours")).to.equal(undefined);
    expect(parseDuration("0h")).to.equal(undefined);
    expect(duration(7300)).to.equal("2h01m");
    expect(duration(40 * 86400)).to.equal("40d");
  });

  it("refuses contradictory or incomplete options before any work", async () => {
    const cases: [string[], string][] = [
      [[], "expected --outputs FILE or --stack NAME: the central stack's outputs"],
      [["--outputs", "a", "--stack", "b"], "--outputs and --stack: they are alternatives, give one"],
      [
        ["--outputs", "a", "--accounts", "x", "--organizations"],
        "give one source of the organization's accounts",
      ],
      [["--outputs", "a", "--since", "2 hours"], "--since: expected a duration such as 90m, 2h or 1d, got 2"],
      [
        ["--outputs", "a", "--regions", "eu-west-1,mars-1"],
        "--regions: expected known AWS Regions separated by commas, got mars-1",
      ],
      [["--outputs", "a", "--endpoint", "localhost:5000"], "--endpoint: expected a URL"],
      [["--outputs", "a", "--json", "-", "--markdown", "-"], "only one of them can use standard output"],
      [["--outputs", "a", "--organizations-profile", "p"], "applies only to --organizations"],
      [["--outputs", "a", "--bogus"], "--bogus: unknown option"],
    ];
    for (const [argv, message] of cases) {
      const r = await main(argv);
      expect(r.code, argv.join(" ")).to.equal(2);
      expect(r.err, argv.join(" ")).to.contain(message);
      expect(r.err.trim().split("\n")).to.have.length(1);
    }
    expect(parseArgs(["--help"])).to.equal("help");
    const help = await main(["--help"]);
    expect(help.code).to.equal(0);
    expect(help.out).to.contain("Exit status: 0");
    const unwritable = await main(["--outputs", outputsFile(), "--json", "/nonexistent/dir/r.json"]);
    expect(unwritable.err).to.contain("--json: cannot write /nonexistent/dir/r.json");
  });

  it("refuses an output file that is one of its inputs, or that two options would both write", async () => {
    const file = outputsFile();
    const cases: [string[], string][] = [
      [
        ["--outputs", file, "--json", file],
        `verify: (command line): --json: ${file} is an input (--outputs); writing it would destroy it. Write to another file\n`,
      ],
      [
        ["--outputs", file, "--markdown", path.relative(process.cwd(), file)],
        `verify: (command line): --markdown: ${path.relative(process.cwd(), file)} is the same file as ${file}, an input (--outputs); writing it would destroy it. Write to another file\n`,
      ],
      [
        ["--outputs", file, "--json", "r.json", "--markdown", "r.json"],
        "verify: (command line): --json and --markdown: both would write r.json; give each its own file\n",
      ],
      [
        ["--outputs", file, "--json", "Pulumi.central.yaml"],
        "verify: (command line): --json: Pulumi.central.yaml is an input (--stacks); writing it would destroy it. Write to another file\n",
      ],
    ];
    for (const [argv, message] of cases) {
      const before = fs.readFileSync(file, "utf8");
      const r = await main(argv);
      expect(r.code, argv.join(" ")).to.equal(2);
      expect(r.err).to.equal(message);
      expect(fs.readFileSync(file, "utf8")).to.equal(before);
    }
  });

  it("reads the central stack's outputs whole or as the archive output, and refuses another contract", async () => {
    const bad = await main(["--outputs", outputsFile({ siem: {} }), "--print-policy"]);
    expect(bad.err).to.match(/expected the central stack's outputs .* with an "archive" output; got siem/);
    const old = await main([
      "--outputs",
      outputsFile({ archive: { ...outputs(), contractVersion: 1 } }),
      "--print-policy",
    ]);
    expect(old.err).to.contain(
      `archive.contractVersion: expected ${CONTRACT_VERSION} (this checkout's contract), got 1`,
    );
    expect((await main(["--outputs", outputsFile(outputs()), "--print-policy"])).code).to.equal(0);
  });

  it("--stack reads the outputs with the Pulumi CLI, and says so when the CLI is missing", async () => {
    const root = tmpDir();
    fs.mkdirSync(path.join(root, "bin"));
    const fake = path.join(root, "bin", "pulumi");
    fs.writeFileSync(
      fake,
      `#!/bin/sh\n[ "$4" = "--stack" ] && [ "$5" = "prod-central" ] || exit 9\necho '${JSON.stringify({ archive: outputs() })}'\n`,
    );
    fs.chmodSync(fake, 0o755);
    const saved = process.env.CENTRAL_LOGGING_PULUMI_ROOT;
    try {
      process.env.CENTRAL_LOGGING_PULUMI_ROOT = root;
      const r = await main(["--stack", "prod-central", "--print-policy"]);
      expect(r.err).to.equal("");
      expect(JSON.parse(r.out).Statement[0].Sid).to.equal("ListKeysAndReadBucketSettings");
      process.env.CENTRAL_LOGGING_PULUMI_ROOT = path.join(root, "nowhere");
      const missing = await main(["--stack", "prod-central", "--print-policy"]);
      expect(missing.code).to.equal(2);
      expect(missing.err).to.contain("is not installed; use --outputs FILE instead");
    } finally {
      if (saved === undefined) delete process.env.CENTRAL_LOGGING_PULUMI_ROOT;
      else process.env.CENTRAL_LOGGING_PULUMI_ROOT = saved;
    }
  });

  it("expects the ACTIVE accounts of aws organizations list-accounts, and names a bad entry", () => {
    const dir = tmpDir();
    const file = path.join(dir, "accounts.json");
    fs.writeFileSync(
      file,
      JSON.stringify({
        Accounts: [
          { Id: MGMT, Status: "ACTIVE" },
          { Id: WEB, Status: "ACTIVE", State: "ACTIVE" },
          { Id: "444444444444", Status: "SUSPENDED", State: "CLOSED" },
          { Id: "555555555555", State: "PENDING_CLOSURE" },
        ],
      }),
    );
    expect(readAccountsFile(file)).to.deep.equal([MGMT, WEB]);
    fs.writeFileSync(file, JSON.stringify({ Accounts: [{ Id: "12345" }] }));
    expect(() => readAccountsFile(file)).to.throw(
      `${file}: Accounts[0].Id: expected a 12-digit account ID, got "12345"`,
    );
  });

  it("lists only the day folders of the window, and reads the period from AWS's file names", () => {
    const now = new Date("2026-11-27T01:30:00Z");
    expect(windowDays("plain", now, 2 * 3600)).to.deep.equal(["2026/11/27/", "2026/11/26/"]);
    expect(windowDays("plain", now, 3600)).to.deep.equal(["2026/11/27/"]);
    expect(windowDays("hive", now, 86400)).to.deep.equal([
      "year=2026/month=11/day=27/",
      "year=2026/month=11/day=26/",
    ]);
    expect(
      fileTime(
        "AWSLogs/1/CloudTrail/eu-west-1/2026/11/27/111122223333_CloudTrail_eu-west-1_20261127T0710Z_Mu0KsOhtH1ar15ZZ.json.gz",
      )!.toISOString(),
    ).to.equal("2026-11-27T07:10:00.000Z");
    expect(
      fileTime(
        "x/123456789012_vpcflowlogs_us-east-1_fl-1234abcd_20180620T1620Z_fe123456.log.gz",
      )!.toISOString(),
    ).to.equal("2018-06-20T16:20:00.000Z");
    expect(fileTime("x/no-timestamp.json.gz")).to.equal(undefined);
    expect(
      deadLetterQueueUrl(
        "http://127.0.0.1:5000/123456789012/central-logs-waf",
        "arn:aws:sqs:eu-west-1:123456789012:central-logs-waf-dlq",
      ),
    ).to.equal("http://127.0.0.1:5000/123456789012/central-logs-waf-dlq");
  });
});

describe("verify: the report", () => {
  const report = (): VerifyReport => ({
    version: 1,
    checkedAt: "2026-11-27T08:00:00.000Z",
    sinceSeconds: 7200,
    archive: { accountId: CENTRAL, region: "eu-west-1", mode: "organization", organizationId: ORG },
    expected: { accounts: 2, source: "accounts.json", complete: true, notes: [] },
    delivery: [
      {
        account: MGMT,
        logType: "cloudtrail",
        region: "eu-west-1",
        source: "organization trail",
        prefix: "s3://b/AWSLogs/o/2/CloudTrail/eu-west-1/",
        status: "ok",
        expectedBy: "organization trail t",
        newestAt: "2026-11-27T07:50:00.000Z",
        ageSeconds: 600,
      },
      {
        account: WEB,
        logType: "vpcflowlogs",
        region: "eu-west-1",
        source: "flow logs",
        prefix: "s3://b/AWSLogs/3/vpcflowlogs/eu-west-1/",
        status: "missing",
        expectedBy: "Pulumi.workload-web.yaml",
        why: "VPC Flow Logs never delivered here | check",
      },
    ],
    queues: [],
    guards: [{ resource: "b", check: "versioning", status: "ok", found: "Enabled", expected: "Enabled" }],
    summary: {
      ok: 1,
      late: 0,
      missing: 1,
      unexpected: 0,
      queuesFailing: 0,
      guardsOff: 0,
      requests: 9,
      seconds: 1,
      exitCode: 1,
    },
  });

  it("fails on late, missing, a failing queue or a guard off; unexpected only when asked", () => {
    const r = report();
    expect(exitCodeOf(r)).to.equal(1);
    r.delivery[1].status = "unexpected";
    expect(exitCodeOf(r)).to.equal(0);
    expect(exitCodeOf(r, true)).to.equal(1);
    r.guards[0].status = "off";
    expect(exitCodeOf(r)).to.equal(1);
  });

  it("renders Markdown with the problems first, escaped, and the ok rows folded", () => {
    const md = markdownReport(report());
    expect(md).to.contain("## central-logging verify: ❌ not verified");
    const missingAt = md.indexOf(`| missing | vpcflowlogs | ${WEB} |`);
    const okAt = md.indexOf(`| ok | cloudtrail | ${MGMT} |`);
    expect(missingAt).to.be.greaterThan(0);
    expect(okAt).to.be.greaterThan(md.indexOf("<details><summary>1 ok row(s)</summary>"));
    expect(md).to.contain("never delivered here \\| check");
  });
});
