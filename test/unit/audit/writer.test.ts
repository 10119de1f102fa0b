import { AuditWriter } from '../../../core/audit/writer';
import { ChainContentionError, InvalidAuditEventError } from '../../../core/audit/errors';
import { verifyChain } from '../../../core/audit/verify';
import { seal } from '../../../core/audit/chain';
import { MemoryChainStore } from '../../support/memory-chain-store';
import { rotationStep } from '../../support/audit-events';

const noSleep = async () => undefined;

describe('AuditWriter.append', () => {
  it('appends records that form an unbroken chain per subject', async () => {
    const store = new MemoryChainStore();
    const writer = new AuditWriter({ store, sleep: noSleep });
    for (let i = 0; i < 3; i++) await writer.append(rotationStep('a'));
    await writer.append(rotationStep('b'));
    expect(store.chains.get('SECRET#a')?.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect((await verifyChain('SECRET#a', store.records('SECRET#a'))).broken).toBeUndefined();
    expect(store.chains.get('SECRET#b')?.[0].seq).toBe(1);
  });

  it('retries on the new head when another writer takes the slot first', async () => {
    const store = new MemoryChainStore();
    const writer = new AuditWriter({ store, sleep: noSleep });
    let raced = false;
    store.beforePut = (record) => {
      if (raced) return;
      raced = true; // a rival lands seq 1 between our read and our write
      const rival = seal({ ...rotationStep('a', { actor: 'rival' }), at: record.at }, undefined);
      store.chains.set('SECRET#a', [rival]);
    };
    const record = await writer.append(rotationStep('a'));
    expect(record.seq).toBe(2);
    expect(record.prevHash).toBe(store.chains.get('SECRET#a')?.[0].hash);
    expect((await verifyChain('SECRET#a', store.records('SECRET#a'))).broken).toBeUndefined();
  });

  it('reads a chain head once for a run of appends, and again when another writer moved it', async () => {
    const store = new MemoryChainStore();
    const reads = jest.spyOn(store, 'head');
    const mine = new AuditWriter({ store, sleep: noSleep });
    for (let i = 0; i < 5; i++) await mine.append(rotationStep('a'));
    expect(reads).toHaveBeenCalledTimes(1);
    await new AuditWriter({ store, sleep: noSleep }).append(rotationStep('a', { actor: 'other' }));
    reads.mockClear();
    const record = await mine.append(rotationStep('a'));
    expect(record.seq).toBe(7);
    expect(reads).toHaveBeenCalledTimes(1);
    expect((await verifyChain('SECRET#a', store.records('SECRET#a'))).broken).toBeUndefined();
  });

  it('gives up with a retryable error after too many lost races, writing nothing', async () => {
    const store = { head: async () => undefined, putIfAbsent: async () => false };
    const writer = new AuditWriter({ store, sleep: noSleep, maxAttempts: 3 });
    const error = await writer.append(rotationStep('a')).catch((e) => e);
    expect(error).toBeInstanceOf(ChainContentionError);
    expect(error.retryable).toBe(true);
  });

  it('keeps time growing along a chain even when a writer clock is behind', async () => {
    const store = new MemoryChainStore();
    const ahead = new AuditWriter({
      store,
      sleep: noSleep,
      clock: { now: () => new Date('2026-01-01T00:00:10Z') },
    });
    const behind = new AuditWriter({
      store,
      sleep: noSleep,
      clock: { now: () => new Date('2026-01-01T00:00:00Z') },
    });
    const first = await ahead.append(rotationStep('a'));
    const second = await behind.append(rotationStep('a'));
    expect(second.at >= first.at).toBe(true);
  });

  it('sets an expiry when retention is configured, and none otherwise', async () => {
    const clock = { now: () => new Date('2026-01-01T00:00:00Z') };
    const kept = await new AuditWriter({ store: new MemoryChainStore(), clock }).append(rotationStep('a'));
    const expiring = await new AuditWriter({
      store: new MemoryChainStore(),
      clock,
      retentionDays: 30,
    }).append(rotationStep('a'));
    expect(kept.expiresAt).toBeUndefined();
    expect(expiring.expiresAt).toBe(Date.parse('2026-01-31T00:00:00Z') / 1000);
  });

  it('rejects an event with unknown fields in its details, naming the field and writing nothing', async () => {
    const store = new MemoryChainStore();
    const writer = new AuditWriter({ store });
    const event = rotationStep('a', {
      details: { step: 'setSecret', password: 'hunter2-but-longer' } as never,
    });
    const error = await writer.append(event).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidAuditEventError);
    expect(error.message).toContain('details');
    expect(error.message).not.toContain('hunter2');
    expect(store.chains.size).toBe(0);
  });

  it('rejects a malformed subject', async () => {
    const writer = new AuditWriter({ store: new MemoryChainStore() });
    await expect(writer.append(rotationStep('a', { subject: 'orders-db' } as never))).rejects.toThrow(
      /subject/,
    );
  });

  it('scrubs credentials out of error messages before they are hashed and stored', async () => {
    const store = new MemoryChainStore();
    const writer = new AuditWriter({ store });
    const password = `Zq${'9x'.repeat(14)}`;
    const record = await writer.append(
      rotationStep('a', {
        outcome: 'failure',
        details: {
          step: 'setSecret',
          error: {
            name: 'DriverError',
            message: `login failed: password=${password} at postgres://app:${password}@db:5432`,
          },
        },
      }),
    );
    expect(JSON.stringify(record)).not.toContain(password);
    expect((record.details as { error: { message: string } }).error.message).toContain('[redacted]');
  });

  it('refuses an event that carries a value the caller says is secret', async () => {
    const secret = 'plain-but-secret-value';
    const writer = new AuditWriter({ store: new MemoryChainStore(), forbidden: () => [secret] });
    const event = rotationStep('a', { details: { step: 'setSecret', kind: secret.slice(0, 64) } });
    const error = await writer.append(event).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidAuditEventError);
    expect(error.message).not.toContain(secret);
  });
});
