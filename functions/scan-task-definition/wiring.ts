import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { z } from 'zod';
import { DynamoDbAuditStore } from '../../adapters/dynamodb-audit-store';
import { ecsTaskDefinitionSource } from '../../adapters/ecs-task-definitions';
import { DynamoDbFindingsStore } from '../../adapters/findings-store';
import { AuditWriter } from '../../core/audit';
import { systemClock } from '../../core/clock';
import { AUDIT_ENV } from '../../core/contracts/audit-table';
import { MANAGED_ENV } from '../../core/contracts/managed';
import { SCAN_ENV, TASK_DEFINITION_SCAN_ENV } from '../../core/contracts/scanning';
import type { TaskDefinitionScanDeps } from '../../core/scanning/task-definition';
import { readEnv } from '../shared/env';
import { eventBridgeLeakNotifier } from '../scan-merge/leak-events';
import { taskDefinitionDetector } from './detector-wiring';

/** The sweep's tuning, set by the construct (`TaskDefinitionScanProps.sweepConcurrency`). */
export const SWEEP_CONCURRENCY_ENV = TASK_DEFINITION_SCAN_ENV.sweepConcurrency;

const env = readEnv(
  z.object({
    [SCAN_ENV.findingsTable]: z.string().min(1),
    [SCAN_ENV.eventBusName]: z.string().min(1),
    [AUDIT_ENV.tableName]: z.string().min(1),
    [AUDIT_ENV.retentionDays]: z.coerce.number().int().positive().optional(),
    [SWEEP_CONCURRENCY_ENV]: z.coerce.number().int().min(1).max(20).default(4),
    [MANAGED_ENV.table]: z.string().min(1).optional(),
    [MANAGED_ENV.keySecret]: z.string().min(1).optional(),
    [MANAGED_ENV.cacheSeconds]: z.coerce.number().int().min(0).max(3600).optional(),
  }),
);
if ((env[MANAGED_ENV.table] === undefined) !== (env[MANAGED_ENV.keySecret] === undefined)) {
  throw new Error(
    `invalid function environment: ${MANAGED_ENV.table} and ${MANAGED_ENV.keySecret} go together`,
  );
}
const dynamo = new DynamoDBClient({});
const table = env[MANAGED_ENV.table];
const keySecret = env[MANAGED_ENV.keySecret];
const detector = taskDefinitionDetector(
  table && keySecret ? { table, keySecret, dynamo, cacheSeconds: env[MANAGED_ENV.cacheSeconds] } : undefined,
);

/** The sweep's concurrency, from the environment. */
export const sweepConcurrency: number = env[SWEEP_CONCURRENCY_ENV];

const base = {
  source: ecsTaskDefinitionSource(new ECSClient({})),
  findings: new DynamoDbFindingsStore(env[SCAN_ENV.findingsTable], dynamo),
  audit: new AuditWriter({
    store: new DynamoDbAuditStore(env[AUDIT_ENV.tableName], dynamo),
    retentionDays: env[AUDIT_ENV.retentionDays],
  }),
  leaks: eventBridgeLeakNotifier(new EventBridgeClient({}), env[SCAN_ENV.eventBusName]),
  clock: systemClock,
};

/**
 * The function's dependencies: built once per cold start from its environment, with the detector (and its
 * managed-secret records and key, when the fingerprint store is configured) refreshed as the image scan's are.
 */
export async function taskDefinitionScanDeps(): Promise<TaskDefinitionScanDeps> {
  const { detector: current, fingerprintKey } = await detector();
  return { ...base, detector: current, ...(fingerprintKey ? { fingerprintKey } : {}) };
}
