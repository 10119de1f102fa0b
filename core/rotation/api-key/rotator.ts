import { systemClock, type Sleep } from '../../clock';
import type { Sensitive } from '../../sensitive';
import { InvalidSecretError } from '../errors';
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS, ROTOR_ABANDONED, type SecretStore } from '../ports';
import type { Rotator, RotatorContext } from '../rotator';
import type { BackoffPolicy, Random } from './backoff';
import { KeyNotFoundError, ProviderRequestError } from './errors';
import { prepareNewKey } from './prepare';
import type { IssuedKey } from './provider';
import { ownerOf, resolveProvider, type ApiKeyProviderRegistry, type ResolvedProvider } from './registry';
import { revokePrevious } from './revoke';
import { asRotationStep, toRotationError } from './rotation-errors';
import { issuedKeyOf, parseApiKeySecret, serializeApiKeySecret, withKey, type ApiKeySecret } from './secret';
import { verifyNewKey } from './verify';

/** The kind of secret this rotator handles (the `rotor:kind` tag). */
export const API_KEY_KIND = 'api-key';

/** Options of the api-key rotator. */
export interface ApiKeyRotatorOptions {
  /** The providers it may use, chosen by each secret's `provider` field. */
  readonly providers: ApiKeyProviderRegistry;
  /** @default the provider's own propagation policy */
  readonly propagation?: BackoffPolicy;
  /** Injectable for tests. @default real timers */
  readonly sleep?: Sleep;
  readonly random?: Random;
}

/** A secret version of the same key owner, read from the store; `undefined` when absent or unusable. */
async function sameOwnerVersion(
  store: SecretStore,
  secretId: string,
  stage: string,
  owner: string,
  skipVersionIds: readonly string[] = [],
): Promise<ApiKeySecret | undefined> {
  const version = await store.getValue(secretId, { stage });
  if (version === undefined || skipVersionIds.includes(version.versionId)) return undefined;
  try {
    const secret = parseApiKeySecret(version.secretString);
    return ownerOf(secret) === owner ? secret : undefined;
  } catch {
    // A broken old version must not block a rotation; its key is left alone.
    return undefined;
  }
}

/** The key of an unfinished earlier rotation (ROTOR_ABANDONED, or AWSPENDING on another version). */
async function leftoverPendingKey(
  context: RotatorContext,
  owner: string,
  currentVersionId: string | undefined,
): Promise<IssuedKey | undefined> {
  const skip = [context.versionId, ...(currentVersionId === undefined ? [] : [currentVersionId])];
  const leftover =
    (await sameOwnerVersion(context.store, context.secretId, ROTOR_ABANDONED, owner, skip)) ??
    (await sameOwnerVersion(context.store, context.secretId, AWSPENDING, owner, skip));
  return leftover === undefined ? undefined : issuedKeyOf(leftover);
}

/**
 * The Rotator of API keys (kind `api-key`): IAM user access keys and SaaS keys over HTTP, each secret's
 * provider chosen from its `provider` field in the registry. Two keys live side by side during a
 * rotation: consumers move to the new one while the previous keeps working until it is revoked.
 *
 * - createSecret (`generate`): the previous rotation's AWSPREVIOUS key is revoked (forced by the next
 *   rotation), then `prepareNewKey` reuses the key of an unfinished rotation or creates one, making room
 *   under a key limit without ever touching AWSCURRENT's key.
 * - setSecret (`isApplied`/`apply`): a key is live once created, so there is nothing to do at the
 *   provider; setSecret only checks that the pending key still exists and is active (a key deleted or
 *   deactivated out of band stops the rotation: start a new one).
 * - testSecret (`verify`): `verifyNewKey`, which waits out propagation delays.
 * - `revoke`: retires a previous key at once (the caller decided consumers moved); the rotation workflow
 *   calls `revokePreviousKey`, which also waits for the consumers and the grace period.
 *
 * Errors are the engine's: `InvalidSecretError`, `CredentialRejectedError`, `KeyProviderRefusedError`,
 * `KeyProviderUnavailableError` (retryable).
 *
 * @example
 *   const rotator = apiKeyRotator({ providers: { awsIam: iamAccessKeyProvider() } });
 */
