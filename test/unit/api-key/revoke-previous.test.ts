import { revokePrevious } from '../../../core/rotation/api-key/revoke';
import type { RevokePreviousInput } from '../../../core/rotation/api-key/revoke';
import { UnsafeRevocationError } from '../../../core/rotation/api-key/errors';
import { FakeKeyProvider } from './support/fake-provider';

const HOUR = 3_600_000;
const movedAt = new Date('2026-03-01T10:00:00Z');
const at = (iso: string) => ({ now: () => new Date(iso) });

function setup(options: { twoPhase?: boolean } = {}) {
  const provider = new FakeKeyProvider({ keyLimit: 2, ...options });
  const previous = provider.seed();
  const current = provider.seed();
  const input = (overrides: Partial<RevokePreviousInput<{ owner: string }>> = {}) => ({
    provider,
    settings: { owner: 'svc-orders' },
    previousKeyId: previous.keyId,
    currentKeyId: current.keyId,
    trigger: 'consumers-moved' as const,
    consumersMovedAt: movedAt,
    gracePeriodMs: HOUR,
    clock: at('2026-03-01T11:00:01Z'),
    ...overrides,
  });
  return { provider, previous, current, input };
}

describe('revokePrevious', () => {
  it('keeps the previous key while consumers have not all moved', async () => {
    const { provider, previous, input } = setup();
    await expect(revokePrevious(input({ consumersMovedAt: undefined }))).resolves.toEqual({
      outcome: 'deferred',
      reason: 'consumers-not-moved',
    });
    expect(provider.works(previous)).toBe(true);
  });

  it('keeps the previous key until the grace period has passed', async () => {
    const { provider, previous, input } = setup();
    await expect(revokePrevious(input({ clock: at('2026-03-01T10:59:59Z') }))).resolves.toEqual({
      outcome: 'deferred',
      reason: 'grace-period',
      notBefore: new Date('2026-03-01T11:00:00Z'),
    });
    expect(provider.works(previous)).toBe(true);
    expect(provider.calls).toEqual([]);
  });

  it('revokes the previous key once the consumers moved and the grace period passed', async () => {
    const { provider, previous, current, input } = setup();
    await expect(revokePrevious(input())).resolves.toEqual({ outcome: 'deleted' });
    expect(provider.status(previous.keyId)).toBe('deleted');
    expect(provider.works(current)).toBe(true);
  });

  it('revokes at once when the next rotation begins, grace period or not', async () => {
    const { provider, previous, input } = setup();
    const outcome = await revokePrevious(
      input({ trigger: 'next-rotation', consumersMovedAt: undefined, clock: at('2026-03-01T10:00:01Z') }),
    );
    expect(outcome).toEqual({ outcome: 'deleted' });
    expect(provider.status(previous.keyId)).toBe('deleted');
  });

  it('deactivates first, then deletes on the next call, on a two-phase provider', async () => {
    const { provider, previous, current, input } = setup({ twoPhase: true });
    await expect(revokePrevious(input())).resolves.toEqual({ outcome: 'deactivated' });
    expect(provider.status(previous.keyId)).toBe('inactive');
    await expect(revokePrevious(input())).resolves.toEqual({ outcome: 'deleted' });
    expect(provider.status(previous.keyId)).toBe('deleted');
    expect(provider.works(current)).toBe(true);
  });

  it('deletes at once on a two-phase provider when the next rotation begins', async () => {
    const { provider, previous, input } = setup({ twoPhase: true });
    await expect(revokePrevious(input({ trigger: 'next-rotation' }))).resolves.toEqual({
      outcome: 'deleted',
    });
    expect(provider.status(previous.keyId)).toBe('deleted');
  });

  it.each([false, true])(
    'treats a key deleted out of band as already gone (two-phase: %s)',
    async (twoPhase) => {
      const { provider, previous, input } = setup({ twoPhase });
      provider.deleteOutOfBand(previous.keyId);
      await expect(revokePrevious(input())).resolves.toEqual({ outcome: 'already-gone' });
      await expect(revokePrevious(input({ trigger: 'next-rotation' }))).resolves.toEqual({
        outcome: 'already-gone',
      });
    },
  );

  it('refuses to revoke the current or the pending key', async () => {
    const { provider, current, input } = setup();
    await expect(revokePrevious(input({ previousKeyId: current.keyId }))).rejects.toBeInstanceOf(
      UnsafeRevocationError,
    );
    await expect(
      revokePrevious(input({ previousKeyId: 'key-9', pendingKeyId: 'key-9', trigger: 'next-rotation' })),
    ).rejects.toBeInstanceOf(UnsafeRevocationError);
    expect(provider.works(current)).toBe(true);
  });
});
