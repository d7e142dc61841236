/**
 * The pack's entry point for the Pulumi CLI. Only this file constructs the PolicyPack (which reads
 * package.json from the working directory and starts a gRPC server); tests and tools import
 * `./policies` instead.
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("central-logging", { policies, enforcementLevel: "advisory" });
