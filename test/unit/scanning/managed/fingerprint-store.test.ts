import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbFingerprintStore } from '../../../../adapters/managed-fingerprint-store';
import {
  FingerprintStoreRequestError,
  FingerprintStoreUnavailableError,
} from '../../../../core/scanning/managed/errors';
import type { StoredStage } from '../../../../core/scanning/managed/ports';

const documents = mockClient(DynamoDBDocumentClient);
const store = new DynamoDbFingerprintStore('fingerprints', new DynamoDBClient({}));
const META = { secretId: '#fingerprint-set', stage: '#version' };

const stage: StoredStage = {
  secretId: 'prod/orders-db',
  stage: 'AWSCURRENT',
  versionId: 'v-1',
  keyId: '0123456789abcdef',
  recipe: 'values-v1-abc',
  records: [{ field: 'password', hmac: 'ab'.repeat(32), length: 32, alphabet: 'abc' }],
  skipped: [{ field: 'other', reason: 'missing' }],
  updatedAt: '2026-11-24T10:00:00.000Z',
};
const item = { ...stage };

beforeEach(() => documents.reset());

describe('DynamoDbFingerprintStore', () => {
  it("replaces a stage's records with one PutItem keyed by secret name and stage", async () => {
    documents.on(PutCommand).resolves({});
    await store.putStage(stage);
    expect(documents.commandCalls(PutCommand).map((c) => c.args[0].input)).toEqual([
      { TableName: 'fingerprints', Item: item },
    ]);
  });

  it("reads a secret's stages with one consistent Query, leaving out anything that is not a stage", async () => {
    documents
      .on(QueryCommand)
      .resolves({ Items: [item, { secretId: 'prod/orders-db', stage: 'AWSPENDING' }] });
    expect(await store.stagesOf('prod/orders-db')).toEqual([stage]);
    expect(documents.commandCalls(QueryCommand)[0]!.args[0].input).toEqual({
      TableName: 'fingerprints',
      KeyConditionExpression: '#pk = :id',
      ExpressionAttributeNames: { '#pk': 'secretId' },
      ExpressionAttributeValues: { ':id': 'prod/orders-db' },
      ConsistentRead: true,
    });
  });

  it('deletes one stage by its key', async () => {
    documents.on(DeleteCommand).resolves({});
    await store.deleteStage('prod/orders-db', 'AWSPREVIOUS');
    expect(documents.commandCalls(DeleteCommand)[0]!.args[0].input).toEqual({
      TableName: 'fingerprints',
      Key: { secretId: 'prod/orders-db', stage: 'AWSPREVIOUS' },
    });
  });

  it('bumps the version with an atomic ADD on the meta item and returns the new value', async () => {
    documents.on(UpdateCommand).resolves({ Attributes: { version: 7 } });
    expect(await store.bumpVersion()).toBe(7);
    expect(documents.commandCalls(UpdateCommand)[0]!.args[0].input).toMatchObject({
      Key: META,
      UpdateExpression: 'ADD #v :one SET #at = :at',
      ExpressionAttributeValues: { ':one': 1 },
    });
  });

  it('reads the version consistently, 0 before any update', async () => {
    documents
      .on(GetCommand)
      .resolvesOnce({})
      .resolves({ Item: { version: 3 } });
    expect(await store.version()).toBe(0);
    expect(await store.version()).toBe(3);
    expect(documents.commandCalls(GetCommand)[0]!.args[0].input).toMatchObject({
      Key: META,
      ConsistentRead: true,
    });
  });

  it('reads the version before the records, and pages through the whole table', async () => {
    const order: string[] = [];
    documents.on(GetCommand).callsFake(() => {
      order.push('version');
      return { Item: { ...META, version: 5 } };
    });
    documents
      .on(ScanCommand)
      .callsFakeOnce(() => {
        order.push('page 1');
        return {
          Items: [item, { ...META, version: 5 }],
          LastEvaluatedKey: { secretId: 'a', stage: 'AWSCURRENT' },
        };
      })
      .callsFakeOnce(() => {
        order.push('page 2');
        return { Items: [{ ...item, stage: 'AWSPREVIOUS' }] };
      });
    const set = await store.readAll();
    expect(order).toEqual(['version', 'page 1', 'page 2']);
    expect(set.version).toBe(5);
    expect(set.stages.map((s) => s.stage)).toEqual(['AWSCURRENT', 'AWSPREVIOUS']);
    expect(documents.commandCalls(ScanCommand)[1]!.args[0].input).toMatchObject({
      ExclusiveStartKey: { secretId: 'a', stage: 'AWSCURRENT' },
      ConsistentRead: true,
    });
  });

  it('sorts errors: throttling is retryable, anything else a refusal, both by code and never by message', async () => {
    documents
      .on(QueryCommand)
      .rejectsOnce(Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' }))
      .rejectsOnce(
        Object.assign(new Error('User: arn... is not authorized'), { name: 'AccessDeniedException' }),
      );
    const throttled = await store.stagesOf('x').catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(FingerprintStoreUnavailableError);
    expect((throttled as Error).message).toBe(
      'the fingerprint table could not answer Query (ProvisionedThroughputExceededException)',
    );
    const denied = await store.stagesOf('x').catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(FingerprintStoreRequestError);
    expect((denied as FingerprintStoreRequestError).context).toEqual({
      table: 'fingerprints',
      operation: 'Query',
      code: 'AccessDeniedException',
    });
  });
});
