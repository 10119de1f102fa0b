import { revokePreviousKey } from '../../../core/rotation/api-key/revoke-previous-key';
import { KeyProviderUnavailableError } from '../../../core/rotation/api-key/rotation-errors';
import { ProviderUnavailableError } from '../../../core/rotation/api-key/errors';
import { AWSCURRENT, AWSPREVIOUS } from '../../../core/rotation/ports';
import { apiKeyFixture, fakeSecretJson } from './support/rotation-fixture';

const HOUR = 3_600_000;
const movedAt = new Date('2026-03-01T10:00:00Z');
const at = (iso: string) => ({ now: () => new Date(iso) });

/** A secret rotated once: AWSPREVIOUS holds the initial key, AWSCURRENT a new one. */
async function rotated(options = { keyLimit: 2, twoPhase: false }) {
  const fx = apiKeyFixture(options);
  await fx.run(fx.store.startRotation(fx.secretId));
  const deps = (iso = '2026-03-02T12:00:00Z') => ({
    store: fx.store,
    providers: fx.registry,
    clock: at(iso),
    log: fx.log,
  });
  return {
    ...fx,
    deps,
    previousKeyId: fx.keyAt(AWSPREVIOUS)!.keyId,
    currentKeyId: fx.keyAt(AWSCURRENT)!.keyId,
  };
}

describe('revokePreviousKey', () => {
  it('keeps the previous key while consumers have not all moved', async () => {
    const fx = await rotated();
    const result = await revokePreviousKey(fx.secretId, fx.deps(), {
      trigger: 'consumers-moved',
      gracePeriodMs: HOUR,
    });
    expect(result).toEqual({
      outcome: 'deferred',
      reason: 'consumers-not-moved',
      previousKeyId: fx.previousKeyId,
    });
    expect(fx.works(AWSPREVIOUS)).toBe(true);
  });

  it('keeps the previous key until the grace period after the consumers moved has passed', async () => {
    const fx = await rotated();
    const result = await revokePreviousKey(fx.secretId, fx.deps('2026-03-01T10:30:00Z'), {
      trigger: 'consumers-moved',
      consumersMovedAt: movedAt,
      gracePeriodMs: HOUR,
    });
    expect(result).toMatchObject({
      outcome: 'deferred',
      reason: 'grace-period',
      notBefore: new Date('2026-03-01T11:00:00Z'),
    });
    expect(fx.works(AWSPREVIOUS)).toBe(true);
  });

  it('revokes the previous key after the grace period; the current key keeps working', async () => {
    const fx = await rotated();
    const result = await revokePreviousKey(fx.secretId, fx.deps('2026-03-01T11:00:00Z'), {
      trigger: 'consumers-moved',
      consumersMovedAt: movedAt,
      gracePeriodMs: HOUR,
    });
    expect(result).toEqual({ outcome: 'deleted', previousKeyId: fx.previousKeyId });
    expect(fx.works(AWSPREVIOUS)).toBe(false);
    expect(fx.works(AWSCURRENT)).toBe(true);
  });

  it('deactivates first, then deletes, on a two-phase provider', async () => {
    const fx = await rotated({ keyLimit: 2, twoPhase: true });
    const options = { trigger: 'consumers-moved' as const, consumersMovedAt: movedAt, gracePeriodMs: HOUR };
    expect((await revokePreviousKey(fx.secretId, fx.deps(), options)).outcome).toBe('deactivated');
    expect(fx.provider.status(fx.previousKeyId)).toBe('inactive');
    expect((await revokePreviousKey(fx.secretId, fx.deps(), options)).outcome).toBe('deleted');
    expect(fx.provider.status(fx.previousKeyId)).toBe('deleted');
  });

  it('revokes at once when forced by remediation, whatever the consumers', async () => {
    const fx = await rotated({ keyLimit: 2, twoPhase: true });
    const result = await revokePreviousKey(fx.secretId, fx.deps(), {
      trigger: 'remediation',
      gracePeriodMs: HOUR,
    });
    expect(result.outcome).toBe('deleted');
    expect(fx.provider.status(fx.previousKeyId)).toBe('deleted');
    expect(fx.works(AWSCURRENT)).toBe(true);
  });

  it('answers already-gone for a key deleted out of band', async () => {
    const fx = await rotated();
    fx.provider.deleteOutOfBand(fx.previousKeyId);
    const result = await revokePreviousKey(fx.secretId, fx.deps(), {
      trigger: 'next-rotation',
      gracePeriodMs: 0,
    });
    expect(result.outcome).toBe('already-gone');
  });

  it('has nothing to revoke before the first rotation, or when AWSPREVIOUS holds the current key', async () => {
    const fresh = apiKeyFixture();
    const none = await revokePreviousKey(
      fresh.secretId,
      { store: fresh.store, providers: fresh.registry },
      {
        trigger: 'remediation',
        gracePeriodMs: 0,
      },
    );
    expect(none).toEqual({ outcome: 'nothing-to-revoke', reason: 'no-previous' });
    const fx = await rotated();
    fx.store.overwrite(
      fx.secretId,
      fx.store.versionWith(fx.secretId, AWSPREVIOUS)!,
      fx.store.valueAt(fx.secretId, AWSCURRENT)!,
    );
    const same = await revokePreviousKey(fx.secretId, fx.deps(), {
      trigger: 'remediation',
      gracePeriodMs: 0,
    });
    expect(same).toEqual({ outcome: 'nothing-to-revoke', reason: 'same-key' });
    expect(fx.works(AWSCURRENT)).toBe(true);
    expect(fx.provider.calls.filter((call) => call.startsWith('revokeKey'))).toEqual([]);
  });

  it('never revokes the key of a rotation under way', async () => {
    const fx = await rotated();
    const token = fx.store.startRotation(fx.secretId);
    await fx.run(token, ['createSecret']);
    // A tampered AWSPREVIOUS naming the pending key must not take it down.
    const pendingKey = JSON.parse(fx.store.valueAt(fx.secretId, 'AWSPENDING')!);
    fx.store.overwrite(
      fx.secretId,
      fx.store.versionWith(fx.secretId, AWSPREVIOUS)!,
      fakeSecretJson({ keyId: pendingKey.keyId, secret: { reveal: () => pendingKey.apiKey } }),
    );
    const result = await revokePreviousKey(fx.secretId, fx.deps(), {
      trigger: 'remediation',
      gracePeriodMs: 0,
    });
    expect(result).toEqual({ outcome: 'nothing-to-revoke', reason: 'same-key' });
    expect(fx.works('AWSPENDING')).toBe(true);
  });

  it("maps the provider's errors to rotation errors with step revokePreviousKey", async () => {
    const fx = await rotated();
    fx.provider.failNext(
      'revokeKey',
      new ProviderUnavailableError('503', { provider: 'fake', operation: 'revokeKey' }),
    );
    const unavailable = await revokePreviousKey(fx.secretId, fx.deps(), {
      trigger: 'remediation',
      gracePeriodMs: 0,
    }).catch((e: unknown) => e);
    expect(unavailable).toBeInstanceOf(KeyProviderUnavailableError);
    expect((unavailable as KeyProviderUnavailableError).where.step).toBe('revokePreviousKey');
    expect(
      (await revokePreviousKey(fx.secretId, fx.deps(), { trigger: 'remediation', gracePeriodMs: 0 })).outcome,
    ).toBe('deleted');
  });
});
