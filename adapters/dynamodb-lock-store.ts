import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { LOCK_TABLE } from '../core/contracts/workflow';
import type { LockStore } from '../core/workflow/lock';

/**
 * Rotation locks in DynamoDB: a conditional PutItem takes a lock that is free, expired or already ours; a
 * conditional DeleteItem releases only our own. The TTL attribute lets DynamoDB sweep locks left behind.
 */
export class DynamoDbLockStore implements LockStore {
  readonly #doc: DynamoDBDocumentClient;

  constructor(
    readonly tableName: string,
    client: DynamoDBClient = new DynamoDBClient({}),
  ) {
    this.#doc = DynamoDBDocumentClient.from(client);
  }

  async tryAcquire(key: string, owner: string, expiresAt: number, now: number): Promise<boolean> {
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { [LOCK_TABLE.partitionKey]: key, owner, [LOCK_TABLE.ttlAttribute]: expiresAt },
          ConditionExpression: 'attribute_not_exists(#key) OR #expires < :now OR #owner = :owner',
          ExpressionAttributeNames: {
            '#key': LOCK_TABLE.partitionKey,
            '#expires': LOCK_TABLE.ttlAttribute,
            '#owner': 'owner',
          },
          ExpressionAttributeValues: { ':now': now, ':owner': owner },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async release(key: string, owner: string): Promise<void> {
    try {
      await this.#doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { [LOCK_TABLE.partitionKey]: key },
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as Error)?.name === 'ConditionalCheckFailedException'
  );
}
