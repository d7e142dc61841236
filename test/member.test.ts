import { expect } from "chai";
import { ConfigError } from "../shared/config";
import { SimulationError } from "../tools/simulation/simulate";
import {
  all,
  CENTRAL,
  centralSettings,
  find,
  listSettings,
  MGMT,
  memberSettings,
  OUTSIDER,
  parsed,
  rejects,
  simulate,
  statement,
  WEB,
} from "./helpers";

const WEB_ACL = `arn:aws:wafv2:eu-west-1:${WEB}:regional/webacl/web-app/a1b2c3d4`;

describe("member stacks", () => {
  it("reads the central outputs through the StackReference and ships an account trail there", async () => {
    const { central, members } = await simulate(centralSettings(), {
      web: { account: WEB, settings: memberSettings({ cloudTrail: { mode: "account" } }) },
    });
    const ref = find(members.web, "pulumi:pulumi:StackReference");
    expect(ref.inputs.name).to.equal("organization/central-logging/central");
    const trail = find(members.web, "aws:cloudtrail/trail:Trail").inputs;
    expect(trail).to.include({
      s3BucketName: "central-logs-cloudtrail-example-org",
      kmsKeyId: central.outputs.archive.keyArn,
      isMultiRegionTrail: true,
      isOrganizationTrail: false,
      enableLogFileValidation: true,
      includeGlobalServiceEvents: true,
    });
    expect(trail.eventSelectors).to.deep.equal([{ readWriteType: "All", includeManagementEvents: true }]);
    expect(members.web.outputs.trailArn).to.equal(
      `arn:aws:cloudtrail:eu-west-1:${WEB}:trail/central-logging`,
    );
  });

  it("is covered by the organization trail by default, and ships its own account trail only when told", async () => {
    const { members } = await simulate(centralSettings(), {
      web: { account: WEB, settings: memberSettings({ flowLogs: { vpcIds: "all" } }) },
    });
    expect(all(members.web, "aws:cloudtrail/trail:Trail")).to.have.length(0);
    expect(members.web.outputs).not.to.have.property("trailArn");
    // Without an organization trail (account-list mode), the default is the account's own trail.
    const list = await simulate(listSettings(), { web: { account: WEB, settings: memberSettings() } });
    expect(find(list.members.web, "aws:cloudtrail/trail:Trail").inputs.name).to.equal("central-logging");
  });

  it("ships no trail from an account's second Region when its account trail is in another stack", async () => {
    const second = memberSettings({ cloudTrail: { mode: "covered-by-account-trail" } });
    const { members } = await simulate(listSettings(), { web: { account: WEB, settings: second } });
    expect(all(members.web, "aws:cloudtrail/trail:Trail")).to.have.length(0);
    // Only where the central stack admits a trail of that account: organization mode without one refuses.
    const e = await rejects(
      simulate(
        centralSettings({
          cloudTrail: { organizationTrail: { managementAccountId: MGMT, name: "organization-trail" } },
        }),
        {
          web: { account: WEB, settings: second },
        },
      ),
    );
    expect(e.message).to.equal(
      `stack "web": config key "central-logging:cloudTrail.mode": is "covered-by-account-trail", but the central stack admits no trail of account ${WEB}; the organization trail arn:aws:cloudtrail:eu-west-1:${MGMT}:trail/organization-trail already logs it: remove central-logging:cloudTrail.mode here`,
    );
  });

  it("says why an unset trail mode means an account trail, and how an organization trail would cover it", async () => {
    const e = await rejects(
      simulate(centralSettings({ cloudTrail: { accountTrails: [{ accountId: MGMT }] } }), {
        web: { account: WEB, settings: memberSettings() },
      }),
    );
    expect(e.message).to.equal(
      `stack "web": config key "central-logging:cloudTrail.mode": is unset, so "account" (the central stack names no organization trail; or set central-logging:cloudTrail.organizationTrail there, and members are covered by it), but the central stack does not admit the trails of account ${WEB}; to keep an account trail, add {accountId: "${WEB}"} to central-logging:cloudTrail.accountTrails in the central stack and run pulumi up on it first`,
    );
  });

  it("creates the organization trail from the management account, and nothing when covered", async () => {
    const { members } = await simulate(centralSettings(), {
      mgmt: {
        account: MGMT,
        settings: memberSettings({ cloudTrail: { mode: "organization", name: "organization-trail" } }),
      },
      web: {
        account: WEB,
        settings: memberSettings({ cloudTrail: { mode: "covered-by-organization-trail" } }),
      },
    });
    expect(find(members.mgmt, "aws:cloudtrail/trail:Trail").inputs).to.include({
      isOrganizationTrail: true,
      name: "organization-trail",
    });
    expect(all(members.web, "aws:cloudtrail/trail:Trail")).to.have.length(0);
  });

  it("enables ALL-traffic flow logs to the central bucket ARN on every VPC when asked", async () => {
    const { central, members } = await simulate(centralSettings(), {
      web: {
        account: WEB,
        settings: memberSettings({ flowLogs: { vpcIds: "all", hiveCompatiblePartitions: true } }),
      },
    });
    const flows = all(members.web, "aws:ec2/flowLog:FlowLog");
    expect(flows).to.have.length(2);
    for (const f of flows) {
      expect(f.inputs).to.include({
        trafficType: "ALL",
        logDestinationType: "s3",
        logDestination: central.outputs.archive.logs.vpcflowlogs.bucketArn,
        maxAggregationInterval: 600,
      });
      expect(f.inputs.destinationOptions).to.deep.equal({
        fileFormat: "plain-text",
        hiveCompatiblePartitions: true,
        perHourPartition: false,
      });
      expect(f.inputs.vpcId).to.match(/^vpc-/);
    }
  });

  it("logs WAF to a local aws-waf-logs- bucket that replicates to the central bucket with the central key", async () => {
    const { central, members } = await simulate(centralSettings(), {
      web: { account: WEB, settings: memberSettings({ waf: { webAclArns: [WEB_ACL] } }) },
    });
    const archive = central.outputs.archive;
    const web = members.web;
    const bucket = find(web, "aws:s3/bucket:Bucket", "waf-staging");
    expect(bucket.inputs.bucket).to.equal(`aws-waf-logs-${WEB}-eu-west-1`);
    expect(bucket.protect).to.equal(true);
    const logging = find(web, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration").inputs;
    expect(logging.resourceArn).to.equal(WEB_ACL);
    expect(logging.logDestinationConfigs).to.deep.equal([`arn:aws:s3:::aws-waf-logs-${WEB}-eu-west-1`]);
    expect(logging.redactedFields).to.deep.equal([
      { singleHeader: { name: "authorization" } },
      { singleHeader: { name: "cookie" } },
    ]);

    const rule = find(web, "aws:s3/bucketReplicationConfig:BucketReplicationConfig").inputs.rules[0];
    expect(rule.destination).to.deep.equal({
      bucket: archive.logs.waf.bucketArn,
      account: CENTRAL,
      accessControlTranslation: { owner: "Destination" },
      encryptionConfiguration: { replicaKmsKeyId: archive.keyArn },
      storageClass: "STANDARD",
      metrics: { status: "Enabled" },
    });
    expect(rule.id).to.equal("to-central-archive");
    expect(rule.deleteMarkerReplication).to.deep.equal({ status: "Disabled" });

    // AWS's trust for replication: no condition (replication-trust-source adds them).
    const role = find(web, "aws:iam/role:Role", "waf-replication-role");
    expect(role.inputs.name).to.equal("central-logging-waf-replication-eu-west-1");
    expect(parsed(role.inputs.assumeRolePolicy).Statement).to.deep.equal([
      {
        Sid: "S3ReplicationAssumesRole",
        Effect: "Allow",
        Principal: { Service: "s3.amazonaws.com" },
        Action: "sts:AssumeRole",
      },
    ]);
    const perms = parsed(
      find(web, "aws:iam/rolePolicy:RolePolicy", "waf-replication-permissions").inputs.policy,
    );
    expect(statement(perms, "WriteReplicasToArchive").Resource).to.equal(
      `${archive.logs.waf.bucketArn}/AWSLogs/${WEB}/*`,
    );
    expect(statement(perms, "WriteReplicasToArchive").Action).not.to.include("s3:ReplicateDelete");
    expect(statement(perms, "ReadSourceVersions").Action).to.include.members([
      "s3:GetObjectRetention",
      "s3:GetObjectLegalHold",
    ]);
    // Encrypt the replica, and Decrypt to verify the archive's S3 Bucket Key: only through S3, only with the
    // central WAF bucket as encryption context.
    const archiveKey = statement(perms, "UseArchiveKeyForReplicasViaS3");
    expect(archiveKey.Resource).to.equal(archive.keyArn);
    expect(archiveKey.Action).to.deep.equal(["kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt"]);
    expect(archiveKey.Condition).to.deep.equal({
      StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" },
      StringLike: {
        "kms:EncryptionContext:aws:s3:arn": [archive.logs.waf.bucketArn, `${archive.logs.waf.bucketArn}/*`],
      },
    });
    expect(statement(perms, "DecryptSourceViaS3").Resource).to.match(
      new RegExp(`^arn:aws:kms:eu-west-1:${WEB}:key/`),
    );

    // The staging copies stay 14 days by default: time to fix a failed replication and re-replicate.
    const lifecycle = find(
      web,
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      "waf-staging-lifecycle",
    ).inputs.rules[0];
    expect(lifecycle.expiration).to.deep.equal({ days: 14 });

    // A failed replication raises an alarm (no topic unless notifications are configured).
    const alarm = find(web, "aws:cloudwatch/metricAlarm:MetricAlarm", "waf-replication-failed").inputs;
    expect(alarm).to.deep.include({
      name: "central-logging-waf-replication-failed",
      namespace: "AWS/S3",
      metricName: "OperationsFailedReplication",
      statistic: "Sum",
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "ignore",
      period: 300,
    });
    expect(alarm.dimensions).to.deep.equal({
      SourceBucket: `aws-waf-logs-${WEB}-eu-west-1`,
      DestinationBucket: archive.logs.waf.bucketName,
      RuleId: rule.id,
    });
    expect(all(web, "aws:sns/topic:Topic")).to.have.length(0);

    // WAF logging starts only once the bucket can take, encrypt and replicate the files.
    const wafLogging = find(web, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration");
    expect(wafLogging.dependsOn).to.have.members([
      "waf-staging",
      "waf-staging-policy",
      "waf-staging-encryption",
      "waf-staging-key",
      "waf-replication",
    ]);

    const stagingPolicy = parsed(
      find(web, "aws:s3/bucketPolicy:BucketPolicy", "waf-staging-policy").inputs.policy,
    );
    const accessLogging = find(web, "aws:s3/bucketLogging:BucketLogging").inputs;
    expect(accessLogging).to.include({
      targetBucket: `central-logging-access-${WEB}-eu-west-1`,
      targetPrefix: `aws-waf-logs-${WEB}-eu-west-1/`,
    });
    expect(
      find(
        web,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "waf-staging-access-logs-encryption",
      ).inputs.rules[0].applyServerSideEncryptionByDefault,
    ).to.deep.equal({ sseAlgorithm: "AES256" });
    expect(statement(stagingPolicy, "WafLogDeliveryWrite").Condition!.StringEqualsIfExists).to.deep.equal({
      "s3:x-amz-acl": "bucket-owner-full-control",
    });
    const key = find(web, "aws:kms/key:Key");
    expect(key.inputs.enableKeyRotation).to.equal(true);
    expect(key.protect).to.equal(true);
  });

  it("sends the failed-replication alarm to an encrypted topic when notifications are set", async () => {
    const { members } = await simulate(centralSettings(), {
      web: {
        account: WEB,
        settings: memberSettings({
          waf: { webAclArns: [WEB_ACL], localBucketExpirationDays: 30 },
          alarms: { periodSeconds: 60, notifications: [{ protocol: "email", endpoint: "soc@example.com" }] },
        }),
      },
    });
    const web = members.web;
    const topic = find(web, "aws:sns/topic:Topic").inputs;
    expect(topic.name).to.equal("central-logging-waf-replication-alarms");
    const key = find(web, "aws:kms/key:Key");
    // Encrypted with the staging key (a customer managed key), which lets CloudWatch publish to it.
    expect(topic.kmsMasterKeyId).to.equal(key.state.arn);
    const cw = statement(parsed(key.inputs.policy), "CloudWatchAlarmsToEncryptedTopic");
    expect(cw.Principal).to.deep.equal({ Service: "cloudwatch.amazonaws.com" });
    expect(cw.Action).to.deep.equal(["kms:Decrypt", "kms:GenerateDataKey*"]);
    const alarm = find(web, "aws:cloudwatch/metricAlarm:MetricAlarm").inputs;
    expect(alarm.period).to.equal(60);
    expect(alarm.alarmActions).to.deep.equal([find(web, "aws:sns/topic:Topic").state.arn]);
    expect(find(web, "aws:sns/topicSubscription:TopicSubscription").inputs).to.deep.include({
      protocol: "email",
      endpoint: "soc@example.com",
    });
    expect(
      find(web, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "waf-staging-lifecycle")
        .inputs.rules[0].expiration,
    ).to.deep.equal({ days: 30 });
  });

  it("adds aws:SourceAccount and aws:SourceArn to the replication trust only with replication-trust-source", async () => {
    const { members } = await simulate(centralSettings({ policyExtensions: ["replication-trust-source"] }), {
      web: { account: WEB, settings: memberSettings({ waf: { webAclArns: [WEB_ACL] } }) },
    });
    expect(
      parsed(find(members.web, "aws:iam/role:Role", "waf-replication-role").inputs.assumeRolePolicy)
        .Statement[0].Condition,
    ).to.deep.equal({
      StringEquals: { "aws:SourceAccount": WEB },
      ArnEquals: { "aws:SourceArn": `arn:aws:s3:::aws-waf-logs-${WEB}-eu-west-1` },
    });
  });

  it("creates no IAM user in any stack", async () => {
    const { central, members } = await simulate(centralSettings(), {
      web: {
        account: WEB,
        settings: memberSettings({ waf: { webAclArns: [WEB_ACL] }, flowLogs: { vpcIds: "all" } }),
      },
    });
    for (const stack of [central, members.web])
      expect(stack.resources.filter((r) => r.type.startsWith("aws:iam/user"))).to.have.length(0);
  });
});

describe("member stacks checked against the central stack", () => {
  async function memberError(
    central: Record<string, unknown>,
    account: string,
    member: Record<string, unknown>,
  ) {
    const e = await rejects(simulate(central, { m: { account, settings: memberSettings(member) } }));
    expect(e).to.be.instanceOf(ConfigError);
    expect(e.message).not.to.contain("\n");
    return e as ConfigError;
  }

  it("rejects an account missing from the central account list", async () => {
    const e = await memberError(listSettings(), OUTSIDER, {});
    expect(e.key).to.equal("central-logging:centralStack");
    expect(e.message).to.equal(
      `stack "m": config key "central-logging:centralStack": account ${OUTSIDER} is missing from the central stack's memberAccountIds; add it there and run pulumi up on the central stack first`,
    );
  });

  it("rejects an organization trail when the central stack is in account-list mode", async () => {
    const e = await memberError(listSettings(), WEB, { cloudTrail: { mode: "organization" } });
    expect(e.key).to.equal("central-logging:cloudTrail.mode");
  });

  it("rejects an organization trail the central stack does not admit, naming the setting to add", async () => {
    const e = await memberError(centralSettings(), MGMT, {
      cloudTrail: { mode: "organization", name: "org-trail" },
    });
    expect(e.key).to.equal("central-logging:cloudTrail");
    expect(e.message).to.equal(
      `stack "m": config key "central-logging:cloudTrail": the central stack admits the organization trail arn:aws:cloudtrail:eu-west-1:${MGMT}:trail/organization-trail, not arn:aws:cloudtrail:eu-west-1:${MGMT}:trail/org-trail, the one this stack would create; set central-logging:cloudTrail.organizationTrail to {managementAccountId: "${MGMT}", name: "org-trail", homeRegion: eu-west-1} in the central stack and run pulumi up on it first`,
    );
  });

  it("rejects an account trail of an account the central stack does not admit, naming the entry to add", async () => {
    const e = await memberError(
      centralSettings({
        cloudTrail: { organizationTrail: { managementAccountId: MGMT, name: "organization-trail" } },
      }),
      WEB,
      { cloudTrail: { mode: "account" } },
    );
    expect(e.key).to.equal("central-logging:cloudTrail.mode");
    // The organization trail already logs it: the message offers the default first, and says what a
    // second trail costs.
    expect(e.message).to.contain(
      `is "account", but the central stack does not admit the trails of account ${WEB}; this account is already logged by the organization trail arn:aws:cloudtrail:eu-west-1:${MGMT}:trail/organization-trail: remove central-logging:cloudTrail.mode here (members are covered by default), unless you want a second, paid copy of its management events; to keep an account trail, add {accountId: "${WEB}"} to central-logging:cloudTrail.accountTrails in the central stack and run pulumi up on it first`,
    );
  });

  it("rejects an account trail the central stack does not list by ARN (admitAccountTrailsBy: trail)", async () => {
    const e = await memberError(
      centralSettings({
        cloudTrail: {
          admitAccountTrailsBy: "trail",
          organizationTrail: { managementAccountId: MGMT, name: "organization-trail" },
          accountTrails: [{ accountId: WEB, name: "other-name" }],
        },
      }),
      WEB,
      { cloudTrail: { mode: "account" } },
    );
    expect(e.key).to.equal("central-logging:cloudTrail.mode");
    expect(e.message).to.contain(
      `does not admit arn:aws:cloudtrail:eu-west-1:${WEB}:trail/central-logging, the account trail this stack would create; this account is already logged by the organization trail arn:aws:cloudtrail:eu-west-1:${MGMT}:trail/organization-trail: remove central-logging:cloudTrail.mode here (members are covered by default), unless you want a second, paid copy of its management events; to keep it, add {accountId: "${WEB}", name: "central-logging", homeRegion: eu-west-1} to central-logging:cloudTrail.accountTrails`,
    );
  });

  it("accepts any trail name and Region of an account admitted by account", async () => {
    const { members } = await simulate(
      centralSettings({
        cloudTrail: {
          organizationTrail: { managementAccountId: MGMT, name: "organization-trail" },
          accountTrails: [{ accountId: WEB }],
        },
      }),
      {
        web: {
          account: WEB,
          settings: memberSettings({ cloudTrail: { mode: "account", name: "security-trail" } }),
        },
      },
    );
    expect(find(members.web, "aws:cloudtrail/trail:Trail").inputs.name).to.equal("security-trail");
  });

  it("rejects flow logs of an account the central stack does not admit for log delivery", async () => {
    const e = await memberError(centralSettings({ memberAccountIds: [MGMT] }), WEB, {
      cloudTrail: { mode: "covered-by-organization-trail" },
      flowLogs: { vpcIds: "all" },
    });
    expect(e.key).to.equal("central-logging:flowLogs");
    expect(e.message).to.match(
      /missing from the central stack's memberAccountIds, which admit VPC Flow Logs/,
    );
  });

  it("refuses direct WAF delivery, citing the WAF guide", async () => {
    const e = await memberError(centralSettings(), WEB, {
      waf: { webAclArns: [WEB_ACL], delivery: "direct" },
    });
    expect(e.key).to.equal("central-logging:waf.delivery");
    expect(e.message).to.equal(
      `stack "m": config key "central-logging:waf.delivery": "direct" is no longer accepted: AWS WAF logs only to a bucket in the web ACL's own account ("set up an Amazon S3 bucket from the same account as you use to manage the web ACL", WAF developer guide, logging-s3); remove the key (docs/configuration.md, "Migrating from direct WAF delivery")`,
    );
  });

  it("rejects the log-archive account as a member", async () => {
    const e = await memberError(centralSettings(), CENTRAL, {});
    expect(e.message).to.match(/is the log-archive account itself/);
  });

  it("fails clearly when the reference names no known stack", async () => {
    const e = await rejects(
      simulate(centralSettings(), {
        m: { account: WEB, settings: memberSettings({ centralStack: "organization/central-logging/prod" }) },
      }),
    );
    expect(e).to.be.instanceOf(SimulationError);
    expect(e.message).to.match(
      /names "organization\/central-logging\/prod", which is not among the simulated stacks/,
    );
  });
});
