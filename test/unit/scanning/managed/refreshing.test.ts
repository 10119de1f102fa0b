import { fingerprintSetOf, withFingerprintSet } from '../../../../core/scanning/managed/cache-version';
import { RefreshingValue } from '../../../../core/scanning/managed/refreshing';

describe('the layer cache version with a fingerprint set', () => {
  it('appends the set version and reads it back', () => {
    const version = withFingerprintSet('rules-0123456789abcdef', 42);
    expect(version).toBe('rules-0123456789abcdef.m42');
    expect(fingerprintSetOf(version)).toBe(42);
    expect(version).not.toContain('#');
  });

  it('names no set in a plain ruleset version', () => {
    expect(fingerprintSetOf('rules-0123456789abcdef')).toBeUndefined();
  });
});

describe('RefreshingValue', () => {
  function counter() {
    let now = 0;
    let version = 1;
    let loads = 0;
    const value = new RefreshingValue(
      async () => {
        loads += 1;
        return { version, value: `v${version}` };
      },
      { ttlMs: 300_000, clock: { now: () => new Date(now) } },
    );
    return {
      value,
      loads: () => loads,
      advance: (ms: number) => (now += ms),
      bump: () => (version += 1),
    };
  }

  it('loads once and serves the same value within the TTL', async () => {
    const c = counter();
    await c.value.get();
    c.advance(299_999);
    expect(await c.value.get()).toEqual({ version: 1, value: 'v1' });
    expect(c.loads()).toBe(1);
  });

  it('loads again after the TTL', async () => {
    const c = counter();
    await c.value.get();
    c.bump();
    c.advance(300_000);
    expect(await c.value.get()).toEqual({ version: 2, value: 'v2' });
    expect(c.loads()).toBe(2);
  });

  it('loads again at once when a newer version than the one held is asked for', async () => {
    const c = counter();
    await c.value.get();
    c.bump();
    expect(await c.value.get(2)).toEqual({ version: 2, value: 'v2' });
    expect(await c.value.get(2)).toEqual({ version: 2, value: 'v2' });
    expect(c.loads()).toBe(2);
  });

  it('shares one load between concurrent callers', async () => {
    const c = counter();
    await Promise.all([c.value.get(), c.value.get(), c.value.get()]);
    expect(c.loads()).toBe(1);
  });

  it('keeps no failed load: the next call tries again', async () => {
    let fail = true;
    const value = new RefreshingValue(
      async () => {
        if (fail) throw new Error('store down');
        return { version: 1, value: 'ok' };
      },
      { ttlMs: 1000, clock: { now: () => new Date(0) } },
    );
    await expect(value.get()).rejects.toThrow('store down');
    fail = false;
    await expect(value.get()).resolves.toEqual({ version: 1, value: 'ok' });
  });
});
