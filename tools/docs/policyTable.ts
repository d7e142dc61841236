/**
 * Generates the rule table of policy-pack/README.md from the policies' own metadata. Run with
 * `npm run docs:policies`; test/policyTable.test.ts fails when the committed table is stale.
 */
import * as fs from "fs";
import * as path from "path";
import { policies } from "../../policy-pack/policies";
import { WHY } from "../../policy-pack/rationale";

export const README = path.join(__dirname, "..", "..", "policy-pack", "README.md");
const BEGIN = "<!-- BEGIN GENERATED RULE TABLE (npm run docs:policies) -->";
const END = "<!-- END GENERATED RULE TABLE -->";

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function ruleTable(): string {
  const rows = policies.map((p) => {
    const kind = "validateStack" in p ? "stack" : "resource";
    return `| \`${p.name}\` | ${p.severity} | ${p.enforcementLevel} | ${kind} | ${cell(p.description)} | ${cell(WHY[p.name] ?? "")} | [AWS docs](${p.url}) |`;
  });
  return [
    "| rule | severity | default level | scope | what it checks | why | source |",
    "|---|---|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}

export function renderReadme(current: string): string {
  const start = current.indexOf(BEGIN);
  const end = current.indexOf(END);
  if (start < 0 || end < 0) throw new Error(`${README} lacks the generated-table markers`);
  return `${current.slice(0, start + BEGIN.length)}\n${ruleTable()}\n${current.slice(end)}`;
}

if (require.main === module) {
  const current = fs.readFileSync(README, "utf8");
  fs.writeFileSync(README, renderReadme(current));
  console.log(`wrote ${policies.length} rules to ${path.relative(process.cwd(), README)}`);
}
