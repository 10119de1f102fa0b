import { gunzipSync, gzipSync } from 'node:zlib';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { LAYER_CACHE_TABLE as T } from '../core/contracts/scanning';
import type { LayerScan } from '../core/scanning/image/ports';
import type { LayerResultStore, StoredLayerResult } from '../core/scanning/pipeline/ports';

/** Largest gzipped slice stored in one item: under DynamoDB's 400 KB item limit with room for the keys. */
const PART_BYTES = 350_000;

/** Options of the DynamoDB layer cache. */
export interface DynamoDbLayerCacheOptions {
  /** Results expire this many days after they are written (DynamoDB TTL on `expiresAt`). @default 90 */
  readonly ttlDays?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * The layer cache and the layer results of the scan workflow on DynamoDB. A result is gzipped JSON (findings
 * are censored: no secret value) cut into parts of at most 350 KB, items `(digest, "<ruleset>#0000")`,
 * `…#0001`…; part 0 is the header (part count, complete or partial) and is written last, so a reader never
 * sees a header whose parts are missing. Layers are immutable, so a result never needs updating in place.
 */
export class DynamoDbLayerCache implements LayerResultStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #ttlSeconds: number;
  readonly #now: () => number;

  constructor(
    readonly tableName: string,
    client: DynamoDBClient = new DynamoDBClient({}),
    options: DynamoDbLayerCacheOptions = {},
  ) {
    this.#doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    this.#ttlSeconds = Math.round((options.ttlDays ?? 90) * 86_400);
    this.#now = options.now ?? Date.now;
  }

  async get(digest: string, rulesetVersion: string): Promise<LayerScan | undefined> {
    const result = await this.getResult(digest, rulesetVersion);
    return result?.complete ? result.scan : undefined;
  }

  async has(digest: string, rulesetVersion: string): Promise<boolean> {
    const out = await this.#doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { [T.partitionKey]: digest, [T.sortKey]: partKey(rulesetVersion, 0) },
        ProjectionExpression: '#complete',
        ExpressionAttributeNames: { '#complete': 'complete' },
      }),
    );
    return out.Item?.complete === true;
  }

  async put(digest: string, rulesetVersion: string, scan: LayerScan): Promise<void> {
    await this.#write(digest, rulesetVersion, scan, true);
  }

  async putPartial(digest: string, rulesetVersion: string, scan: LayerScan): Promise<void> {
    await this.#write(digest, rulesetVersion, scan, false);
  }

  async getResult(digest: string, rulesetVersion: string): Promise<StoredLayerResult | undefined> {
    const header = await this.#part(digest, rulesetVersion, 0);
    if (!header) return undefined;
    const parts = Number(header.parts);
    const slices: Uint8Array[] = [header.data as Uint8Array];
    for (let i = 1; i < parts; i += 1) {
      const item = await this.#part(digest, rulesetVersion, i);
      // A part written by an older, larger result may linger; a missing one means an unfinished write.
      if (!item) return undefined;
      slices.push(item.data as Uint8Array);
    }
    const scan = JSON.parse(gunzipSync(Buffer.concat(slices)).toString('utf8')) as LayerScan;
    return { scan, complete: header.complete === true };
  }

  async #part(digest: string, rulesetVersion: string, index: number) {
    const out = await this.#doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { [T.partitionKey]: digest, [T.sortKey]: partKey(rulesetVersion, index) },
        ConsistentRead: true,
      }),
    );
    return out.Item;
  }

  async #write(digest: string, rulesetVersion: string, scan: LayerScan, complete: boolean): Promise<void> {
    const data = gzipSync(Buffer.from(JSON.stringify(scan)));
    const parts = Math.max(1, Math.ceil(data.byteLength / PART_BYTES));
    const expiresAt = Math.floor(this.#now() / 1000) + this.#ttlSeconds;
    const put = (index: number, extra: Record<string, unknown>) =>
      this.#doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            [T.partitionKey]: digest,
            [T.sortKey]: partKey(rulesetVersion, index),
            data: data.subarray(index * PART_BYTES, (index + 1) * PART_BYTES),
            [T.ttlAttribute]: expiresAt,
            ...extra,
          },
        }),
      );
    for (let i = 1; i < parts; i += 1) await put(i, {});
    await put(0, {
      parts,
      complete,
      findings: scan.findings.length,
      files: scan.files,
    });
  }
}

function partKey(rulesetVersion: string, index: number): string {
  return `${rulesetVersion}#${String(index).padStart(4, '0')}`;
}
