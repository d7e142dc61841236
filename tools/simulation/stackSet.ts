/**
 * The stack files a command plans or runs, checked together before anything runs: every file validated,
 * each member's centralStack resolved, and names that would collide in AWS. Every problem is one line, and
 * all of them are reported in one run (with 150 stack files, one error per run is a long loop).
 */
import { ConfigError, parseStackConfig, StackConfig } from "../../shared/config";
import { PROJECT } from "../../shared/naming";
import { UsageError } from "../common/cli";
import { collisions, missingTrails } from "./collisions";
import { StackFile } from "./stackFiles";

export interface CheckedStack {
  file: StackFile;
  config: StackConfig;
}

export interface StackSetOptions {
  /** The Pulumi organization of the stack names (`--org`); default: the one the members' centralStack names. */
  organization?: string;
  /** Problems found while reading the files (unreadable or misnamed files), reported with the others. */
  problems?: string[];
  /**
   * What a member's centralStack may name: "in-set", a central stack among these files (the plan, which
   * simulates it); "in-folder-if-any", a central stack of the folder when it has one, else any (the fleet,
   * whose members may read a central stack kept in another folder or repository).
   */
  centralStacks: "in-set" | "in-folder-if-any";
  /** Every stack file of the folder, when only some are checked (the fleet's --stacks); default: the same. */
  folder?: StackFile[];
}

const centralKey = `"${PROJECT}:centralStack"`;

/**
 * Validates every stack file and the set as a whole. Returns the stacks with their configs and the Pulumi
 * organization of their names; throws a UsageError listing every problem.
 */
export function checkStackSet(
  files: StackFile[],
  options: StackSetOptions,
): { stacks: CheckedStack[]; organization: string } {
  const problems = [...(options.problems ?? [])];
  const stacks: CheckedStack[] = [];
  for (const file of files) {
    try {
      stacks.push({ file, config: parseStackConfig(file.stack, file.raw) });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems.push(`${file.file}: ${e.message}`);
    }
  }
  const centralOf = (s: CheckedStack) =>
    s.config.role === "member" ? s.config.settings.centralStack : undefined;
  const members = stacks.filter((s) => centralOf(s));
  const where = (s: CheckedStack) => `${s.file.file}: stack "${s.file.stack}": config key ${centralKey}`;

  // One organization for every stack name: --org, or the first member's.
  const first = members[0];
  const organization = options.organization ?? (first ? centralOf(first)!.split("/")[0] : "organization");
  // Roles as the files say, valid or not: a member of a broken central stack gets no second error.
  const roleOf = new Map((options.folder ?? files).map((f) => [f.stack, f.raw[`${PROJECT}:role`]]));
  const centrals = [...roleOf].filter(([, role]) => role === "central").map(([name]) => name);
  const expected = centrals.length ? `the central stack (${centrals.join(", ")})` : "a central stack";
  for (const m of members) {
    const [org, project, stack] = centralOf(m)!.split("/");
    if (org !== organization)
      problems.push(
        options.organization
          ? `${where(m)}: names the Pulumi organization ${org}, but --org is ${organization}; expected ${organization}/${PROJECT}/<central stack>`
          : `${where(m)}: names the Pulumi organization ${org}, and ${first.file.file} names ${organization}; expected one organization for every member, or give --org`,
      );
    else if (project !== PROJECT)
      problems.push(
        `${where(m)}: names the project ${project}; expected a stack of this project, ${org}/${PROJECT}/<central stack>`,
      );
    else if (roleOf.has(stack) && roleOf.get(stack) !== "central")
      problems.push(
        `${where(m)}: names ${stack}, which is not a central stack (Pulumi.${stack}.yaml has role ${roleOf.get(stack) ?? "unset"}); expected ${expected}`,
      );
    else if (!roleOf.has(stack) && (options.centralStacks === "in-set" || centrals.length))
      problems.push(
        `${where(m)}: names ${stack}, which has no Pulumi.${stack}.yaml here; expected ${expected}`,
      );
  }
  const placed = stacks.map((s) => ({ file: s.file.file, config: s.config }));
  problems.push(...collisions(placed), ...missingTrails(placed));
  if (problems.length) throw new UsageError(...problems);
  return { stacks, organization };
}
