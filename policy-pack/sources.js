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

/** The pack's sources: its TypeScript files (the folder has no import outside itself) and tsconfig.json. */
function packSources(dir) {
  return [
    path.join(dir, "tsconfig.json"),
    ...fs
      .readdirSync(dir)
      .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
      .map((f) => path.join(dir, f)),
  ];
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
