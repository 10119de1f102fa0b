import { DynamoDbAuditStore } from '../../../adapters/dynamodb-audit-store';
import { verifyChain } from '../../../core/audit/verify';
import type { LocalDynamoDb } from '../../../local/dynalite';
import { cloudTrailSamples } from '../../../local/samples/cloudtrail';
import { captureOutput, lambdaContext } from '../../support/lambda-context';
import { startLocalAudit } from '../../support/local-audit';

let dynamo: LocalDynamoDb;
let store: DynamoDbAuditStore;
let handler: (event: unknown, context: unknown) => Promise<{ seq: number }>;

beforeAll(async () => {
  const local = await startLocalAudit();
  dynamo = local.dynamo;
  store = local.store;
  const idempotencyTable = [...local.tables.entries()].find(([id]) => id.includes('Idempotency'))![1];
  // The handler reads its environment once, as on Lambda; the SDK picks the endpoint up from the environment.
  Object.assign(process.env, {
    AUDIT_TABLE_NAME: local.auditTable,
    IDEMPOTENCY_TABLE_NAME: idempotencyTable,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
  });
  handler = require('../../../functions/audit-ingest/handler').handler;
});
afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
  await dynamo?.close();
});

describe('the audit-ingest function on dynalite', () => {
  it('records each Secrets Manager call once, even when EventBridge delivers it twice', async () => {
    const samples = Object.values(cloudTrailSamples());
    for (const sample of samples) {
      const { error } = await captureOutput(() => handler(sample, lambdaContext()));
      expect(error).toBeUndefined();
    }
    // A redelivery of an event already recorded: the idempotency table answers, nothing is appended.
    const { result } = await captureOutput(() => handler(samples[0], lambdaContext()));
    expect(result?.seq).toBe(1);

    const report = await verifyChain('SECRET#prod/orders-db', store.chain('SECRET#prod/orders-db'));
    expect(report.broken).toBeUndefined();
    expect(report.records).toBe(samples.length);
    const page = await store.bySubject('SECRET#prod/orders-db', { order: 'oldest', limit: 100 });
    expect(page.items.map((r) => (r.details as { api: string }).api)).toEqual(
      samples.map((s) => s.detail.eventName),
    );
    expect(page.items.at(-1)).toMatchObject({ outcome: 'failure', details: { errorCode: 'AccessDenied' } });
  });
});
