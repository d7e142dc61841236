/**
 * The project as a package other Pulumi programs install (README, "Use the components in your own
 * program"): what package.json promises. The package lane (npm run test:package) packs and installs it
 * for real; these checks are the fast part of the same contract.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { readmeSnippet } from "./package/lane";

const root = path.join(__dirname, "..");
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");

describe("the package", () => {
  it("runs nothing when installed: no preinstall, install or postinstall script, and prepare only builds", () => {
    for (const script of ["preinstall", "install", "postinstall"])
      expect(pkg.scripts, script).not.to.have.property(script);
    // npm runs prepare only where it packs (npm pack, a git dependency's clone) and on npm ci here.
    expect(pkg.scripts.prepare).to.equal("npm run build");
    // The pack's dependencies are an explicit step of the project's own setup instead.
    expect(pkg.scripts["setup:policy-pack"]).to.equal(
      "npm ci --prefix policy-pack --no-audit --no-fund && npm run build:policy-pack",
    );
    expect(fs.readFileSync(path.join(root, ".ci/run"), "utf8")).to.match(/^npm run setup:policy-pack$/m);
    expect(fs.readFileSync(path.join(root, "test/engine/run.sh"), "utf8")).to.contain(
      "npm run --silent setup:policy-pack",
    );
  });

  it("ships compiled JavaScript and declarations, built when packed, for every import the README shows", () => {
    // One build: tsconfig.build.json compiles the components and the tools; files ships the components.
    expect(pkg.scripts.build).to.equal("node tools/compiled/build.js");
    const build = JSON.parse(fs.readFileSync(path.join(root, "tsconfig.build.json"), "utf8"));
    expect(build.compilerOptions).to.deep.include({ outDir: "dist", declaration: true });
    expect(pkg.files).to.deep.equal(["dist/central/", "dist/member/", "dist/guardrails/", "dist/shared/"]);
    const imports = [...readmeSnippet(readme).matchAll(/from "central-logging\/([\w/]+)"/g)].map((m) => m[1]);
    expect(imports).to.include.members(["central/logArchive", "shared/config"]);
    for (const entry of [...imports, "member/memberLogShipping", "shared/contract"]) {
      expect(pkg.exports[`./${entry}`], entry).to.deep.equal({
        types: `./dist/${entry}.d.ts`,
        default: `./dist/${entry}.js`,
      });
      // moduleResolution node (Pulumi's TypeScript template) reads typesVersions, not exports.
      expect(pkg.typesVersions["*"][entry], entry).to.deep.equal([`dist/${entry}.d.ts`]);
      expect(fs.existsSync(path.join(root, `${entry}.ts`)), entry).to.equal(true);
    }
  });

  it("keeps this project's own program: Pulumi still loads index.ts from the project folder", () => {
    // The Node.js language host runs exports["."], else package.json's main, else require()s the folder
    // (@pulumi/pulumi cmd/run/run.js): with neither, Node finds index.ts, ts-node being registered. A main
    // would be packed (npm always ships it), and Pulumi.yaml's main would have to exist in every copy of
    // the project folder the engine lane and bench:engine make.
    expect(pkg.exports).not.to.have.property(".");
    expect(pkg).not.to.have.property("main");
    expect(parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8"))).not.to.have.property("main");
    expect(require.resolve(root)).to.equal(path.join(root, "index.ts"));
  });

  it("shares the consumer's Pulumi SDK and AWS provider: caret ranges, the installed versions within them", () => {
    for (const name of ["@pulumi/pulumi", "@pulumi/aws"]) {
      const range = pkg.dependencies[name];
      expect(range, name).to.match(/^\^\d+\.\d+\.\d+$/);
      const installed = JSON.parse(
        fs.readFileSync(path.join(root, "node_modules", name, "package.json"), "utf8"),
      ).version;
      const [major, minor] = range.slice(1).split(".").map(Number);
      const [iMajor, iMinor] = installed.split(".").map(Number);
      expect(iMajor, name).to.equal(major);
      expect(iMinor, name).to.be.at.least(minor);
    }
  });

  it("is tested by the package lane in .ci/run", () => {
    expect(pkg.scripts["test:package"]).to.equal("bash test/package/run.sh");
    expect(fs.readFileSync(path.join(root, ".ci/run"), "utf8")).to.match(/^npm run test:package$/m);
  });
});
