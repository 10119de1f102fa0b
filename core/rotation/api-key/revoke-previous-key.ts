import { systemClock, type Clock } from '../../clock';
import { StageMismatchError } from '../errors';
import {
  AWSCURRENT,
  AWSPENDING,
  AWSPREVIOUS,
  ROTOR_ABANDONED,
  silentLog,
  type RotationLog,
  type SecretStore,
} from '../ports';
import { ownerOf, resolveProvider, type ApiKeyProviderRegistry } from './registry';
import { revokePrevious, type RevokeOutcome, type RevokeTrigger } from './revoke';
import { asRotationStep } from './rotation-errors';
import { issuedKeyOf, parseApiKeySecret, type ApiKeySecret } from './secret';

/** What `revokePreviousKey` needs: the secret store, the providers, and a clock for the grace period. */
export interface RevokePreviousKeyDeps {
  readonly store: SecretStore;
  readonly providers: ApiKeyProviderRegistry;
  /** @default systemClock */
  readonly clock?: Clock;
  /** @default silentLog */
  readonly log?: RotationLog;
}

/** When and why to revoke: see `RevokeTrigger`. */
export interface RevokePreviousKeyOptions {
  readonly trigger: RevokeTrigger;
  /** When every consumer was seen using AWSCURRENT; absent while they have not all moved. */
  readonly consumersMovedAt?: Date;
  /** How long the previous key stays valid after the consumers moved (`consumers-moved` only). */
  readonly gracePeriodMs: number;
}

/** What `revokePreviousKey` did; `nothing-to-revoke` when there is no previous key of the same owner. */
export type RevokePreviousKeyResult =
  | (RevokeOutcome & { readonly previousKeyId: string })
  | { readonly outcome: 'nothing-to-revoke'; readonly reason: 'no-previous' | 'same-key' | 'other-owner' };

async function read(store: SecretStore, secretId: string, stage: string) {
  const version = await store.getValue(secretId, { stage });
  return version === undefined
    ? undefined
    : { versionId: version.versionId, secretString: version.secretString };
}

/**
 * The revocation step of an API key rotation, for the rotation workflow (the four-step engine has none):
 * retires the AWSPREVIOUS key of `secretId` once every consumer moved and the grace period passed
 * (`consumers-moved`), or at once (`next-rotation`, `remediation`). The AWSCURRENT key and the key of a
 * rotation under way (AWSPENDING, ROTOR_ABANDONED) are never touched. A previous version that does not
 * parse or belongs to another owner is left alone (`nothing-to-revoke`).
 *
 * Errors are the engine's (`InvalidSecretError`, `KeyProviderRefusedError`, `KeyProviderUnavailableError`
 * retryable), with step `revokePreviousKey`.
 *
 * @example
 *   const result = await revokePreviousKey(secretArn, { store, providers }, {
 *     trigger: 'consumers-moved', consumersMovedAt, gracePeriodMs: 24 * 3600_000,
 *   });
 *   if (result.outcome === 'deferred') scheduleRetry(result);
 */
export async function revokePreviousKey(
  secretId: string,
  deps: RevokePreviousKeyDeps,
  options: RevokePreviousKeyOptions,
): Promise<RevokePreviousKeyResult> {
  const where = { step: 'revokePreviousKey', secretId };
  return asRotationStep(where, async () => {
    const store = deps.store;
    const current = await read(store, secretId, AWSCURRENT);
    if (current === undefined) {
      throw new StageMismatchError('the secret has no AWSCURRENT version with a value', {
        ...where,
        check: 'current-exists',
      });
    }
    const currentSecret = parseApiKeySecret(current.secretString);
    const owner = ownerOf(currentSecret);
    const previous = await read(store, secretId, AWSPREVIOUS);
    if (previous === undefined || previous.versionId === current.versionId) {
      return { outcome: 'nothing-to-revoke', reason: 'no-previous' };
    }
    const previousSecret = parseOrUndefined(previous.secretString);
    if (previousSecret === undefined || ownerOf(previousSecret) !== owner) {
      return { outcome: 'nothing-to-revoke', reason: 'other-owner' };
    }
    const previousKeyId = issuedKeyOf(previousSecret).keyId;
    const currentKeyId = issuedKeyOf(currentSecret).keyId;
    if (previousKeyId === currentKeyId) return { outcome: 'nothing-to-revoke', reason: 'same-key' };

    // The key of a rotation under way stays: it may become AWSCURRENT.
    let pendingKeyId: string | undefined;
    for (const stage of [AWSPENDING, ROTOR_ABANDONED]) {
      const version = await read(store, secretId, stage);
      if (version === undefined || version.versionId === current.versionId) continue;
      const secret = parseOrUndefined(version.secretString);
      if (secret !== undefined && ownerOf(secret) === owner) pendingKeyId = issuedKeyOf(secret).keyId;
    }
    if (pendingKeyId === previousKeyId) return { outcome: 'nothing-to-revoke', reason: 'same-key' };

    const { provider, settings } = await resolveProvider(currentSecret, deps.providers, store);
    const outcome = await revokePrevious({
      provider,
      settings,
      previousKeyId,
      currentKeyId,
      ...(pendingKeyId === undefined ? {} : { pendingKeyId }),
      trigger: options.trigger,
      ...(options.consumersMovedAt === undefined ? {} : { consumersMovedAt: options.consumersMovedAt }),
      gracePeriodMs: options.gracePeriodMs,
      clock: deps.clock ?? systemClock,
      log: deps.log ?? silentLog,
    });
    return { ...outcome, previousKeyId };
  });
}

function parseOrUndefined(secretString: Parameters<typeof parseApiKeySecret>[0]): ApiKeySecret | undefined {
  try {
    return parseApiKeySecret(secretString);
  } catch {
    return undefined;
  }
}
