/**
 * Every policy of the pack, side-effect free: tests and tools import this module, never index.ts.
 */
import { Policies } from "@pulumi/policy";
import { kmsKeyRotationEnabled, kmsKeyRotationPeriod } from "./kms";
import {
  kmsDecryptOnlyReaders,
  noNotPrincipalOrNotAction,
  noPublicPrincipal,
  noWildcardActions,
  servicePrincipalSourceCondition,
} from "./leastPrivilege";

export const policies: Policies = [
  kmsKeyRotationEnabled,
  kmsKeyRotationPeriod,
  noWildcardActions,
  noPublicPrincipal,
  servicePrincipalSourceCondition,
  noNotPrincipalOrNotAction,
  kmsDecryptOnlyReaders,
];
