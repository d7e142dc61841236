import { expect } from "chai";
import { spawn } from "child_process";
import * as path from "path";
import { scaled } from "./helpers";

describe("policy pack entry point", () => {
  it("starts as the Pulumi CLI runs it: from its own folder, printing its gRPC port first", async function () {
    this.timeout(scaled(60000));
    const pack = path.join(__dirname, "..", "policy-pack");
    const child = spawn(
      process.execPath,
      ["-r", require.resolve("ts-node/register/transpile-only"), "index.ts"],
      {
        cwd: pack,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const firstLine = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (d) => {
        out += d;
        if (out.includes("\n")) resolve(out.split("\n")[0]);
      });
      child.on("exit", (code) => reject(new Error(`pack exited ${code}: ${stderr}`)));
    }).finally(() => child.kill());
    expect(firstLine.trim()).to.match(/^\d+$/);
  });
});
