/**
 * The package lane (npm run test:package): the project as another Pulumi program gets it.
 *
 * 1. `npm pack`, whose prepare compiles dist/ with tsc; the tarball must hold only compiled JavaScript
 *    and type declarations for every `exports` entry, and no install script (npm runs prepare only when
 *    it packs: here, a git dependency's clone, or `npm ci` of this project).
 * 2. A throwaway Pulumi program in a temporary folder installs the tarball with the same @pulumi/pulumi,
 *    @pulumi/aws, typescript and ts-node versions as this project (npm install --prefer-offline: the npm
 *    cache `npm ci` filled serves them), and must end up with one copy of @pulumi/pulumi and no
 *    policy-pack install.
 * 3. Its index.ts is the README's "Use the components in your own program" snippet, as written. tsc
 *    type-checks it with the Pulumi template's moduleResolution node (typesVersions) and with node16
 *    (exports), then consumer/runner.ts runs it under Pulumi's mocks with ts-node type-checking, as
 *    `pulumi up` does, and the member component after it.
 * 4. The same project as a git dependency (git+file:// of this checkout's HEAD): npm prepares the clone
 *    (its dependencies, then prepare) and installs what it packs, the compiled components included.
 *
 * Exits 1 with the failing step on stderr.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.join(__dirname, "..", "..");
const TEMPLATES = path.join(__dirname, "consumer");
/** Scripts npm runs in the consumer's node_modules when it installs a package. */
const INSTALL_SCRIPTS = ["preinstall", "install", "postinstall"];

function step(message: string) {
  process.stdout.write(`== package lane: ${message}\n`);
}

class LaneFailure extends Error {}

function fail(message: string): never {
  throw new LaneFailure(message);
}

function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 1 << 28,
    });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    fail(`${command} ${args.join(" ")} (in ${cwd}) failed:\n${err.stdout ?? ""}${err.stderr ?? err.message}`);
  }
}

const installed = (name: string) =>
  (
    JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", name, "package.json"), "utf8")) as {
      version: string;
    }
  ).version;

