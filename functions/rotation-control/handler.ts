import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { z } from 'zod';
import { DynamoDbAuditStore } from '../../adapters/dynamodb-audit-store';
import { DynamoDbLockStore } from '../../adapters/dynamodb-lock-store';
import { tagSecret } from '../../adapters/secrets-listing';
import { secretsManagerStore } from '../../adapters/secrets-store';
import { AuditWriter } from '../../core/audit/writer';
import { systemClock } from '../../core/clock';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ecsPort } from '../../adapters/ecs';
import { ROTOR_METRICS } from '../../core/contracts/metrics';
import { beginRotation, endRotation, type BeginInput, type EndInput } from '../../core/workflow/control';
import {
  checkConsumerRefresh,
  startConsumerRefresh,
  type ConsumerRefreshState,
} from '../../core/workflow/consumers';
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
    CONSUMER_TIMEOUT_SECONDS: z.coerce.number().int().positive().default(1800),
  }),
);
const logger = createLogger('rotation-control');
const metrics = new Metrics({ namespace: 'Rotor', serviceName: 'rotation-control' });
const dynamo = new DynamoDBClient({});
const secrets = new SecretsManagerClient({});
const deps = {
  store: secretsManagerStore(secrets),
  locks: new DynamoDbLockStore(env.LOCK_TABLE_NAME, dynamo),
  audit: new AuditWriter({
    store: new DynamoDbAuditStore(env.AUDIT_TABLE_NAME, dynamo),
    retentionDays: env.AUDIT_RETENTION_DAYS,
  }),
  clock: systemClock,
  lockTtlSeconds: env.LOCK_TTL_SECONDS,
  ecs: ecsPort(new ECSClient({})),
  tagSecret: (secretArn: string, tags: Readonly<Record<string, string>>) =>
    tagSecret(secrets, secretArn, tags),
  rolloutTimeoutMs: env.CONSUMER_TIMEOUT_SECONDS * 1000,
};

type ControlEvent =
  | { action: 'begin'; input: BeginInput; executionId: string }
  | { action: 'consumers-start'; secretId: string; executionId: string; token: string; since?: string }
  | {
      action: 'consumers-check';
      secretId: string;
      executionId: string;
      token: string;
      state: ConsumerRefreshState;
    }
  | ({ action: 'end' } & EndInput);

export const handler = rotorHandler({ logger, metrics }, async (event: ControlEvent) => {
  const secretId = event.action === 'begin' ? event.input?.secretId : event.secretId;
  logger.appendKeys({
    action: event.action,
    secretId: typeof secretId === 'string' ? secretId : undefined,
    executionId: event.executionId,
  });
  switch (event.action) {
    case 'begin':
      return beginRotation(event, deps);
    case 'consumers-start':
      return reportConsumers(await startConsumerRefresh({ ...event, secretArn: event.secretId }, deps));
    case 'consumers-check':
      return reportConsumers(await checkConsumerRefresh({ ...event, secretArn: event.secretId }, deps));
  }
  const ended = await endRotation(event, deps);
  const metric =
    ended.result === 'rotated'
      ? ROTOR_METRICS.rotationSucceeded
      : ended.result === 'consumers-failed'
        ? ROTOR_METRICS.consumerRefreshFailed
        : ROTOR_METRICS.rotationFailed;
  metrics.addMetric(metric.name, 'Count', 1);
  logger.info('rotation ended', { result: ended.result });
  return ended;
});

function reportConsumers(state: ConsumerRefreshState): ConsumerRefreshState {
  logger.info('consumers', {
    pending: state.pending.length,
    moved: state.moved.length,
    failed: state.failed.map((f) => ({ service: f.service, error: f.error.name })),
    pinned: state.pinned,
  });
  return state;
}
