/**
 * @pulumi/pulumi captures a stack trace for every promise it creates (runtime/debuggable.ts, kept to
 * name leaked promises): thousands per stack, each formatted, and under ts-node source-mapped frame by
 * frame. In the plan that was most of the CPU. Nothing here reads those traces, and Pulumi's own
 * resource source positions raise the limit themselves while they capture (resource.ts), so the
 * program's resources and outputs are the same without them.
 *
 * The limit is lowered only around the work given, not for the process: an error thrown elsewhere keeps
 * its trace, and a command's debug variable (PLAN_DEBUG=1, FLEET_DEBUG=1) keeps every trace.
 */

let depth = 0;
let saved = Error.stackTraceLimit;

/** Runs `work` with V8's stack-trace limit at 0 (unless `keep`), restoring the limit when the last such work ends. */
export async function withoutStackTraces<T>(keep: boolean, work: () => Promise<T>): Promise<T> {
  if (keep) return work();
  if (depth++ === 0) {
    saved = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
  }
  try {
    return await work();
  } finally {
    if (--depth === 0) Error.stackTraceLimit = saved;
  }
}

/** The environment variable that asks a command for stack traces: PLAN_DEBUG for `plan`, SIEM_CONFIG_DEBUG for `siem-config`. */
export const debugVariable = (command: string) => `${command.toUpperCase().replace(/\W/g, "_")}_DEBUG`;

/** Whether the user asked this command for stack traces. */
export const debugRequested = (command: string) => !!process.env[debugVariable(command)];
