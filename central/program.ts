/** The central stack's program: one LogArchive, exported under the output contract's names. */
import { CentralConfig } from "../shared/config";
import { ARCHIVE_OUTPUT, EXTERNAL_ID_OUTPUT } from "../shared/contract";
import { LogArchive } from "./logArchive";

export function runCentral(config: CentralConfig) {
  const archive = new LogArchive("archive", { config });
  return { [ARCHIVE_OUTPUT]: archive.outputs, [EXTERNAL_ID_OUTPUT]: archive.siemExternalId };
}
