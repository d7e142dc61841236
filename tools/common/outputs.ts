/**
 * The central stack's outputs as the tools read them: the JSON of `pulumi stack output --json`, or the
 * offline plan's JSON (`npm run plan -- --json FILE`), whose central stack carries the same outputs.
 */
export function centralOutputsOf(doc: any): { outputs: any } | { error: string } {
  if (Array.isArray(doc?.stacks)) {
    const central = doc.stacks.find((s: any) => s?.role === "central");
    return central ? { outputs: central.outputs } : { error: "stacks: the plan holds no central stack" };
  }
  return { outputs: doc };
}
