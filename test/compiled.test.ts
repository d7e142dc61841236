/**
 * The compiled commands and the compiled policy pack run only while they match their sources: a stale
 * build is never run, only skipped for the slower TypeScript (tools/compiled/run.js, policy-pack/main.js).
 */
import { expect } from "chai";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { scaled } from "./helpers";

const root = path.join(__dirname, "..");
const { buildSources } = require("../tools/compiled/sources") as { buildSources(root?: string): string[] };
const pack = require("../policy-pack/sources") as {
  STAMP: string;
  digestOf(root: string, files: string[]): string;
  packSources(dir: string): string[];
};

/** Runs Node.js (this test's, 24) and returns its exit status and output. */
const node = (args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) =>
  spawnSync(process.execPath, args, {
    ...options,
    env: { ...process.env, npm_lifecycle_event: "", ...options.env },
    encoding: "utf8",
  });

/**
 * A project in a temporary folder with this one's launcher and node_modules: a command tools/hello.ts
 * that prints "typescript", its compiled form printing "compiled", stamped as `npm run build` would.
 */
function helloProject(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "compiled-"));
  for (const f of ["tools/compiled/run.js", "tools/compiled/sources.js", "policy-pack/sources.js"]) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.copyFileSync(path.join(root, f), path.join(dir, f));
  }
  fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"));
  fs.writeFileSync(
    path.join(dir, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { module: "commonjs" } }),
  );
  fs.writeFileSync(path.join(dir, "tsconfig.build.json"), JSON.stringify({ include: ["tools/**/*.ts"] }));
  fs.writeFileSync(
    path.join(dir, "tools/hello.ts"),
    'const who: string = "typescript";\nconsole.log(who, process.argv.slice(2).join(" "), require.main === module);\n',
  );
  fs.mkdirSync(path.join(dir, "dist/tools"), { recursive: true });
  fs.writeFileSync(
    path.join(dir, "dist/tools/hello.js"),
    'console.log("compiled", process.argv.slice(2).join(" "), require.main === module);\n',
  );
  fs.writeFileSync(path.join(dir, "dist/.sources-sha256"), `${pack.digestOf(dir, buildSources(dir))}\n`);
  return dir;
}

