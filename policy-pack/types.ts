/**
 * Resource type tokens of @pulumi/aws v7. S3 has two tokens for buckets (`aws.s3.Bucket` and the
 * deprecated `BucketV2`) and for several side resources (`*V2`); every rule covers both.
 */
export const T = {
  bucket: ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
  sse: [
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
  ],
  versioning: ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"],
  logging: ["aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2"],
  lifecycle: [
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
  ],
  replication: ["aws:s3/bucketReplicationConfig:BucketReplicationConfig"],
  objectLock: [
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
    "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2",
  ],
  acl: ["aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2"],
  publicAccessBlock: ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"],
  ownership: ["aws:s3/bucketOwnershipControls:BucketOwnershipControls"],
  bucketPolicy: ["aws:s3/bucketPolicy:BucketPolicy"],
  notification: ["aws:s3/bucketNotification:BucketNotification"],
  key: ["aws:kms/key:Key"],
  keyPolicy: ["aws:kms/keyPolicy:KeyPolicy"],
  queue: ["aws:sqs/queue:Queue"],
  queuePolicy: ["aws:sqs/queuePolicy:QueuePolicy"],
  trail: ["aws:cloudtrail/trail:Trail"],
  flowLog: ["aws:ec2/flowLog:FlowLog"],
  wafLogging: ["aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"],
  topic: ["aws:sns/topic:Topic"],
  topicPolicy: ["aws:sns/topicPolicy:TopicPolicy"],
  alarm: ["aws:cloudwatch/metricAlarm:MetricAlarm", "aws:cloudwatch/compositeAlarm:CompositeAlarm"],
  role: ["aws:iam/role:Role"],
  organizationPolicy: ["aws:organizations/policy:Policy"],
  eventBusPolicy: ["aws:cloudwatch/eventBusPolicy:EventBusPolicy"],
  rolePolicyAttachment: ["aws:iam/rolePolicyAttachment:RolePolicyAttachment"],
  rolePolicyAttachmentsExclusive: ["aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive"],
  policyAttachment: ["aws:iam/policyAttachment:PolicyAttachment"],
  rolePolicy: ["aws:iam/rolePolicy:RolePolicy"],
  policy: ["aws:iam/policy:Policy"],
  user: ["aws:iam/user:User"],
  userPolicy: ["aws:iam/userPolicy:UserPolicy"],
  userPolicyAttachment: ["aws:iam/userPolicyAttachment:UserPolicyAttachment"],
  accessKey: ["aws:iam/accessKey:AccessKey"],
  memberComponent: ["central-logging:member:MemberLogShipping"],
};

export const is = (type: string, tokens: string[]) => tokens.includes(type);
