/**
 * Pack config files (`--policy-pack-config`), read and validated as the Pulumi CLI validates them, before
 * any stack runs: the plan and the fleet share this.
 */
import Ajv from "ajv";
import { policies } from "../../policy-pack/policies";
import { PackConfig } from "../simulation/policyRunner";
import { PackConfigFiles, readJsonFile, UsageError } from "./cli";

const LEVELS = ["advisory", "mandatory", "remediate", "disabled"];
const ajv = new Ajv({ allErrors: false, strict: false });

/**
 * Reads a pack config and validates it as the Pulumi CLI does: each policy's settings against its
 * configSchema (a real JSON Schema validator), enforcement levels against the four the CLI knows. One
 * line naming the file, the policy and the key on the first problem.
 */
export function readPackConfig(file: string): PackConfig {
  const config = readJsonFile(file);
  if (!config || typeof config !== "object" || Array.isArray(config))
    throw new UsageError(`${file}: (root): expected a JSON object`);
  const levelError = (where: string, level: unknown) =>
    new UsageError(
      `${file}: ${where}: expected an enforcement level (${LEVELS.join(", ")}), got ${JSON.stringify(level)}`,
    );
  for (const [key, value] of Object.entries(config)) {
    if (key === "all") {
      if (!LEVELS.includes(value as string)) throw levelError("all", value);
      continue;
    }
    const p = policies.find((x) => x.name === key);
    if (!p) throw new UsageError(`${file}: ${key}: not a policy of this pack (see policy-pack/README.md)`);
    if (typeof value === "string") {
      if (!LEVELS.includes(value)) throw levelError(key, value);
      continue;
    }
    const properties = (p.configSchema?.properties ?? {}) as Record<string, object>;
    const validate = ajv.compile({
      type: "object",
      properties: { ...properties, enforcementLevel: { enum: LEVELS } },
      required: p.configSchema?.required ?? [],
      additionalProperties: false,
    });
    if (validate(value)) continue;
    const error = validate.errors![0];
    if (error.keyword === "additionalProperties") {
      const extra = (error.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys(properties);
      throw new UsageError(
        `${file}: ${key}.${extra}: not a setting of this policy (${known.length ? `its settings: ${known.join(", ")}` : "it has none"})`,
      );
    }
    if (error.keyword === "type" && error.instancePath === "")
      throw new UsageError(`${file}: ${key}: expected an enforcement level or an object of settings`);
    const setting = error.instancePath.replace(/^\//, "").replace(/\//g, ".");
    const given = setting.split(".").reduce<any>((v, k) => v?.[k], value);
    if (setting === "enforcementLevel") throw levelError(`${key}.enforcementLevel`, given);
    throw new UsageError(`${file}: ${key}.${setting}: ${error.message}, got ${JSON.stringify(given)}`);
  }
  return config as PackConfig;
}

/** Every given pack config, read and validated: the configs by role, and one line per file that fails. */
export function readPackConfigs(files: PackConfigFiles): {
  configs: Partial<Record<keyof PackConfigFiles, PackConfig>>;
  problems: string[];
} {
  const configs: Partial<Record<keyof PackConfigFiles, PackConfig>> = {};
  const problems: string[] = [];
  for (const [role, file] of Object.entries(files) as [keyof PackConfigFiles, string | undefined][]) {
    if (!file) continue;
    try {
      configs[role] = readPackConfig(file);
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      problems.push(...e.problems);
    }
  }
  return { configs, problems };
}