/** The README's ts block under "## Use the components in your own program", as written. */
export function readmeSnippet(readme: string): string {
  const section = readme.split(/^## /m).find((s) => s.startsWith("Use the components in your own program"));
  const block = section && /```ts\n([\s\S]*?)```/.exec(section);
  if (!block) fail('README.md has no ```ts block under "## Use the components in your own program"');
  return block[1];
}

function main() {
  const started = Date.now();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "central-logging-package-"));
  try {
    step("npm pack (prepare compiles dist/)");
    fs.rmSync(path.join(ROOT, "dist"), { recursive: true, force: true });
    run("npm", ["pack", "--pack-destination", work, "--loglevel=error"], ROOT);
    const tarball = fs.readdirSync(work).find((f) => /^central-logging-.*\.tgz$/.test(f));
    if (!tarball) fail(`npm pack left no central-logging-*.tgz in ${work}`);
    const files = run("tar", ["-tzf", path.join(work, tarball)], work)
      .split("\n")
      .filter(Boolean)
      .map((f) => f.replace(/^package\//, ""));
    const stray = files.filter(
      (f) =>
        !["package.json", "README.md", "LICENSE"].includes(f) &&
        !/^dist\/(central|member|guardrails|shared)\/[\w.]+\.(js|d\.ts)$/.test(f),
    );
    if (stray.length) fail(`the tarball holds more than compiled code and declarations: ${stray.join(", ")}`);
    const manifest = JSON.parse(
      run("tar", ["-xzOf", path.join(work, tarball), "package/package.json"], work),
    );
    const scripts = INSTALL_SCRIPTS.filter((s) => manifest.scripts?.[s]);
    if (scripts.length) fail(`the package would run ${scripts.join(", ")} when installed`);
    for (const [entry, target] of Object.entries(manifest.exports as Record<string, any>)) {
      const wanted = typeof target === "string" ? [target] : [target.types, target.default];
      for (const w of wanted)
        if (!files.includes(w.replace(/^\.\//, "")))
          fail(`exports["${entry}"] names ${w}, which is not packed`);
    }
    if (manifest.exports["."])
      fail('exports has ".": Pulumi would run it instead of index.ts as this project\'s program');
    step(`${tarball}: ${files.length} files, exports ${Object.keys(manifest.exports).join(", ")}`);

    step("a throwaway Pulumi program installs the tarball (npm install --prefer-offline)");
    const consumer = path.join(work, "consumer");
    fs.mkdirSync(consumer);
    for (const f of fs.readdirSync(TEMPLATES))
      fs.copyFileSync(path.join(TEMPLATES, f), path.join(consumer, f));
    fs.writeFileSync(
      path.join(consumer, "index.ts"),
      readmeSnippet(fs.readFileSync(path.join(ROOT, "README.md"), "utf8")),
    );
    fs.writeFileSync(
      path.join(consumer, "package.json"),
      `${JSON.stringify(
        {
          name: "consumer",
          version: "0.0.0",
          private: true,
          main: "index.ts",
          dependencies: {
            "central-logging": `file:../${tarball}`,
            "@pulumi/aws": installed("@pulumi/aws"),
            "@pulumi/pulumi": installed("@pulumi/pulumi"),
          },
          devDependencies: {
            "@types/node": installed("@types/node"),
            "ts-node": installed("ts-node"),
            typescript: installed("typescript"),
          },
        },
        null,
        2,
      )}\n`,
    );
    const installStarted = Date.now();
    run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], consumer);
    const modules = path.join(consumer, "node_modules");
    if (fs.existsSync(path.join(modules, "central-logging", "node_modules", "@pulumi")))
      fail("central-logging brought its own @pulumi packages: two copies of the Pulumi runtime");
    if (fs.existsSync(path.join(modules, "central-logging", "policy-pack")))
      fail("installing central-logging installed its policy pack");
    step(`installed in ${((Date.now() - installStarted) / 1000).toFixed(1)} s`);

    // tsconfig.json is Pulumi's TypeScript template; tsc over zod 4's declarations (which the config types
    // use) needs esModuleInterop under moduleResolution node, as the README says. ts-node, which
    // pulumi up runs, reports only the program's own files and needs nothing added.
    step("tsc --noEmit: the README's snippet and the member component, moduleResolution node and node16");
    const tsc = path.join(modules, "typescript", "bin", "tsc");
    run(process.execPath, [tsc, "--noEmit", "-p", "tsconfig.tsc.json"], consumer);
    run(process.execPath, [tsc, "--noEmit", "-p", "tsconfig.node16.json"], consumer);

    step("the snippet under Pulumi's mocks (ts-node type-checks, as pulumi up does)");
    const out = run(process.execPath, ["-r", "ts-node/register", "runner.ts"], consumer);
    const { registered, memberResources } = JSON.parse(out.trim().split("\n").pop()!) as {
      registered: { type: string; name: string; inputs: Record<string, any> }[];
      memberResources: number;
    };
    const of = (type: string) => registered.filter((r) => r.type === type);
    if (!of("central-logging:central:LogArchive").some((r) => r.name === "archive"))
      fail("the snippet registered no LogArchive named archive");
    const buckets = of("aws:s3/bucket:Bucket").map((r) => r.inputs.bucket);
    for (const b of [
      "central-logs-cloudtrail-consumer-example",
      "central-logs-vpcflowlogs-consumer-example",
      "aws-waf-logs-central-consumer-example",
      "central-logs-access-consumer-example",
    ])
      if (!buckets.includes(b))
        fail(`the snippet's LogArchive created no bucket ${b} (got ${buckets.join(", ")})`);
    if (!of("aws:kms/key:Key").some((k) => k.inputs.enableKeyRotation === true))
      fail("the snippet's LogArchive created no rotating KMS key");
    if (!of("central-logging:member:MemberLogShipping").length || memberResources < 2)
      fail("the member component registered nothing");

    step("a git dependency on this checkout's HEAD (npm prepares the clone, then packs it)");
    const head = run("git", ["rev-parse", "HEAD"], ROOT).trim();
    const dirty = run("git", ["status", "--porcelain", "--untracked-files=no"], ROOT).trim() !== "";
    const gitConsumer = path.join(work, "git-consumer");
    fs.mkdirSync(gitConsumer);
    fs.writeFileSync(
      path.join(gitConsumer, "package.json"),
      `${JSON.stringify({ name: "git-consumer", version: "0.0.0", private: true, dependencies: { "central-logging": `git+file://${ROOT}#${head}`, "@pulumi/aws": installed("@pulumi/aws"), "@pulumi/pulumi": installed("@pulumi/pulumi") } }, null, 2)}\n`,
    );
    const gitStarted = Date.now();
    run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], gitConsumer);
    for (const entry of Object.keys(manifest.exports).filter((e) => e !== "./package.json")) {
      const loaded = run(
        process.execPath,
        ["-e", `console.log(typeof require("central-logging/${entry.slice(2)}"))`],
        gitConsumer,
      ).trim();
      if (loaded !== "object") fail(`the git dependency's central-logging/${entry.slice(2)} does not load`);
    }
    step(
      `installed and loaded in ${((Date.now() - gitStarted) / 1000).toFixed(1)} s${dirty ? " (HEAD: this checkout has uncommitted changes the git dependency does not see)" : ""}`,
    );
    step(
      `PASS: ${registered.length} resources registered by the installed package, in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  } catch (e) {
    if (!(e instanceof LaneFailure)) throw e;
    process.stderr.write(`test:package: ${e.message}\n`);
    process.exitCode = 1;
  } finally {
    // CENTRAL_LOGGING_KEEP_PACKAGE_LANE=1 keeps the tarball and the consumer program to look at.
    if (process.env.CENTRAL_LOGGING_KEEP_PACKAGE_LANE) process.stdout.write(`kept ${work}\n`);
    else fs.rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) main();
