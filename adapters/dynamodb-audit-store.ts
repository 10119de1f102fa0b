import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import { AUDIT_EVENT_TYPES, type AuditEventType, type AuditRecord } from '../core/audit/event';
import type {
  AuditReader,
  ChainCatalog,
  ChainStore,
  ListOptions,
  Page,
  RecordRef,
} from '../core/audit/ports';
import { AUDIT_TABLE as T } from '../core/contracts/audit-table';

type Item = Record<string, unknown>;

/**
 * The audit trail on DynamoDB: the ChainStore the writer appends through and the AuditReader the CLI and
 * `verify` read through. Uses only PutItem, Query and Scan (no transactions), so it runs on dynalite too.
 */
export class DynamoDbAuditStore implements ChainStore, AuditReader, ChainCatalog {
  readonly #doc: DynamoDBDocumentClient;

  constructor(
    readonly tableName: string,
    client: DynamoDBClient = new DynamoDBClient({}),
  ) {
    this.#doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async head(subject: string): Promise<AuditRecord | undefined> {
    const out = await this.#doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': T.partitionKey },
        ExpressionAttributeValues: { ':pk': subject },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const item = out.Items?.[0];
    return item ? toRecord(item) : undefined;
  }

  async putIfAbsent(record: AuditRecord): Promise<boolean> {
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: toItem(record),
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': T.partitionKey },
        }),
      );
      return true;
    } catch (error) {
      if (
        error instanceof ConditionalCheckFailedException ||
        (error as Error).name === 'ConditionalCheckFailedException'
      ) {
        return false;
      }
      throw error;
    }
  }

  bySubject(subject: string, options: ListOptions = {}): Promise<Page<AuditRecord>> {
    if (!options.since && !options.until) {
      return this.#page(
        {
          KeyConditionExpression: '#k = :k',
          ExpressionAttributeNames: { '#k': T.partitionKey },
          ExpressionAttributeValues: { ':k': subject },
        },
        options,
      );
    }
    return this.#timeQuery(T.indexes.bySubjectTime, T.partitionKey, subject, options);
  }

  byType(type: AuditEventType, options: ListOptions = {}): Promise<Page<AuditRecord>> {
    return this.#timeQuery(T.indexes.byType, T.typeAttribute, type, options);
  }

  byActor(actor: string, options: ListOptions = {}): Promise<Page<AuditRecord>> {
    return this.#timeQuery(T.indexes.byActor, T.actorAttribute, actor, options);
  }

  async *chain(subject: string): AsyncIterable<AuditRecord> {
    let cursor: Item | undefined;
    do {
      const out = await this.#doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': T.partitionKey },
          ExpressionAttributeValues: { ':pk': subject },
          ConsistentRead: true,
          ExclusiveStartKey: cursor,
        }),
      );
      for (const item of out.Items ?? []) yield toRecord(item);
      cursor = out.LastEvaluatedKey;
    } while (cursor);
  }

  async *subjects(): AsyncIterable<string> {
    const seen = new Set<string>();
    let cursor: Item | undefined;
    do {
      const out = await this.#doc.send(
        new ScanCommand({
          TableName: this.tableName,
          ProjectionExpression: '#pk',
          ExpressionAttributeNames: { '#pk': T.partitionKey },
          ExclusiveStartKey: cursor,
        }),
      );
      for (const item of out.Items ?? []) {
        const subject = item[T.partitionKey] as string;
        if (!seen.has(subject)) {
          seen.add(subject);
          yield subject;
        }
      }
      cursor = out.LastEvaluatedKey;
    } while (cursor);
  }

  /**
   * A chain's records from `fromSeq` on, read consistently, page by page: a Query on the key, so its cost
   * is the records read, not the chain's length.
   */
  async *chainFrom(subject: string, fromSeq: number): AsyncIterable<AuditRecord> {
    let cursor: Item | undefined;
    do {
      const out = await this.#doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk AND #seq >= :from',
          ExpressionAttributeNames: { '#pk': T.partitionKey, '#seq': T.sortKey },
          ExpressionAttributeValues: { ':pk': subject, ':from': fromSeq },
          ConsistentRead: true,
          ExclusiveStartKey: cursor,
        }),
      );
      for (const item of out.Items ?? []) yield toRecord(item);
      cursor = out.LastEvaluatedKey;
    } while (cursor);
  }

  /**
   * The (subject, seq) of every record appended at or after `since`: one paged Query per event type on the
   * by-type index (partition `eventType`, sort `at`), projecting only the keys. The index is eventually
   * consistent, so the newest records may be missing: the scheduled verification overlaps its windows.
   */
  async *appendedSince(since: string): AsyncIterable<RecordRef> {
    for (const type of AUDIT_EVENT_TYPES) {
      let cursor: Item | undefined;
      do {
        const out = await this.#doc.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: T.indexes.byType,
            KeyConditionExpression: '#type = :type AND #at >= :since',
            ProjectionExpression: '#pk, #seq',
            ExpressionAttributeNames: {
              '#type': T.typeAttribute,
              '#at': T.timeAttribute,
              '#pk': T.partitionKey,
              '#seq': T.sortKey,
            },
            ExpressionAttributeValues: { ':type': type, ':since': since },
            ExclusiveStartKey: cursor,
          }),
        );
        for (const item of out.Items ?? []) {
          yield { subject: item[T.partitionKey] as string, seq: item[T.sortKey] as number };
        }
        cursor = out.LastEvaluatedKey;
      } while (cursor);
    }
  }

  #timeQuery(
    index: string,
    keyAttribute: string,
    key: string,
    options: ListOptions,
  ): Promise<Page<AuditRecord>> {
    const names: Record<string, string> = { '#k': keyAttribute };
    const values: Record<string, unknown> = { ':k': key };
    let condition = '#k = :k';
    if (options.since || options.until) {
      names['#at'] = T.timeAttribute;
      if (options.since && options.until) {
        condition += ' AND #at BETWEEN :since AND :until';
        Object.assign(values, { ':since': options.since, ':until': options.until });
      } else if (options.since) {
        condition += ' AND #at >= :since';
        values[':since'] = options.since;
      } else {
        condition += ' AND #at <= :until';
        values[':until'] = options.until;
      }
    }
    return this.#page(
      {
        IndexName: index,
        KeyConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
      options,
    );
  }

  async #page(query: Partial<QueryCommandInput>, options: ListOptions): Promise<Page<AuditRecord>> {
    const out = await this.#doc.send(
      new QueryCommand({
        ...query,
        TableName: this.tableName,
        ScanIndexForward: options.order === 'oldest',
        Limit: Math.min(Math.max(options.limit ?? 50, 1), 1000),
        ExclusiveStartKey: decodeCursor(options.cursor),
      } as QueryCommandInput),
    );
    return {
      items: (out.Items ?? []).map(toRecord),
      ...(out.LastEvaluatedKey ? { cursor: encodeCursor(out.LastEvaluatedKey) } : {}),
    };
  }
}

/** The item a record is stored as. The record's `type` is stored as `eventType` (TYPE is a reserved word). */
export function toItem(record: AuditRecord): Item {
  const { subject, type, ...rest } = record;
  return { [T.partitionKey]: subject, [T.typeAttribute]: type, ...rest };
}

/** The record an item holds. */
export function toRecord(item: Item): AuditRecord {
  const { [T.partitionKey]: subject, [T.typeAttribute]: type, ...rest } = item;
  return { subject, type, ...rest } as AuditRecord;
}

function encodeCursor(key: Item): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodeCursor(cursor: string | undefined): Item | undefined {
  if (!cursor) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (key && typeof key === 'object' && !Array.isArray(key)) return key as Item;
  } catch {
    // fall through
  }
  throw new Error('invalid cursor: pass the cursor a previous page returned');
}
