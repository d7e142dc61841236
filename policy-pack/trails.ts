/**
 * Trails that log less than they claim: a trail that is not logging, event selectors that leave out
 * management events, and a member that declares the organization trail while its trail covers only
 * its own account.
 */
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { asArray, list } from "./documents";
import { is, T } from "./types";
import { containsUnknown, isUnknown, rawProps } from "./unknowns";

const CLOUDTRAIL_1 =
  "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudtrail-controls.html#cloudtrail-1";

export const cloudTrailLoggingEnabled: ResourceValidationPolicy = {
  name: "cloudtrail-logging-enabled",
  description: "CloudTrail trails are logging (enableLogging is not false).",
  severity: "critical",
  enforcementLevel: "mandatory",
  remediationSteps: "Remove enableLogging: false (it defaults to true).",
  url: CLOUDTRAIL_1,
  validateResource: (args, report) => {
    if (is(args.type, T.trail) && rawProps(args.props).enableLogging === false)
      report("has enableLogging false: the trail exists but records nothing.");
  },
};

interface Coverage {
  read: boolean;
  write: boolean;
  excluded: string[];
  narrowedBy: string[];
}

/** What classic event selectors record of management events. */
function classicCoverage(selectors: any[]): Coverage {
  const c: Coverage = { read: false, write: false, excluded: [], narrowedBy: [] };
  for (const s of selectors) {
    if (s?.includeManagementEvents === false) continue;
    const rw = s?.readWriteType ?? "All";
    if (rw === "All" || rw === "ReadOnly") c.read = true;
    if (rw === "All" || rw === "WriteOnly") c.write = true;
    c.excluded.push(...list(s?.excludeManagementEventSources));
  }
  return c;
}

const equalsOf = (f: any) => list(f?.equals).map((x) => x.toLowerCase());

/** What advanced event selectors record of management events. */
function advancedCoverage(selectors: any[]): Coverage {
  const c: Coverage = { read: false, write: false, excluded: [], narrowedBy: [] };
  for (const s of selectors) {
    const fields = asArray<any>(s?.fieldSelectors);
    const category = fields.find((f) => f?.field === "eventCategory");
    if (!category || !equalsOf(category).includes("management")) continue;
    const readOnly = fields.find((f) => f?.field === "readOnly");
    const values = readOnly ? equalsOf(readOnly) : ["true", "false"];
    if (readOnly && list(readOnly.notEquals).length)
      values.splice(
        0,
        values.length,
        ...["true", "false"].filter((x) => !list(readOnly.notEquals).includes(x)),
      );
    if (values.includes("true")) c.read = true;
    if (values.includes("false")) c.write = true;
    for (const f of fields) {
      if (f?.field === "eventCategory" || f?.field === "readOnly") continue;
      if (f?.field === "eventSource" && list(f.notEquals).length && !list(f.equals).length)
        c.excluded.push(...list(f.notEquals));
      else c.narrowedBy.push(String(f?.field));
    }
  }
  return c;
}

export const cloudTrailManagementEvents: ResourceValidationPolicy = {
  name: "cloudtrail-management-events",
  description:
    "Trail event selectors (classic or advanced) record read and write management events from every source: no selector set that leaves management events out, records only reads or only writes, or excludes sources such as kms.amazonaws.com (Security Hub CloudTrail.1, CIS 3.1).",
  severity: "high",
  enforcementLevel: "mandatory",
  remediationSteps:
    'Leave eventSelectors unset, or include one with readWriteType "All", includeManagementEvents true and no excludeManagementEventSources (advanced: a selector with eventCategory equals ["Management"] and no readOnly or eventSource filter).',
  url: CLOUDTRAIL_1,
  validateResource: (args, report) => {
    if (!is(args.type, T.trail)) return;
    const p = rawProps(args.props);
    for (const [prop, coverage] of [
      ["eventSelectors", classicCoverage],
      ["advancedEventSelectors", advancedCoverage],
    ] as const) {
      const selectors = asArray<any>(p[prop]);
      if (!selectors.length || containsUnknown(p[prop])) continue;
      const c = coverage(selectors);
      if (!c.read && !c.write)
        report(`${prop} record no management events: every API call to change the account goes unrecorded.`);
      else if (!c.read || !c.write)
        report(
          `${prop} record only ${c.read ? "read" : "write"} management events, not ${c.read ? "write" : "read"} ones.`,
        );
      if (c.excluded.length)
        report(
          `${prop} exclude the management events of ${[...new Set(c.excluded)].join(", ")}: their key and data API calls go unrecorded.`,
        );
      if (c.narrowedBy.length)
        report(`${prop} narrow management events by ${[...new Set(c.narrowedBy)].join(", ")}.`);
    }
  },
};

/** The trails a member component creates: its children, or the trail its registered outputs name. */
function trailsOf(component: PolicyResource, all: PolicyResource[], components: number): PolicyResource[] {
  const trails = all.filter((r) => is(r.type, T.trail));
  const arn = rawProps(component.props).trailArn;
  const linked = trails.filter(
    (t) =>
      t.parent?.urn === component.urn ||
      t.urn.includes(`::${component.type}$`) ||
      (typeof arn === "string" && !isUnknown(arn) && rawProps(t.props).arn === arn),
  );
  // Without parents (tools that only know inputs), a stack's one component owns the stack's trails.
  return linked.length || components !== 1 ? linked : trails;
}

export const memberOrganizationTrailMode: StackValidationPolicy = {
  name: "member-organization-trail-mode",
  description:
    "A member component that says cloudTrailMode organization creates an organization trail (isOrganizationTrail true): the other members rely on it and create no trail of their own.",
  severity: "high",
  enforcementLevel: "mandatory",
  remediationSteps:
    'Set isOrganizationTrail: true on the management account\'s trail, or set central-logging:cloudTrail.mode to "account" (and give every other member its own trail).',
  url: "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/creating-trail-organization.html",
  validateStack: (args, report) => {
    const components = args.resources.filter((r) => is(r.type, T.memberComponent));
    for (const c of components) {
      if (rawProps(c.props).cloudTrailMode !== "organization") continue;
      const trails = trailsOf(c, args.resources, components.length);
      if (!trails.length)
        report(
          `member component ${c.name} says cloudTrailMode organization but creates no trail: no organization trail covers the members that rely on it.`,
          c.urn,
        );
      for (const t of trails) {
        const org = rawProps(t.props).isOrganizationTrail;
        if (org !== true && !isUnknown(org))
          report(
            `member component ${c.name} says cloudTrailMode organization, but trail ${rawProps(t.props).name ?? t.name} is not an organization trail (isOrganizationTrail ${org ?? "unset"}): it records this account only, and the members that rely on it record nothing.`,
            t.urn,
          );
      }
    }
  },
};
