import { realSleep } from '../../clock';
import type { Sleep } from '../../clock';
import { backoffDelay } from './backoff';
import type { BackoffPolicy, Random } from './backoff';
import { KeyRejectedError, ProviderUnavailableError } from './errors';
import { silentKeyLog } from './provider';
import type { IssuedKey, KeyProvider, KeyRotationLog } from './provider';

/**
 * The default patience for a new key: 8 tries over about 20 to 40 seconds. IAM access keys usually work
 * within a few seconds of CreateAccessKey, and STS answers InvalidClientTokenId until they do.
 */
export const DEFAULT_PROPAGATION_POLICY: BackoffPolicy = { attempts: 8, baseDelayMs: 1000, maxDelayMs: 8000 };

/** What `verifyNewKey` needs. `sleep` and `random` are injectable so tests wait for nothing. */
export interface VerifyNewKeyInput<S> {
  readonly provider: KeyProvider<S>;
  readonly settings: S;
  readonly key: IssuedKey;
  /** @default the provider's `propagation`, else DEFAULT_PROPAGATION_POLICY */
  readonly policy?: BackoffPolicy;
  readonly sleep?: Sleep;
  readonly random?: Random;
  readonly log?: KeyRotationLog;
}

/**
 * testSecret's provider work: proves the new key works, waiting out propagation delays. A rejection or
 * an unavailable provider is tried again with backoff, up to `policy.attempts` tries; then the last
 * rejection becomes `KeyRejectedError`, or the last `ProviderUnavailableError` is thrown (retryable).
 * Any other error is thrown at once. Resolves to the number of tries it took.
 */
export async function verifyNewKey<S>(input: VerifyNewKeyInput<S>): Promise<{ readonly attempts: number }> {
  const { provider, settings, key } = input;
  const policy = input.policy ?? provider.propagation ?? DEFAULT_PROPAGATION_POLICY;
  const sleep = input.sleep ?? realSleep;
  const log = input.log ?? silentKeyLog;
  let lastReason = 'not tried';
  let lastUnavailable: ProviderUnavailableError | undefined;

  for (let attempt = 1; attempt <= Math.max(1, policy.attempts); attempt += 1) {
    try {
      const result = await provider.testKey(key, settings);
      if (result.ok) return { attempts: attempt };
      lastReason = result.reason;
      lastUnavailable = undefined;
    } catch (error) {
      if (!(error instanceof ProviderUnavailableError)) throw error;
      lastUnavailable = error;
    }
    if (attempt < policy.attempts) {
      const delay = backoffDelay(attempt - 1, policy, input.random);
      log.info('the new key does not work yet; trying again', {
        provider: provider.name,
        keyId: key.keyId,
        attempt,
        reason: lastUnavailable === undefined ? lastReason : 'provider-unavailable',
        delayMs: delay,
      });
      await sleep(delay);
    }
  }
  if (lastUnavailable !== undefined) throw lastUnavailable;
  throw new KeyRejectedError(`the new key was rejected after ${policy.attempts} tries (${lastReason})`, {
    provider: provider.name,
    operation: 'verifyNewKey',
    keyId: key.keyId,
    code: lastReason,
  });
}
