import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbAuditStore } from '../../../adapters/dynamodb-audit-store';
import { AUDIT_EVENT_TYPES } from '../../../core/audit/event';

const documents = mockClient(DynamoDBDocumentClient);
const store = new DynamoDbAuditStore('rotor-audit', new DynamoDBClient({}));
beforeEach(() => documents.reset());

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('DynamoDbAuditStore, what the scheduled verification reads', () => {
  it('lists records appended since a time on the by-type index, every type, page by page, keys only', async () => {
    documents.on(QueryCommand).callsFake((input) => {
      if (input.ExpressionAttributeValues[':type'] !== 'rotation.step') return { Items: [] };
      return input.ExclusiveStartKey
        ? { Items: [{ subject: 'SECRET#a', seq: 3 }] }
        : { Items: [{ subject: 'SECRET#a', seq: 2 }], LastEvaluatedKey: { subject: 'SECRET#a', seq: 2 } };
    });
    const refs = await collect(store.appendedSince('2026-11-24T09:00:00.000Z'));
    expect(refs).toEqual([
      { subject: 'SECRET#a', seq: 2 },
      { subject: 'SECRET#a', seq: 3 },
    ]);
    const inputs = documents.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(inputs).toHaveLength(AUDIT_EVENT_TYPES.length + 1);
    expect(new Set(inputs.map((i) => i.ExpressionAttributeValues![':type']))).toEqual(
      new Set(AUDIT_EVENT_TYPES),
    );
    expect(inputs[0]).toMatchObject({
      TableName: 'rotor-audit',
      IndexName: 'by-type',
      KeyConditionExpression: '#type = :type AND #at >= :since',
      ProjectionExpression: '#pk, #seq',
      ExpressionAttributeValues: { ':since': '2026-11-24T09:00:00.000Z' },
    });
  });

  it('reads a chain from a sequence number on, consistently, page by page', async () => {
    documents
      .on(QueryCommand)
      .resolvesOnce({
        Items: [{ subject: 'SECRET#a', seq: 4, eventType: 'rotation.step' }],
        LastEvaluatedKey: { seq: 4 },
      })
      .resolvesOnce({ Items: [{ subject: 'SECRET#a', seq: 5, eventType: 'rotation.step' }] });
    const records = await collect(store.chainFrom('SECRET#a', 4));
    expect(records.map((r) => [r.subject, r.seq, r.type])).toEqual([
      ['SECRET#a', 4, 'rotation.step'],
      ['SECRET#a', 5, 'rotation.step'],
    ]);
    const [first, second] = documents.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(first).toMatchObject({
      KeyConditionExpression: '#pk = :pk AND #seq >= :from',
      ExpressionAttributeValues: { ':pk': 'SECRET#a', ':from': 4 },
      ConsistentRead: true,
    });
    expect(second.ExclusiveStartKey).toEqual({ seq: 4 });
  });
});
