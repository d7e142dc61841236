/**
 * The hand-off to the SIEM, per log type: messages waiting and in flight, the age of the oldest message
 * (CloudWatch ApproximateAgeOfOldestMessage: SQS publishes it only while the queue holds messages, SQS
 * developer guide, sqs-available-cloudwatch-metrics), and the dead-letter queue's depth. Read-only:
 * GetQueueAttributes and GetMetricData, never ReceiveMessage, which would count toward maxReceiveCount.
 */
import { GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { GetQueueAttributesCommand, QueueAttributeName } from "@aws-sdk/client-sqs";
import { CentralArchiveOutputs } from "../../shared/contract";
import { LOG_TYPES, LogType } from "../../shared/naming";
import { Aws } from "./aws";
import { duration, GuardRow, QueueRow } from "./report";

const nameOfArn = (arn: string) => arn.slice(arn.lastIndexOf(":") + 1);

/** The dead-letter queue's URL: the queue's URL with the DLQ's name (same account and Region). */
export function deadLetterQueueUrl(queueUrl: string, deadLetterQueueArn: string): string {
  return `${queueUrl.slice(0, queueUrl.lastIndexOf("/") + 1)}${nameOfArn(deadLetterQueueArn)}`;
}

const MISSING_QUEUE = /NonExistentQueue|QueueDoesNotExist/;

async function attributes(aws: Aws, url: string, arn: string, names: QueueAttributeName[]) {
  try {
    const r = await aws.call(
      "sqs:GetQueueAttributes",
      arn,
      () => aws.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: names })),
      MISSING_QUEUE,
    );
    return r.Attributes ?? {};
  } catch {
    return undefined;
  }
}

/** The newest ApproximateAgeOfOldestMessage of each queue over the last 15 minutes, in one request. */
async function oldestAges(aws: Aws, queueNames: string[], now: Date): Promise<(number | null)[]> {
  const r = await aws.call("cloudwatch:GetMetricData", "AWS/SQS ApproximateAgeOfOldestMessage", () =>
    aws.clients.cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(now.getTime() - 15 * 60_000),
        EndTime: new Date(now.getTime() + 60_000),
        ScanBy: "TimestampDescending",
        MetricDataQueries: queueNames.map((name, i) => ({
          Id: `q${i}`,
          ReturnData: true,
          MetricStat: {
            Metric: {
              Namespace: "AWS/SQS",
              MetricName: "ApproximateAgeOfOldestMessage",
              Dimensions: [{ Name: "QueueName", Value: name }],
            },
            Period: 60,
            Stat: "Maximum",
          },
        })),
      }),
    ),
  );
  return queueNames.map((_, i) => {
    const result = r.MetricDataResults?.find((m) => m.Id === `q${i}`);
    if (!result?.Values?.length) return null;
    // Newest first was asked for; sort anyway, as not every implementation honours ScanBy.
    const points = (result.Timestamps ?? []).map((t, j) => ({
      t: new Date(t).getTime(),
      v: result.Values![j],
    }));
    points.sort((a, b) => b.t - a.t);
    return Math.round(points[0]?.v ?? result.Values[0]);
  });
}

