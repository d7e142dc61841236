/**
 * What dist/ is compiled from: the files tsconfig.build.json includes, plus the tsconfig files
 * themselves. `npm run build` stamps dist/ with their digest (policy-pack/sources.js computes it the
 * same way); tools/compiled/run.js runs dist/ only while the sources still have that digest.
 *
 * Plain CommonJS with no dependency: it runs before anything is compiled.
 */
"use strict";
const fs = require("fs");
const path = require("path");
const { digestOf } = require("../../policy-pack/sources");

const ROOT = path.join(__dirname, "..", "..");
const DIST = path.join(ROOT, "dist");
/** The file dist/ records its sources' digest in. */
const STAMP = path.join(DIST, ".sources-sha256");

/** TypeScript files of a folder, recursively when `deep`, never in node_modules. */
function tsFiles(dir, deep) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (deep && e.name !== "node_modules") out.push(...tsFiles(p, deep));
    } else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

/**
 * The sources of dist/: tsconfig.build.json's include patterns expanded (the forms it uses: a file,
 * `dir/*.ts` and `dir/**\/*.ts`; any other form is refused, so this list cannot silently fall behind).
 */
function buildSources(root = ROOT) {
  const config = JSON.parse(fs.readFileSync(path.join(root, "tsconfig.build.json"), "utf8"));
  const files = [path.join(root, "tsconfig.json"), path.join(root, "tsconfig.build.json")];
  for (const pattern of config.include) {
    const deep = /^([\w./-]+)\/\*\*\/\*\.ts$/.exec(pattern);
    const flat = /^([\w./-]+)\/\*\.ts$/.exec(pattern);
    if (deep) files.push(...tsFiles(path.join(root, deep[1]), true));
    else if (flat) files.push(...tsFiles(path.join(root, flat[1]), false));
    else if (/^[\w./-]+\.ts$/.test(pattern)) files.push(path.join(root, pattern));
    else
      throw new Error(
        `tsconfig.build.json: include: ${pattern}: not a form tools/compiled/sources.js expands`,
      );
  }
  return files;
}

/** Whether dist/ was compiled from the sources as they are now. */
function distIsCurrent(root = ROOT) {
  let stamp;
  try {
    stamp = fs.readFileSync(path.join(root, "dist", ".sources-sha256"), "utf8").trim();
  } catch {
    return false;
  }
  return stamp === digestOf(root, buildSources(root));
}

module.exports = { ROOT, DIST, STAMP, buildSources, distIsCurrent };
