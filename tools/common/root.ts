import * as fs from "fs";
import * as path from "path";

/**
 * The project's folder, whether this module runs from its TypeScript (tools/common/) or compiled
 * (dist/tools/common/, tools/compiled/run.js): the files that are not compiled (README.md, the docs,
 * policy-pack/, Pulumi.*.yaml, shell scripts) are read from here.
 */
export const PROJECT_ROOT = ((up: string) =>
  // Compiled: dist/ holds no package.json of its own (a clone in a folder named dist still finds itself).
  path.basename(up) === "dist" && !fs.existsSync(path.join(up, "package.json")) ? path.dirname(up) : up)(
  path.join(__dirname, "..", ".."),
);
