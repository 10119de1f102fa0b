import { inspect } from 'node:util';
import { CredentialRejectedError, InvalidSecretError } from '../../../core/rotation/errors';
import { AWSCURRENT, AWSPENDING } from '../../../core/rotation/ports';
import type { Rotator } from '../../../core/rotation/rotator';
import { describeRotatorContract } from '../rotation/support/rotator-contract';
import { apiKeyFixture } from './support/rotation-fixture';

// Three cases of the shared suite assume a database: a `username` field, a `password` value, and a
// credential that only works once setSecret applied it. An API key is live from the moment the provider
// creates it (setSecret only checks it is still there), so the api-key equivalents follow below.
const DATABASE_SHAPED = new Set([
  'refuses a current version with missing fields, naming them',
  'writes no secret value, old or new, into logs or errors',
  'refuses the pending credentials in testSecret before setSecret, and AWSCURRENT keeps working',
]);
describeRotatorContract(
  'api-key (fake provider, two keys at most)',
  async () => {
    const fx = apiKeyFixture();
    return {
      rotator: fx.rotator as Rotator<unknown>,
      store: fx.store,
      secretId: fx.secretId,
      accepts: async (value: string) => {
        const { keyId, apiKey } = JSON.parse(value) as { keyId: string; apiKey: string };
        return fx.provider.works({ keyId, secret: { reveal: () => apiKey } } as never);
      },
      // The previous key keeps working until it is revoked (by the next rotation, or revokePreviousKey).
      keepsPrevious: true,
    };
  },
  { skip: [...DATABASE_SHAPED] },
);

describe('api-key rotator: the shared cases in API key terms', () => {
  it('refuses a current version with missing fields, naming them', async () => {
    const fx = apiKeyFixture();
    fx.store.overwrite(
      fx.secretId,
      fx.store.versionWith(fx.secretId, AWSCURRENT)!,
      JSON.stringify({ engine: 'postgres' }),
    );
    const error = await fx
      .run(fx.store.startRotation(fx.secretId), ['createSecret'])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidSecretError);
    expect((error as Error).message).toMatch(/fields: .*apiKey.*keyId.*provider/);
    expect(fx.provider.calls).toEqual([]);
  });

  it('proves the pending key in testSecret before setSecret (keys are live once created), and AWSCURRENT keeps working', async () => {
    const fx = apiKeyFixture();
    const token = fx.store.startRotation(fx.secretId);
    await fx.run(token, ['createSecret', 'testSecret']);
    expect(fx.works(AWSPENDING)).toBe(true);
    expect(fx.works(AWSCURRENT)).toBe(true);
    await fx.run(token, ['setSecret', 'finishSecret']);
    expect(fx.store.versionWith(fx.secretId, AWSCURRENT)).toBe(token);
  });

  it('refuses a pending key the provider rejects in testSecret, and AWSCURRENT keeps working', async () => {
    const fx = apiKeyFixture({ keyLimit: 2, propagationTests: 100 });
    const token = fx.store.startRotation(fx.secretId);
    await fx.run(token, ['createSecret', 'setSecret']);
    const error = await fx.run(token, ['testSecret']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialRejectedError);
    expect((error as CredentialRejectedError).where).toMatchObject({
      step: 'testSecret',
      check: 'pending-key',
    });
    expect(fx.store.versionWith(fx.secretId, AWSCURRENT)).not.toBe(token);
    expect(fx.works(AWSCURRENT)).toBe(true);
  });

  it('writes no key, old or new, into logs or errors', async () => {
    const fx = apiKeyFixture({ keyLimit: 2, propagationTests: 100 });
    const keys = new Set<string>([fx.keyAt(AWSCURRENT)!.apiKey]);
    const token = fx.store.startRotation(fx.secretId);
    await fx.run(token, ['createSecret']);
    keys.add(fx.keyAt(AWSPENDING)!.apiKey);
    const errors = [await fx.run(token, ['setSecret', 'testSecret']).catch((e: unknown) => e)];
    const text = [...fx.log.lines, ...errors.map((e) => `${String(e)}\n${inspect(e, { depth: 8 })}`)].join(
      '\n',
    );
    expect(errors[0]).toBeInstanceOf(CredentialRejectedError);
    expect(keys.size).toBe(2);
    expect(text).toContain(fx.keyAt(AWSPENDING)!.keyId);
    for (const key of keys) expect(text).not.toContain(key);
  });
});
