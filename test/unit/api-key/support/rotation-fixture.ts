import { apiKeyRotator, type ApiKeyRotatorOptions } from '../../../../core/rotation/api-key/rotator';
import type { ApiKeyProviderRegistry } from '../../../../core/rotation/api-key/registry';
import type { KeyProvider } from '../../../../core/rotation/api-key/provider';
import type { RotationDeps } from '../../../../core/rotation/contract';
import {
  createSecret,
  finishSecret,
  setSecret,
  testSecret,
  ROTATION_STEPS,
} from '../../../../core/rotation/contract';
import type { RotationStep } from '../../../../core/rotation/errors';
import type { Rotator } from '../../../../core/rotation/rotator';
import { MemorySecretStore } from '../../rotation/support/memory-secret-store';
import { CapturingLog } from '../../rotation/support/token-rotator';
import { FakeKeyProvider, type FakeProviderOptions } from './fake-provider';

/** The steps by name, to run them one at a time. */
export const steps = { createSecret, setSecret, testSecret, finishSecret } as const;

/** A secret value of the fake provider, as JSON. */
export function fakeSecretJson(key: { keyId: string; secret: { reveal(): string } }): string {
  return JSON.stringify({
    provider: 'fake',
    keyId: key.keyId,
    apiKey: key.secret.reveal(),
    owner: 'svc-orders',
  });
}

/**
 * An api-key secret in an in-memory store whose AWSCURRENT key was seeded in a fake provider, the rotator
 * over it (no real sleeps), and the engine's dependencies with a capturing log.
 */
export function apiKeyFixture(
  options: FakeProviderOptions = { keyLimit: 2 },
  rotatorOptions: Partial<ApiKeyRotatorOptions> = {},
) {
  const provider = new FakeKeyProvider(options);
  const registry: ApiKeyProviderRegistry = {
    providers: { fake: provider as unknown as KeyProvider<Record<string, string>> },
  };
  const rotator = apiKeyRotator({ providers: registry, sleep: async () => undefined, ...rotatorOptions });
  const store = new MemorySecretStore();
  const initial = provider.seed();
  const secretId = store.create('orders-api-key', fakeSecretJson(initial), {
    tags: { 'rotor:kind': 'api-key' },
  });
  const log = new CapturingLog();
  const deps: RotationDeps = { store, rotatorFor: () => rotator as Rotator<unknown>, log };
  const run = async (token: string, names: readonly RotationStep[] = ROTATION_STEPS) => {
    for (const name of names) await steps[name]({ secretId, token }, deps);
  };
  const keyAt = (stage: string) => {
    const value = store.valueAt(secretId, stage);
    return value === undefined ? undefined : (JSON.parse(value) as { keyId: string; apiKey: string });
  };
  const works = (stage: string) => {
    const key = keyAt(stage);
    return (
      key !== undefined && provider.works({ keyId: key.keyId, secret: { reveal: () => key.apiKey } } as never)
    );
  };
  return { provider, registry, rotator, store, secretId, initial, log, deps, run, keyAt, works };
}
