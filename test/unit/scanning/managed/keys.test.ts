import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { fingerprintKeyLoader } from '../../../../adapters/fingerprint-key';
import {
  FingerprintStoreUnavailableError,
  InvalidFingerprintKeyError,
} from '../../../../core/scanning/managed/errors';
import { deriveScanKeys } from '../../../../core/scanning/managed/keys';
import { Sensitive } from '../../../../core/sensitive';
import { ALNUM, randomOf } from './fixtures';

const KEY_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rotor-fingerprint-key-AbCdEf';

describe('deriveScanKeys', () => {
  it('derives two distinct 32-byte keys and a stable key id from the key secret', () => {
    const text = randomOf(ALNUM, 64);
    const a = deriveScanKeys(Sensitive.of(text));
    const b = deriveScanKeys(Sensitive.of(text));
    expect(a.managed.reveal()).toHaveLength(32);
    expect(a.findings.reveal()).toHaveLength(32);
    expect(Buffer.from(a.managed.reveal()).equals(Buffer.from(a.findings.reveal()))).toBe(false);
    expect(a.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(b.keyId).toBe(a.keyId);
    expect(deriveScanKeys(Sensitive.of(randomOf(ALNUM, 64))).keyId).not.toBe(a.keyId);
  });

  it('prints no key material', () => {
    const text = randomOf(ALNUM, 64);
    const keys = deriveScanKeys(Sensitive.of(text));
    expect(JSON.stringify(keys)).not.toContain(text);
    expect(JSON.stringify(keys)).toMatch(/\[redacted\]/);
  });

  it('refuses a key secret shorter than 43 characters, saying its length only', () => {
    const short = randomOf(ALNUM, 20);
    expect(() => deriveScanKeys(Sensitive.of(short))).toThrow(InvalidFingerprintKeyError);
    try {
      deriveScanKeys(Sensitive.of(short));
    } catch (error) {
      expect((error as InvalidFingerprintKeyError).context).toEqual({ length: 20 });
      expect((error as Error).message).not.toContain(short);
    }
  });
});

describe('fingerprintKeyLoader', () => {
  const sm = mockClient(SecretsManagerClient);
  beforeEach(() => sm.reset());

  it('reads AWSCURRENT of the key secret once and keeps it until the TTL passes', async () => {
    const text = randomOf(ALNUM, 64);
    sm.on(GetSecretValueCommand).resolves({ SecretString: text });
    let now = 0;
    const load = fingerprintKeyLoader(new SecretsManagerClient({}), KEY_ARN, {
      ttlMs: 1000,
      clock: { now: () => new Date(now) },
    });
    const first = await load();
    await load();
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(sm.commandCalls(GetSecretValueCommand)[0]!.args[0].input).toEqual({
      SecretId: KEY_ARN,
      VersionStage: 'AWSCURRENT',
    });
    now = 1001;
    const again = await load();
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    expect(again.keyId).toBe(first.keyId);
    expect(first.keyId).toBe(deriveScanKeys(Sensitive.of(text)).keyId);
  });

  it('reports throttling as retryable, naming the secret and the code', async () => {
    sm.on(GetSecretValueCommand).rejects(
      Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }),
    );
    const load = fingerprintKeyLoader(new SecretsManagerClient({}), KEY_ARN);
    const error = await load().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FingerprintStoreUnavailableError);
    expect((error as FingerprintStoreUnavailableError).retryable).toBe(true);
    expect((error as FingerprintStoreUnavailableError).context).toEqual({
      secretId: KEY_ARN,
      code: 'ThrottlingException',
    });
  });

  it('reports a missing or empty key secret as invalid, and tries again on the next call', async () => {
    sm.on(GetSecretValueCommand)
      .rejectsOnce(Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' }))
      .resolvesOnce({ SecretString: '' })
      .resolvesOnce({ SecretString: randomOf(ALNUM, 10) })
      .resolves({ SecretString: randomOf(ALNUM, 64) });
    const load = fingerprintKeyLoader(new SecretsManagerClient({}), KEY_ARN);
    await expect(load()).rejects.toThrow(/could not be read \(ResourceNotFoundException\)/);
    await expect(load()).rejects.toThrow(/holds no string/);
    await expect(load()).rejects.toMatchObject({
      name: 'InvalidFingerprintKeyError',
      context: { secretId: KEY_ARN, length: 10 },
    });
    await expect(load()).resolves.toMatchObject({ keyId: expect.stringMatching(/^[0-9a-f]{16}$/) });
  });
});
