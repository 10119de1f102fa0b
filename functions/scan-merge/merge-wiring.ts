import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { z } from 'zod';
import { DynamoDbAuditStore } from '../../adapters/dynamodb-audit-store';
import { DynamoDbFindingsStore } from '../../adapters/findings-store';
import { AuditWriter } from '../../core/audit';
import { systemClock } from '../../core/clock';
import { AUDIT_ENV } from '../../core/contracts/audit-table';
import { SCAN_ENV } from '../../core/contracts/scanning';
import { readEnv } from '../shared/env';
import { dynamo, layerStore, registryAccess } from '../scan-resolve/scan-wiring';
import { eventBridgeLeakNotifier } from './leak-events';

const env = readEnv(
  z.object({
    [SCAN_ENV.findingsTable]: z.string().min(1),
    [SCAN_ENV.eventBusName]: z.string().min(1),
    [AUDIT_ENV.tableName]: z.string().min(1),
    [AUDIT_ENV.retentionDays]: z.coerce.number().int().positive().optional(),
  }),
);
/** Merge's dependencies but the detector (per scan: see scanDetectors), built once per cold start. */
export const mergeDeps = {
  blobs: registryAccess(),
  layers: layerStore,
  findings: new DynamoDbFindingsStore(env[SCAN_ENV.findingsTable], dynamo),
  audit: new AuditWriter({
    store: new DynamoDbAuditStore(env[AUDIT_ENV.tableName], dynamo),
    retentionDays: env[AUDIT_ENV.retentionDays],
  }),
  leaks: eventBridgeLeakNotifier(new EventBridgeClient({}), env[SCAN_ENV.eventBusName]),
  clock: systemClock,
};
