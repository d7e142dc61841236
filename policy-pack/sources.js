/**
 * Which files the pack is compiled from, and their digest. `bin/` holds the pack compiled by tsc (in this
 * repository, `npm run setup:policy-pack`), stamped with the digest of the sources it was built from; the
 * entry point (main.js) runs it only while the sources still have that digest. A content digest, not
 * file times: git checkouts and `npm pack` (which `pulumi policy publish` runs) rewrite times.
 *
 * Plain CommonJS, with no dependency: it runs before anything is compiled.
 */
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

/** The file bin/ records its sources' digest in. */
const STAMP = path.join("bin", ".sources-sha256");

/** SHA-256 over each file's path (relative to `root`, with /) and content, in path order. */
function digestOf(root, files) {
  const hash = crypto.createHash("sha256");
  for (const file of [...files].map((f) => path.relative(root, f).split(path.sep).join("/")).sort()) {
    hash.update(`${file}\0`);
    hash.update(fs.readFileSync(path.join(root, file)));
    hash.update("\0");
  }
  return hash.digest("hex");
}

/**
 * The pack's sources: tsconfig.json and every TypeScript file of the folder and its subfolders but
 * node_modules and bin (the pack imports nothing outside its folder; a test holds this list to what tsc
 * compiles).
 */
function packSources(dir) {
  const found = [path.join(dir, "tsconfig.json")];
  const walk = (folder) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        if (folder === dir && (entry.name === "node_modules" || entry.name === "bin")) continue;
        if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
        walk(full);
      } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) found.push(full);
    }
  };
  walk(dir);
  return found;
}

/** Whether bin/ was compiled from the pack's sources as they are now. */
function compiledIsCurrent(dir) {
  let stamp;
  try {
    stamp = fs.readFileSync(path.join(dir, STAMP), "utf8").trim();
  } catch {
    return false;
  }
  return stamp === digestOf(dir, packSources(dir));
}

module.exports = { STAMP, digestOf, packSources, compiledIsCurrent };
