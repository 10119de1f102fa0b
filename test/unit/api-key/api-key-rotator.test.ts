import { randomUUID } from 'node:crypto';
import {
  KeyProviderRefusedError,
  KeyProviderUnavailableError,
} from '../../../core/rotation/api-key/rotation-errors';
import { ProviderUnavailableError, KeyLimitError } from '../../../core/rotation/api-key/errors';
import { apiKeyRotatorFor } from '../../../core/rotation/api-key/select';
import { abandonRotation } from '../../../core/rotation/contract';
import {
  CredentialRejectedError,
  InvalidSecretError,
  RetryableRotationError,
} from '../../../core/rotation/errors';
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS, ROTOR_ABANDONED } from '../../../core/rotation/ports';
import { apiKeyFixture, steps } from './support/rotation-fixture';

const caught = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('api-key rotator: createSecret (generate)', () => {
  it('creates a new key beside the current one and stages it as AWSPENDING with the same settings', async () => {
    const fx = apiKeyFixture();
    const token = fx.store.startRotation(fx.secretId);
    await fx.run(token, ['createSecret']);
    const pending = JSON.parse(fx.store.valueAt(fx.secretId, AWSPENDING)!);
    expect(pending).toMatchObject({ provider: 'fake', owner: 'svc-orders' });
    expect(pending.keyId).not.toBe(fx.initial.keyId);
    expect(fx.provider.keyCount()).toBe(2);
    expect(fx.works(AWSCURRENT)).toBe(true);
  });

  it('revokes the AWSPREVIOUS key at the start of the next rotation, never the current one', async () => {
    const fx = apiKeyFixture();
    await fx.run(fx.store.startRotation(fx.secretId));
    const middle = fx.keyAt(AWSCURRENT)!.keyId;
    expect(fx.keyAt(AWSPREVIOUS)!.keyId).toBe(fx.initial.keyId);
    await fx.run(fx.store.startRotation(fx.secretId), ['createSecret']);
    expect(fx.provider.status(fx.initial.keyId)).toBe('deleted');
    expect(fx.provider.status(middle)).toBe('active');
    expect(fx.provider.calls).toContain(`revokeKey ${fx.initial.keyId}`);
    expect(fx.provider.calls.filter((call) => call.includes(middle) && !call.startsWith('testKey'))).toEqual(
      [],
    );
  });

  it('never deletes a key it did not issue for this secret: at the limit it names the key and stops', async () => {
    const fx = apiKeyFixture();
    // A key the secret does not know: another secret's, a person's, or one whose create answer was lost.
    const foreign = fx.provider.seed();
    const error = await caught(fx.run(fx.store.startRotation(fx.secretId), ['createSecret']));
    expect(error).toBeInstanceOf(KeyProviderRefusedError);
    expect((error as Error).message).toContain(`${foreign.keyId} is not a key Rotor issued for this secret`);
    expect(fx.provider.status(foreign.keyId)).toBe('active');
    expect(fx.provider.status(fx.initial.keyId)).toBe('active');
  });

  it('fails with KeyProviderRefusedError when only the current key fills the limit', async () => {
    const fx = apiKeyFixture({ keyLimit: 1 });
    const error = await caught(fx.run(fx.store.startRotation(fx.secretId), ['createSecret']));
    expect(error).toBeInstanceOf(KeyProviderRefusedError);
    expect((error as KeyProviderRefusedError).cause).toBeInstanceOf(KeyLimitError);
    expect((error as KeyProviderRefusedError).where).toMatchObject({
      step: 'createSecret',
      check: 'provider-request',
    });
    expect(fx.provider.status(fx.initial.keyId)).toBe('active');
  });

  it('reuses the key of an abandoned rotation instead of piling up keys', async () => {
    const fx = apiKeyFixture();
    const first = fx.store.startRotation(fx.secretId);
    await fx.run(first, ['createSecret']);
    const abandonedKey = fx.keyAt(AWSPENDING)!;
    await abandonRotation({ secretId: fx.secretId, token: first }, fx.deps);
    expect(fx.store.versionWith(fx.secretId, ROTOR_ABANDONED)).toBe(first);
    const second = fx.store.startRotation(fx.secretId, randomUUID(), { force: true });
    await fx.run(second);
    expect(fx.keyAt(AWSCURRENT)).toEqual(abandonedKey);
    expect(fx.provider.calls.filter((call) => call === 'createKey')).toHaveLength(1);
    expect(fx.store.versionWith(fx.secretId, ROTOR_ABANDONED)).toBeUndefined();
  });

  it('creates a new key when the abandoned key was deleted out of band', async () => {
    const fx = apiKeyFixture();
    const first = fx.store.startRotation(fx.secretId);
    await fx.run(first, ['createSecret']);
    const abandonedKey = fx.keyAt(AWSPENDING)!;
    await abandonRotation({ secretId: fx.secretId, token: first }, fx.deps);
    fx.provider.deleteOutOfBand(abandonedKey.keyId);
    await fx.run(fx.store.startRotation(fx.secretId, randomUUID(), { force: true }));
    expect(fx.keyAt(AWSCURRENT)!.keyId).not.toBe(abandonedKey.keyId);
    expect(fx.works(AWSCURRENT)).toBe(true);
  });

  it('maps a provider outage to a retryable error, and a retry with the same token completes', async () => {
    const fx = apiKeyFixture();
    const token = fx.store.startRotation(fx.secretId);
    fx.provider.failNext(
      'createKey',
      new ProviderUnavailableError('503', { provider: 'fake', operation: 'createKey' }),
    );
    const error = await caught(fx.run(token, ['createSecret']));
    expect(error).toBeInstanceOf(KeyProviderUnavailableError);
    expect((error as RetryableRotationError).retryable).toBe(true);
    expect(fx.store.valueAt(fx.secretId, AWSPENDING)).toBeUndefined();
    await fx.run(token);
    expect(fx.store.versionWith(fx.secretId, AWSCURRENT)).toBe(token);
    expect(fx.works(AWSCURRENT)).toBe(true);
  });
});

