import {
  DeleteItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { DynamoDbAuditStore, toItem } from '../../../adapters/dynamodb-audit-store';
import { seal } from '../../../core/audit/chain';
import type { AuditRecord } from '../../../core/audit/event';
import { verifyChain } from '../../../core/audit/verify';
import { AuditWriter } from '../../../core/audit/writer';
import type { LocalDynamoDb } from '../../../local/dynalite';
import { rotationStep } from '../../support/audit-events';
import { startLocalAudit } from '../../support/local-audit';

let dynamo: LocalDynamoDb;
let client: DynamoDBClient;
let table: string;
let store: DynamoDbAuditStore;

beforeAll(async () => {
  ({ dynamo, client, auditTable: table, store } = await startLocalAudit());
});
afterAll(() => dynamo?.close());

const verify = (subject: string) => verifyChain(subject, store.chain(subject));
const key = (subject: string, seq: number) => marshall({ subject, seq });

async function fillChain(subject: string, n: number): Promise<AuditRecord[]> {
  const writer = new AuditWriter({ store });
  const records: AuditRecord[] = [];
  for (let i = 0; i < n; i++)
    records.push(await writer.append(rotationStep(subject.replace('SECRET#', ''), { eventId: `e${i}` })));
  return records;
}

describe('the audit trail on dynalite, with the table the stack deploys', () => {
  it('keeps one unbroken chain of 1,000 events when 20 writers append 50 events each at once', async () => {
    const subject = 'SECRET#contended';
    const writers = Array.from(
      { length: 20 },
      () => new AuditWriter({ store: new DynamoDbAuditStore(table, dynamo.client()) }),
    );
    const started = Date.now();
    const appended = await Promise.all(
      writers.map(async (writer, w) => {
        const mine: number[] = [];
        for (let i = 0; i < 50; i++) {
          const record = await writer.append(
            rotationStep('contended', { actor: `writer-${w}`, eventId: `w${w}-e${i}` }),
          );
          mine.push(record.seq);
        }
        return mine;
      }),
    );
    const seqs = appended.flat().sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));

    const report = await verify(subject);
    expect(report.broken).toBeUndefined();
    expect(report.records).toBe(1000);
    const eventIds = new Set<string>();
    for await (const record of store.chain(subject)) eventIds.add(record.eventId!);
    expect(eventIds.size).toBe(1000);
    console.log(`20 writers x 50 appends to one chain: ${Date.now() - started} ms, chain intact`);
  });

  describe('tampering is detected and the first broken link named', () => {
    it('a changed field', async () => {
      await fillChain('SECRET#t-change', 6);
      await client.send(
        new UpdateItemCommand({
          TableName: table,
          Key: key('SECRET#t-change', 4),
          UpdateExpression: 'SET actor = :a',
          ExpressionAttributeValues: marshall({ ':a': 'arn:aws:iam::1:user/mallory' }),
        }),
      );
      expect((await verify('SECRET#t-change')).broken).toMatchObject({ kind: 'changed', seq: 4 });
    });

    it('a deleted record', async () => {
      await fillChain('SECRET#t-delete', 6);
      await client.send(new DeleteItemCommand({ TableName: table, Key: key('SECRET#t-delete', 3) }));
      const broken = (await verify('SECRET#t-delete')).broken;
      expect(broken).toMatchObject({ kind: 'missing', seq: 4 });
      expect(broken?.message).toContain('record 3 of SECRET#t-delete is missing');
    });

    it('an inserted record', async () => {
      const records = await fillChain('SECRET#t-insert', 5);
      // The forger shifts records 3..5 up by one, re-sealing each, and puts a forged record 3 in between.
      const forged = seal(
        { ...rotationStep('t-insert', { actor: 'forger' }), at: records[1].at },
        records[1],
      );
      const writes = [forged, ...records.slice(2).map((r) => ({ ...r, seq: r.seq + 1 }) as AuditRecord)];
      for (const record of writes)
        await client.send(
          new PutItemCommand({
            TableName: table,
            Item: marshall(toItem(record), { removeUndefinedValues: true }),
          }),
        );
      const broken = (await verify('SECRET#t-insert')).broken;
      expect(broken?.seq).toBe(4);
      expect(['changed', 'unlinked']).toContain(broken?.kind);
    });

    it('two records swapped', async () => {
      const records = await fillChain('SECRET#t-swap', 5);
      const [second, third] = [records[1], records[2]];
      await client.send(
        new PutItemCommand({
          TableName: table,
          Item: marshall(toItem({ ...third, seq: 2 } as AuditRecord), { removeUndefinedValues: true }),
        }),
      );
      await client.send(
        new PutItemCommand({
          TableName: table,
          Item: marshall(toItem({ ...second, seq: 3 } as AuditRecord), { removeUndefinedValues: true }),
        }),
      );
      expect((await verify('SECRET#t-swap')).broken).toMatchObject({ kind: 'changed', seq: 2 });
    });

    it('a record cut off the end is not a broken link, but moves the head hash that an anchor would hold', async () => {
      const records = await fillChain('SECRET#t-truncate', 4);
      await client.send(new DeleteItemCommand({ TableName: table, Key: key('SECRET#t-truncate', 4) }));
      const report = await verify('SECRET#t-truncate');
      expect(report.broken).toBeUndefined();
      expect(report.headHash).not.toBe(records[3].hash);
    });
  });

  describe('reading', () => {
    const subject = 'SECRET#reading';
    let records: AuditRecord[];

    beforeAll(async () => {
      const writer = new AuditWriter({ store });
      records = [];
      for (let i = 0; i < 12; i++) {
        records.push(
          await writer.append(
            i % 3 === 0
              ? {
                  type: 'rotation.outcome',
                  subject,
                  actor: 'rotor:workflow',
                  outcome: 'success',
                  details: { result: 'rotated', reason: 'schedule' },
                }
              : rotationStep('reading', { actor: i % 2 ? 'actor-odd' : 'actor-even' }),
          ),
        );
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
    });

    it('pages through a subject newest first and oldest first', async () => {
      const first = await store.bySubject(subject, { limit: 5 });
      expect(first.items.map((r) => r.seq)).toEqual([12, 11, 10, 9, 8]);
      const second = await store.bySubject(subject, { limit: 5, cursor: first.cursor });
      expect(second.items.map((r) => r.seq)).toEqual([7, 6, 5, 4, 3]);
      const oldest = await store.bySubject(subject, { limit: 3, order: 'oldest' });
      expect(oldest.items.map((r) => r.seq)).toEqual([1, 2, 3]);
    });

    it('reads a subject within a time range', async () => {
      const page = await store.bySubject(subject, {
        since: records[3].at,
        until: records[6].at,
        order: 'oldest',
      });
      expect(page.items.map((r) => r.seq)).toEqual([4, 5, 6, 7]);
    });

    it('reads by event type and by actor', async () => {
      const outcomes = await store.byType('rotation.outcome', { since: records[0].at, limit: 100 });
      expect(
        outcomes.items
          .filter((r) => r.subject === subject)
          .map((r) => r.seq)
          .sort((a, b) => a - b),
      ).toEqual([1, 4, 7, 10]);
      const odd = await store.byActor('actor-odd', { limit: 100 });
      expect(odd.items.map((r) => r.seq).sort((a, b) => a - b)).toEqual([2, 6, 8, 12]);
    });

    it('round-trips records exactly, so their hashes verify', async () => {
      const [head] = (await store.bySubject(subject, { limit: 1 })).items;
      expect(head).toEqual(records[11]);
      expect((await verify(subject)).broken).toBeUndefined();
    });

    it('lists every subject once', async () => {
      const subjects: string[] = [];
      for await (const s of store.subjects()) subjects.push(s);
      expect(subjects).toContain(subject);
      expect(new Set(subjects).size).toBe(subjects.length);
    });

    it('rejects a cursor it did not issue', async () => {
      await expect(store.bySubject(subject, { cursor: 'not-a-cursor' })).rejects.toThrow(/invalid cursor/);
    });
  });
});
