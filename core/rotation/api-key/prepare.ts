import { KeyLimitError, KeyNotFoundError } from './errors';
import { silentKeyLog } from './provider';
import type { IssuedKey, KeyProvider, KeyRotationLog, KeySummary } from './provider';

/** What `prepareNewKey` needs: the provider, the key owner's settings and the keys the secret knows. */
export interface PrepareNewKeyInput<S> {
  readonly provider: KeyProvider<S>;
  readonly settings: S;
  /** The key of the AWSCURRENT version: never retired here. */
  readonly currentKeyId: string;
  /**
   * The key of an AWSPENDING version left by an earlier run that did not finish, with its material. Reused
   * when the provider still lists it as active, so a retried rotation does not pile up keys.
   */
  readonly pending?: IssuedKey;
  /**
   * The only keys that may be deleted to make room under a key limit: keys this secret issued and no
   * longer uses. A key the provider lists that is not here may belong to another secret or to a person, so
   * it is never deleted; at the limit, `KeyLimitError` names it instead. @default every key but the current
   */
  readonly retirable?: readonly string[];
  readonly log?: KeyRotationLog;
}

/** The key to stage as AWSPENDING, whether it is new, and which keys were retired to make room. */
export interface PreparedKey {
  readonly key: IssuedKey;
  readonly outcome: 'created' | 'reused';
  readonly retiredKeyIds: readonly string[];
}

function oldestFirst(a: KeySummary, b: KeySummary): number {
  // A key without a creation date sorts first: it is the one we know least about.
  return (a.createdAt?.getTime() ?? -Infinity) - (b.createdAt?.getTime() ?? -Infinity);
}

async function retire<S>(provider: KeyProvider<S>, keyId: string, settings: S): Promise<void> {
  try {
    // Making room needs the key gone: an inactive IAM key still counts against the limit.
    await (provider.deleteKey ?? provider.revokeKey).call(provider, keyId, settings);
  } catch (error) {
    if (!(error instanceof KeyNotFoundError)) throw error;
  }
}

/**
 * createSecret's provider work: the key to stage as AWSPENDING.
 *
 * 1. A pending key from an earlier unfinished run that the provider still lists as active is reused.
 * 2. A provider at its key limit gets room: the oldest keys that are neither AWSCURRENT nor the pending
 *    key are deleted (usually AWSPREVIOUS, whose revocation the next rotation forces). The current key is
 *    never touched; when nothing else can go, `KeyLimitError`.
 * 3. A new key is created.
 */
export async function prepareNewKey<S>(input: PrepareNewKeyInput<S>): Promise<PreparedKey> {
  const { provider, settings, currentKeyId, pending } = input;
  const log = input.log ?? silentKeyLog;
  const keys = await provider.listKeys(settings);

  if (!keys.some((key) => key.keyId === currentKeyId)) {
    log.warn('the current key is not listed by the provider', {
      provider: provider.name,
      keyId: currentKeyId,
    });
  }
  if (pending !== undefined && pending.keyId !== currentKeyId) {
    const listed = keys.find((key) => key.keyId === pending.keyId);
    if (listed?.status === 'active') {
      log.info('reusing the pending key of an unfinished rotation', {
        provider: provider.name,
        keyId: pending.keyId,
      });
      return { key: pending, outcome: 'reused', retiredKeyIds: [] };
    }
  }

  const retiredKeyIds: string[] = [];
  if (provider.keyLimit !== undefined && keys.length >= provider.keyLimit) {
    const candidates = keys
      .filter((key) => key.keyId !== currentKeyId && (input.retirable?.includes(key.keyId) ?? true))
      .sort(oldestFirst);
    const excess = keys.length - provider.keyLimit + 1;
    if (candidates.length < excess) {
      const foreign = keys
        .filter((key) => key.keyId !== currentKeyId && !candidates.includes(key))
        .map((key) => key.keyId);
      throw new KeyLimitError(
        foreign.length > 0
          ? `the owner holds ${keys.length} of ${provider.keyLimit} keys; ${foreign.join(', ')} ${foreign.length === 1 ? 'is' : 'are'} not a key Rotor issued for this secret and will not be deleted: delete it or raise the limit`
          : `the owner holds ${keys.length} of ${provider.keyLimit} keys and none but the current one can go`,
        { provider: provider.name, operation: 'prepareNewKey', keyId: currentKeyId },
      );
    }
    for (const key of candidates.slice(0, excess)) {
      await retire(provider, key.keyId, settings);
      retiredKeyIds.push(key.keyId);
      log.info('retired an old key to make room under the key limit', {
        provider: provider.name,
        keyId: key.keyId,
      });
    }
  }

  const key = await provider.createKey(settings);
  log.info('created a new key', { provider: provider.name, keyId: key.keyId });
  return { key, outcome: 'created', retiredKeyIds };
}
