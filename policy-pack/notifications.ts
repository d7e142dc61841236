/**
 * Log bucket notifications that announce every new log object. S3 filters are literal prefixes and
 * suffixes without wildcards, and log keys start with AWSLogs/<account>/, so any filter picks accounts,
 * Regions or file types; the others' files never reach the SIEM, and nothing reports it.
 */
import { StackValidationPolicy } from "@pulumi/policy";
import { asArray, list } from "./documents";
import { describe, logBuckets } from "./model";
import { isUnknown } from "./unknowns";

/** The ObjectCreated event types; together they are what s3:ObjectCreated:* stands for. */
const OBJECT_CREATED = [
  "s3:ObjectCreated:Put",
  "s3:ObjectCreated:Post",
  "s3:ObjectCreated:Copy",
  "s3:ObjectCreated:CompleteMultipartUpload",
];

/** The ObjectCreated event types a destination's events leave out. */
export function missingCreatedEvents(events: string[]): string[] {
  if (events.includes("s3:ObjectCreated:*")) return [];
  return OBJECT_CREATED.filter((e) => !events.includes(e));
}

const DESTINATIONS: [string, string, string][] = [
  ["queues", "queueArn", "queue"],
  ["topics", "topicArn", "topic"],
  ["lambdaFunctions", "lambdaFunctionArn", "function"],
];

export const s3LogNotificationEveryObject: StackValidationPolicy = {
  name: "s3-log-notification-every-object",
  description:
    "A log bucket's event notifications announce every new object: no filterPrefix or filterSuffix, and the events include s3:ObjectCreated:* (staging buckets that replicate elsewhere excepted).",
  severity: "high",
  enforcementLevel: "mandatory",
  remediationSteps:
    'Remove filterPrefix and filterSuffix and set events: ["s3:ObjectCreated:*"]; let the SIEM skip the keys it does not want (digest files, test events) by its own key pattern.',
  url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-filtering.html",
  validateStack: (args, report) => {
    for (const v of logBuckets(args.resources)) {
      if (v.replication.length) continue; // staging: the archive announces the replicas
      for (const n of v.notifications)
        for (const [prop, arnKey, kind] of DESTINATIONS)
          asArray<any>(n.props[prop]).forEach((d, i) => {
            if (!d || isUnknown(d)) return;
            const target =
              typeof d[arnKey] === "string" && !isUnknown(d[arnKey]) ? d[arnKey] : `${prop}[${i}]`;
            const filters = [
              ...(d.filterPrefix ? [`filterPrefix "${d.filterPrefix}"`] : []),
              ...(d.filterSuffix ? [`filterSuffix "${d.filterSuffix}"`] : []),
            ];
            if (filters.length && !filters.some(isUnknown))
              report(
                `${describe(v)}: notification to ${kind} ${target} has ${filters.join(" and ")}: log objects outside it are never announced to the SIEM.`,
                v.urn,
              );
            if (isUnknown(d.events)) return;
            const missing = missingCreatedEvents(list(d.events));
            if (missing.length)
              report(
                `${describe(v)}: notification to ${kind} ${target} announces only ${list(d.events).join(", ") || "no event"}, not s3:ObjectCreated:* (missing ${missing.join(", ")}): log objects written that way are never announced to the SIEM.`,
                v.urn,
              );
          });
    }
  },
};
