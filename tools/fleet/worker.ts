/**
 * A worker process of the fleet (tools/fleet/fleet.ts, WorkerPool): runs the stacks its parent sends, one
 * at a time, each inline program in this process, and answers with each result and its progress.
 *
 * The parent decides what an interruption does: a terminal's Ctrl-C reaches this process too (the same
 * process group), and is left to the parent, which sends "abort" (the running operation's CLI then gets
 * SIGINT, as the fleet's own would). Disconnected (the fleet ended, or died), it aborts what runs and exits.
 */
import type { PulumiCommand } from "@pulumi/pulumi/automation";
import { pulumiCli, runStackJob, WorkerMessage } from "./fleet";

const send = (m: WorkerMessage) => process.connected && process.send!(m);
/** Set once the fleet says so (or goes away): every stack from then on starts interrupted. */
let aborted = false;
/** The running stack's interruption, a new one per stack (the operations add listeners to it). */
let current: AbortController | undefined;
const clis = new Map<string, Promise<PulumiCommand | undefined>>();

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => undefined);

const abort = () => {
  aborted = true;
  current?.abort();
};

process.on("message", (m: WorkerMessage) => {
  if (m.type === "abort") return abort();
  if (m.type !== "run") return;
  const controller = new AbortController();
  if (aborted) controller.abort();
  current = controller;
  const root = m.job.pulumiRoot ?? "";
  if (!clis.has(root)) clis.set(root, pulumiCli(m.job.pulumiRoot));
  void clis
    .get(root)!
    .then((cli) =>
      runStackJob(m.job, (message) => send({ type: "progress", message }), controller.signal, cli),
    )
    .then((result) => {
      current = undefined;
      send({ type: "result", result });
      if (!process.connected) process.exit(0);
    });
});

process.on("disconnect", () => {
  abort();
  if (!current) process.exit(0);
});
