/**
 * Per role, the trust the stacks emit against the subjects the workflow jobs send. The jobs are read from
 * .github/workflows/*.yml (environment, triggers, the role each one assumes through npm run
 * stack-access); the subjects follow GitHub's documented formats (OpenID Connect reference: environment,
 * pull_request and ref contexts; the immutable-ID form; the customised template repo, context, ref); the
 * trusts are those `npm run stack-access -- --print-trust` prints for the preview and deploy roles, and
 * the verifier role's trust as the central stack creates it.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { GithubAccess, parseStackConfig, StackConfig } from "../shared/config";
import { PolicyDocument } from "../shared/iam";
import { stackAccess } from "../tools/ci/stackAccess";
import {
  admits,
  ciTrustPolicy,
  defaultSubject,
  githubProviderArn,
  GITHUB_AUDIENCE,
  JobRun,
  Purpose,
  ROLE_USES,
  templateSubject,
} from "../tools/ci/trust";
import { Simulator } from "../tools/simulation/simulate";
import { readStackFile } from "../tools/simulation/stackFiles";
import { find, parsed, scaled } from "./helpers";

const root = path.join(__dirname, "..");
const workflows = Object.fromEntries(
  fs
    .readdirSync(path.join(root, ".github/workflows"))
    .map((f) => [f, parse(fs.readFileSync(path.join(root, ".github/workflows", f), "utf8"))]),
);
const stackFiles = ["central", "management", "workload-web"].map((s) =>
  readStackFile(path.join(root, `Pulumi.${s}.yaml`)),
);

const CLASSIC: GithubAccess = { repository: "example-org/central-logging", subjectFormat: "classic" };
const IMMUTABLE: GithubAccess = {
  repository: "example-org/central-logging",
  subjectFormat: "immutable",
  ownerId: "123456",
  repositoryId: "456789",
};

/** The runs a workflow's triggers start, with the ref GitHub gives each (a feature branch where any may). */
function runsOf(on: Record<string, any>): Omit<JobRun, "environment">[] {
  const runs: Omit<JobRun, "environment">[] = [];
  for (const [event, settings] of Object.entries(on)) {
    if (event === "push")
      for (const branch of settings?.branches ?? ["main", "feature/x"])
        runs.push({ event, ref: `refs/heads/${branch}` });
    else if (event === "workflow_dispatch")
      // Anyone who can run workflows may dispatch from any branch.
      runs.push({ event, ref: "refs/heads/main" }, { event, ref: "refs/heads/feature/x" });
    else if (event === "schedule") runs.push({ event, ref: "refs/heads/main" });
    else if (event === "pull_request") runs.push({ event, ref: "refs/pull/7/merge" });
    else throw new Error(`a trigger this test does not model: ${event}`);
  }
  return runs;
}

/** The stacks a job's `$STACK` matrix can hold, by the output it is built from. */
const MATRIX_STACKS: Record<string, (c: StackConfig) => boolean> = {
  "${{ fromJson(needs.stacks.outputs.members) }}": (c) => c.role === "member",
  "${{ fromJson(needs.changed-stacks.outputs.stacks) }}": () => true,
};

interface Job {
  workflow: string;
  name: string;
  environment?: string;
  idToken: boolean;
  runs: JobRun[];
  /** The roles the job assumes: purpose and the stacks whose role it is. */
  assumes: { purpose: Purpose; stacks: (c: StackConfig) => boolean }[];
}

const jobs: Job[] = Object.entries(workflows).flatMap(([workflow, doc]: [string, any]) =>
  Object.entries(doc.jobs as Record<string, any>).map(([name, job]) => {
    const environment: string | undefined =
      typeof job.environment === "string" ? job.environment : job.environment?.name;
    const assumes = (job.steps ?? []).flatMap((s: any) => {
      const m = /stack-access -- ("\$STACK"|[\w.-]+) (preview|deploy|verify)\b/.exec(s.run ?? "");
      if (!m) return [];
      const stacks =
        m[1] === '"$STACK"' ? MATRIX_STACKS[job.strategy.matrix.stack] : (c: StackConfig) => c.stack === m[1];
      expect(stacks, `${workflow} ${name}: the stacks of its matrix`).to.be.a("function");
      return [{ purpose: m[2] as Purpose, stacks }];
    });
    return {
      workflow,
      name,
      environment,
      idToken: job.permissions?.["id-token"] === "write" || doc.permissions?.["id-token"] === "write",
      runs: runsOf(doc.on).map((r) => ({ ...r, environment })),
      assumes,
    };
  }),
);

