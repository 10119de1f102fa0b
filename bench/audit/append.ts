// Audit append throughput on dynalite, against the floor: the same number of plain PutItems of the same
// items, with the same concurrency. Run: npx tsx bench/audit/append.ts   (N=1000 by default)
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { Template } from 'aws-cdk-lib/assertions';
import { DynamoDbAuditStore } from '../../adapters/dynamodb-audit-store';
import type { AuditEvent } from '../../core/audit/event';
import { AuditWriter } from '../../core/audit/writer';
import { buildApp } from '../../lib/app';
import { startDynalite } from '../../local/dynalite';
import { createTablesFromTemplate } from '../../local/tables';

const N = Number(process.env.N ?? 1000);

const event = (subject: string, i: number): AuditEvent => ({
  type: 'rotation.step',
  subject,
  actor: 'bench',
  outcome: 'success',
  eventId: `e${i}`,
  details: { step: 'setSecret', kind: 'postgres', durationMs: i },
});

/** Runs `writers` concurrent loops that share N operations; `op(w, i)` is writer w's i-th operation. */
async function timed(writers: number, op: (w: number, i: number) => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; i < N / writers; i++) await op(w, i);
    }),
  );
  return performance.now() - start;
}

async function main() {
  const dynamo = await startDynalite();
  const client = dynamo.client();
  const { stack } = buildApp({ context: { 'aws:cdk:bundling-stacks': [] }, nag: false });
  const tables = await createTablesFromTemplate(client, Template.fromStack(stack).toJSON() as never);
  const table = [...tables.entries()].find(([id]) => id.startsWith('AuditTable'))![1];
  const store = new DynamoDbAuditStore(table, client);
  const put = (subject: string, i: number) =>
    client.send(new PutItemCommand({ TableName: table, Item: marshall({ ...event(subject, i), seq: i }) }));
  const writers = (n: number) => Array.from({ length: n }, () => new AuditWriter({ store }));

  const rows: Array<[string, number, number]> = [];
  const floor1 = await timed(1, (_w, i) => put('FLOOR#1', i));
  rows.push(['floor: PutItem, 1 writer', floor1, floor1]);
  const one = writers(1);
  rows.push([
    'append, 1 writer, 1 chain',
    await timed(1, (w, i) => one[w].append(event('SECRET#one', i))),
    floor1,
  ]);
  const floor20 = await timed(20, (w, i) => put(`FLOOR#${w}`, i));
  rows.push(['floor: PutItem, 20 writers', floor20, floor20]);
  const many = writers(20);
  rows.push([
    'append, 20 writers, 20 chains',
    await timed(20, (w, i) => many[w].append(event(`SECRET#c${w}`, i))),
    floor20,
  ]);
  const rivals = writers(20);
  rows.push([
    'append, 20 writers, 1 chain (contended)',
    await timed(20, (w, i) => rivals[w].append(event('SECRET#hot', i))),
    floor20,
  ]);

  console.log(`| ${N} records | ms | records/s | ratio to floor |\n| --- | --- | --- | --- |`);
  for (const [label, ms, base] of rows) {
    console.log(
      `| ${label} | ${ms.toFixed(0)} | ${((N / ms) * 1000).toFixed(0)} | ${(ms / base).toFixed(2)} |`,
    );
  }
  await dynamo.close();
}

void main();
