import type { Clock } from '../../clock';
import { KeyNotFoundError, UnsafeRevocationError } from './errors';
import { silentKeyLog } from './provider';
import type { KeyProvider, KeyRotationLog } from './provider';

/**
 * Why a revocation runs: `consumers-moved` (the scheduled step after consumers refreshed: waits for the
 * grace period), `next-rotation` (a new rotation begins: the previous key goes now, whatever the wait) or
 * `remediation` (the previous key leaked or must go now: no wait either).
 */
export type RevokeTrigger = 'consumers-moved' | 'next-rotation' | 'remediation';

/** What `revokePrevious` needs. */
export interface RevokePreviousInput<S> {
  readonly provider: KeyProvider<S>;
  readonly settings: S;
  /** The key of the AWSPREVIOUS version: the one to retire. */
  readonly previousKeyId: string;
  /** The keys that must stay (AWSCURRENT, and AWSPENDING when a rotation is under way). */
  readonly currentKeyId: string;
  readonly pendingKeyId?: string;
  readonly trigger: RevokeTrigger;
  /** When every consumer was seen using the current key; absent while they have not all moved. */
  readonly consumersMovedAt?: Date;
  /** How long after the consumers moved the previous key stays valid (stragglers, cached clients). */
  readonly gracePeriodMs: number;
  readonly clock: Clock;
  readonly log?: KeyRotationLog;
}

/** What `revokePrevious` did. `deferred` is an answer, not an error: the engine asks again later. */
export type RevokeOutcome =
  | { readonly outcome: 'deferred'; readonly reason: 'consumers-not-moved' }
  | { readonly outcome: 'deferred'; readonly reason: 'grace-period'; readonly notBefore: Date }
  | { readonly outcome: 'deactivated' | 'deleted' | 'already-gone' };

async function gone(run: () => Promise<void>): Promise<boolean> {
  try {
    await run();
    return false;
  } catch (error) {
    if (error instanceof KeyNotFoundError) return true;
    throw error;
  }
}

/**
 * Retires the previous key once it is safe: after every consumer moved to the current key and the grace
 * period passed, or at once when the next rotation begins. Never the current or pending key
 * (`UnsafeRevocationError`). A key already deleted out of band is `already-gone`, not an error.
 *
 * Two-phase providers (IAM) are revoked reversibly first: a scheduled revocation deactivates an active key
 * and deletes a key it finds inactive (deactivated by an earlier call); the next rotation deletes at once.
 */
export async function revokePrevious<S>(input: RevokePreviousInput<S>): Promise<RevokeOutcome> {
  const { provider, settings, previousKeyId, trigger } = input;
  const log = input.log ?? silentKeyLog;
  const fields = { provider: provider.name, keyId: previousKeyId, trigger };
  if (previousKeyId === input.currentKeyId || previousKeyId === input.pendingKeyId) {
    throw new UnsafeRevocationError('refusing to revoke a key that the current or pending version holds', {
      provider: provider.name,
      operation: 'revokePrevious',
      keyId: previousKeyId,
    });
  }

  if (trigger === 'consumers-moved') {
    if (input.consumersMovedAt === undefined) {
      log.info('keeping the previous key: consumers have not all moved', fields);
      return { outcome: 'deferred', reason: 'consumers-not-moved' };
    }
    const notBefore = new Date(input.consumersMovedAt.getTime() + input.gracePeriodMs);
    if (input.clock.now().getTime() < notBefore.getTime()) {
      log.info('keeping the previous key until the grace period ends', {
        ...fields,
        notBefore: notBefore.toISOString(),
      });
      return { outcome: 'deferred', reason: 'grace-period', notBefore };
    }
  }

  const { deactivateKey, deleteKey } = provider;
  if (trigger === 'consumers-moved' && deactivateKey !== undefined && deleteKey !== undefined) {
    const listed = (await provider.listKeys(settings)).find((key) => key.keyId === previousKeyId);
    if (listed === undefined) return alreadyGone(log, fields);
    if (listed.status === 'active') {
      if (await gone(() => deactivateKey.call(provider, previousKeyId, settings)))
        return alreadyGone(log, fields);
      log.info('deactivated the previous key', fields);
      return { outcome: 'deactivated' };
    }
    if (await gone(() => deleteKey.call(provider, previousKeyId, settings))) return alreadyGone(log, fields);
    log.info('deleted the previous key', fields);
    return { outcome: 'deleted' };
  }

  if (await gone(() => provider.revokeKey(previousKeyId, settings))) return alreadyGone(log, fields);
  log.info('revoked the previous key', fields);
  return { outcome: 'deleted' };
}

function alreadyGone(log: KeyRotationLog, fields: Record<string, string>): RevokeOutcome {
  log.warn('the previous key was already gone (deleted out of band)', fields);
  return { outcome: 'already-gone' };
}
