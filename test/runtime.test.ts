import { expect } from "chai";

describe("test runtime", () => {
  it("runs on Node.js 22 or newer, as @pulumi/pulumi requires (provisioned by the `node` devDependency)", () => {
    expect(Number(process.versions.node.split(".")[0])).to.be.at.least(22);
  });
});
