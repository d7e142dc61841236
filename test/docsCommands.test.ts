/**
 * The docs' command lines and npm's banner: `npm run` prints two lines of its own on standard output
 * ("> central-logging@0.1.0 plan", "> ts-node ..."), so a command whose standard output is piped,
 * redirected or asked for with `-` must run as `npm run --silent`, and the docs show reports written with
 * the FILE options instead (README, "Try it in a minute").
 */
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

const root = path.join(__dirname, "..");
const DOCS = [
  "README.md",
  "docs/operations.md",
  "docs/configuration.md",
  "docs/policies.md",
  "policy-pack/README.md",
];

/** Every command line the docs show: fenced shell blocks line by line, and inline code spans. */
function docCommands(text: string): string[] {
  const fenced: string[] = [];
  const rest = text.replace(/```(\w*)\n([\s\S]*?)```/g, (_, language: string, body: string) => {
    if (["", "sh", "bash", "shell"].includes(language)) fenced.push(...body.split("\n"));
    return "";
  });
  const spans = [...rest.matchAll(/`([^`]+)`/g)].map((m) => m[1].replace(/\s*\n\s*/g, " "));
  return [...fenced, ...spans].filter((c) => /\bnpm run\b/.test(c));
}

/** Why a command line needs `npm run --silent`, if it does: its standard output goes to a machine. */
export function stdoutUse(command: string): string | undefined {
  // Placeholders and usage notation (<a|b>, (--x | --y), [options]) are not shell.
  const plain = command.replace(/<[^>]*>|\([^)]*\|[^)]*\)|\[[^\]]*\]/g, "X").replace(/'[^']*'|"[^"]*"/g, "S");
  const after = plain.slice(plain.search(/\bnpm run\b/));
  if (/\s(>>?|\|)\s/.test(after)) return "its standard output is redirected or piped";
  if (/\s--(json|markdown)\s+-(\s|$)/.test(after)) return "it writes a report to standard output (-)";
  return undefined;
}

describe("the docs' command lines and npm's banner", () => {
  it("run a command as npm run --silent wherever its standard output is piped, redirected or '-'", () => {
    let checked = 0;
    for (const file of DOCS)
      for (const command of docCommands(fs.readFileSync(path.join(root, file), "utf8"))) {
        checked++;
        const why = stdoutUse(command);
        if (why) expect(command, `${file}: ${why}`).to.match(/\bnpm run --silent\b/);
      }
    const workflows = fs.readdirSync(path.join(root, ".github/workflows"));
    for (const file of workflows) {
      const doc = parse(fs.readFileSync(path.join(root, ".github/workflows", file), "utf8"));
      for (const job of Object.values(doc.jobs as Record<string, { steps?: { run?: string }[] }>))
        for (const step of job.steps ?? [])
          for (const line of (step.run ?? "").split("\n").filter((l) => /\bnpm run\b/.test(l))) {
            checked++;
            const why = stdoutUse(line);
            if (why) expect(line, `${file}: ${why}`).to.match(/\bnpm run --silent\b/);
          }
    }
    expect(checked).to.be.greaterThan(40);
  });

  it("show siem-config writing its configuration with --out, as they show the other reports with FILE", () => {
    for (const file of DOCS)
      for (const command of docCommands(fs.readFileSync(path.join(root, file), "utf8")).filter((c) =>
        /npm run (--silent )?siem-config -- --siem/.test(c),
      ))
        expect(command, file).to.match(/--out \S+/);
  });

  it("are right about the banner: without --silent, npm's lines come before the JSON on standard output", function () {
    this.timeout(120000);
    const run = (args: string[]) =>
      spawnSync("npm", ["run", ...args], { cwd: root, encoding: "utf8", maxBuffer: 1 << 26 });
    const loud = run(["plan", "--", "--json", "-", "--quiet"]);
    expect(loud.status).to.equal(0);
    expect(loud.stdout.split("\n")[1]).to.match(/^> central-logging@[\d.]+ plan$/);
    expect(() => JSON.parse(loud.stdout)).to.throw();
    const silent = run(["--silent", "plan", "--", "--json", "-", "--quiet"]);
    expect(Object.keys(JSON.parse(silent.stdout))).to.deep.equal([
      "stacks",
      "violations",
      "access",
      "policySizes",
    ]);
  });

  it("recognise the lines that need it", () => {
    expect(stdoutUse("npm run plan -- --json - > x.json")).to.be.a("string");
    expect(stdoutUse("npm run verify -- --outputs o.json --markdown - | tee r.md")).to.be.a("string");
    expect(stdoutUse('npm run stack-access -- central preview >> "$GITHUB_OUTPUT"')).to.be.a("string");
    expect(
      stdoutUse("npm run siem-config -- --siem <splunk|elastic> --outputs o.json --out s.conf"),
    ).to.equal(undefined);
    expect(stdoutUse("npm run plan -- --json plan.json --markdown report.md")).to.equal(undefined);
    expect(stdoutUse("npm run verify -- (--outputs FILE | --stack NAME) [options]")).to.equal(undefined);
  });
});

describe("README: Deploy for real", () => {
  it("logs in to a backend, creates each stack with its secrets provider, and only then sets a secret", () => {
    const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
    const section = readme.split(/^## /m).find((s) => s.startsWith("Deploy for real"))!;
    const at = (pattern: RegExp) => {
      const i = section.search(pattern);
      expect(i, String(pattern)).to.be.at.least(0);
      return i;
    };
    const login = at(/`pulumi login`/);
    at(/`pulumi login s3:\/\/<state-bucket>`/);
    const init = at(/`pulumi stack init /);
    const provider = at(/--secrets-provider "awskms:\/\/alias\/<key>\?region=<region>"/);
    at(/PULUMI_CONFIG_PASSPHRASE/);
    const secret = at(/`pulumi config set [^`]*--secret /);
    const up = at(/`pulumi up --stack central`/);
    expect([login, init, provider, secret, up]).to.deep.equal(
      [...[login, init, provider, secret, up]].sort((a, b) => a - b),
    );
  });
});
