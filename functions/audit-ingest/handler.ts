import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { z } from 'zod';
import { DynamoDbAuditStore } from '../../adapters/dynamodb-audit-store';
import { AuditWriter, secretAccessFromCloudTrail } from '../../core/audit';
import { readEnv } from '../shared/env';
import { createLogger } from '../shared/logger';
import { rotorHandler } from '../shared/middleware';

// Appends one audit record per Secrets Manager API call recorded by CloudTrail, once per CloudTrail event id.
const env = readEnv(
  z.object({
    AUDIT_TABLE_NAME: z.string().min(1),
    IDEMPOTENCY_TABLE_NAME: z.string().min(1),
    AUDIT_RETENTION_DAYS: z.coerce.number().int().positive().optional(),
  }),
);
const logger = createLogger('audit-ingest');
const metrics = new Metrics({ namespace: 'Rotor', serviceName: 'audit-ingest' });
const dynamo = new DynamoDBClient({});
const writer = new AuditWriter({
  store: new DynamoDbAuditStore(env.AUDIT_TABLE_NAME, dynamo),
  retentionDays: env.AUDIT_RETENTION_DAYS,
});
const persistenceStore = new DynamoDBPersistenceLayer({
  tableName: env.IDEMPOTENCY_TABLE_NAME,
  awsSdkV3Client: dynamo,
});
const idempotency = new IdempotencyConfig({
  eventKeyJmesPath: 'detail.eventID',
  throwOnNoIdempotencyKey: true,
  expiresAfterSeconds: 86_400,
});

export const handler = rotorHandler({ logger, metrics }, async (event: unknown) => {
  const auditEvent = secretAccessFromCloudTrail(event);
  logger.appendKeys({ subject: auditEvent.subject, eventId: auditEvent.eventId });
  const record = await writer.append(auditEvent);
  logger.info('secret access recorded', {
    api: auditEvent.details.api,
    outcome: record.outcome,
    seq: record.seq,
  });
  metrics.addMetric('SecretAccessRecorded', 'Count', 1);
  return { subject: record.subject, seq: record.seq, hash: record.hash };
}).use(makeHandlerIdempotent({ persistenceStore, config: idempotency }));
