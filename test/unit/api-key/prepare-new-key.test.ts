import { prepareNewKey } from '../../../core/rotation/api-key/prepare';
import { KeyLimitError, ProviderUnavailableError } from '../../../core/rotation/api-key/errors';
import { FakeKeyProvider } from './support/fake-provider';

const settings = { owner: 'svc-orders' };

describe('prepareNewKey', () => {
  it('creates a key beside the current one when there is room', async () => {
    const provider = new FakeKeyProvider({ keyLimit: 2 });
    const current = provider.seed();
    const prepared = await prepareNewKey({ provider, settings, currentKeyId: current.keyId });
    expect(prepared.outcome).toBe('created');
    expect(prepared.retiredKeyIds).toEqual([]);
    expect(provider.works(prepared.key)).toBe(true);
    expect(provider.works(current)).toBe(true);
  });

  it('at the limit, deletes the oldest key that is not current to make room', async () => {
    const provider = new FakeKeyProvider({ keyLimit: 2 });
    const previous = provider.seed('inactive');
    const current = provider.seed();
    const prepared = await prepareNewKey({ provider, settings, currentKeyId: current.keyId });
    expect(prepared.retiredKeyIds).toEqual([previous.keyId]);
    expect(provider.status(previous.keyId)).toBe('deleted');
    expect(provider.works(current)).toBe(true);
  });

  it('never retires the current key even when it is the oldest', async () => {
    const provider = new FakeKeyProvider({ keyLimit: 3 });
    const current = provider.seed();
    const older = provider.seed();
    const newer = provider.seed();
    const prepared = await prepareNewKey({ provider, settings, currentKeyId: current.keyId });
    expect(prepared.retiredKeyIds).toEqual([older.keyId]);
    expect(provider.status(current.keyId)).toBe('active');
    expect(provider.status(newer.keyId)).toBe('active');
  });

  it('uses deleteKey of a two-phase provider (an inactive key still counts against the limit)', async () => {
    const provider = new FakeKeyProvider({ keyLimit: 2, twoPhase: true });
    const previous = provider.seed('inactive');
    const current = provider.seed();
    await prepareNewKey({ provider, settings, currentKeyId: current.keyId });
    expect(provider.calls).toContain(`deleteKey ${previous.keyId}`);
    expect(provider.calls).not.toContain(`revokeKey ${previous.keyId}`);
  });

  it('reuses the pending key of an earlier failed run instead of creating another', async () => {
    const provider = new FakeKeyProvider({ keyLimit: 2 });
    const current = provider.seed();
    const pending = provider.seed();
    const prepared = await prepareNewKey({ provider, settings, currentKeyId: current.keyId, pending });
    expect(prepared).toEqual({ key: pending, outcome: 'reused', retiredKeyIds: [] });
    expect(provider.calls.filter((call) => call.startsWith('createKey'))).toEqual([]);
    const again = await prepareNewKey({ provider, settings, currentKeyId: current.keyId, pending });
    expect(again.key.keyId).toBe(pending.keyId);
  });

  it('retires a pending key that was deactivated out of band and creates a fresh one', async () => {
    const provider = new FakeKeyProvider({ keyLimit: 2 });
    const current = provider.seed();
    const pending = provider.seed('inactive');
    const prepared = await prepareNewKey({ provider, settings, currentKeyId: current.keyId, pending });
    expect(prepared.outcome).toBe('created');
    expect(prepared.retiredKeyIds).toEqual([pending.keyId]);
  });

  it('retires an orphan key (created, never staged) at the limit', async () => {
    const provider = new FakeKeyProvider({ keyLimit: 2 });
    const current = provider.seed();
    const orphan = provider.seed();
    const prepared = await prepareNewKey({ provider, settings, currentKeyId: current.keyId });
    expect(prepared.retiredKeyIds).toEqual([orphan.keyId]);
  });

  it('throws KeyLimitError when only the current key could go', async () => {
    const provider = new FakeKeyProvider({ keyLimit: 1 });
    const current = provider.seed();
    await expect(prepareNewKey({ provider, settings, currentKeyId: current.keyId })).rejects.toBeInstanceOf(
      KeyLimitError,
    );
    expect(provider.works(current)).toBe(true);
  });

  it('goes on when the key it retires was deleted meanwhile', async () => {
    const provider = new FakeKeyProvider({ keyLimit: 2 });
    const previous = provider.seed();
    const current = provider.seed();
    const listKeys = provider.listKeys.bind(provider);
    provider.listKeys = async () => {
      const keys = await listKeys();
      provider.deleteOutOfBand(previous.keyId);
      return keys;
    };
    await expect(prepareNewKey({ provider, settings, currentKeyId: current.keyId })).resolves.toMatchObject({
      outcome: 'created',
    });
  });

  it('lets a provider outage through, with the current key untouched', async () => {
    const provider = new FakeKeyProvider({ keyLimit: 2 });
    const current = provider.seed();
    provider.failNext('createKey', new ProviderUnavailableError('down', { provider: 'fake' }));
    const failure = prepareNewKey({ provider, settings, currentKeyId: current.keyId });
    await expect(failure).rejects.toMatchObject({ retryable: true });
    expect(provider.works(current)).toBe(true);
  });
});
