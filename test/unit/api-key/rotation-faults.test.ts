import fc from 'fast-check';
import {
  KeyProviderError,
  ProviderUnavailableError,
  ProviderResponseError,
} from '../../../core/rotation/api-key/errors';
import { prepareNewKey } from '../../../core/rotation/api-key/prepare';
import type { IssuedKey } from '../../../core/rotation/api-key/provider';
import { revokePrevious } from '../../../core/rotation/api-key/revoke';
import { verifyNewKey } from '../../../core/rotation/api-key/verify';
import { FakeKeyProvider } from './support/fake-provider';

const settings = { owner: 'svc-orders' };
const operations = ['createKey', 'testKey', 'listKeys', 'revokeKey', 'deactivateKey', 'deleteKey'] as const;
const failure = fc.record({
  operation: fc.constantFrom(...operations),
  retryable: fc.boolean(),
});

/**
 * The secret's stages as the engine keeps them, and one rotation as an api-key Rotator runs it:
 * revoke a leftover previous key, prepare (reuse or create), stage AWSPENDING, verify, promote.
 */
async function rotateOnce(
  provider: FakeKeyProvider,
  stages: { current: IssuedKey; previous?: IssuedKey; pending?: IssuedKey },
) {
  if (stages.previous !== undefined) {
    await revokePrevious({
      provider,
      settings,
      previousKeyId: stages.previous.keyId,
      currentKeyId: stages.current.keyId,
      ...(stages.pending === undefined ? {} : { pendingKeyId: stages.pending.keyId }),
      trigger: 'next-rotation',
      gracePeriodMs: 0,
      clock: { now: () => new Date() },
    });
    stages.previous = undefined;
  }
  const prepared = await prepareNewKey({
    provider,
    settings,
    currentKeyId: stages.current.keyId,
    ...(stages.pending === undefined ? {} : { pending: stages.pending }),
  });
  stages.pending = prepared.key;
  await verifyNewKey({
    provider,
    settings,
    key: prepared.key,
    policy: { attempts: 3, baseDelayMs: 0, maxDelayMs: 0 },
    sleep: async () => undefined,
  });
  stages.previous = stages.current;
  stages.current = prepared.key;
  stages.pending = undefined;
}

describe('a rotation that fails at any point', () => {
  it('keeps AWSCURRENT working, stays under the key limit, and converges when retried (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(failure, { maxLength: 6 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 3 }),
        async (failures, twoPhase, propagationTests) => {
          const provider = new FakeKeyProvider({ keyLimit: 2, twoPhase, propagationTests });
          const stages: { current: IssuedKey; previous?: IssuedKey; pending?: IssuedKey } = {
            previous: provider.seed(),
            current: provider.seed(),
          };
          for (const { operation, retryable } of failures) {
            provider.failNext(
              operation,
              retryable
                ? new ProviderUnavailableError('down', { provider: 'fake' })
                : new ProviderResponseError('garbled', { provider: 'fake' }),
            );
          }
          const original = stages.current;
          let done = false;
          for (let attempt = 0; attempt < failures.length + 2 && !done; attempt += 1) {
            try {
              await rotateOnce(provider, stages);
              done = true;
            } catch (error) {
              if (!(error instanceof KeyProviderError || error instanceof ProviderUnavailableError))
                throw error;
              // A failed run never touches the key consumers use.
              if (!provider.works(original) || stages.current !== original) return false;
            }
            if (provider.keyCount() > 2) return false;
          }
          return (
            done &&
            provider.works(stages.current) &&
            stages.current !== original &&
            // Overlap: the key consumers held until now still works until revokePrevious retires it.
            provider.works(original) &&
            provider.keyCount() === 2
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
