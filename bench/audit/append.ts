// Audit append throughput on dynalite, against the floor: the same number of plain PutItems to the same table.
// Run: npx tsx bench/audit/append.ts   (results go to bench/RESULTS.md by hand, with the date and machine)
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { DynamoDbAuditStore } from '../../adapters/dynamodb-audit-store';
import { AuditWriter } from '../../core/audit/writer';
import { startDynalite } from '../../local/dynalite';
import { createTablesFromTemplate } from '../../local/tables';
import { buildApp } from '../../lib/app';
import { Template } from 'aws-cdk-lib/assertions';

const N = Number(process.env.N ?? 1000);

async function main() {
  const dynamo = await startDynalite();
  const client = dynamo.client();
  const { stack } = buildApp({ context: { 'aws:cdk:bundling-stacks': [] }, nag: false });
  const tables = await createTablesFromTemplate(client, Template.fromStack(stack).toJSON() as never);
  const table = [...tables.entries()].find(([id]) => id.startsWith('AuditTable'))![1];
  const store = new DynamoDbAuditStore(table, client);
  const event = (subject: string, i: number) => ({
    type: 'rotation.step' as const, subject, actor: 'bench', outcome: 'success' as const, eventId: `e${i}`,
    details: { step: 'setSecret' as const, kind: 'postgres', durationMs: i },
  });

  const time = async (label: string, fn: () => Promise<void>) => {
    const start = performance.now();
    await fn();
    const ms = performance.now() - start;
    return { label, ms, perSecond: (N / ms) * 1000 };
  };
  const split = async (writers: number, fn: (w: number, i: number) => Promise<unknown>) =>
    void (await Promise.all(Array.from({ length: writers }, async (_, w) => { for (let i = 0; i < N / writers; i++) await fn(w, i); })));

  const rows = [];
  const floor1 = await time('floor: PutItem, 1 writer', () => split(1, (w, i) => client.send(new PutItemCommand({ TableName: table, Item: marshall({ subject: 'FLOOR#1', seq: i, ...event('x', i) }) }))));
  rows.push(floor1);
  rows.push({ ...(await time('append, 1 writer, 1 chain', () => split(1, (w, i) => new AuditWriter({ store }).append(event('SECRET#one', i))))), base: floor1.ms });
  const floor20 = await time('floor: PutItem, 20 writers', () => split(20, (w, i) => client.send(new PutItemCommand({ TableName: table, Item: marshall({ subject: `FLOOR#${w}`, seq: i, ...event('x', i) }) }))));
  rows.push(floor20);
  rows.push({ ...(await time('append, 20 writers, 20 chains', () => split(20, (w, i) => new AuditWriter({ store }).append(event(`SECRET#c${w}`, i))))), base: floor20.ms });
  rows.push({ ...(await time('append, 20 writers, 1 chain (contended)', () => split(20, (w, i) => new AuditWriter({ store }).append(event('SECRET#contended', i))))), base: floor20.ms });

  console.log(`| ${N} records | ms | records/s | ratio to floor |\n| --- | --- | --- | --- |`);
  for (const r of rows) console.log(`| ${r.label} | ${r.ms.toFixed(0)} | ${r.perSecond.toFixed(0)} | ${'base' in r && r.base ? (r.ms / r.base).toFixed(2) : '1.00'} |`);
  await dynamo.close();
}

void main();
