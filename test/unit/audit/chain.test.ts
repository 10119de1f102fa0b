import { GENESIS_HASH, canonicalContent, hashContent, seal } from '../../../core/audit/chain';
import { verifyChain } from '../../../core/audit/verify';
import type { AuditRecord } from '../../../core/audit/event';
import { rotationStep } from '../../support/audit-events';

async function* iterate(records: AuditRecord[]) {
  yield* records;
}

function chainOf(n: number, start = Date.parse('2026-01-01T00:00:00Z')): AuditRecord[] {
  const records: AuditRecord[] = [];
  for (let i = 0; i < n; i++) {
    const at = new Date(start + i * 1000).toISOString();
    records.push(seal({ ...rotationStep('orders-db'), at }, records.at(-1)));
  }
  return records;
}

describe('canonical serialization', () => {
  it('does not depend on key order or undefined fields', () => {
    const a = { ...rotationStep('a'), at: '2026-01-01T00:00:00.000Z', seq: 1, prevHash: GENESIS_HASH };
    const reordered = Object.fromEntries(Object.entries(a).reverse()) as typeof a;
    expect(canonicalContent(reordered)).toBe(canonicalContent(a));
    expect(canonicalContent({ ...a, eventId: undefined })).toBe(canonicalContent(a));
    expect(hashContent(a)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('seal', () => {
  it('starts a chain at 1 on the genesis hash and links each record to the one before', () => {
    const [first, second] = chainOf(2);
    expect(first.seq).toBe(1);
    expect(first.prevHash).toBe(GENESIS_HASH);
    expect(second.seq).toBe(2);
    expect(second.prevHash).toBe(first.hash);
  });
});

describe('verifyChain', () => {
  it('accepts an intact chain and reports its head', async () => {
    const records = chainOf(5);
    const report = await verifyChain('SECRET#orders-db', iterate(records));
    expect(report.broken).toBeUndefined();
    expect(report).toMatchObject({ records: 5, headSeq: 5, headHash: records[4].hash, firstSeq: 1 });
  });

  it('names a changed record', async () => {
    const records = chainOf(5);
    records[2] = { ...records[2], actor: 'arn:aws:iam::1:user/mallory' } as AuditRecord;
    const report = await verifyChain('SECRET#orders-db', iterate(records));
    expect(report.broken).toMatchObject({ kind: 'changed', seq: 3 });
    expect(report.broken?.message).toContain('record 3');
  });

  it('names a deleted record', async () => {
    const records = chainOf(5);
    records.splice(1, 1);
    const report = await verifyChain('SECRET#orders-db', iterate(records));
    expect(report.broken).toMatchObject({ kind: 'missing', seq: 3 });
    expect(report.broken?.message).toContain('record 2 of SECRET#orders-db is missing');
  });

  it('names a deleted first record', async () => {
    const records = chainOf(3).slice(1);
    expect((await verifyChain('s', iterate(records))).broken).toMatchObject({ kind: 'missing', seq: 2 });
  });

  it('names an inserted record even when the forger recomputes its hash', async () => {
    const records = chainOf(4);
    const forged = seal({ ...rotationStep('orders-db', { actor: 'forger' }), at: records[1].at }, records[1]);
    // Renumber what follows and re-hash it, as a forger with write access would; the link still breaks.
    const shifted = records.slice(2).map((r) => {
      const moved = { ...r, seq: r.seq + 1 } as AuditRecord;
      return { ...moved, hash: hashContent({ ...moved, hash: undefined } as never) } as AuditRecord;
    });
    const report = await verifyChain(
      'SECRET#orders-db',
      iterate([records[0], records[1], forged, ...shifted]),
    );
    expect(report.broken).toMatchObject({ kind: 'unlinked', seq: 4 });
  });

  it('names swapped records', async () => {
    const records = chainOf(4);
    const swapped = [
      records[0],
      { ...records[2], seq: 2 },
      { ...records[1], seq: 3 },
      records[3],
    ] as AuditRecord[];
    const report = await verifyChain('SECRET#orders-db', iterate(swapped));
    expect(report.broken?.seq).toBe(2);
    expect(report.broken?.kind).toBe('changed');
  });

  it('names records delivered out of sequence order', async () => {
    const records = chainOf(3);
    const report = await verifyChain('s', iterate([records[0], records[2], records[1]]));
    expect(report.broken).toMatchObject({ kind: 'missing', seq: 3 });
  });

  it('accepts a chain whose oldest records expired under retention, and nothing else missing', async () => {
    const now = new Date('2026-05-15T00:00:00Z');
    const records: AuditRecord[] = [];
    for (let i = 0; i < 5; i++) {
      const at = new Date(Date.parse('2026-01-01T00:00:00Z') + i * 86_400_000 * 30).toISOString();
      const expiresAt = Math.floor(Date.parse(at) / 1000) + 90 * 86_400;
      records.push(seal({ ...rotationStep('orders-db'), at, expiresAt }, records.at(-1)));
    }
    const afterTtl = records.slice(2); // DynamoDB TTL deleted the first two
    const report = await verifyChain('s', iterate(afterTtl), { now });
    expect(report.broken).toBeUndefined();
    expect(report.firstSeq).toBe(3);
    const gap = [afterTtl[0], afterTtl[2]];
    expect((await verifyChain('s', iterate(gap), { now })).broken).toMatchObject({ kind: 'missing', seq: 5 });
  });
});
