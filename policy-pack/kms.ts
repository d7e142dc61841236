/** KMS key policies: rotation of symmetric customer managed keys. */
import { ResourceValidationPolicy } from "@pulumi/policy";

const KEY = "aws:kms/key:Key";

export const kmsKeyRotationEnabled: ResourceValidationPolicy = {
  name: "kms-key-rotation-enabled",
  description: "Symmetric KMS customer managed keys rotate their key material automatically.",
  severity: "high",
  enforcementLevel: "mandatory",
  remediationSteps: "Set `enableKeyRotation: true` on the aws.kms.Key.",
  url: "https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html",
  validateResource: (args, report) => {
    if (args.type !== KEY) return;
    const spec = args.props.customerMasterKeySpec ?? args.props.keySpec ?? "SYMMETRIC_DEFAULT";
    if (spec !== "SYMMETRIC_DEFAULT") return;
    if (args.props.enableKeyRotation !== true)
      report("automatic key rotation is off (enableKeyRotation is not true).");
  },
};

export const kmsKeyRotationPeriod: ResourceValidationPolicy = {
  name: "kms-key-rotation-period",
  description: "Symmetric KMS keys rotate at least as often as the configured maximum period.",
  severity: "medium",
  enforcementLevel: "mandatory",
  remediationSteps: "Set `rotationPeriodInDays` to at most the configured maximum (default 365).",
  url: "https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKeyRotation.html",
  configSchema: {
    properties: { maxRotationDays: { type: "integer", minimum: 90, maximum: 2560, default: 365 } },
  },
  validateResource: (args, report) => {
    if (args.type !== KEY || args.props.enableKeyRotation !== true) return;
    // Schema defaults are applied by the CLI only; read config defensively.
    const { maxRotationDays = 365 } = args.getConfig<{ maxRotationDays?: number }>();
    const period = args.props.rotationPeriodInDays ?? 365;
    if (period > maxRotationDays)
      report(`rotationPeriodInDays is ${period}; the maximum allowed is ${maxRotationDays}.`);
  },
};
