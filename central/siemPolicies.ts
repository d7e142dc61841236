/**
 * The SIEM reader role: never an IAM user. Cross-account trust requires an external ID, or an OIDC
 * audience plus a subject or session-name pin (Microsoft Sentinel).
 */
import { ReaderTrust } from "../shared/config";
import { policy, PolicyDocument } from "../shared/iam";
import { arn, LOG_TYPES } from "../shared/naming";
import { Partition } from "../shared/regions";
import { ArchiveContext, bucketArnOf, queueArnOf } from "./archiveContext";
import { SIEM_QUEUE_ACTIONS, viaServices } from "./policies";

function principalArn(partition: Partition, principal: string): string {
  return /^\d{12}$/.test(principal) ? arn.root(partition, principal) : principal;
}

/** The trust policy of a reader role; `reader` prefixes the Sids (Siem, Verifier). */
export function readerTrustPolicy(partition: Partition, trust: ReaderTrust, reader: string): PolicyDocument {
  if (trust.trust === "aws") {
    return policy([
      {
        Sid: `${reader}AssumeWithExternalId`,
        Effect: "Allow",
        Principal: { AWS: trust.principals.map((p) => principalArn(partition, p)) },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "sts:ExternalId": trust.externalId } },
      },
    ]);
  }
  const provider = trust.providerArn.slice(
    trust.providerArn.indexOf("oidc-provider/") + "oidc-provider/".length,
  );
  const pins: Record<string, string> = { [`${provider}:aud`]: trust.audience };
  if (trust.subject) pins[`${provider}:sub`] = trust.subject;
  if (trust.roleSessionName) pins["sts:RoleSessionName"] = trust.roleSessionName;
  return policy([
    {
      Sid: `${reader}AssumeWithWebIdentity`,
      Effect: "Allow",
      Principal: { Federated: trust.providerArn },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: { StringEquals: pins },
    },
  ]);
}

export function siemTrustPolicy(partition: Partition, trust: ReaderTrust): PolicyDocument {
  return readerTrustPolicy(partition, trust, "Siem");
}

/** Exactly what a queue-driven S3 reader needs: read the queues, get the objects, decrypt through S3/SQS. */
export function siemPermissionsPolicy(ctx: ArchiveContext, keyArn: string): PolicyDocument {
  return policy([
    {
      Sid: "ReadLogQueues",
      Effect: "Allow",
      Action: SIEM_QUEUE_ACTIONS,
      Resource: LOG_TYPES.map((t) => queueArnOf(ctx, t)),
    },
    {
      Sid: "GetLogObjects",
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: LOG_TYPES.map((t) => `${bucketArnOf(ctx, t)}/*`),
    },
    {
      Sid: "DecryptViaS3AndSqs",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: keyArn,
      Condition: { StringEquals: { "kms:ViaService": viaServices(ctx, "s3", "sqs") } },
    },
  ]);
}
