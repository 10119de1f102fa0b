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
import { MANAGED_FINGERPRINTS_TABLE as T } from '../core/contracts/managed';
import {
  FingerprintStoreRequestError,
  FingerprintStoreUnavailableError,
} from '../core/scanning/managed/errors';
import type {
  FingerprintSet,
  ManagedFingerprintStore,
  StoredRecord,
  StoredStage,
} from '../core/scanning/managed/ports';
import type { ManagedStage } from '../core/scanning/managed/record';
import { awsErrorInfo } from './aws-errors';

const STAGES = new Set<string>(['AWSCURRENT', 'AWSPREVIOUS']);
const DYNAMODB_THROTTLING = new Set(['ProvisionedThroughputExceededException', 'RequestLimitExceeded']);

/**
 * The managed-secret fingerprint store on DynamoDB (MANAGED_FINGERPRINTS_TABLE): an item per secret and
 * stage whose `records` list holds HMACs, lengths and alphabets (never a value), and the meta item whose
 * `version` counter the writer bumps after its writes. Reads are consistent, so a reader that saw a version
 * sees the records written before it. Throttling, 5xx and network errors become
 * FingerprintStoreUnavailableError (retryable); other refusals FingerprintStoreRequestError, by code.
 *
 * @example
 *   const store = new DynamoDbFingerprintStore(env.MANAGED_FINGERPRINTS_TABLE_NAME, new DynamoDBClient({}));
 *   const { version, stages } = await store.readAll();
 */
export class DynamoDbFingerprintStore implements ManagedFingerprintStore {
  readonly #doc: DynamoDBDocumentClient;

  constructor(
    readonly tableName: string,
    client: DynamoDBClient = new DynamoDBClient({}),
  ) {
    this.#doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async stagesOf(secretId: string): Promise<StoredStage[]> {
    const out = await this.#send('Query', () =>
      this.#doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :id',
          ExpressionAttributeNames: { '#pk': T.partitionKey },
          ExpressionAttributeValues: { ':id': secretId },
          ConsistentRead: true,
        }),
      ),
    );
    return (out.Items ?? []).flatMap((item) => stageOf(item));
  }

  async putStage(stage: StoredStage): Promise<void> {
    await this.#send('PutItem', () =>
      this.#doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            [T.partitionKey]: stage.secretId,
            [T.sortKey]: stage.stage,
            versionId: stage.versionId,
            keyId: stage.keyId,
            recipe: stage.recipe,
            records: stage.records.map((r) => ({
              field: r.field,
              hmac: r.hmac,
              length: r.length,
              alphabet: r.alphabet,
            })),
            skipped: stage.skipped.map((s) => ({ field: s.field, reason: s.reason })),
            updatedAt: stage.updatedAt,
          },
        }),
      ),
    );
  }

  async deleteStage(secretId: string, stage: ManagedStage): Promise<void> {
    await this.#send('DeleteItem', () =>
      this.#doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { [T.partitionKey]: secretId, [T.sortKey]: stage },
        }),
      ),
    );
  }

  async bumpVersion(): Promise<number> {
    const out = await this.#send('UpdateItem', () =>
      this.#doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [T.partitionKey]: T.metaItem.secretId, [T.sortKey]: T.metaItem.stage },
          UpdateExpression: 'ADD #v :one SET #at = :at',
          ExpressionAttributeNames: { '#v': 'version', '#at': 'updatedAt' },
          ExpressionAttributeValues: { ':one': 1, ':at': new Date().toISOString() },
          ReturnValues: 'UPDATED_NEW',
        }),
      ),
    );
    return Number(out.Attributes?.version ?? 0);
  }

  async version(): Promise<number> {
    const out = await this.#send('GetItem', () =>
      this.#doc.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { [T.partitionKey]: T.metaItem.secretId, [T.sortKey]: T.metaItem.stage },
          ProjectionExpression: '#v',
          ExpressionAttributeNames: { '#v': 'version' },
          ConsistentRead: true,
        }),
      ),
    );
    return Number(out.Item?.version ?? 0);
  }

  async readAll(): Promise<FingerprintSet> {
    // The version first: every record written before this version's bump is in the scan that follows.
    const version = await this.version();
    const stages: StoredStage[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.#send('Scan', () =>
        this.#doc.send(
          new ScanCommand({ TableName: this.tableName, ConsistentRead: true, ExclusiveStartKey: start }),
        ),
      );
      for (const item of out.Items ?? []) stages.push(...stageOf(item));
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
    return { version, stages };
  }

  async #send<R>(operation: string, call: () => Promise<R>): Promise<R> {
    try {
      return await call();
    } catch (error) {
      const { code, retryable } = awsErrorInfo(error);
      const context = { table: this.tableName, operation, code };
      // DynamoDB's own throttling names, beside the SDK-wide ones awsErrorInfo knows.
      if (retryable || DYNAMODB_THROTTLING.has(code)) {
        throw new FingerprintStoreUnavailableError(
          `the fingerprint table could not answer ${operation} (${code})`,
          {
            context,
            cause: error,
          },
        );
      }
      throw new FingerprintStoreRequestError(`the fingerprint table refused ${operation} (${code})`, {
        context,
        cause: error,
      });
    }
  }
}

/** An item as a stored stage; the meta item and anything malformed are left out. */
function stageOf(item: Record<string, unknown>): StoredStage[] {
  const secretId = item[T.partitionKey];
  const stage = item[T.sortKey];
  if (typeof secretId !== 'string' || typeof stage !== 'string' || !STAGES.has(stage)) return [];
  const records = Array.isArray(item.records) ? (item.records as Record<string, unknown>[]) : [];
  const skipped = Array.isArray(item.skipped) ? (item.skipped as Record<string, unknown>[]) : [];
  return [
    {
      secretId,
      stage: stage as ManagedStage,
      versionId: String(item.versionId ?? ''),
      keyId: String(item.keyId ?? ''),
      recipe: String(item.recipe ?? ''),
      records: records
        .filter((r) => typeof r.hmac === 'string' && typeof r.alphabet === 'string')
        .map((r): StoredRecord => ({
          field: String(r.field ?? ''),
          hmac: r.hmac as string,
          length: Number(r.length),
          alphabet: r.alphabet as string,
        })),
      skipped: skipped.map((s) => ({ field: String(s.field ?? ''), reason: String(s.reason ?? '') })),
      updatedAt: String(item.updatedAt ?? ''),
    },
  ];
}
