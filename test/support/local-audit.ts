import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbAuditStore } from '../../adapters/dynamodb-audit-store';
import { startDynalite, type LocalDynamoDb } from '../../local/dynalite';
import { createTablesFromTemplate } from '../../local/tables';
import { synthRotor } from './synth';

/** dynalite with the stack's own tables created from the synthesized template. */
export async function startLocalAudit(): Promise<{
  dynamo: LocalDynamoDb;
  client: DynamoDBClient;
  tables: Map<string, string>;
  auditTable: string;
  store: DynamoDbAuditStore;
}> {
  const dynamo = await startDynalite();
  const client = dynamo.client();
  const template = synthRotor().template.toJSON() as never;
  const tables = await createTablesFromTemplate(client, template);
  const auditTable = [...tables.entries()].find(([id]) => id.startsWith('AuditTable'))?.[1];
  if (!auditTable) throw new Error('the synthesized template has no audit table');
  return { dynamo, client, tables, auditTable, store: new DynamoDbAuditStore(auditTable, client) };
}
