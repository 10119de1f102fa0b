import type { AuditRecord } from '../../../core/audit/event';
import type { ChainCatalog, RecordRef } from '../../../core/audit/ports';
import { type TrailReport, verifyAll, verifyChainFrom } from '../../../core/audit/verify-all';
import { AuditWriter } from '../../../core/audit/writer';
import { rotationStep } from '../../support/audit-events';
import { MemoryChainStore } from '../../support/memory-chain-store';

/** The trail in memory, read as the DynamoDB adapter reads it: subjects page by page, chains in order. */
class MemoryCatalog implements ChainCatalog {
  subjectPages = 0;
  inFlight = 0;
  maxInFlight = 0;
  failOn?: string;
  constructor(
    readonly store: MemoryChainStore,
    readonly pageSize = 7,
  ) {}

  async *subjects(): AsyncIterable<string> {
    const all = [...this.store.chains.keys()];
    for (let i = 0; i < all.length; i += this.pageSize) {
      await new Promise((resolve) => setImmediate(resolve));
      this.subjectPages++;
      yield* all.slice(i, i + this.pageSize);
    }
  }

  chain(subject: string): AsyncIterable<AuditRecord> {
    return this.chainFrom(subject, 1);
  }

  async *appendedSince(since: string): AsyncIterable<RecordRef> {
    for (const [subject, records] of this.store.chains)
      for (const record of records) if (record.at >= since) yield { subject, seq: record.seq };
  }

  async *chainFrom(subject: string, fromSeq: number): AsyncIterable<AuditRecord> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      for (const record of this.store.chains.get(subject) ?? []) {
        await new Promise((resolve) => setImmediate(resolve));
        if (subject === this.failOn) throw new Error('ProvisionedThroughputExceededException');
        if (record.seq >= fromSeq) yield record;
      }
    } finally {
      this.inFlight--;
    }
  }
}

/** A trail written by the real writer, on a clock the test moves. */
function trail() {
  let time = Date.parse('2026-11-01T00:00:00.000Z');
  const clock = { now: () => new Date(time) };
  const store = new MemoryChainStore();
  const writer = new AuditWriter({ store, clock });
  return {
    store,
    clock,
    catalog: new MemoryCatalog(store),
    advance: (ms: number) => {
      time += ms;
    },
    at: () => new Date(time).toISOString(),
    append: async (secret: string, n: number) => {
      for (let i = 0; i < n; i++) {
        await writer.append(rotationStep(secret, { eventId: `${secret}-${time}-${i}` }));
        time += 1000;
      }
    },
    record: (subject: string, seq: number) => store.chains.get(subject)!.find((r) => r.seq === seq)!,
    remove: (subject: string, seq: number) => {
      const chain = store.chains.get(subject)!;
      chain.splice(
        chain.findIndex((r) => r.seq === seq),
        1,
      );
    },
  };
}

type Trail = ReturnType<typeof trail>;
function change(t: Trail, subject: string, seq: number): void {
  const record = t.record(subject, seq) as AuditRecord & { details: { durationMs?: number } };
  record.details.durationMs = 99_999;
}