async function verifierTrust(github: GithubAccess): Promise<PolicyDocument> {
  const file = stackFiles.find((f) => f.stack === "central")!;
  const verifier = JSON.parse(file.raw["central-logging:verifier"]);
  const raw = {
    ...file.raw,
    "central-logging:verifier": JSON.stringify({
      ...verifier,
      subject: templateSubject(github, { event: "schedule", ref: "refs/heads/main", environment: "verify" }),
    }),
  };
  const central = await new Simulator().runStack("central", raw);
  return parsed(find(central, "aws:iam/role:Role", "verifier").inputs.assumeRolePolicy);
}

interface Trust {
  stack: StackConfig;
  purpose: Purpose;
  doc: PolicyDocument;
}

async function trustsFor(github: GithubAccess): Promise<Trust[]> {
  const configs = stackFiles.map((f) => {
    const c = parseStackConfig(f.stack, f.raw);
    c.settings.access = { ...c.settings.access, github };
    return c;
  });
  const trusts: Trust[] = configs.flatMap((stack) =>
    (["preview", "deploy"] as const).map((purpose) => ({
      stack,
      purpose,
      doc: ciTrustPolicy(stack, purpose),
    })),
  );
  const central = configs.find((c) => c.role === "central")!;
  trusts.push({ stack: central, purpose: "verify", doc: await verifierTrust(github) });
  return trusts;
}

const token = (t: Trust, sub: string) => ({
  providerArn: githubProviderArn(t.stack),
  aud: GITHUB_AUDIENCE,
  sub,
});