export function apiKeyRotator(options: ApiKeyRotatorOptions): Rotator<ApiKeySecret> {
  const { providers } = options;
  const where = (context: RotatorContext, check?: string) => ({
    step: context.step,
    secretId: context.secretId,
    versionId: context.versionId,
    ...(check === undefined ? {} : { check }),
  });
  const resolve = (secret: ApiKeySecret, context: RotatorContext): Promise<ResolvedProvider> =>
    resolveProvider(secret, providers, context.store);

  async function pendingStatus(pending: ApiKeySecret, context: RotatorContext) {
    const { provider, settings } = await resolve(pending, context);
    const keyId = issuedKeyOf(pending).keyId;
    const listed = (await provider.listKeys(settings)).find((key) => key.keyId === keyId);
    return { provider, keyId, status: listed?.status ?? ('missing' as const) };
  }

  return {
    kind: API_KEY_KIND,

    parse(secretString: Sensitive<string>, context: RotatorContext): ApiKeySecret {
      try {
        return parseApiKeySecret(secretString);
      } catch (error) {
        throw toRotationError(error, where(context));
      }
    },

    serialize: serializeApiKeySecret,

    generate: (current, context) =>
      asRotationStep(where(context), async () => {
        const { provider, settings, owner } = await resolve(current, context);
        const currentKey = issuedKeyOf(current);
        const currentVersionId = (await context.store.getValue(context.secretId, { stage: AWSCURRENT }))
          ?.versionId;
        const pending = await leftoverPendingKey(context, owner, currentVersionId);
        const previous = await sameOwnerVersion(context.store, context.secretId, AWSPREVIOUS, owner, [
          context.versionId,
          ...(currentVersionId === undefined ? [] : [currentVersionId]),
        ]);
        const previousKeyId = previous === undefined ? undefined : issuedKeyOf(previous).keyId;
        if (
          previousKeyId !== undefined &&
          previousKeyId !== currentKey.keyId &&
          previousKeyId !== pending?.keyId
        ) {
          await revokePrevious({
            provider,
            settings,
            previousKeyId,
            currentKeyId: currentKey.keyId,
            ...(pending === undefined ? {} : { pendingKeyId: pending.keyId }),
            trigger: 'next-rotation',
            gracePeriodMs: 0,
            clock: systemClock,
            log: context.log,
          });
        }
        // The previous key was revoked above; any other key the provider lists is not this secret's to delete.
        const prepared = await prepareNewKey({
          provider,
          settings,
          currentKeyId: currentKey.keyId,
          ...(pending === undefined ? {} : { pending }),
          retirable: pending === undefined ? [] : [pending.keyId],
          log: context.log,
        });
        return withKey(current, prepared.key);
      }),

    isApplied: (pending, context) =>
      asRotationStep(where(context), async () => (await pendingStatus(pending, context)).status === 'active'),

    apply: ({ pending }, context) =>
      asRotationStep(where(context), async () => {
        const { provider, keyId, status } = await pendingStatus(pending, context);
        if (status === 'active') return;
        // Keys are live once created: a pending key that is gone or inactive was changed out of band.
        // Reactivating or recreating it here would hide that; the rotation must start over.
        const reason =
          status === 'missing'
            ? 'the pending key no longer exists at the provider (deleted out of band); start a new rotation'
            : 'the pending key was deactivated out of band; start a new rotation';
        const Failure = status === 'missing' ? KeyNotFoundError : ProviderRequestError;
        throw new Failure(reason, { provider: provider.name, operation: 'apply', keyId });
      }),

    verify: (pending, context) =>
      asRotationStep(where(context), async () => {
        const { provider, settings } = await resolve(pending, context);
        await verifyNewKey({
          provider,
          settings,
          key: issuedKeyOf(pending),
          ...(options.propagation === undefined ? {} : { policy: options.propagation }),
          ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
          ...(options.random === undefined ? {} : { random: options.random }),
          log: context.log,
        });
      }),

    revoke: (previous, context) =>
      asRotationStep(where(context), async () => {
        const { provider, settings, owner } = await resolve(previous, context);
        const current = await sameOwnerVersion(context.store, context.secretId, AWSCURRENT, owner);
        if (current === undefined) {
          throw new InvalidSecretError('the AWSCURRENT version is missing or holds another owner', {
            ...where(context, 'current-exists'),
          });
        }
        const pending = await leftoverPendingKey(context, owner, undefined);
        await revokePrevious({
          provider,
          settings,
          previousKeyId: issuedKeyOf(previous).keyId,
          currentKeyId: issuedKeyOf(current).keyId,
          ...(pending === undefined ? {} : { pendingKeyId: pending.keyId }),
          trigger: 'remediation',
          gracePeriodMs: 0,
          clock: systemClock,
          log: context.log,
        });
      }),
  };
}
