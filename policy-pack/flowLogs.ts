/** VPC flow logs that keep their meaning: a custom format holds at least the default format's fields. */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { is, T } from "./types";
import { isUnknown, rawProps } from "./unknowns";

/** The default format: the version 2 fields, in this order (VPC user guide, flow log records). */
export const DEFAULT_FLOW_LOG_FIELDS = [
  "version",
  "account-id",
  "interface-id",
  "srcaddr",
  "dstaddr",
  "srcport",
  "dstport",
  "protocol",
  "packets",
  "bytes",
  "start",
  "end",
  "action",
  "log-status",
];

/** The fields of a custom log format, `${field}` tokens separated by spaces. */
export const flowLogFields = (format: string) =>
  [...format.matchAll(/\$\{([a-z0-9-]+)\}/gi)].map((m) => m[1]);

export const flowLogDefaultFields: ResourceValidationPolicy = {
  name: "vpc-flow-log-default-fields",
  description:
    "A VPC flow log with a custom logFormat records at least the default format's fields (version 2: addresses, ports, protocol, packets, bytes, start, end, action, log-status).",
  severity: "medium",
  enforcementLevel: "mandatory",
  remediationSteps:
    "Leave logFormat unset, or start it with ${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status} and add fields after them.",
  url: "https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html#flow-logs-default",
  validateResource: (args, report) => {
    if (!is(args.type, T.flowLog)) return;
    const format = rawProps(args.props).logFormat;
    if (typeof format !== "string" || format === "" || isUnknown(format)) return;
    const fields = flowLogFields(format);
    const missing = DEFAULT_FLOW_LOG_FIELDS.filter((f) => !fields.includes(f));
    if (missing.length)
      report(
        `has a custom logFormat without ${missing.map((f) => `\${${f}}`).join(" ")}: its records cannot answer who talked to whom, when, or whether the traffic was accepted.`,
      );
  },
};
