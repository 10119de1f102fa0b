import { randomBytes } from 'node:crypto';
import { CreateTableCommand, QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbLayerCache } from '../../../adapters/layer-cache-dynamodb';
import { LAYER_CACHE_TABLE } from '../../../core/contracts/scanning';
import type { LayerScan } from '../../../core/scanning/image/ports';
import type { Finding } from '../../../core/scanning/types';
import { startDynalite, type LocalDynamoDb } from '../../../local/dynalite';

// The layer cache on dynalite: results bigger than a DynamoDB item (and a Step Functions payload) are cut
// into parts and read back whole; partial results are kept but never served as cache.

let dynamo: LocalDynamoDb;
let client: DynamoDBClient;
let cache: DynamoDbLayerCache;
const digest = `sha256:${'cd'.repeat(32)}`;

function scanWith(findings: number): LayerScan {
  // Random excerpts so that gzip cannot shrink the result under one part.
  const many: Finding[] = Array.from({ length: findings }, (_, i) => ({
    ruleId: 'planted-marker',
    title: 'planted',
    severity: 'high',
    location: { layerDigest: digest, path: `srv/file-${i}.env`, line: 1, column: 1 },
    excerpt: randomBytes(96).toString('base64'),
    fingerprint: randomBytes(16).toString('hex'),
  }));
  return {
    digest,
    findings: many,
    whiteouts: ['etc/app.env'],
    opaqueDirs: ['var/cache'],
    files: findings,
    compressedBytes: 1,
    uncompressedBytes: 2,
  };
}

beforeAll(async () => {
  dynamo = await startDynalite();
  client = dynamo.client();
  await client.send(
    new CreateTableCommand({
      TableName: 'layers',
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: LAYER_CACHE_TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: LAYER_CACHE_TABLE.sortKey, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: LAYER_CACHE_TABLE.partitionKey, AttributeType: 'S' },
        { AttributeName: LAYER_CACHE_TABLE.sortKey, AttributeType: 'S' },
      ],
    }),
  );
  cache = new DynamoDbLayerCache('layers', client);
});

afterAll(async () => {
  await dynamo?.close();
});

describe('DynamoDbLayerCache', () => {
  it('stores a result larger than one item in parts and reads it back whole', async () => {
    const big = scanWith(6000); // about 1 MB of JSON, several parts after gzip
    await cache.put(digest, 'v1', big);
    expect(await cache.has(digest, 'v1')).toBe(true);
    expect(await cache.get(digest, 'v1')).toEqual(big);
    const items = await client.send(
      new QueryCommand({
        TableName: 'layers',
        KeyConditionExpression: '#d = :d',
        ExpressionAttributeNames: { '#d': LAYER_CACHE_TABLE.partitionKey },
        ExpressionAttributeValues: { ':d': { S: digest } },
      }),
    );
    expect(items.Count).toBeGreaterThan(1);
  });

  it('answers nothing for another ruleset version', async () => {
    expect(await cache.has(digest, 'v2')).toBe(false);
    expect(await cache.get(digest, 'v2')).toBeUndefined();
  });

  it('keeps a partial result for the merge but does not serve it as cache', async () => {
    const partial = scanWith(3);
    const other = `sha256:${'ef'.repeat(32)}`;
    await cache.putPartial(other, 'v1', { ...partial, digest: other });
    expect(await cache.has(other, 'v1')).toBe(false);
    expect(await cache.get(other, 'v1')).toBeUndefined();
    expect(await cache.getResult(other, 'v1')).toEqual({
      scan: { ...partial, digest: other },
      complete: false,
    });
  });
});
