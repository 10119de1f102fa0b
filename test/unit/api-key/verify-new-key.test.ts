import { verifyNewKey } from '../../../core/rotation/api-key/verify';
import {
  KeyRejectedError,
  ProviderRequestError,
  ProviderUnavailableError,
} from '../../../core/rotation/api-key/errors';
import { FakeKeyProvider } from './support/fake-provider';

const settings = { owner: 'svc-orders' };
const policy = { attempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };

function recordingSleep() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

describe('verifyNewKey', () => {
  it('waits out a propagation delay with growing, bounded waits', async () => {
    const provider = new FakeKeyProvider({ propagationTests: 3 });
    const key = await provider.createKey();
    const { waits, sleep } = recordingSleep();
    await expect(
      verifyNewKey({ provider, settings, key, policy, sleep, random: () => 0.5 }),
    ).resolves.toEqual({
      attempts: 4,
    });
    expect(waits).toEqual([75, 150, 300]);
  });

  it('caps each wait at maxDelayMs', async () => {
    const provider = new FakeKeyProvider({ propagationTests: 10 });
    const key = await provider.createKey();
    const { waits, sleep } = recordingSleep();
    await expect(
      verifyNewKey({
        provider,
        settings,
        key,
        policy: { attempts: 8, baseDelayMs: 100, maxDelayMs: 400 },
        sleep,
        random: () => 0.999,
      }),
    ).rejects.toBeInstanceOf(KeyRejectedError);
    expect(Math.max(...waits)).toBeLessThanOrEqual(400);
    expect(waits).toHaveLength(7);
  });

  it('throws KeyRejectedError naming the last reason when the key never works', async () => {
    const provider = new FakeKeyProvider();
    const key = await provider.createKey();
    const { sleep } = recordingSleep();
    const error = await verifyNewKey({
      provider,
      settings,
      key: { ...key, keyId: 'key-404' },
      policy,
      sleep,
    }).catch((e) => e);
    expect(error).toBeInstanceOf(KeyRejectedError);
    expect(error.message).toContain('rejected after 5 tries (unknown-key)');
    expect(error.retryable).toBe(false);
    expect(provider.calls.filter((call) => call.startsWith('testKey'))).toHaveLength(5);
  });

  it('tries again through an outage and rethrows it (retryable) when it lasts', async () => {
    const provider = new FakeKeyProvider();
    const key = await provider.createKey();
    for (let i = 0; i < 5; i += 1)
      provider.failNext('testKey', new ProviderUnavailableError('down', { provider: 'fake' }));
    const { sleep } = recordingSleep();
    const error = await verifyNewKey({ provider, settings, key, policy, sleep }).catch((e) => e);
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect(error.retryable).toBe(true);
  });

  it('succeeds after a short outage', async () => {
    const provider = new FakeKeyProvider();
    const key = await provider.createKey();
    provider.failNext('testKey', new ProviderUnavailableError('down', { provider: 'fake' }));
    const { sleep } = recordingSleep();
    await expect(verifyNewKey({ provider, settings, key, policy, sleep })).resolves.toEqual({ attempts: 2 });
  });

  it('does not retry an error that a retry will not fix', async () => {
    const provider = new FakeKeyProvider();
    const key = await provider.createKey();
    provider.failNext('testKey', new ProviderRequestError('forbidden', { provider: 'fake' }));
    const { sleep, waits } = recordingSleep();
    await expect(verifyNewKey({ provider, settings, key, policy, sleep })).rejects.toBeInstanceOf(
      ProviderRequestError,
    );
    expect(waits).toEqual([]);
  });
});
