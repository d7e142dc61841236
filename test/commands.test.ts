/**
 * Every command of package.json answers --help with its usage and does nothing else: no file written in
 * the project, nothing installed in a cache, no build started. Run as users run them, through npm.
 */
import { expect } from "chai";
import { spawn, spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { scaled } from "./helpers";

const root = path.join(__dirname, "..");
const scripts = (
  JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  }
).scripts;

/** The project's own commands: scripts that run one of its files. */
const commands = Object.entries(scripts)
  .filter(([, command]) => /^(node tools\/compiled\/(run|build)\.js|bash [\w./-]+)/.test(command))
  .map(([name]) => name);

/**
 * The other scripts run a third-party tool directly (their --help is the tool's) or are npm lifecycle
 * steps; listing them here means a new script must be classified to pass.
 */
const TOOLS: Record<string, string> = {
  test: "mocha",
  typecheck: "tsc --noEmit -p tsconfig.json",
  lint: "eslint . && prettier --check .",
  format: "prettier --write .",
  "setup:policy-pack": "npm ci --prefix policy-pack --no-audit --no-fund && npm run build:policy-pack",
  prepare: "npm run build",
};

/**
 * What the worktree holds: every file outside the build and install folders, with its hash and time of
 * modification (a rewrite with the same content is a write too).
 */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const skip = new Set(["node_modules", ".git", "dist", "bin"]);
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (skip.has(e.name)) continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile())
        out.set(
          path.relative(dir, p),
          `${crypto.createHash("sha1").update(fs.readFileSync(p)).digest("hex")} ${fs.statSync(p).mtimeMs}`,
        );
    }
  };
  walk(dir);
  return out;
}

/** A PATH without the Go toolchain: a command that starts a build despite --help fails fast instead. */
function pathWithoutGo(): string {
  return (process.env.PATH ?? "")
    .split(path.delimiter)
    .filter((d) => !fs.existsSync(path.join(d, "go")))
    .join(path.delimiter);
}

function runHelp(
  name: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; out: string; err: string; seconds: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", "--silent", name, "--", "--help"], { cwd: root, env });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => resolve({ code, out, err, seconds: (Date.now() - started) / 1000 }));
  });
}

describe("every command's --help", function () {
  this.timeout(scaled(240000));

  it("classifies every package.json script: a project command, or a tool or lifecycle step listed here", () => {
    expect(commands).to.include.members([
      "plan",
      "fleet",
      "verify",
      "docs:policies",
      "bench:engine",
      "test:package",
    ]);
    const others = Object.keys(scripts).filter((s) => !commands.includes(s));
    expect(Object.fromEntries(others.map((s) => [s, scripts[s]]))).to.deep.equal(TOOLS);
  });

  it(".ci/run's --help loop covers every project command", () => {
    const ci = fs.readFileSync(path.join(root, ".ci/run"), "utf8");
    const loop = /for command in ([^;]+); do npm run --silent "\$command" -- --help > \/dev\/null; done/.exec(
      ci,
    );
    expect(loop, ".ci/run has the --help loop").to.not.equal(null);
    expect(loop![1].trim().split(/\s+/).sort()).to.deep.equal([...commands].sort());
  });

  it("prints usage and exits 0 quickly, writing nothing, installing nothing, building nothing", async () => {
    const caches = fs.mkdtempSync(path.join(os.tmpdir(), "help-caches-"));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: pathWithoutGo(),
      XDG_CACHE_HOME: caches,
      CENTRAL_LOGGING_CACHE: path.join(caches, "central-logging"),
      CENTRAL_LOGGING_ENGINE_CACHE: path.join(caches, "engine"),
    };
    delete env.CENTRAL_LOGGING_PULUMI_ROOT;
    const before = snapshot(root);
    // Two at a time: each is a Node.js process that loads the command's modules.
    const results: [string, Awaited<ReturnType<typeof runHelp>>][] = [];
    const queue = [...commands];
    await Promise.all(
      [0, 1].map(async () => {
        for (let name = queue.shift(); name; name = queue.shift())
          results.push([name, await runHelp(name, env)]);
      }),
    );
    for (const [name, r] of results) {
      expect(r.code, `${name}: ${r.err}`).to.equal(0);
      expect(r.out, name).to.match(
        new RegExp(`^usage: npm run (--silent )?${name.replace(/[:]/g, "\\$&")}\\b`),
      );
      expect(r.err, name).to.equal("");
      expect(r.seconds, `${name} --help took ${r.seconds} s`).to.be.below(scaled(15));
    }
    expect(fs.readdirSync(caches), "nothing cached or installed").to.deep.equal([]);
    const after = snapshot(root);
    const changed = [...new Set([...before.keys(), ...after.keys()])].filter(
      (f) => before.get(f) !== after.get(f),
    );
    expect(changed, "files written by --help").to.deep.equal([]);
  });

  it("refuses an unknown option in one line with exit 2, before doing anything", () => {
    for (const name of [
      "docs:policies",
      "bench:engine",
      "test:engine",
      "test:verify",
      "test:package",
      "lint:workflows",
    ]) {
      const r = spawnSync("npm", ["run", "--silent", name, "--", "--bogus"], {
        cwd: root,
        encoding: "utf8",
        env: { ...process.env, PATH: pathWithoutGo() },
      });
      expect(r.status, name).to.equal(2);
      expect(r.stderr.trim().split("\n"), name).to.have.length(1);
      expect(r.stderr, name).to.contain("--bogus: unknown option; see --help");
    }
  });
});
