import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { cellAsIntended } from "../tools/access/accessMatrix";
import {
  exitCodeOf,
  main,
  markdownReport,
  markdownSummary,
  MARKDOWN_SUMMARY_LIMIT,
  PlanResult,
  policySizeLines,
  problemsReport,
  runPlan,
  samplingNote,
  simulationProgress,
  toJson,
  USAGE,
} from "../tools/plan/plan";
import { synthesizeOrganization } from "../tools/simulation/synthesize";
import { scaled } from "./helpers";

/** Runs the CLI in a child process, as `npm run plan` does (slow: only where the process matters). */
function planProcess(args: string[], cwd = process.cwd()) {
  const r = spawnSync(
    process.execPath,
    ["-r", require.resolve("ts-node/register/transpile-only"), path.resolve("tools/plan/plan.ts"), ...args],
    {
      cwd,
      encoding: "utf8",
      maxBuffer: 1 << 28,
    },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A copy of the example organization's stack files in a temporary folder. */
function exampleCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-"));
  for (const f of fs.readdirSync(".").filter((x) => /^Pulumi(\..+)?\.yaml$/.test(x)))
    fs.copyFileSync(f, path.join(dir, f));
  return dir;
}

/** Replaces `from` by `to` in the stack file `name` of `dir`; returns the file's path. */
function editFile(dir: string, name: string, from: string | RegExp, to: string): string {
  const file = path.join(dir, name);
  const before = fs.readFileSync(file, "utf8");
  const after = before.replace(from, to);
  // An edit that changes nothing would leave the test proving nothing.
  expect(after, `${name}: ${from} not found`).not.to.equal(before);
  fs.writeFileSync(file, after);
  return file;
}

/** The example with a central retention under the pack's advisory minimum: clean, with advisories. */
function exampleWithShortRetention(): { dir: string; file: string } {
  const dir = exampleCopy();
  return { dir, file: editFile(dir, "Pulumi.central.yaml", "expirationDays: 2557", "expirationDays: 200") };
}

describe("offline plan", function () {
  this.timeout(scaled(60000));

  it("plans the example organization clean: no violation, every access cell as intended", async () => {
    const result = await runPlan({ stacksDir: "." });
    expect(result.stacks.map((s) => `${s.name}:${s.role}`)).to.deep.equal([
      "central:central",
      "management:member",
      "workload-web-us-east-1:member",
      "workload-web:member",
    ]);
    expect(result.violations).to.deep.equal([]);
    expect(result.access.length).to.be.greaterThan(40);
    expect(result.access.filter((c) => !cellAsIntended(c))).to.deep.equal([]);
    expect(exitCodeOf(result)).to.equal(0);
    for (const p of result.policySizes) expect(p.bytes, p.resource).to.be.below(p.limit);
  });

  it("--json FILE writes the documented JSON shape itself, with secrets masked; --json - prints only JSON", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plan-")), "plan.json");
    const written = planProcess(["--json", file, "--quiet"]);
    expect(written.code).to.equal(0);
    expect(written.stdout).to.match(/PLAN CLEAN/);
    const r = planProcess(["--json", "-", "--quiet"]);
    expect(r.code).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal(JSON.parse(fs.readFileSync(file, "utf8")));
    const doc = JSON.parse(fs.readFileSync(file, "utf8"));
    expect(Object.keys(doc)).to.deep.equal(["stacks", "violations", "access", "policySizes"]);
    expect(Object.keys(doc.stacks[0])).to.deep.equal(["name", "role", "resources", "outputs"]);
    expect(Object.keys(doc.stacks[0].resources[0])).to.deep.equal(["type", "name", "urn", "inputs"]);
    expect(Object.keys(doc.access[0])).to.deep.equal([
      "who",
      "scenario",
      "principal",
      "action",
      "resource",
      "condition",
      "why",
      "expected",
      "actual",
      "assumptions",
    ]);
    expect(Object.keys(doc.policySizes[0])).to.deep.equal(["stack", "resource", "kind", "bytes", "limit"]);
    expect(doc.stacks[0].outputs.siemExternalId).to.equal("[secret]");
    expect(r.stdout).not.to.contain("example-external-id-change-me");
    expect(r.stdout).to.contain('\\"sts:ExternalId\\":\\"[secret]\\"');
  });

  it("writes a Markdown report with a Mermaid diagram of accounts, services, buckets, queues and the SIEM", async () => {
    const md = markdownReport(await runPlan({ stacksDir: "." }));
    expect(md).to.contain("```mermaid\nflowchart LR");
    // The README shows the example as the plan draws it: the same diagram, never a stale copy.
    const diagram = /```mermaid\n[\s\S]*?\n```\n/.exec(md)![0];
    expect(fs.readFileSync("README.md", "utf8")).to.contain(diagram);
    expect(md).to.match(/ct_management\["CloudTrail organization trail"\]/);
    expect(md).to.match(/waf_workload_web -->\|staging bucket, replication\| b_waf/);
    expect(md).to.match(/b_cloudtrail\[\("central-logs-cloudtrail-example-org"\)\] --> q_cloudtrail/);
    expect(md).to.contain("q_waf --> siem");
    expect(md).not.to.contain("example-external-id-change-me");
  });

  it("exits 1 and shows the deciding statements when a policy grants the SIEM role s3:PutObject", async () => {
    const result = await runPlan({ stacksDir: "." });
    const central = result.stacks.find((s) => s.role === "central")!;
    const rolePolicy = central.resources.find((r) => r.name === "siem-reader-permissions")!;
    const doc = JSON.parse(rolePolicy.inputs.policy);
    // (s3:DeleteObject would stay denied: the bucket policies and the archive SCP refuse it to all but
    // break-glass.)
    doc.Statement.push({ Sid: "TooMuch", Effect: "Allow", Action: "s3:PutObject", Resource: "*" });
    rolePolicy.inputs.policy = JSON.stringify(doc);
    const { accessMatrix } = await import("../tools/access/accessMatrix");
    const cells = await accessMatrix(result.stacks);
    const red = cells.filter((c) => !cellAsIntended(c));
    expect(red.map((c) => c.scenario)).to.deep.equal([
      "puts an object into the cloudtrail bucket",
      "puts an object into the vpcflowlogs bucket",
      "puts an object into the waf bucket",
    ]);
    expect(red[0].deciding).to.be.a("string");
    expect(exitCodeOf({ ...result, access: cells })).to.equal(1);
  });

  it("exits 0 on an advisory violation, and 1 when the pack config makes it mandatory", async () => {
    const { dir } = exampleWithShortRetention();
    const advisory = await main(["--stacks", dir, "--quiet"]);
    expect(advisory.code, advisory.err).to.equal(0);
    expect(advisory.out).to.match(
      /advisory +s3-log-bucket-minimum-retention +\[central\] log bucket central-logs-cloudtrail-example-org/,
    );
    const config = path.join(dir, "pack.json");
    fs.writeFileSync(
      config,
      JSON.stringify({
        "s3-log-bucket-minimum-retention": { enforcementLevel: "mandatory", minRetentionDays: 180 },
      }),
    );
    expect((await main(["--stacks", dir, "--quiet", "--policy-pack-config", config])).code).to.equal(0);
    fs.writeFileSync(config, JSON.stringify({ "s3-log-bucket-minimum-retention": "mandatory" }));
    const mandatory = await main(["--stacks", dir, "--quiet", "--policy-pack-config", config]);
    expect(mandatory.code, mandatory.err).to.equal(1);
    expect(mandatory.out).to.match(/mandatory s3-log-bucket-minimum-retention/);
  });

  it("exits 2 with one line naming the file and the key on bad configuration", async () => {
    const dir = exampleCopy();
    const file = editFile(dir, "Pulumi.central.yaml", "o-a1b2c3d4e5", "o-123");
    const r = await main(["--stacks", dir, "--quiet"]);
    expect(r.code).to.equal(2);
    expect(r.err.trim().split("\n")).to.deep.equal([
      `plan: ${file}: stack "central": config key "central-logging:organizationId": expected an AWS Organizations ID matching o-[a-z0-9]{10,32}, got "o-123"`,
    ]);
    expect(r.out).to.equal("");
  });

  it("exits 2 when a member's StackReference names no simulated stack", async () => {
    const dir = exampleCopy();
    const file = editFile(
      dir,
      "Pulumi.workload-web.yaml",
      "organization/central-logging/central",
      "organization/central-logging/prod",
    );
    const r = await main(["--stacks", dir, "--quiet"]);
    expect(r.code).to.equal(2);
    expect(r.err).to.equal(
      `plan: ${file}: stack "workload-web": config key "central-logging:centralStack": names prod, which has no Pulumi.prod.yaml here; expected the central stack (central)\n`,
    );
  });

  it("plans members whose centralStack names a Pulumi Cloud organization, taken from the stack files or --org", async () => {
    const dir = exampleCopy();
    const members = [
      "Pulumi.management.yaml",
      "Pulumi.workload-web.yaml",
      "Pulumi.workload-web-us-east-1.yaml",
    ].map((f) => path.join(dir, f));
    for (const file of members)
      fs.writeFileSync(
        file,
        fs
          .readFileSync(file, "utf8")
          .replace("organization/central-logging/central", "acme/central-logging/central"),
      );
    const inferred = await main(["--stacks", dir, "--quiet", "--problems-only"]);
    expect(inferred.code, inferred.err).to.equal(0);
    expect(inferred.out.trim().split("\n").pop()).to.equal("PLAN CLEAN");
    expect((await main(["--stacks", dir, "--quiet", "--org", "acme"])).code).to.equal(0);
    const wrong = await main(["--stacks", dir, "--quiet", "--org", "other"]);
    expect(wrong.code).to.equal(2);
    expect(wrong.err.trim().split("\n")).to.deep.equal(
      [...members]
        .sort()
        .map(
          (m) =>
            `plan: ${m}: stack "${path.basename(m, ".yaml").replace("Pulumi.", "")}": config key "central-logging:centralStack": names the Pulumi organization acme, but --org is other; expected other/central-logging/<central stack>`,
        ),
    );
    fs.writeFileSync(
      members[1],
      fs
        .readFileSync(members[1], "utf8")
        .replace("acme/central-logging/central", "globex/central-logging/central"),
    );
    const split = await main(["--stacks", dir, "--quiet"]);
    expect(split.code).to.equal(2);
    expect(split.err.trim()).to.equal(
      `plan: ${members[1]}: stack "workload-web": config key "central-logging:centralStack": names the Pulumi organization globex, and ${members[0]} names acme; expected one organization for every member, or give --org`,
    );
    const bad = await main(["--org", "a/b"]);
    expect(bad.code).to.equal(2);
    expect(bad.err).to.match(/--org: expected a Pulumi organization name/);
  });

  it("--markdown writes a summary with the problems first, --markdown-full the full report", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-"));
    const [summary, full] = [path.join(dir, "plan.md"), path.join(dir, "plan-full.md")];
    const r = await main(["--quiet", "--markdown", summary, "--markdown-full", full]);
    expect(r.code, r.err).to.equal(0);
    const md = fs.readFileSync(summary, "utf8");
    expect(md.split("\n")[0]).to.equal("# central-logging offline plan: PLAN CLEAN");
    const order = ["## Problems", "## Counts", "## Policy sizes", "## Diagram"].map((h) => md.indexOf(h));
    expect(
      order.every((i, n) => i > 0 && (n === 0 || i > order[n - 1])),
      `${order}`,
    ).to.equal(true);
    expect(md).to.contain("None: no violation, every access cell as intended");
    expect(md).to.match(/\| stacks \| 4 \(1 central, 3 members\) \|/);
    expect(md).to.contain("```mermaid\nflowchart LR");
    expect(md).not.to.contain("example-external-id-change-me");
    expect(fs.readFileSync(full, "utf8")).to.contain("## Access matrix");
    expect(md.length).to.be.below(fs.readFileSync(full, "utf8").length);
  });

  it("keeps the summary under 60,000 characters however many problems, and --problems-only lists them all", async () => {
    const result = await runPlan({ stackFiles: synthesizeOrganization(12, "organization") });
    expect(markdownSummary(result).length).to.be.below(MARKDOWN_SUMMARY_LIMIT);
    // A result the size of a 1,000-member organization with problems everywhere, long texts included.
    const cell = result.access[0];
    const huge: PlanResult = {
      ...result,
      violations: Array.from({ length: 3000 }, (_, i) => ({
        policy: "s3-log-bucket-minimum-retention",
        level: i % 3 ? "advisory" : "mandatory",
        stack: `member-${200000000000 + i}`,
        message: `log bucket aws-waf-logs-${i} keeps objects for 3 days | `.repeat(20),
      })) as PlanResult["violations"],
      access: [
        ...result.access,
        ...Array.from({ length: 500 }, () => ({
          ...cell,
          actual: "ExplicitlyDenied" as const,
          expected: "Allowed" as const,
        })),
      ],
      policySizes: Array.from({ length: 10000 }, (_, i) => ({
        stack: `member-${i}`,
        resource: `waf-logs-bucket-policy-${i}.policy`,
        kind: "bucket",
        bytes: i % 7 ? 1000 : 30000,
        limit: 20480,
      })),
    };
    expect(exitCodeOf(huge)).to.equal(1);
    const md = markdownSummary(huge);
    expect(md.length).to.be.at.most(MARKDOWN_SUMMARY_LIMIT);
    expect(md.split("\n")[0]).to.equal("# central-logging offline plan: PLAN HAS PROBLEMS");
    expect(md).to.match(/### Mandatory violations \(1000\)/);
    expect(md).to.match(/\n\d+ more in the full report/);
    expect(md).to.contain("```mermaid");
    expect(md).to.match(/\| policies over their AWS limit \| 1429 of 10000 \|/);
    expect(markdownReport(huge).length).to.be.above(10 * MARKDOWN_SUMMARY_LIMIT);
    const terminal = problemsReport(huge).split("\n");
    expect(terminal.filter((l) => l.startsWith("  mandatory "))).to.have.length(1000);
    expect(terminal.filter((l) => l.startsWith("  FAIL "))).to.have.length(500);
    expect(terminal.pop()).to.equal("PLAN HAS PROBLEMS");
    expect(problemsReport(huge)).not.to.contain("== stack ");
  });

  it("prints usage on --help and exits 0", async () => {
    const r = await main(["--help"]);
    expect(r.code).to.equal(0);
    expect(r.out).to.match(/^usage: npm run plan -- \[options\]/);
    expect(r.out).to.contain("--policy-pack-config ROLE=F");
  });

  it("refuses contradictory or incomplete options, and unwritable outputs before any work", async () => {
    const cases: [string[], RegExp][] = [
      [["--mode", "organization"], /--mode: applies only to --synthesize N/],
      [["--synthesize", "3", "--stacks", "."], /--synthesize and --stacks: plan either/],
      [
        ["--markdown", "/nonexistent/dir/r.md"],
        /--markdown: cannot write \/nonexistent\/dir\/r.md: folder \/nonexistent\/dir does not exist/,
      ],
      [["--json", "/nonexistent/dir/r.json"], /--json: cannot write/],
      [
        ["--policy-pack-config", "a.json", "--policy-pack-config", "central=b.json"],
        /one file for every stack, or one per role, not both/,
      ],
      [
        ["--policy-pack-config", "centrl=policy-pack/config.central.json"],
        /^plan: \(command line\): --policy-pack-config: unknown role centrl in centrl=policy-pack\/config.central.json; the roles are central and member \(ROLE=FILE\), or give one FILE for every stack\n$/,
      ],
    ];
    for (const [argv, message] of cases) {
      const started = Date.now();
      const r = await main(argv);
      expect(r.code, argv.join(" ")).to.equal(2);
      expect(r.err).to.match(message);
      expect(r.err.trim().split("\n")).to.have.length(1);
      expect(Date.now() - started, "refused before simulating").to.be.below(1000);
    }
    // As a process: exit 2 and one line, no stack trace.
    const p = planProcess(["--markdown", "/nonexistent/dir/r.md", "--quiet"]);
    expect(p.code).to.equal(2);
    expect(p.stderr.trim().split("\n")).to.have.length(1);
  });

  it("refuses an output that is one of its inputs (a pack config, a stack file) or that two options share", async () => {
    const dir = exampleCopy();
    const pack = path.join(dir, "pack.json");
    fs.writeFileSync(pack, "{}\n");
    const stackFile = path.join(dir, "Pulumi.central.yaml");
    const cases: [string[], string][] = [
      [
        ["--policy-pack-config", pack, "--json", pack],
        `--json: ${pack} is an input (--policy-pack-config); writing it would destroy it. Write to another file`,
      ],
      [
        ["--stacks", dir, "--markdown", stackFile],
        `--markdown: ${stackFile} is an input (--stacks); writing it would destroy it. Write to another file`,
      ],
      [
        ["--markdown", path.join(dir, "r.md"), "--markdown-full", path.join(dir, "r.md")],
        `--markdown and --markdown-full: both would write ${path.join(dir, "r.md")}; give each its own file`,
      ],
    ];
    for (const [argv, message] of cases) {
      const r = await main([...argv, "--quiet"]);
      expect(r.code, argv.join(" ")).to.equal(2);
      expect(r.err).to.equal(`plan: (command line): ${message}\n`);
    }
    expect(fs.readFileSync(pack, "utf8")).to.equal("{}\n");
    expect(fs.readFileSync(stackFile, "utf8")).to.equal(fs.readFileSync("Pulumi.central.yaml", "utf8"));
  });

  it("validates pack configs against each policy's schema, naming the file, the policy and the key", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-"));
    const cases: [object, string][] = [
      [
        { "kms-key-rotation-period": { maxRotationDays: "abc" } },
        'kms-key-rotation-period.maxRotationDays: must be integer, got "abc"',
      ],
      [
        { "kms-key-rotation-period": { maxRotationDays: -1 } },
        "kms-key-rotation-period.maxRotationDays: must be >= 90, got -1",
      ],
      [
        { "kms-key-rotation-period": { maxRotationDay: 365 } },
        "kms-key-rotation-period.maxRotationDay: not a setting of this policy (its settings: maxRotationDays)",
      ],
      [
        { "s3-log-bucket-minimum-retention": { minRetentionDays: "lots" } },
        's3-log-bucket-minimum-retention.minRetentionDays: must be integer, got "lots"',
      ],
      [
        { "kms-key-rotation-enabled": { enforcementLevel: "strict" } },
        'kms-key-rotation-enabled.enforcementLevel: expected an enforcement level (advisory, mandatory, remediate, disabled), got "strict"',
      ],
      [
        { all: "loud" },
        'all: expected an enforcement level (advisory, mandatory, remediate, disabled), got "loud"',
      ],
    ];
    for (const [config, message] of cases) {
      const file = path.join(dir, "pack.json");
      fs.writeFileSync(file, JSON.stringify(config));
      const r = await main(["--policy-pack-config", file, "--quiet"]);
      expect(r.code, message).to.equal(2);
      expect(r.err).to.equal(`plan: ${file}: ${message}\n`);
    }
  });

  it("plans the example clean with every pack config the workflows use, each for its role", async () => {
    const workflows = fs
      .readdirSync(".github/workflows")
      .map((f) => fs.readFileSync(path.join(".github/workflows", f), "utf8"))
      .join("\n");
    const referenced = [
      ...new Set([...workflows.matchAll(/policy-pack\/(config\.[a-z${}. ]+\.json)/g)].map((m) => m[1])),
    ];
    expect(referenced.length).to.be.greaterThan(0);
    const files = fs.readdirSync("policy-pack").filter((f) => /^config\..+\.json$/.test(f));
    expect(files.sort()).to.deep.equal(["config.central.json", "config.member.json"]);
    const r = await main([
      "--quiet",
      "--policy-pack-config",
      "central=policy-pack/config.central.json",
      "--policy-pack-config",
      "member=policy-pack/config.member.json",
    ]);
    expect(r.code, r.out).to.equal(0);
    expect(r.out).to.match(/PLAN CLEAN\n$/);
  });

  it("plans 150 accounts onboarded as the README says clean: one organization trail, no account trails", async () => {
    const files = synthesizeOrganization(150, "organization");
    // As the README's onboarding says: members name no cloudTrail.mode, only the management account does.
    expect(files.slice(2).every((f) => f.raw["central-logging:cloudTrail"] === undefined)).to.equal(true);
    const result = await runPlan({ stackFiles: files, sampleMembers: 3 });
    expect(result.violations.filter((v) => v.level === "mandatory")).to.deep.equal([]);
    expect(result.access.filter((c) => !cellAsIntended(c))).to.deep.equal([]);
    const trails = result.stacks.flatMap((s) =>
      s.resources.filter((r) => r.type === "aws:cloudtrail/trail:Trail").map((r) => r.inputs),
    );
    expect(trails.map((t) => [t.name, t.isOrganizationTrail])).to.deep.equal([["organization-trail", true]]);
    const central = result.stacks.find((s) => s.role === "central")!;
    expect(central.outputs.archive.cloudTrail.accountTrailArns).to.deep.equal([]);
  });

  it("refuses two member stacks for the same account and Region, naming both files", async () => {
    const dir = exampleCopy();
    fs.copyFileSync(
      path.join(dir, "Pulumi.workload-web.yaml"),
      path.join(dir, "Pulumi.workload-web-copy.yaml"),
    );
    const r = await main(["--stacks", dir, "--quiet"]);
    expect(r.code).to.equal(2);
    expect(r.err).to.equal(
      `plan: ${path.join(dir, "Pulumi.workload-web-copy.yaml")} and ${path.join(dir, "Pulumi.workload-web.yaml")}: both deploy a member stack to account 333333333333 in eu-west-1; the second would collide with the first on the bucket aws-waf-logs-333333333333-eu-west-1 and the replication role central-logging-waf-replication-eu-west-1. Keep one stack file per account and Region\n`,
    );
  });

  it("refuses two central stacks with the same bucketSuffix (bucket names are global), naming both files", async () => {
    const dir = exampleCopy();
    // Another account and Region: nothing else collides, only the global bucket names.
    fs.writeFileSync(
      path.join(dir, "Pulumi.central-eu.yaml"),
      fs
        .readFileSync("Pulumi.central.yaml", "utf8")
        .replace(/111111111111/g, "555555555555")
        .replace("aws:region: eu-west-1", "aws:region: eu-central-1"),
    );
    const r = await main(["--stacks", dir, "--quiet"]);
    expect(r.code).to.equal(2);
    expect(r.err).to.equal(
      `plan: ${path.join(dir, "Pulumi.central-eu.yaml")} and ${path.join(dir, "Pulumi.central.yaml")}: both create the S3 buckets central-logs-cloudtrail-example-org, central-logs-vpcflowlogs-example-org, aws-waf-logs-central-example-org, central-logs-access-example-org (central-logging:bucketSuffix is the same), and bucket names are global across all AWS accounts; the second would fail on them. Give each central stack its own central-logging:bucketSuffix\n`,
    );
    // In one account, the IAM role names collide too, whatever the Region; another suffix leaves only those.
    fs.writeFileSync(
      path.join(dir, "Pulumi.central-eu.yaml"),
      fs
        .readFileSync("Pulumi.central.yaml", "utf8")
        .replace("aws:region: eu-west-1", "aws:region: eu-central-1")
        .replace("bucketSuffix: example-org", "bucketSuffix: example-org-eu"),
    );
    const roles = await main(["--stacks", dir, "--quiet"]);
    expect(roles.code).to.equal(2);
    expect(roles.err).to.equal(
      `plan: ${path.join(dir, "Pulumi.central-eu.yaml")} and ${path.join(dir, "Pulumi.central.yaml")}: both create the IAM roles central-logs-siem-reader, central-logs-verifier in account 111111111111, and IAM role names are account-wide, whatever the Region; the second would fail on them. Give one of the central stacks another central-logging:siem.roleName (and verifier.roleName)\n`,
    );
  });

  it("reports every stack file's problems in one run, one line each, before simulating anything", async () => {
    const dir = exampleCopy();
    const central = editFile(dir, "Pulumi.central.yaml", 'keyRotationDays: "365"', 'keyRotationDays: "7"');
    const web = editFile(dir, "Pulumi.workload-web.yaml", "aws:region: eu-west-1", "aws:region: eu-west-9");
    const mgmt = editFile(
      dir,
      "Pulumi.management.yaml",
      "central-logging:role: member",
      "central-logging:role: membr",
    );
    fs.writeFileSync(path.join(dir, "Pulumi.broken.yaml"), "config: [\n");
    const started = Date.now();
    const r = await main(["--stacks", dir, "--quiet"]);
    expect(r.code).to.equal(2);
    expect(r.out).to.equal("");
    expect(r.err.trim().split("\n")).to.deep.equal([
      `plan: ${path.join(dir, "Pulumi.broken.yaml")}: (file): is not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 2, column 1:`,
      `plan: ${central}: stack "central": config key "central-logging:keyRotationDays": expected the KMS key rotation period in days: a whole number from 90 to 2560, got 7`,
      `plan: ${mgmt}: stack "management": config key "central-logging:role": expected central or member, got "membr"`,
      `plan: ${web}: stack "workload-web": config key "aws:region": expected a known AWS Region, got "eu-west-9"`,
    ]);
    expect(Date.now() - started, "refused before simulating").to.be.below(5000);
  });

  it("reports every member that the central stack refuses, not only the first", async () => {
    const dir = exampleCopy();
    // Neither member's VPC Flow Logs are admitted any more.
    editFile(
      dir,
      "Pulumi.central.yaml",
      '    - "222222222222"\n    - "333333333333"\n',
      '    - "444444444444"\n',
    );
    const r = await main(["--stacks", dir, "--quiet"]);
    expect(r.code, r.err).to.equal(2);
    const lines = r.err.trim().split("\n");
    expect(lines).to.have.length(2);
    expect(lines[0]).to.match(
      /Pulumi\.management\.yaml: stack "management": config key "central-logging:flowLogs": account 222222222222 is missing/,
    );
    expect(lines[1]).to.match(
      /Pulumi\.workload-web\.yaml: stack "workload-web": config key "central-logging:flowLogs": account 333333333333 is missing/,
    );
  });

  it("refuses Pulumi.<stack>.yml: Pulumi reads only Pulumi.<stack>.yaml (the project file's extension)", async () => {
    const dir = exampleCopy();
    fs.renameSync(path.join(dir, "Pulumi.workload-web.yaml"), path.join(dir, "Pulumi.workload-web.yml"));
    const r = await main(["--stacks", dir, "--quiet"]);
    expect(r.code).to.equal(2);
    expect(r.err).to.equal(
      `plan: ${path.join(dir, "Pulumi.workload-web.yml")}: (file): Pulumi ignores it: it reads a stack's settings only from Pulumi.<stack>.yaml, with the extension of the project file Pulumi.yaml; rename it to Pulumi.workload-web.yaml\n`,
    );
  });

  it("says how many advisory violations a clean plan has, and marks simulated values", async () => {
    const { dir, file } = exampleWithShortRetention();
    const r = await main(["--stacks", dir, "--quiet"]);
    expect(r.code).to.equal(0);
    expect(r.out).to.match(/PLAN CLEAN \(3 advisory\)\n$/);
    expect(r.out).to.match(/FlowLog +flow-log-vpc-\w+ +vpc-\w+ \(simulated\) ALL ->/);
    expect(r.out).to.contain("== stack central (central, " + file + "): ");
  });

  it("lists the largest policy documents of each kind and says how many it leaves out", async () => {
    const r = await main(["--synthesize", "60", "--mode", "account-list", "--quiet"]);
    const header = r.out.split("\n").find((l) => l.startsWith("== policy sizes"))!;
    const count = Number(/(\d+) documents/.exec(header)![1]);
    const lines = r.out
      .split("== policy sizes")[1]
      .split("\n")
      .filter((l) => /^\s+\d+ \/ /.test(l));
    expect(header).to.contain(`(${count - lines.length} smaller ones not shown)`);
    const kinds = new Set(lines.map((l) => l.trim().split(/\s+/)[6]));
    expect([...kinds]).to.include.members(["bucket", "key", "queue", "trust", "inline"]);
    expect(lines.some((l) => l.includes("[central] logs-key.policy"))).to.equal(true);
    expect(r.out).to.contain("== stack central (central, synthetic account-list organization of 60 members)");
  });

  it("exits 2 on usage errors and on a bad pack config", async () => {
    const bad = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plan-")), "c.json");
    fs.writeFileSync(bad, JSON.stringify({ "no-such-policy": "mandatory" }));
    const runs = [
      await main(["--bogus"]),
      await main(["--synthesize", "0"]),
      await main(["--policy-pack-config", bad, "--quiet"]),
      await main(["--stacks", os.tmpdir(), "--quiet"]),
    ];
    expect(runs.map((r) => r.code)).to.deep.equal([2, 2, 2, 2]);
    expect(runs[0].err).to.match(/--bogus: unknown option/);
    expect(runs[2].err).to.match(/no-such-policy: not a policy of this pack/);
    expect(runs[3].err).to.match(/Pulumi\.yaml: \(file\): not found/);
    for (const r of runs) expect(r.err.trim().split("\n")).to.have.length(1);
  });

  it("says that a policy over its size limit exits 2, and exits 2 with the policy's name, size and limit", async () => {
    expect(USAGE).to.match(/2 bad configuration or usage, including a policy over its AWS size limit/);
    expect(USAGE).not.to.match(/1 [^;]*size limit/);
    const r = await main(["--synthesize", "1400", "--quiet"]);
    expect(r.code).to.equal(2);
    expect(r.err).to.match(/bucket policy" is \d+ bytes, over the AWS limit of 20480 bytes; /);
    expect(r.err.trim().split("\n")).to.have.length(1);
  });

  it("says in both Markdown reports when access was proven for a sample of the members", async () => {
    const result = await runPlan({ stacksDir: ".", sampleMembers: 1 });
    const members = result.stacks.filter((s) => s.role === "member").length;
    expect(members).to.be.greaterThan(1);
    expect(result.accessSampled).to.deep.equal({ members: 1, of: members });
    const note = samplingNote(result.accessSampled!);
    expect(note).to.equal(
      `Access was proven for a sample: 1 of the ${members} member stacks (the plan samples above 50 members); the other members' cells are not in this matrix.`,
    );
    const full = markdownReport(result);
    expect(full.split("## Access matrix")[1]).to.contain(note);
    expect(full.split("\n")[2]).to.contain(note);
    expect(markdownSummary(result)).to.contain(note);
    expect(markdownReport(await runPlan({ stacksDir: "." }))).not.to.contain(
      "Access was proven for a sample",
    );
  });

  it("reports progress for every stack of a small organization, and at most every two seconds in a large one", () => {
    const messages: string[] = [];
    const small = simulationProgress(
      3,
      (m) => messages.push(m),
      () => 0,
    );
    ["central", "management", "workload-web"].forEach((s, i) => small(i, s));
    expect(messages.map((m) => /\((\d+\/\d+),/.exec(m)![1])).to.deep.equal(["1/3", "2/3", "3/3"]);
    messages.length = 0;
    let now = 0;
    const large = simulationProgress(
      101,
      (m) => messages.push(m),
      () => now,
    );
    for (let i = 0; i < 101; i++) {
      large(i, `member-${i}`);
      now += 500;
    }
    const counted = messages.map((m) => Number(/\((\d+)\/101,/.exec(m)![1]));
    expect(counted[0]).to.equal(1);
    expect(counted[counted.length - 1]).to.equal(101);
    expect(counted.length).to.be.within(20, 30);
  });

  it("counts the policy documents it leaves out in proper English", () => {
    const size = (stack: string, bytes: number) => ({
      stack,
      resource: "r.policy",
      kind: "queue",
      bytes,
      limit: 8192,
    });
    expect(policySizeLines([1, 2, 3, 4].map((b) => size(`s${b}`, b)))[0]).to.match(
      /\(1 smaller one not shown\)$/,
    );
    expect(policySizeLines([1, 2, 3, 4, 5].map((b) => size(`s${b}`, b)))[0]).to.match(
      /\(2 smaller ones not shown\)$/,
    );
    expect(policySizeLines([1, 2, 3].map((b) => size(`s${b}`, b)))[0]).not.to.contain("not shown");
  });

  for (const mode of ["organization", "account-list"] as const) {
    it(`plans a synthetic ${mode} organization clean`, async () => {
      const result = await runPlan({ stackFiles: synthesizeOrganization(12, mode) });
      expect(result.stacks).to.have.length(13);
      expect(result.violations).to.deep.equal([]);
      expect(result.access.filter((c) => !cellAsIntended(c))).to.deep.equal([]);
      expect(result.access.some((c) => c.scenario.includes("prefix"))).to.equal(true);
      expect(toJson(result).stacks).to.have.length(13);
    });
  }
});
