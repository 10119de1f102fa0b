/** The rotation workflow's lock table and the environment its functions read. */
export const LOCK_TABLE = {
  partitionKey: 'lockKey',
  ttlAttribute: 'expiresAt',
} as const;

export const WORKFLOW_ENV = {
  lockTableName: 'LOCK_TABLE_NAME',
  lockTtlSeconds: 'LOCK_TTL_SECONDS',
  topicArn: 'NOTIFY_TOPIC_ARN',
  /** How long an ECS consumer's rollout may take before it counts as failed. */
  consumerTimeoutSeconds: 'CONSUMER_TIMEOUT_SECONDS',
} as const;

/** Why a rotation runs. */
export type RotationReason = 'schedule' | 'manual' | 'remediation';

/** The rotation workflow's input. */
export interface RotationWorkflowInput {
  readonly secretId: string;
  readonly reason: RotationReason;
  /** For remediation: the finding that caused it, linked in the audit trail. */
  readonly findingFingerprint?: string;
  /** For remediation: which version leaked (AWSCURRENT or AWSPREVIOUS). */
  readonly leakedStage?: string;
}
