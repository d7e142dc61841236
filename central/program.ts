/** The central stack's program: one LogArchive, exported under the output contract's names. */
import * as pulumi from "@pulumi/pulumi";
import { CentralConfig } from "../shared/config";
import { ARCHIVE_OUTPUT, EXTERNAL_ID_OUTPUT, SIEM_OUTPUT } from "../shared/contract";
import { LogArchive } from "./logArchive";

export function runCentral(config: CentralConfig, opts?: pulumi.ComponentResourceOptions) {
  const archive = new LogArchive("archive", { config }, opts);
  return {
    [ARCHIVE_OUTPUT]: archive.outputs,
    [SIEM_OUTPUT]: archive.siem,
    // Only AWS-principal trust has an external ID; an OIDC trust pins audience and subject instead.
    ...(config.settings.siem.trust === "aws" ? { [EXTERNAL_ID_OUTPUT]: archive.siemExternalId } : {}),
  };
}
