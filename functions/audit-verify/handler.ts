import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { z } from 'zod';
import { DynamoDbAuditStore } from '../../adapters/dynamodb-audit-store';
import { AuditWriter } from '../../core/audit/writer';
import { verifyAll } from '../../core/audit/verify-all';
import { systemClock } from '../../core/clock';
import { AUDIT_ENV } from '../../core/contracts/audit-table';
import { readEnv } from '../shared/env';
import { createLogger } from '../shared/logger';
import { rotorHandler } from '../shared/middleware';
import { parseVerifyRequest, scopeOf } from './request';
import { logChain, publishRun, recordRun } from './report';

// Verifies the audit chains (recent ones hourly, all weekly), emits ChainsVerified and BrokenChains, and
// logs which chain broke at which sequence and why, and the heads to anchor. Reads the trail; writes to it
// only the optional audit.verified record of the run.
const env = readEnv(
  z.object({
    [AUDIT_ENV.tableName]: z.string().min(1),
    [AUDIT_ENV.retentionDays]: z.coerce.number().int().positive().optional(),
  }),
);
const logger = createLogger('audit-verify');
const metrics = new Metrics({ namespace: 'Rotor', serviceName: 'audit-verify' });
const store = new DynamoDbAuditStore(env[AUDIT_ENV.tableName], new DynamoDBClient({}));
const writer = new AuditWriter({ store, retentionDays: env[AUDIT_ENV.retentionDays] });

export const handler = rotorHandler({ logger, metrics }, async (event: unknown) => {
  const request = parseVerifyRequest(event);
  const scope = scopeOf(request, systemClock.now());
  logger.appendKeys({ mode: scope.mode });
  const report = await verifyAll(store, scope, { onChain: (chain) => logChain(logger, scope, chain) });
  publishRun(logger, metrics, report);
  if (request.record) await recordRun(writer, report);
  return report;
});
