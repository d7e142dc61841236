/**
 * Runs this program as `pulumi up` would, under Pulumi's mocks instead of an engine: the README's snippet
 * (index.ts) for a central stack, then the member component (member.ts) against the archive's outputs.
 * Prints what was registered, as JSON, for test/package/lane.ts to check.
 */
import * as pulumi from "@pulumi/pulumi";
import { shipLogs } from "./member";

const ACCOUNT = "111111111111";
const REGION = "eu-west-1";

const registered: { type: string; name: string; inputs: Record<string, unknown> }[] = [];

/** The central stack's config as `pulumi config` would hold it: the project's keys keep their namespace. */
const CENTRAL_CONFIG: Record<string, string> = {
  "aws:region": REGION,
  "aws:allowedAccountIds": JSON.stringify([ACCOUNT]),
  "central-logging:role": "central",
  "central-logging:memberAccountIds": JSON.stringify(["333333333333"]),
  "central-logging:bucketSuffix": "consumer-example",
  "central-logging:siem": JSON.stringify({
    trust: "aws",
    principals: ["arn:aws:iam::999999999999:role/siem-ingest"],
    externalId: "consumer-external-id",
  }),
  // The roles that run pulumi up for the archive, exempt from its bucket policies' denies.
  "central-logging:tamperProtection": JSON.stringify({ deployRoleNames: ["central-logging-deploy"] }),
};

async function main() {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        const arn = `arn:aws:mock:${REGION}:${ACCOUNT}:${args.type.split(":").pop()}/${args.name}`;
        return {
          id: `${args.name}-id`,
          state: {
            ...args.inputs,
            arn,
            url: `https://mock/${args.name}`,
            name: args.inputs.name ?? args.name,
          },
        };
      },
      call: (args) => {
        if (args.token === "aws:index/getCallerIdentity:getCallerIdentity")
          return { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, userId: ACCOUNT, id: ACCOUNT };
        if (args.token === "aws:index/getRegion:getRegion")
          return { name: REGION, region: REGION, id: REGION };
        if (args.token === "aws:index/getPartition:getPartition")
          return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
        return args.inputs;
      },
    },
    "consumer",
    "central",
    false,
  );
  pulumi.runtime.setAllConfig(CENTRAL_CONFIG);
  let memberResources = 0;
  await pulumi.runtime.runInPulumiStack(async () => {
    // The program, loaded after the mocks are set, as `pulumi up` loads it.
    require("./index");
    memberResources = await shipLogs();
    return {};
  });
  await pulumi.runtime.disconnect();
  process.stdout.write(`${JSON.stringify({ registered, memberResources })}\n`);
}

main().catch((e) => {
  process.stderr.write(`runner: ${(e as Error).message ?? e}\n${(e as Error).stack ?? ""}\n`);
  process.exit(1);
});
