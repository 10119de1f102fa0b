import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbAuditStore, toItem, toRecord } from '../../../adapters/dynamodb-audit-store';
import { seal } from '../../../core/audit/chain';
import { rotationStep } from '../../support/audit-events';

const documents = mockClient(DynamoDBDocumentClient);
const store = new DynamoDbAuditStore('audit', new DynamoDBClient({}));
const record = seal({ ...rotationStep('orders-db'), at: '2026-11-24T08:00:00.000Z' }, undefined);

beforeEach(() => documents.reset());

describe('DynamoDbAuditStore as the ChainStore', () => {
  it('reads the head with a consistent, newest-first query of one item', async () => {
    documents.on(QueryCommand).resolves({ Items: [toItem(record)] });
    expect(await store.head('SECRET#orders-db')).toEqual(record);
    expect(documents.commandCalls(QueryCommand)[0].args[0].input).toEqual({
      TableName: 'audit',
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': 'subject' },
      ExpressionAttributeValues: { ':pk': 'SECRET#orders-db' },
      ScanIndexForward: false,
      Limit: 1,
      ConsistentRead: true,
    });
  });

  it('has no head for a new chain', async () => {
    documents.on(QueryCommand).resolves({ Items: [] });
    expect(await store.head('SECRET#new')).toBeUndefined();
  });

  it('puts a record only into a free slot, and says false when the slot is taken', async () => {
    documents
      .on(PutCommand)
      .resolvesOnce({})
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'taken', $metadata: {} }));
    expect(await store.putIfAbsent(record)).toBe(true);
    expect(await store.putIfAbsent(record)).toBe(false);
    const input = documents.commandCalls(PutCommand)[0].args[0].input;
    expect(input.ConditionExpression).toBe('attribute_not_exists(#pk)');
    expect(input.Item).toMatchObject({
      subject: 'SECRET#orders-db',
      seq: 1,
      eventType: 'rotation.step',
      hash: record.hash,
    });
    expect(input.Item).not.toHaveProperty('type');
  });

  it('lets throttling and other errors through for the SDK and the caller to handle', async () => {
    documents
      .on(PutCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    await expect(store.putIfAbsent(record)).rejects.toThrow('slow down');
  });
});

describe('DynamoDbAuditStore as the AuditReader', () => {
  it('pages a subject on the table without a time range, and through the subject-time index with one', async () => {
    documents
      .on(QueryCommand)
      .resolves({ Items: [toItem(record)], LastEvaluatedKey: { subject: 'SECRET#orders-db', seq: 1 } });
    const page = await store.bySubject('SECRET#orders-db', { limit: 1 });
    expect(page.items).toEqual([record]);
    expect(page.cursor).toBeDefined();
    await store.bySubject('SECRET#orders-db', {
      cursor: page.cursor,
      since: '2026-11-01T00:00:00.000Z',
      until: '2026-11-30T00:00:00.000Z',
      order: 'oldest',
    });
    const [plain, ranged] = documents.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(plain).toMatchObject({ TableName: 'audit', ScanIndexForward: false, Limit: 1 });
    expect(plain.IndexName).toBeUndefined();
    expect(ranged).toMatchObject({
      IndexName: 'by-subject-time',
      KeyConditionExpression: '#k = :k AND #at BETWEEN :since AND :until',
      ExpressionAttributeNames: { '#k': 'subject', '#at': 'at' },
      ScanIndexForward: true,
      ExclusiveStartKey: { subject: 'SECRET#orders-db', seq: 1 },
    });
  });

  it('queries by type and by actor on their indexes, with open-ended time ranges', async () => {
    documents.on(QueryCommand).resolves({ Items: [] });
    await store.byType('secret.access', { since: '2026-11-01T00:00:00.000Z' });
    await store.byActor('rotor:rotation', { until: '2026-11-01T00:00:00.000Z', limit: 5000 });
    const [byType, byActor] = documents.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(byType).toMatchObject({
      IndexName: 'by-type',
      KeyConditionExpression: '#k = :k AND #at >= :since',
      ExpressionAttributeValues: { ':k': 'secret.access' },
    });
    expect(byActor).toMatchObject({
      IndexName: 'by-actor',
      KeyConditionExpression: '#k = :k AND #at <= :until',
      Limit: 1000,
    });
  });

  it('walks a chain page by page in sequence order, read consistently', async () => {
    const second = seal({ ...rotationStep('orders-db'), at: '2026-11-24T08:00:01.000Z' }, record);
    documents
      .on(QueryCommand)
      .resolvesOnce({ Items: [toItem(record)], LastEvaluatedKey: { subject: 'SECRET#orders-db', seq: 1 } })
      .resolvesOnce({ Items: [toItem(second)] });
    const walked = [];
    for await (const r of store.chain('SECRET#orders-db')) walked.push(r.seq);
    expect(walked).toEqual([1, 2]);
    const calls = documents.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(calls.every((c) => c.ConsistentRead === true && c.ScanIndexForward === undefined)).toBe(true);
    expect(calls[1].ExclusiveStartKey).toEqual({ subject: 'SECRET#orders-db', seq: 1 });
  });

  it('lists each subject once across scan pages', async () => {
    documents
      .on(ScanCommand)
      .resolvesOnce({
        Items: [{ subject: 'A' }, { subject: 'B' }],
        LastEvaluatedKey: { subject: 'B', seq: 1 },
      })
      .resolvesOnce({ Items: [{ subject: 'B' }, { subject: 'C' }] });
    const subjects = [];
    for await (const s of store.subjects()) subjects.push(s);
    expect(subjects).toEqual(['A', 'B', 'C']);
  });

  it('maps records to items and back without loss', () => {
    expect(toRecord(toItem(record))).toEqual(record);
  });
});
