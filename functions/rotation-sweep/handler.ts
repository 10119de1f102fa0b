import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { z } from 'zod';
import { DynamoDbAuditStore } from '../../adapters/dynamodb-audit-store';
import { listManagedSecrets } from '../../adapters/secrets-listing';
import type { AuditEvent } from '../../core/audit/event';
import { AuditWriter } from '../../core/audit/writer';
import { systemClock } from '../../core/clock';
import { ROTOR_METRICS } from '../../core/contracts/metrics';
import { readEnv } from '../shared/env';
import { createLogger } from '../shared/logger';
import { rotorHandler } from '../shared/middleware';
import { planStep, summarizeStep, type PlanEvent, type SummarizeEvent } from './sweep-steps';

// The daily sweep's Plan and Summarize states: which managed secrets are due (by tag and date, never a
// value), and what the rotations it started did; both audited under SYSTEM#rotation-sweep.
const env = readEnv(
  z.object({
    AUDIT_TABLE_NAME: z.string().min(1),
    AUDIT_RETENTION_DAYS: z.coerce.number().int().positive().optional(),
    SWEEP_BATCH_SIZE: z.coerce.number().int().positive().max(1000).default(500),
  }),
);
const service = ROTOR_METRICS.sweepStarted.service;
const logger = createLogger(service);
const metrics = new Metrics({ namespace: 'Rotor', serviceName: service });
const secrets = new SecretsManagerClient({});
const writer = new AuditWriter({
  store: new DynamoDbAuditStore(env.AUDIT_TABLE_NAME, new DynamoDBClient({})),
  retentionDays: env.AUDIT_RETENTION_DAYS,
});
const deps = {
  list: () => listManagedSecrets(secrets),
  audit: (event: AuditEvent) => writer.append(event),
  metric: (name: string, value: number) => metrics.addMetric(name, MetricUnit.Count, value),
  clock: systemClock,
  batchSize: env.SWEEP_BATCH_SIZE,
};

export const handler = rotorHandler({ logger, metrics }, async (event: PlanEvent | SummarizeEvent) => {
  logger.appendKeys({ action: event.action, executionId: event.executionId });
  if (event.action === 'plan') {
    const plan = await planStep(event, deps);
    logger.info('sweep planned', {
      batch: plan.batch,
      due: plan.due.length,
      overdue: plan.overdue,
      more: plan.more,
    });
    return plan;
  }
  const summary = await summarizeStep(event, deps);
  logger.info('sweep batch done', { batch: event.batch, rotated: summary.rotated, failed: summary.failed });
  return summary;
});
