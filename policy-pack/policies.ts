/**
 * Every policy of the pack, side-effect free: tests and tools import this module, never index.ts.
 */
import { Policies } from "@pulumi/policy";
import {
  archiveAccessModel,
  archiveRoleManagedPoliciesKnown,
  archiveBucketAcl,
  archiveBucketForceDestroy,
  archiveKeyDeletionWindow,
  cloudTrailGlobalServiceEvents,
  deadLetterQueueCmk,
  replicationOfEncryptedLogs,
} from "./archive";
import { servicePrincipalKeysSent } from "./delivery";
import { organizationGuardrailsKeepDelivery, organizationGuardrailsSpareDeployments } from "./guardrails";
import { flowLogDefaultFields } from "./flowLogs";
import { s3LogNotificationEveryObject } from "./notifications";
import { s3StagingReplicationCoversLogs } from "./replication";
import { s3LogNoncurrentVersionRetention, sqsDeadLetterRetention, sqsLogQueueRetention } from "./retention";
import { snsAlarmTopicCustomerManagedKey, snsTopicNotPublic } from "./sns";
import { cloudTrailLoggingEnabled, cloudTrailManagementEvents, memberOrganizationTrailMode } from "./trails";
import { externalIdNotWildcard, webIdentityTrustPinned, webIdentityTrustScope } from "./trust";
import { policyArnsWellFormed, policyDocumentValid, policySizeLimit, policyUniqueSids } from "./hygiene";
import { kmsKeyRotationEnabled, kmsKeyRotationPeriod } from "./kms";
import {
  crossAccountTrustCondition,
  kmsDecryptOnlyReaders,
  noNotPrincipalOrNotAction,
  noPublicPrincipal,
  noUsersReadingLogs,
  noWildcardActions,
  servicePrincipalSourceCondition,
} from "./leastPrivilege";
import {
  s3AccessLogBucketSseS3,
  s3LogBucketAccessLogging,
  s3LogBucketEncryptionCmk,
  s3LogBucketMinimumRetention,
  s3LogBucketOwnerEnforced,
  s3LogBucketProtected,
  s3LogBucketPublicAccessBlock,
  s3LogBucketTlsOnly,
  s3LogBucketVersioning,
} from "./s3";
import {
  cloudTrailEncrypted,
  cloudTrailLogFileValidation,
  cloudTrailMultiRegion,
  flowLogTrafficAll,
  kmsLogKeyProtected,
  s3LogBucketNotification,
  s3NotificationQueueReady,
  sqsQueueEncrypted,
  wafLogDestinationName,
} from "./services";
import { memberShipsCloudTrail } from "./stack";

export const policies: Policies = [
  // Encryption
  s3LogBucketEncryptionCmk,
  s3AccessLogBucketSseS3,
  sqsQueueEncrypted,
  s3NotificationQueueReady,
  cloudTrailEncrypted,
  snsAlarmTopicCustomerManagedKey,
  // Rotation
  kmsKeyRotationEnabled,
  kmsKeyRotationPeriod,
  // Least privilege
  noWildcardActions,
  noPublicPrincipal,
  servicePrincipalSourceCondition,
  kmsDecryptOnlyReaders,
  crossAccountTrustCondition,
  externalIdNotWildcard,
  webIdentityTrustPinned,
  noUsersReadingLogs,
  noNotPrincipalOrNotAction,
  archiveAccessModel,
  snsTopicNotPublic,
  organizationGuardrailsKeepDelivery,
  organizationGuardrailsSpareDeployments,
  // Guards against destroying the archive
  archiveBucketForceDestroy,
  archiveKeyDeletionWindow,
  archiveBucketAcl,
  // Delivery correctness
  servicePrincipalKeysSent,
  replicationOfEncryptedLogs,
  cloudTrailGlobalServiceEvents,
  deadLetterQueueCmk,
  s3LogNotificationEveryObject,
  s3StagingReplicationCoversLogs,
  cloudTrailLoggingEnabled,
  cloudTrailManagementEvents,
  memberOrganizationTrailMode,
  flowLogDefaultFields,
  sqsLogQueueRetention,
  sqsDeadLetterRetention,
  s3LogNoncurrentVersionRetention,
  // Integrity
  s3LogBucketVersioning,
  s3LogBucketPublicAccessBlock,
  s3LogBucketOwnerEnforced,
  s3LogBucketTlsOnly,
  s3LogBucketAccessLogging,
  s3LogBucketProtected,
  kmsLogKeyProtected,
  cloudTrailMultiRegion,
  cloudTrailLogFileValidation,
  flowLogTrafficAll,
  wafLogDestinationName,
  s3LogBucketNotification,
  memberShipsCloudTrail,
  // Hygiene
  s3LogBucketMinimumRetention,
  webIdentityTrustScope,
  archiveRoleManagedPoliciesKnown,
  policyDocumentValid,
  policyUniqueSids,
  policyArnsWellFormed,
  policySizeLimit,
];