export async function checkQueues(
  aws: Aws,
  outputs: CentralArchiveOutputs,
  now: Date,
  maxAgeSeconds: number,
): Promise<{ queues: QueueRow[]; guards: GuardRow[] }> {
  const queues: QueueRow[] = [];
  const guards: GuardRow[] = [];
  const names = LOG_TYPES.flatMap((t) => [
    nameOfArn(outputs.logs[t].queueArn),
    nameOfArn(outputs.logs[t].deadLetterQueueArn),
  ]);
  const ages = await oldestAges(aws, names, now);
  for (const [i, t] of (LOG_TYPES as readonly LogType[]).entries()) {
    const log = outputs.logs[t];
    const queueName = nameOfArn(log.queueArn);
    const dlqName = nameOfArn(log.deadLetterQueueArn);
    const q = await attributes(aws, log.queueUrl, log.queueArn, [
      "ApproximateNumberOfMessages",
      "ApproximateNumberOfMessagesNotVisible",
      "RedrivePolicy",
      "KmsMasterKeyId",
    ]);
    const dlq = await attributes(
      aws,
      deadLetterQueueUrl(log.queueUrl, log.deadLetterQueueArn),
      log.deadLetterQueueArn,
      ["ApproximateNumberOfMessages"],
    );
    const visible = Number(q?.ApproximateNumberOfMessages ?? 0);
    const inFlight = Number(q?.ApproximateNumberOfMessagesNotVisible ?? 0);
    const deadLetterVisible = Number(dlq?.ApproximateNumberOfMessages ?? 0);
    const oldest = ages[2 * i];
    let status: QueueRow["status"] = "ok";
    let verdict: string;
    if (!q) {
      status = "failing";
      verdict = `queue ${queueName} does not exist: S3 cannot announce new objects; run pulumi up on the central stack`;
    } else if (!dlq) {
      status = "failing";
      verdict = `dead-letter queue ${dlqName} does not exist: messages the SIEM cannot process will be lost; run pulumi up on the central stack`;
    } else if (deadLetterVisible > 0) {
      status = "failing";
      verdict = `DLQ not empty (${deadLetterVisible}): the SIEM received these messages repeatedly without deleting them, so it cannot read or decrypt the objects; check the SIEM role's s3:GetObject and kms:Decrypt via S3, then redrive ${dlqName}`;
    } else if (oldest !== null && oldest > maxAgeSeconds) {
      status = "failing";
      verdict = `oldest message is ${duration(oldest)} old: the SIEM is not consuming ${queueName}; check its input is running and its role can sqs:ReceiveMessage and kms:Decrypt via SQS`;
    } else if (visible + inFlight === 0) verdict = "empty: the SIEM keeps up";
    else
      verdict = `${visible} waiting, ${inFlight} in flight${oldest === null ? "" : `, oldest ${duration(oldest)}`}: the SIEM keeps up`;
    queues.push({
      logType: t,
      queue: queueName,
      visible,
      inFlight,
      oldestAgeSeconds: oldest,
      deadLetterQueue: dlqName,
      deadLetterVisible,
      status,
      verdict,
    });
    if (!q) continue;
    let target: string | undefined;
    try {
      target = q.RedrivePolicy ? JSON.parse(q.RedrivePolicy).deadLetterTargetArn : undefined;
    } catch {
      target = undefined;
    }
    guards.push(
      target === log.deadLetterQueueArn
        ? {
            resource: queueName,
            check: "redrive to the DLQ",
            status: "ok",
            found: dlqName,
            expected: dlqName,
          }
        : {
            resource: queueName,
            check: "redrive to the DLQ",
            status: "off",
            found: target ? nameOfArn(target) : "no redrive policy",
            expected: dlqName,
            fix: "without it a message the SIEM cannot process is retried until it expires; run pulumi up on the central stack (CloudTrail: SetQueueAttributes)",
          },
    );
    const key = q.KmsMasterKeyId;
    guards.push(
      key && sameKey(key, outputs.keyArn)
        ? {
            resource: queueName,
            check: "encryption with the archive key",
            status: "ok",
            found: "archive key",
            expected: "archive key",
          }
        : {
            resource: queueName,
            check: "encryption with the archive key",
            status: "off",
            found: key ? key : "no KMS key",
            expected: outputs.keyArn,
            fix: "run pulumi up on the central stack (CloudTrail: SetQueueAttributes); S3 must be able to use the key to notify",
          },
    );
  }
  return { queues, guards };
}

/** A key named by ARN or by ID is the archive key when its ID matches. */
export function sameKey(found: string, keyArn: string): boolean {
  const id = keyArn.slice(keyArn.lastIndexOf("/") + 1);
  return found === keyArn || found === id;
}
