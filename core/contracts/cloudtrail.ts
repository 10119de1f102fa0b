/** The Secrets Manager API calls whose CloudTrail records become `secret.access` audit events. */
export const AUDITED_SECRETS_MANAGER_CALLS = [
  'GetSecretValue',
  'BatchGetSecretValue',
  'PutSecretValue',
  'UpdateSecret',
  'UpdateSecretVersionStage',
  'RotateSecret',
  'CancelRotateSecret',
  'CreateSecret',
  'DeleteSecret',
  'RestoreSecret',
] as const;
