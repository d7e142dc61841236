/**
 * moto's server mode on 127.0.0.1 with a free port: a real S3/SQS/KMS/CloudWatch/Organizations API for
 * the verify tests and benchmark. `moto.sh` installs it (pinned, cached); `startMoto` runs it and
 * returns its endpoint and a `stop` that ends the process.
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as http from "http";
import * as net from "net";
import * as path from "path";
import { PROJECT_ROOT } from "../../common/root";

/** The moto_server executable, installing it on first use. */
export function motoServerPath(): string {
  if (process.env.CENTRAL_LOGGING_MOTO_SERVER) return process.env.CENTRAL_LOGGING_MOTO_SERVER;
  return execFileSync(path.join(PROJECT_ROOT, "tools", "verify", "moto", "moto.sh"), {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

function get(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", () => resolve(0));
    req.setTimeout(1000, () => req.destroy());
  });
}

export interface Moto {
  endpoint: string;
  /** Forgets every bucket, key and queue (POST /moto-api/reset). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export async function startMoto(): Promise<Moto> {
  const server = motoServerPath();
  const port = await freePort();
  const child: ChildProcess = spawn(server, ["-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, MOTO_ALLOW_NONEXISTENT_REGION: "true" },
  });
  let stderr = "";
  child.stderr?.on("data", (d) => (stderr = (stderr + d).slice(-4000)));
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while ((await get(`${endpoint}/moto-api/`)) !== 200) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`moto_server did not start on ${endpoint}: ${stderr.trim().split("\n").pop() ?? ""}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint,
    reset: () =>
      new Promise((resolve, reject) => {
        const req = http.request(`${endpoint}/moto-api/reset`, { method: "POST" }, (res) => {
          res.resume();
          res.on("end", () => resolve());
        });
        req.on("error", reject);
        req.end();
      }),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 3000).unref();
      }),
  };
}