describe('verifyAll, full pass', () => {
  it('verifies every chain from its first record and finds nothing broken in an intact trail', async () => {
    const t = trail();
    await t.append('orders', 5);
    await t.append('billing', 3);
    await t.append('search', 1);
    const seen: string[] = [];
    const report = await verifyAll(t.catalog, { mode: 'full' }, { onChain: (r) => seen.push(r.subject) });
    expect(report).toMatchObject({ mode: 'full', chains: 3, records: 9, brokenChains: 0, breaks: [] });
    expect(report.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(seen.sort()).toEqual(['SECRET#billing', 'SECRET#orders', 'SECRET#search']);
  });

  it('names the chain and the sequence number of a changed record', async () => {
    const t = trail();
    await t.append('orders', 5);
    await t.append('billing', 3);
    change(t, 'SECRET#orders', 3);
    const report = await verifyAll(t.catalog, { mode: 'full' });
    expect(report.brokenChains).toBe(1);
    expect(report.breaks).toEqual([
      expect.objectContaining({ subject: 'SECRET#orders', kind: 'changed', seq: 3 }),
    ]);
  });

  it('names the chain and the sequence number of a deleted record', async () => {
    const t = trail();
    await t.append('orders', 5);
    t.remove('SECRET#orders', 2);
    const report = await verifyAll(t.catalog, { mode: 'full' });
    expect(report.breaks).toEqual([
      expect.objectContaining({ subject: 'SECRET#orders', kind: 'missing', seq: 3 }),
    ]);
    expect(report.breaks[0].message).toContain('record 2 of SECRET#orders is missing');
  });

  it('gives the same digest for the same heads, and another once a chain grows', async () => {
    const t = trail();
    await t.append('orders', 2);
    await t.append('billing', 2);
    const first = await verifyAll(t.catalog, { mode: 'full' });
    const again = await verifyAll(t.catalog, { mode: 'full' });
    expect(again.digest).toBe(first.digest);
    await t.append('billing', 1);
    expect((await verifyAll(t.catalog, { mode: 'full' })).digest).not.toBe(first.digest);
  });

  it('verifies 250 chains delivered page by page, never more at once than asked', async () => {
    const t = trail();
    for (let i = 0; i < 250; i++) await t.append(`app-${i}`, 2);
    change(t, 'SECRET#app-17', 2);
    t.remove('SECRET#app-200', 1);
    const report = await verifyAll(t.catalog, { mode: 'full' }, { concurrency: 5 });
    expect(report).toMatchObject({ chains: 250, brokenChains: 2 });
    expect(report.records).toBe(499); // each broken chain is read up to its break
    expect(report.breaks.map((b) => [b.subject, b.kind, b.seq])).toEqual([
      ['SECRET#app-17', 'changed', 2],
      ['SECRET#app-200', 'missing', 2],
    ]);
    expect(t.catalog.subjectPages).toBe(Math.ceil(250 / 7));
    expect(t.catalog.maxInFlight).toBeLessThanOrEqual(5);
    expect(t.catalog.maxInFlight).toBeGreaterThan(1);
  });

  it('counts every broken chain but lists only the first maxBreaks, by subject', async () => {
    const t = trail();
    for (let i = 0; i < 6; i++) await t.append(`s${i}`, 2);
    for (let i = 0; i < 6; i++) change(t, `SECRET#s${i}`, 1);
    const report = await verifyAll(t.catalog, { mode: 'full' }, { maxBreaks: 2 });
    expect(report.brokenChains).toBe(6);
    expect(report.breaks.map((b) => b.subject)).toEqual(['SECRET#s0', 'SECRET#s1']);
  });

  it('fails the run when the store fails, rather than reporting a partial trail as verified', async () => {
    const t = trail();
    for (let i = 0; i < 10; i++) await t.append(`s${i}`, 2);
    t.catalog.failOn = 'SECRET#s4';
    await expect(verifyAll(t.catalog, { mode: 'full' })).rejects.toThrow(
      'ProvisionedThroughputExceededException',
    );
  });

  it('reports subjects, sequence numbers and hashes, never record content', async () => {
    const t = trail();
    await t.append('orders', 3);
    change(t, 'SECRET#orders', 2);
    const text = JSON.stringify(await verifyAll(t.catalog, { mode: 'full' }));
    expect(text).not.toContain('99999');
    expect(text).not.toContain('rotor:rotation');
    expect(text).not.toContain('v-new');
  });
});

describe('verifyAll, recent pass', () => {
  it('verifies only the chains appended to since, from the record before the first new one', async () => {
    const t = trail();
    await t.append('orders', 10);
    await t.append('billing', 4);
    t.advance(3_600_000);
    const since = t.at();
    await t.append('orders', 2);
    const chains: Array<[string, number, number]> = [];
    const report = await verifyAll(
      t.catalog,
      { mode: 'recent', since },
      { onChain: (r) => chains.push([r.subject, r.firstSeq, r.headSeq]) },
    );
    expect(report).toMatchObject({ mode: 'recent', since, chains: 1, records: 3, brokenChains: 0 });
    expect(chains).toEqual([['SECRET#orders', 10, 12]]);
  });

  it('finds a changed new record, and the link from the first new record to the one before', async () => {
    const t = trail();
    await t.append('orders', 4);
    const since = t.at();
    await t.append('orders', 3);
    change(t, 'SECRET#orders', 6);
    const broken = await verifyAll(t.catalog, { mode: 'recent', since });
    expect(broken.breaks).toEqual([
      expect.objectContaining({ subject: 'SECRET#orders', kind: 'changed', seq: 6 }),
    ]);

    const u = trail();
    await u.append('orders', 4);
    const later = u.at();
    await u.append('orders', 2);
    change(u, 'SECRET#orders', 4); // the anchor: its own hash no longer holds
    const anchor = await verifyAll(u.catalog, { mode: 'recent', since: later });
    expect(anchor.breaks).toEqual([expect.objectContaining({ kind: 'changed', seq: 4 })]);
  });

  it('leaves an old record of an idle chain to the full pass', async () => {
    const t = trail();
    await t.append('idle', 3);
    const since = t.at();
    await t.append('busy', 2);
    change(t, 'SECRET#idle', 1);
    expect((await verifyAll(t.catalog, { mode: 'recent', since })).brokenChains).toBe(0);
    expect((await verifyAll(t.catalog, { mode: 'full' })).breaks).toEqual([
      expect.objectContaining({ subject: 'SECRET#idle', kind: 'changed', seq: 1 }),
    ]);
  });

  it('names a deleted record before the window and a deleted new record', async () => {
    const t = trail();
    await t.append('orders', 4);
    const since = t.at();
    await t.append('orders', 3);
    t.remove('SECRET#orders', 4);
    expect((await verifyAll(t.catalog, { mode: 'recent', since })).breaks).toEqual([
      expect.objectContaining({ kind: 'missing', seq: 5 }),
    ]);
    const u = trail();
    await u.append('orders', 2);
    const later = u.at();
    await u.append('orders', 3);
    u.remove('SECRET#orders', 4);
    expect((await verifyAll(u.catalog, { mode: 'recent', since: later })).breaks).toEqual([
      expect.objectContaining({ kind: 'missing', seq: 5 }),
    ]);
  });

  it('verifies a chain that began inside the window from its first record', async () => {
    const t = trail();
    const since = t.at();
    await t.append('new', 3);
    change(t, 'SECRET#new', 1);
    expect((await verifyAll(t.catalog, { mode: 'recent', since })).breaks).toEqual([
      expect.objectContaining({ subject: 'SECRET#new', kind: 'changed', seq: 1 }),
    ]);
  });

  it('finds nothing to do, and says so, when nothing was appended', async () => {
    const t = trail();
    await t.append('orders', 3);
    t.advance(60_000);
    const report: TrailReport = await verifyAll(t.catalog, { mode: 'recent', since: t.at() });
    expect(report).toMatchObject({ chains: 0, records: 0, brokenChains: 0 });
  });
});

describe('verifyChainFrom', () => {
  async function* of(records: AuditRecord[]) {
    yield* records;
  }

  it('names records cut off the end that the window saw appended', async () => {
    const t = trail();
    await t.append('orders', 6);
    const records = t.store.chains.get('SECRET#orders')!.filter((r) => r.seq >= 3 && r.seq <= 4);
    const report = await verifyChainFrom('SECRET#orders', of(records), 3, 6);
    expect(report.broken).toMatchObject({ kind: 'missing', seq: 5 });
    expect(report.broken!.message).toContain('ends at 4 but 6 was appended');
  });

  it('starts after an expired record that retention removed', async () => {
    let time = Date.parse('2026-01-01T00:00:00.000Z');
    const store = new MemoryChainStore();
    const writer = new AuditWriter({ store, clock: { now: () => new Date(time) }, retentionDays: 1 });
    for (let i = 0; i < 4; i++) {
      await writer.append(rotationStep('kept', { eventId: `e${i}` }));
      time += 2 * 86_400_000;
    }
    const records = store.chains.get('SECRET#kept')!.filter((r) => r.seq >= 3); // 2 expired and gone
    const report = await verifyChainFrom('SECRET#kept', of(records), 2, 4, { now: new Date(time) });
    expect(report).toMatchObject({ firstSeq: 3, headSeq: 4, records: 2 });
    expect(report.broken).toBeUndefined();
  });

  it('reports a chain with none of the records it should have from the start of the window', async () => {
    const report = await verifyChainFrom('SECRET#gone', of([]), 5, 7);
    expect(report.broken).toMatchObject({ kind: 'missing', seq: 5 });
  });
});
