import { DeleteItemCommand, type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDbAuditStore } from '../../../adapters/dynamodb-audit-store';
import { AuditWriter } from '../../../core/audit/writer';
import type { LocalDynamoDb } from '../../../local/dynalite';
import { rotationStep } from '../../support/audit-events';
import { captureOutput, lambdaContext } from '../../support/lambda-context';
import { startLocalAudit } from '../../support/local-audit';

let dynamo: LocalDynamoDb;
let client: DynamoDBClient;
let table: string;
let store: DynamoDbAuditStore;
let handler: (event: unknown, context: unknown) => Promise<Record<string, any>>;
const CHAINS = { orders: 6, billing: 5, search: 3 } as const;

beforeAll(async () => {
  ({ dynamo, client, auditTable: table, store } = await startLocalAudit());
  const writer = new AuditWriter({ store });
  for (const [secret, n] of Object.entries(CHAINS))
    for (let i = 0; i < n; i++) await writer.append(rotationStep(secret, { eventId: `${secret}-${i}` }));
  // The handler reads its environment once, as on Lambda; the SDK picks the endpoint up from the environment.
  Object.assign(process.env, {
    AUDIT_TABLE_NAME: table,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    POWERTOOLS_METRICS_DISABLED: 'false',
  });
  handler = require('../../../functions/audit-verify/handler').handler;
});
afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  await dynamo?.close();
});

/** Runs the real handler and splits what it printed into EMF metrics and log lines. */
async function run(event: unknown) {
  const { result, error, output } = await captureOutput(() => handler(event, lambdaContext('audit-verify')));
  if (error) throw error;
  const lines = output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, any>);
  const metrics: Record<string, number> = {};
  for (const blob of lines.filter((l) => l._aws))
    for (const directive of blob._aws.CloudWatchMetrics) {
      expect(directive).toMatchObject({ Namespace: 'Rotor', Dimensions: [['service']] });
      expect(blob.service).toBe('audit-verify');
      for (const metric of directive.Metrics) metrics[metric.Name] = blob[metric.Name];
    }
  return { result: result!, metrics, logs: lines.filter((l) => !l._aws), output };
}

describe('the audit-verify function on dynalite, with the table the stack deploys', () => {
  it('finds every chain intact on a full and a recent pass, and reports the same heads', async () => {
    const full = await run({ mode: 'full' });
    expect(full.result).toMatchObject({ mode: 'full', chains: 3, records: 14, brokenChains: 0, breaks: [] });
    expect(full.metrics).toEqual({ ChainsVerified: 3, BrokenChains: 0 });

    const recent = await run({ mode: 'recent', lookbackMinutes: 60 });
    expect(recent.result).toMatchObject({ mode: 'recent', chains: 3, records: 14, brokenChains: 0 });
    expect(recent.result.digest).toBe(full.result.digest);
    expect(recent.metrics).toEqual({ ChainsVerified: 3 });
    const heads = recent.logs.filter((l) => l.message === 'audit chain verified');
    expect(heads.map((h) => [h.subject, h.headSeq]).sort()).toEqual([
      ['SECRET#billing', 5],
      ['SECRET#orders', 6],
      ['SECRET#search', 3],
    ]);
  });

  it('reports exactly the chain and sequence of a record tampered with through UpdateItem', async () => {
    const planted = `tampered-${Math.random().toString(36).slice(2)}`;
    await client.send(
      new UpdateItemCommand({
        TableName: table,
        Key: marshall({ subject: 'SECRET#billing', seq: 3 }),
        UpdateExpression: 'SET #actor = :actor',
        ExpressionAttributeNames: { '#actor': 'actor' },
        ExpressionAttributeValues: marshall({ ':actor': planted }),
      }),
    );
    for (const event of [{ mode: 'full' }, { mode: 'recent' }]) {
      const { result, metrics, logs, output } = await run(event);
      expect(result.brokenChains).toBe(1);
      expect(result.breaks).toEqual([
        expect.objectContaining({ subject: 'SECRET#billing', seq: 3, kind: 'changed' }),
      ]);
      expect(metrics).toEqual({ ChainsVerified: 3, BrokenChains: 1 });
      expect(logs.filter((l) => l.message === 'audit chain broken')).toEqual([
        expect.objectContaining({ level: 'ERROR', subject: 'SECRET#billing', seq: 3, kind: 'changed' }),
      ]);
      expect(output).not.toContain(planted);
    }
  });

  it('names a deleted record as missing at the sequence where the chain jumps', async () => {
    await client.send(
      new DeleteItemCommand({ TableName: table, Key: marshall({ subject: 'SECRET#orders', seq: 4 }) }),
    );
    const { result, metrics } = await run({ mode: 'full' });
    expect(result.breaks).toEqual([
      expect.objectContaining({ subject: 'SECRET#billing', seq: 3, kind: 'changed' }),
      expect.objectContaining({ subject: 'SECRET#orders', seq: 5, kind: 'missing' }),
    ]);
    expect(metrics.BrokenChains).toBe(2);
  });

  it('lists what was appended since a time through the by-type index, and reads a chain from a sequence', async () => {
    const refs = [];
    for await (const ref of store.appendedSince('2000-01-01T00:00:00.000Z')) refs.push(ref);
    expect(refs).toHaveLength(13); // 14 written, one deleted
    expect(
      refs
        .filter((r) => r.subject === 'SECRET#search')
        .map((r) => r.seq)
        .sort(),
    ).toEqual([1, 2, 3]);
    const none = [];
    for await (const ref of store.appendedSince('2999-01-01T00:00:00.000Z')) none.push(ref);
    expect(none).toEqual([]);
    const tail = [];
    for await (const record of store.chainFrom('SECRET#billing', 4)) tail.push(record.seq);
    expect(tail).toEqual([4, 5]);
  });
});
