import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { FINDINGS_TABLE as T } from '../core/contracts/scanning';
import type { FindingRecord, FindingsStore } from '../core/scanning/pipeline/ports';

/**
 * The findings table on DynamoDB (keys in FINDINGS_TABLE): a conditional PutItem claims a finding unless it
 * is already stored and audited, and an UpdateItem marks it audited. No transactions, so it runs on
 * dynalite too. Items hold censored excerpts and fingerprints, never a secret value.
 */
export class DynamoDbFindingsStore implements FindingsStore {
  readonly #doc: DynamoDBDocumentClient;

  constructor(
    readonly tableName: string,
    client: DynamoDBClient = new DynamoDBClient({}),
  ) {
    this.#doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async claim(record: FindingRecord): Promise<boolean> {
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...record },
          ConditionExpression: 'attribute_not_exists(#pk) OR attribute_not_exists(#audited)',
          ExpressionAttributeNames: { '#pk': T.partitionKey, '#audited': 'auditedAt' },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async markAudited(record: Pick<FindingRecord, 'fingerprint' | 'occurrence'>, at: string): Promise<void> {
    await this.#doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { [T.partitionKey]: record.fingerprint, [T.sortKey]: record.occurrence },
        UpdateExpression: 'SET #audited = :at',
        ExpressionAttributeNames: { '#audited': 'auditedAt' },
        ExpressionAttributeValues: { ':at': at },
      }),
    );
  }
}
