import { expect } from "chai";
import * as fs from "fs";
import { policies } from "../policy-pack/policies";
import { WHY } from "../policy-pack/rationale";
import {
  OPERATIONS_DOC,
  POLICIES_DOC,
  README,
  renderOperationsDoc,
  renderPoliciesDoc,
  renderReadme,
} from "../tools/docs/policyTable";

describe("policy pack README", () => {
  it("has a rule table that matches the policies' metadata (run `npm run docs:policies` if not)", () => {
    const current = fs.readFileSync(README, "utf8");
    expect(renderReadme(current)).to.equal(current);
    for (const p of policies) expect(current).to.contain(`| \`${p.name}\` |`);
  });

  it("is counted right wherever the docs say how many rules the pack has", () => {
    const docs = ["README.md", "policy-pack/README.md", "docs/policies.md", "docs/operations.md"];
    let found = 0;
    for (const file of docs)
      for (const m of fs.readFileSync(file, "utf8").matchAll(/\b(\d+) (?:rules|policies)\b/g)) {
        found++;
        expect(Number(m[1]), `${file}: "${m[0]}"`).to.equal(policies.length);
      }
    expect(found, "the README names the count").to.be.greaterThan(0);
  });

  it("has docs/policies.md tables of request contexts and extensions that match the code", () => {
    const current = fs.readFileSync(POLICIES_DOC, "utf8");
    expect(renderPoliciesDoc(current)).to.equal(current);
    expect(current).to.contain("| `cloudtrail.amazonaws.com` | `s3:PutObject` |");
    expect(current).to.contain("| `org-id-for-log-delivery` |");
  });

  it("shows the verifier's policy in docs/operations.md as the code builds it for the example", () => {
    const current = fs.readFileSync(OPERATIONS_DOC, "utf8");
    expect(renderOperationsDoc(current)).to.equal(current);
    expect(current).to.contain('"Sid": "ListKeysAndReadBucketSettings"');
    expect(current).to.contain("arn:aws:kms:eu-west-1:111111111111:key/<key-id>");
  });

  it("gives every policy a reason, and no reason without a policy", () => {
    expect(Object.keys(WHY).sort()).to.deep.equal(policies.map((p) => p.name).sort());
  });

  it("ships one config per role naming only real policies and settings", () => {
    for (const role of ["central", "member"]) {
      const config = JSON.parse(fs.readFileSync(`policy-pack/config.${role}.json`, "utf8"));
      for (const [name, value] of Object.entries(config)) {
        const p = policies.find((x) => x.name === name);
        expect(p, name).to.not.equal(undefined);
        if (typeof value === "object")
          for (const key of Object.keys(value as object))
            if (key !== "enforcementLevel")
              expect(p!.configSchema?.properties, `${name}.${key}`).to.have.property(key);
      }
    }
  });

  it("declares no config property the CLI reserves", () => {
    for (const p of policies)
      expect(p.configSchema?.properties ?? {}, p.name).not.to.have.property("enforcementLevel");
    expect(policies.map((p) => p.name)).not.to.include("all");
  });
});