describe('api-key rotator: setSecret and testSecret', () => {
  it('finds a live pending key already applied and calls nothing but the list', async () => {
    const fx = apiKeyFixture();
    const token = fx.store.startRotation(fx.secretId);
    await fx.run(token, ['createSecret']);
    const before = fx.provider.calls.length;
    const result = await steps.setSecret({ secretId: fx.secretId, token }, fx.deps);
    expect(result.outcome).toBe('already-applied');
    expect(fx.provider.calls.slice(before)).toEqual(['listKeys']);
  });

  it('stops setSecret when the pending key was deleted out of band, and AWSCURRENT keeps working', async () => {
    const fx = apiKeyFixture();
    const token = fx.store.startRotation(fx.secretId);
    await fx.run(token, ['createSecret']);
    fx.provider.deleteOutOfBand(fx.keyAt(AWSPENDING)!.keyId);
    const error = await caught(fx.run(token, ['setSecret']));
    expect(error).toBeInstanceOf(KeyProviderRefusedError);
    expect((error as Error).message).toMatch(/deleted out of band/);
    expect((error as KeyProviderRefusedError).retryable).toBe(false);
    expect(fx.works(AWSCURRENT)).toBe(true);
  });

  it('waits out a propagation delay in testSecret', async () => {
    const fx = apiKeyFixture({ keyLimit: 2, propagationTests: 3 });
    const token = fx.store.startRotation(fx.secretId);
    await fx.run(token);
    expect(fx.provider.calls.filter((call) => call.startsWith('testKey'))).toHaveLength(4);
    expect(fx.store.versionWith(fx.secretId, AWSCURRENT)).toBe(token);
  });

  it('maps a key still rejected after every try to CredentialRejectedError', async () => {
    const fx = apiKeyFixture(
      { keyLimit: 2, propagationTests: 50 },
      { propagation: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 } },
    );
    const token = fx.store.startRotation(fx.secretId);
    await fx.run(token, ['createSecret', 'setSecret']);
    const error = await caught(fx.run(token, ['testSecret']));
    expect(error).toBeInstanceOf(CredentialRejectedError);
    expect(fx.provider.calls.filter((call) => call.startsWith('testKey'))).toHaveLength(2);
  });
});

describe('api-key rotator: revoke', () => {
  it('retires a previous key at once and refuses the current one', async () => {
    const fx = apiKeyFixture();
    await fx.run(fx.store.startRotation(fx.secretId));
    const context = {
      step: 'finishSecret' as const,
      secretId: fx.secretId,
      versionId: 'none',
      store: fx.store,
      log: fx.log,
      newPassword: async () => {
        throw new Error('unused');
      },
    };
    const parse = (stage: string) =>
      fx.rotator.parse({ reveal: () => fx.store.valueAt(fx.secretId, stage)! } as never, context);
    await fx.rotator.revoke!(parse(AWSPREVIOUS), context);
    expect(fx.provider.status(fx.initial.keyId)).toBe('deleted');
    const error = await caught(fx.rotator.revoke!(parse(AWSCURRENT), context));
    expect(error).toBeInstanceOf(KeyProviderRefusedError);
    expect(fx.works(AWSCURRENT)).toBe(true);
  });
});

describe('api-key rotator: configuration errors', () => {
  it('fails createSecret with InvalidSecretError for a provider the function does not know, calling no provider', async () => {
    const fx = apiKeyFixture();
    const current = JSON.parse(fx.store.valueAt(fx.secretId, AWSCURRENT)!);
    fx.store.overwrite(
      fx.secretId,
      fx.store.versionWith(fx.secretId, AWSCURRENT)!,
      JSON.stringify({ ...current, provider: 'unknown-saas' }),
    );
    const error = await caught(fx.run(fx.store.startRotation(fx.secretId), ['createSecret']));
    expect(error).toBeInstanceOf(InvalidSecretError);
    expect((error as InvalidSecretError).where).toMatchObject({
      step: 'createSecret',
      check: 'provider-config',
    });
    expect(String(error)).not.toContain(current.apiKey);
    expect(fx.provider.calls).toEqual([]);
  });
});

describe('apiKeyRotatorFor', () => {
  it('serves secrets tagged rotor:kind=api-key and refuses others, naming the tag', () => {
    const rotatorFor = apiKeyRotatorFor({ providers: {} });
    const secret = { arn: 'arn:s', name: 's', versionIdsToStages: {} };
    expect(rotatorFor({ ...secret, tags: { 'rotor:kind': 'api-key' } }).kind).toBe('api-key');
    expect(() => rotatorFor({ ...secret, tags: { 'rotor:kind': 'postgres' } })).toThrow(InvalidSecretError);
    expect(() => rotatorFor({ ...secret, tags: {} })).toThrow(/rotor:kind/);
  });
});
