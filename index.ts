/**
 * Entry point of the `central-logging` Pulumi project. The stack's `central-logging:role` config says
 * which program runs: the log-archive account's (`central`) or a workload account's (`member`).
 */
import { runCentral } from "./central/program";
import { runMember } from "./member/program";
import { loadStackConfig } from "./shared/config";

export = async () => {
  const config = loadStackConfig();
  return config.role === "central" ? runCentral(config) : runMember(config);
};
