import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { z } from 'zod';
import { DynamoDbAuditStore } from '../../adapters/dynamodb-audit-store';
import { DynamoDbLockStore } from '../../adapters/dynamodb-lock-store';
import { secretsManagerStore } from '../../adapters/secrets-store';
import { AuditWriter } from '../../core/audit/writer';
import { systemClock } from '../../core/clock';
import { beginRotation, endRotation, type EndInput } from '../../core/workflow/control';
import { readEnv } from '../shared/env';
import { createLogger } from '../shared/logger';
import { rotorHandler } from '../shared/middleware';

// The rotation workflow's first and last states: lock the secret and mint the token; audit the outcome and unlock.
const env = readEnv(
  z.object({
    AUDIT_TABLE_NAME: z.string().min(1),
    AUDIT_RETENTION_DAYS: z.coerce.number().int().positive().optional(),
    LOCK_TABLE_NAME: z.string().min(1),
    LOCK_TTL_SECONDS: z.coerce.number().int().positive().default(3600),
  }),
);
const logger = createLogger('rotation-control');
const metrics = new Metrics({ namespace: 'Rotor', serviceName: 'rotation-control' });
const dynamo = new DynamoDBClient({});
const deps = {
  store: secretsManagerStore(new SecretsManagerClient({})),
  locks: new DynamoDbLockStore(env.LOCK_TABLE_NAME, dynamo),
  audit: new AuditWriter({
    store: new DynamoDbAuditStore(env.AUDIT_TABLE_NAME, dynamo),
    retentionDays: env.AUDIT_RETENTION_DAYS,
  }),
  clock: systemClock,
  lockTtlSeconds: env.LOCK_TTL_SECONDS,
};

type ControlEvent =
  { action: 'begin'; secretId: string; executionId: string } | ({ action: 'end' } & EndInput);

export const handler = rotorHandler({ logger, metrics }, async (event: ControlEvent) => {
  logger.appendKeys({ action: event.action, secretId: event.secretId, executionId: event.executionId });
  if (event.action === 'begin') return beginRotation(event, deps);
  const ended = await endRotation(event, deps);
  metrics.addMetric(ended.result === 'rotated' ? 'RotationSucceeded' : 'RotationFailed', 'Count', 1);
  logger.info('rotation ended', { result: ended.result });
  return ended;
});
