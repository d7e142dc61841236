/**
 * Generates the tables that are data in code: the pack's rule table (policy-pack/README.md), the
 * request-context table and policy extensions (docs/policies.md), and the verifier's IAM policy for the
 * example organization (docs/operations.md). Run with `npm run docs:policies`; test/policyTable.test.ts
 * fails when a committed table is stale.
 */
import * as fs from "fs";
import * as path from "path";
import { archiveContext } from "../../central/archiveContext";
import { verifierPermissionsPolicy, verifierScopeOfArchive } from "../../central/verifierPolicies";
import { policies } from "../../policy-pack/policies";
import { WHY } from "../../policy-pack/rationale";
import { EXTENSION_INFO, EXTENSIONS } from "../../shared/extensions";
import { CentralConfig, parseStackConfig } from "../../shared/config";
import { REQUEST_CONTEXTS } from "../../shared/requestContexts";
import { readStackFile } from "../simulation/stackFiles";
import { PROJECT_ROOT } from "../common/root";

const ROOT = PROJECT_ROOT;
export const README = path.join(ROOT, "policy-pack", "README.md");
export const POLICIES_DOC = path.join(ROOT, "docs", "policies.md");
export const OPERATIONS_DOC = path.join(ROOT, "docs", "operations.md");

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

export function requestContextTable(): string {
  const rows = REQUEST_CONTEXTS.map((r) => {
    const keys = r.keys
      .map((k) => {
        const notes = [
          k.evidence,
          ...(k.optIn ? [`used only with \`${k.optIn}\``] : []),
          ...(k.optional ? ["may be absent"] : []),
          ...(k.when ? [`when ${k.when}`] : []),
        ];
        return `\`${k.key}\` (${notes.join(", ")}) [source](${k.source.url})`;
      })
      .join("<br>");
    const absent = (r.absent ?? [])
      .map(
        (n) =>
          `\`${n.key}\` (${n.evidence === "documented" ? "documented as not supported" : n.evidence === "reported" ? "reported missing" : "unknown: not settled"}) [source](${n.source.url})`,
      )
      .join("<br>");
    return `| \`${r.principal}\` | ${r.actions.map((a) => `\`${a}\``).join(", ")} | ${cell(r.what)} | ${keys} | ${absent || "–"} |`;
  });
  return [
    "| principal | actions | what | keys it sends, by evidence | keys not to rely on |",
    "|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}

export function extensionTable(): string {
  return [
    "| extension | what it changes | risk if AWS behaves otherwise | why it is not the default |",
    "|---|---|---|---|",
    ...EXTENSIONS.map(
      (e) =>
        `| \`${e}\` | ${cell(EXTENSION_INFO[e].changes)} | ${cell(EXTENSION_INFO[e].risk)} | ${cell(EXTENSION_INFO[e].evidence)} |`,
    ),
  ].join("\n");
}

/** Replaces the text between `<!-- BEGIN GENERATED <name> ... -->` and `<!-- END GENERATED <name> -->`. */
export function replaceBlock(current: string, name: string, body: string, file: string): string {
  const begin = new RegExp(`<!-- BEGIN GENERATED ${name}[^>]*-->`);
  const end = `<!-- END GENERATED ${name} -->`;
  const m = begin.exec(current);
  const stop = current.indexOf(end);
  if (!m || stop < 0) throw new Error(`${file} lacks the markers of the generated ${name}`);
  return `${current.slice(0, m.index + m[0].length)}\n${body}\n${current.slice(stop)}`;
}

export function renderReadme(current: string): string {
  return replaceBlock(current, "RULE TABLE", ruleTable(), README);
}

export function renderPoliciesDoc(current: string): string {
  const withContexts = replaceBlock(current, "REQUEST CONTEXTS", requestContextTable(), POLICIES_DOC);
  return replaceBlock(withContexts, "EXTENSIONS", extensionTable(), POLICIES_DOC);
}

/** The verifier's policy for the example organization (Pulumi.central.yaml), the key ID left to fill in. */
export function exampleVerifierPolicy(): string {
  const file = readStackFile(path.join(ROOT, "Pulumi.central.yaml"));
  const config = parseStackConfig(file.stack, file.raw) as CentralConfig;
  const keyArn = `arn:${config.partition}:kms:${config.region}:${config.accountId}:key/<key-id>`;
  const doc = verifierPermissionsPolicy(verifierScopeOfArchive(archiveContext(config), keyArn));
  return ["```json", JSON.stringify(doc, null, 2), "```"].join("\n");
}

export function renderOperationsDoc(current: string): string {
  return replaceBlock(current, "VERIFIER POLICY", exampleVerifierPolicy(), OPERATIONS_DOC);
}

export const USAGE = `usage: npm run docs:policies

  Regenerates the tables that are data in code: the pack's rule table (policy-pack/README.md), the
  request contexts and policy extensions (docs/policies.md), and the verifier's policy for the example
  organization (docs/operations.md). test/policyTable.test.ts fails when a committed table is stale.

  --help   this text`;

function main(argv: string[]) {
  if (argv.includes("--help") || argv.includes("-h")) return void process.stdout.write(`${USAGE}\n`);
  if (argv.length) {
    process.stderr.write(`docs:policies: (command line): ${argv[0]}: unknown option; see --help\n`);
    process.exitCode = 2;
    return;
  }
  fs.writeFileSync(OPERATIONS_DOC, renderOperationsDoc(fs.readFileSync(OPERATIONS_DOC, "utf8")));
  fs.writeFileSync(README, renderReadme(fs.readFileSync(README, "utf8")));
  fs.writeFileSync(POLICIES_DOC, renderPoliciesDoc(fs.readFileSync(POLICIES_DOC, "utf8")));
  console.log(
    `wrote ${policies.length} rules to ${path.relative(process.cwd(), README)}, ` +
      `${REQUEST_CONTEXTS.length} request contexts and ${EXTENSIONS.length} extensions to ${path.relative(process.cwd(), POLICIES_DOC)}, ` +
      `the verifier's policy to ${path.relative(process.cwd(), OPERATIONS_DOC)}`,
  );
}

if (require.main === module) main(process.argv.slice(2));