describe("compiled commands and pack", function () {
  this.timeout(scaled(120000));

  it("stamp dist/ with the digest of every file tsc compiles into it", () => {
    const listed = spawnSync(
      process.execPath,
      [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json", "--listFilesOnly"],
      { cwd: root, encoding: "utf8", maxBuffer: 1 << 26 },
    );
    expect(listed.status, listed.stderr).to.equal(0);
    const own = listed.stdout
      .split("\n")
      .map((f) => f.trim())
      .filter((f) => f && !f.includes("/node_modules/"))
      .map((f) => path.resolve(f));
    expect(own.length).to.be.greaterThan(50);
    const digested = new Set(buildSources().map((f) => path.resolve(f)));
    expect(own.filter((f) => !digested.has(f))).to.deep.equal([]);
  });

  it("run the compiled command while it matches its sources, as the process's main module with its arguments", () => {
    const dir = helloProject();
    const r = node(["tools/compiled/run.js", "tools/hello.ts", "a", "b"], { cwd: dir });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.equal("compiled a b true\n");
  });

  it("run the TypeScript once a source changed, and with the command's debug variable", () => {
    const dir = helloProject();
    const debug = node(["tools/compiled/run.js", "tools/hello.ts", "x"], {
      cwd: dir,
      env: { HELLO_DEBUG: "1" },
    });
    expect(debug.stdout, debug.stderr).to.equal("typescript x true\n");
    // npm names the command by its script: `npm run plan` reads PLAN_DEBUG.
    const script = node(["tools/compiled/run.js", "tools/hello.ts"], {
      cwd: dir,
      env: { npm_lifecycle_event: "greet", GREET_DEBUG: "1" },
    });
    expect(script.stdout, script.stderr).to.equal("typescript  true\n");
    fs.appendFileSync(path.join(dir, "tools/hello.ts"), "// edited\n");
    const stale = node(["tools/compiled/run.js", "tools/hello.ts", "y"], { cwd: dir });
    expect(stale.stdout, stale.stderr).to.equal("typescript y true\n");
    fs.rmSync(path.join(dir, "dist/.sources-sha256"));
    expect(node(["tools/compiled/run.js", "tools/hello.ts"], { cwd: dir }).stdout).to.match(/^typescript/);
  });

  it("load the pack from bin/ while it matches the pack's sources, and from its TypeScript otherwise", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "compiled-pack-"));
    for (const f of ["main.js", "sources.js", "tsconfig.json"])
      fs.copyFileSync(path.join(root, "policy-pack", f), path.join(dir, f));
    fs.writeFileSync(path.join(dir, "index.ts"), 'const from: string = "typescript";\nexport = from;\n');
    fs.mkdirSync(path.join(dir, "bin"));
    fs.writeFileSync(path.join(dir, "bin/index.js"), 'module.exports = "compiled";\n');
    const load = () =>
      node(
        [
          "-r",
          require.resolve("ts-node/register/transpile-only"),
          "-e",
          `process.stdout.write(require(${JSON.stringify(path.join(dir, "main.js"))}))`,
        ],
        { cwd: dir },
      );
    expect(load().stdout, "no stamp").to.equal("typescript");
    fs.writeFileSync(path.join(dir, pack.STAMP), `${pack.digestOf(dir, pack.packSources(dir))}\n`);
    expect(load().stdout, "stamped").to.equal("compiled");
    fs.appendFileSync(path.join(dir, "index.ts"), "// edited\n");
    expect(load().stdout, "a source edited").to.equal("typescript");
  });

  it("stamp the pack's bin/ with a digest over every file tsc compiles into it, subfolders included", () => {
    const dir = path.join(root, "policy-pack");
    const r = spawnSync(
      process.execPath,
      [require.resolve("typescript/bin/tsc"), "-p", path.join(dir, "tsconfig.json"), "--listFilesOnly"],
      { cwd: dir, encoding: "utf8" },
    );
    expect(r.status, r.stdout + r.stderr).to.equal(0);
    const compiled = r.stdout
      .split("\n")
      .map((l) => l.trim())
      .filter((f) => f && !f.includes("node_modules") && !f.endsWith(".d.ts"))
      .map((f) => path.resolve(f))
      .sort();
    expect(compiled.length).to.be.greaterThan(20);
    const listed = pack.packSources(dir).filter((f) => f.endsWith(".ts"));
    // Every file tsc compiles is in the digest (a file of the folder that nothing imports may be too).
    expect(listed.map((f) => path.resolve(f))).to.include.members(compiled);
    // A file in a subfolder counts too.
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), "pack-sources-"));
    fs.writeFileSync(path.join(copy, "tsconfig.json"), "{}");
    fs.mkdirSync(path.join(copy, "rules"));
    fs.writeFileSync(path.join(copy, "rules", "x.ts"), "export const x = 1;\n");
    const before = pack.digestOf(copy, pack.packSources(copy));
    fs.appendFileSync(path.join(copy, "rules", "x.ts"), "// edited\n");
    expect(pack.digestOf(copy, pack.packSources(copy))).not.to.equal(before);
  });

  it("start the pack as the Pulumi CLI's analyzer runner does: the folder's main, printing its port first", async () => {
    const dir = path.join(root, "policy-pack");
    expect(JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).main).to.equal("main.js");
    // The pack's own SDK after npm run setup:policy-pack, as the CLI would use; the project's otherwise
    // (npm ci alone: the pack's dependencies resolve from the project's node_modules, one folder up).
    const own = path.join(dir, "node_modules/@pulumi/pulumi/cmd/run-policy-pack");
    const runner = fs.existsSync(own)
      ? own
      : path.join(root, "node_modules/@pulumi/pulumi/cmd/run-policy-pack");
    expect(await firstLineOf([runner, "127.0.0.1:1", "."], dir)).to.match(/^\d+$/);
  });

  it("start the pack from its TypeScript too (index.ts, as before it is compiled), printing its port first", async () => {
    const dir = path.join(root, "policy-pack");
    const tsNode = require.resolve("ts-node/register/transpile-only");
    expect(await firstLineOf(["-r", tsNode, "index.ts"], dir)).to.match(/^\d+$/);
  });
});

/** Starts Node.js with `args` in `cwd` and resolves with the first line it prints (then ends it). */
function firstLineOf(args: string[], cwd: string): Promise<string> {
  const child = spawn(process.execPath, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      if (out.includes("\n")) resolve(out.split("\n")[0].trim());
    });
    child.on("exit", (code) => reject(new Error(`exited ${code}: ${stderr}`)));
  }).finally(() => child.kill());
}
