import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { type CfnTemplate, resourcesOfType } from './template';

/**
 * Creates, on a local DynamoDB, every table the synthesized template declares, with its keys and indexes
 * exactly as the template gives them, so local runs and integration tests use the table the stack deploys.
 * What dynalite cannot take (TTL, point-in-time recovery, KMS encryption, deletion protection) is left out:
 * those are the deployment's concern and are asserted by the stack tests.
 *
 * Returns each table's logical id and the local name it got.
 */
export async function createTablesFromTemplate(
  client: DynamoDBClient,
  template: CfnTemplate,
  nameFor: (logicalId: string) => string = (id) => id,
): Promise<Map<string, string>> {
  const created = new Map<string, string>();
  for (const [logicalId, props] of resourcesOfType(template, 'AWS::DynamoDB::Table')) {
    const name = nameFor(logicalId);
    await client.send(new CreateTableCommand(tableInput(name, props)));
    created.set(logicalId, name);
  }
  return created;
}

/** The CreateTable input for a template's `AWS::DynamoDB::Table` properties. */
export function tableInput(name: string, props: Record<string, unknown>): CreateTableCommandInput {
  const onDemand = props.BillingMode === 'PAY_PER_REQUEST';
  const throughput = { ReadCapacityUnits: 5, WriteCapacityUnits: 5 };
  const indexes = (props.GlobalSecondaryIndexes as Array<Record<string, unknown>> | undefined)?.map(
    (index) => ({
      IndexName: index.IndexName as string,
      KeySchema: index.KeySchema as CreateTableCommandInput['KeySchema'],
      Projection: index.Projection as {
        ProjectionType: 'ALL' | 'KEYS_ONLY' | 'INCLUDE';
        NonKeyAttributes?: string[];
      },
      ...(onDemand ? {} : { ProvisionedThroughput: throughput }),
    }),
  );
  return {
    TableName: name,
    KeySchema: props.KeySchema as CreateTableCommandInput['KeySchema'],
    AttributeDefinitions: props.AttributeDefinitions as CreateTableCommandInput['AttributeDefinitions'],
    BillingMode: onDemand ? 'PAY_PER_REQUEST' : 'PROVISIONED',
    ...(onDemand ? {} : { ProvisionedThroughput: throughput }),
    ...(indexes?.length ? { GlobalSecondaryIndexes: indexes } : {}),
  };
}
