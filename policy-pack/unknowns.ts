/**
 * Values that are unknown during `pulumi preview`. The policy SDK wraps props in a proxy that throws
 * when an unknown is touched, which would turn a whole policy into an advisory "cannot run during
 * preview". Instead every policy reads the raw props and decides, per value, what an unknown means.
 */
const proxy = require("@pulumi/policy/proxy") as {
  getSpecialProxyTarget: string;
  unknownBooleanValue: string;
  unknownNumberValue: string;
  unknownStringValue: string;
  unknownArrayValue: string;
  unknownAssetValue: string;
  unknownArchiveValue: string;
  unknownObjectValue: string;
};

const SENTINELS = new Set([
  proxy.unknownBooleanValue,
  proxy.unknownNumberValue,
  proxy.unknownStringValue,
  proxy.unknownArrayValue,
  proxy.unknownAssetValue,
  proxy.unknownArchiveValue,
  proxy.unknownObjectValue,
]);

/** The sentinel the engine sends for an unknown string, for tests. */
export const UNKNOWN_STRING = proxy.unknownStringValue;
export const UNKNOWN_BOOLEAN = proxy.unknownBooleanValue;

export function isUnknown(value: unknown): boolean {
  return typeof value === "string" && SENTINELS.has(value);
}

/** The props without the SDK's unknown-checking proxy (a no-op for plain objects). */
export function rawProps(props: Record<string, any>): Record<string, any> {
  return (props as any)[proxy.getSpecialProxyTarget] ?? props;
}

/** True if the value, or anything inside it, is unknown. */
export function containsUnknown(value: unknown): boolean {
  if (isUnknown(value)) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}