describe("CI role trust against the subjects the workflow jobs send", function () {
  this.timeout(scaled(60000));

  it("models every job that assumes a role, and the table of role uses matches the workflows", () => {
    const using = jobs.filter((j) => j.assumes.length);
    expect(using.map((j) => `${j.workflow} ${j.name}`).sort()).to.deep.equal([
      "deploy.yml central",
      "deploy.yml members",
      "pull-request.yml preview",
      "verify.yml verify",
    ]);
    for (const [purpose, uses] of Object.entries(ROLE_USES))
      for (const use of uses) {
        const job = jobs.find((j) => j.workflow === use.workflow && j.name === use.job);
        expect(job, `${use.workflow} ${use.job}`).not.to.equal(undefined);
        expect(job!.environment, `${use.workflow} ${use.job}`).to.equal(use.environment);
        expect(job!.assumes.map((a) => a.purpose)).to.include(purpose);
      }
  });

  for (const github of [CLASSIC, IMMUTABLE])
    it(`${github.subjectFormat} subjects: each role admits exactly its jobs, on main (and pull requests for previews)`, async () => {
      const trusts = await trustsFor(github);
      let admitted = 0;
      for (const job of jobs)
        for (const run of job.runs) {
          const sub = templateSubject(github, run);
          for (const t of trusts) {
            const uses = job.assumes.some((a) => a.purpose === t.purpose && a.stacks(t.stack));
            const intended =
              run.event === "pull_request"
                ? job.workflow === "pull-request.yml"
                : run.ref === "refs/heads/main";
            const expected = job.idToken && uses && intended;
            expect(
              admits(t.doc, token(t, sub)),
              `${t.stack.stack} ${t.purpose} role, ${job.workflow} ${job.name} on ${run.event} ${run.ref}: ${sub}`,
            ).to.equal(expected);
            if (expected) admitted++;
          }
        }
      // central: deploy, preview (PR and verify), verifier; each member: deploy on push and dispatch, preview.
      expect(admitted).to.be.greaterThan(10);
    });

  it("the offline pull-request job cannot assume any role: no id-token permission, and no trust admits its subject", async () => {
    const offline = jobs.find((j) => j.workflow === "pull-request.yml" && j.name === "offline")!;
    expect(offline.idToken).to.equal(false);
    expect(offline.environment).to.equal(undefined);
    for (const github of [CLASSIC, IMMUTABLE]) {
      const trusts = await trustsFor(github);
      for (const run of offline.runs)
        for (const sub of [templateSubject(github, run), defaultSubject(github, run)]) {
          expect(sub).to.match(/:pull_request(:ref:refs\/pull\/7\/merge)?$/);
          for (const t of trusts)
            expect(admits(t.doc, token(t, sub)), `${t.purpose}: ${sub}`).to.equal(false);
        }
    }
  });

  it("refuses what unreviewed code can send: a pull request naming central, a dispatch or push off main, another repository, the other subject format, no template", async () => {
    const trusts = await trustsFor(IMMUTABLE);
    const privileged = trusts.filter((t) => t.purpose !== "preview");
    const attempts: [string, string][] = [];
    for (const environment of ["central", "members", "verify", "preview"]) {
      const pr = { event: "pull_request", ref: "refs/pull/7/merge", environment };
      attempts.push([
        `a pull request's own workflow with environment ${environment}`,
        templateSubject(IMMUTABLE, pr),
      ]);
      const branch = { event: "workflow_dispatch", ref: "refs/heads/feature/x", environment };
      attempts.push([`${environment} dispatched from a branch`, templateSubject(IMMUTABLE, branch)]);
      attempts.push([
        `${environment} on a pushed branch`,
        templateSubject(IMMUTABLE, { ...branch, event: "push" }),
      ]);
      const main = { event: "push", ref: "refs/heads/main", environment };
      attempts.push([`${environment} without the subject template`, defaultSubject(IMMUTABLE, main)]);
      attempts.push([`${environment} in the classic format`, templateSubject(CLASSIC, main)]);
      const other = { ...IMMUTABLE, repository: "other-org/central-logging", ownerId: "999" };
      attempts.push([`${environment} from another repository`, templateSubject(other, main)]);
      attempts.push([
        `${environment} on main with no environment`,
        templateSubject(IMMUTABLE, { event: "push", ref: "refs/heads/main" }),
      ]);
    }
    for (const [what, sub] of attempts)
      for (const t of privileged)
        expect(admits(t.doc, token(t, sub)), `${t.stack.stack} ${t.purpose}: ${what}: ${sub}`).to.equal(
          false,
        );
    // The preview role takes pull requests, in its own environment only.
    const preview = trusts.find((t) => t.purpose === "preview" && t.stack.stack === "workload-web")!;
    const pr = (environment: string) =>
      templateSubject(IMMUTABLE, { event: "pull_request", ref: "refs/pull/7/merge", environment });
    expect(admits(preview.doc, token(preview, pr("preview")))).to.equal(true);
    expect(admits(preview.doc, token(preview, pr("central")))).to.equal(false);
    // Another account's provider is not this role's.
    expect(
      admits(preview.doc, {
        ...token(preview, pr("preview")),
        providerArn: githubProviderArn(trusts[0].stack),
      }),
    ).to.equal(false);
  });

  it("--print-trust prints exactly the trust built here, and the example's verifier subject is the verify job's", () => {
    for (const f of stackFiles)
      for (const purpose of ["preview", "deploy"] as const) {
        const r = stackAccess([f.stack, purpose, "--print-trust"]);
        expect(r.code, r.err).to.equal(0);
        expect(JSON.parse(r.out)).to.deep.equal(ciTrustPolicy(parseStackConfig(f.stack, f.raw), purpose));
      }
    const verify = stackAccess(["central", "verify", "--print-trust"]);
    expect(verify.code, verify.err).to.equal(0);
    const doc = JSON.parse(verify.out);
    const sub = templateSubject(IMMUTABLE, {
      event: "schedule",
      ref: "refs/heads/main",
      environment: "verify",
    });
    const central = parseStackConfig("central", stackFiles[0].raw);
    expect(admits(doc, { providerArn: githubProviderArn(central), aud: GITHUB_AUDIENCE, sub })).to.equal(
      true,
    );
  });

  it("stack-access refuses a verifier subject the verify job does not send, and a stack without access.github", () => {
    const dir = fs.mkdtempSync(path.join(require("os").tmpdir(), "trust-"));
    const text = fs.readFileSync(path.join(root, "Pulumi.central.yaml"), "utf8");
    fs.writeFileSync(
      path.join(dir, "Pulumi.central.yaml"),
      text.replace(/subject: repo:\S+/, "subject: repo:example-org/central-logging:ref:refs/heads/main"),
    );
    const r = stackAccess(["central", "verify", "--dir", dir]);
    expect(r.code).to.equal(2);
    expect(r.err).to.match(
      /^stack-access: .*Pulumi\.central\.yaml: stack "central": config key "central-logging:verifier\.subject": expected repo:example-org@123456\/central-logging@456789:environment:verify:ref:refs\/heads\/main \(what the verify job/,
    );
    expect(r.err.trim()).not.to.contain("\n");
    fs.writeFileSync(path.join(dir, "Pulumi.central.yaml"), text.replace(/\n {4}github:\n( {6}.*\n)+/, "\n"));
    const missing = stackAccess(["central", "deploy", "--dir", dir, "--print-trust"]);
    expect(missing.code).to.equal(2);
    expect(missing.err).to.contain('config key "central-logging:access.github": is required');
  });
});
