/**
 * The audit table's shape, shared by the CDK construct that creates it and the adapter that reads and
 * writes it, so the two cannot drift apart.
 *
 * Items: one per record, keyed by its chain (`subject`) and its place in the chain (`seq`). The chain's
 * order is the append order, and `at` only grows along it, so the base table is sorted by time too; the
 * `by-subject-time` index serves time ranges without reading a whole chain.
 */
export const AUDIT_TABLE = {
  partitionKey: 'subject',
  sortKey: 'seq',
  timeAttribute: 'at',
  typeAttribute: 'eventType',
  actorAttribute: 'actor',
  ttlAttribute: 'expiresAt',
  indexes: {
    bySubjectTime: 'by-subject-time',
    byType: 'by-type',
    byActor: 'by-actor',
  },
} as const;

/** The environment variables a function that uses the audit trail reads. */
export const AUDIT_ENV = {
  tableName: 'AUDIT_TABLE_NAME',
  retentionDays: 'AUDIT_RETENTION_DAYS',
  idempotencyTableName: 'IDEMPOTENCY_TABLE_NAME',
} as const;

/**
 * The input of the audit-verify function, as the monitoring construct's schedules send it: `recent` checks
 * the chains appended to in the last `lookbackMinutes` (default 120), `full` every chain; `record` appends an
 * `audit.verified` record (default false).
 */
export interface AuditVerifyInput {
  readonly mode?: 'full' | 'recent';
  readonly lookbackMinutes?: number;
  readonly record?: boolean;
}
