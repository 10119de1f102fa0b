import { randomBytes } from 'node:crypto';
import {
  readAdminCredentialSecret,
  resolveProvider,
  type ApiKeyProviderRegistry,
  type HttpOwnerSettings,
} from '../../../core/rotation/api-key/registry';
import type { AdminCredentialSource, KeyProvider } from '../../../core/rotation/api-key/provider';
import { InvalidProviderConfigError, InvalidApiKeySecretError } from '../../../core/rotation/api-key/errors';
import { parseApiKeySecret } from '../../../core/rotation/api-key/secret';
import { Sensitive } from '../../../core/sensitive';
import { MemorySecretStore } from '../rotation/support/memory-secret-store';

const generated = () => `k_${randomBytes(12).toString('hex')}`;

function setup() {
  const store = new MemorySecretStore();
  const adminToken = generated();
  const adminArn = store.create('acme-admin', JSON.stringify({ token: adminToken }));
  const built: { config: unknown; admin: AdminCredentialSource }[] = [];
  const iam = { name: 'aws-iam' } as KeyProvider<{ userName: string }>;
  const registry: ApiKeyProviderRegistry = {
    awsIam: iam,
    http: (config, admin) => {
      built.push({ config, admin });
      return { name: (config as { name: string }).name } as KeyProvider<HttpOwnerSettings>;
    },
  };
  const secret = (fields: Record<string, unknown>) =>
    parseApiKeySecret(Sensitive.of(JSON.stringify({ keyId: 'key_1', apiKey: generated(), ...fields })));
  return { store, adminToken, adminArn, built, iam, registry, secret };
}

describe('resolveProvider', () => {
  it('picks the IAM provider for aws-iam secrets, with the user as settings', async () => {
    const { store, iam, registry } = setup();
    const secret = parseApiKeySecret(
      Sensitive.of(
        JSON.stringify({
          provider: 'aws-iam',
          userName: 'svc-orders',
          accessKeyId: ['AK', 'IA', 'TEST0000000001'].join(''),
          secretAccessKey: generated(),
        }),
      ),
    );
    const resolved = await resolveProvider(secret, registry, store);
    expect(resolved.provider).toBe(iam);
    expect(resolved.settings).toEqual({ userName: 'svc-orders' });
    expect(resolved.owner).toBe('aws-iam/svc-orders');
  });

  it('builds an HTTP provider from the inline configuration, reading the admin credential from its secret on each use', async () => {
    const { store, adminToken, adminArn, built, registry, secret } = setup();
    const resolved = await resolveProvider(
      secret({
        provider: 'acme',
        name: 'orders',
        adminArn,
        providerConfig: JSON.stringify({ name: 'acme' }),
      }),
      registry,
      store,
    );
    expect(resolved.provider.name).toBe('acme');
    // Reserved settings stay with the rotator; the provider gets the owner's own settings.
    expect(resolved.settings).toEqual({ name: 'orders' });
    expect(built[0]!.config).toEqual({ name: 'acme' });
    expect((await built[0]!.admin()).reveal()).toBe(adminToken);
  });

  it('reads the configuration from the secret named by providerConfigArn', async () => {
    const { store, adminArn, built, registry, secret } = setup();
    const configArn = store.create('acme-config', JSON.stringify({ name: 'acme', keyLimit: 2 }));
    await resolveProvider(
      secret({ provider: 'acme', adminArn, providerConfigArn: configArn }),
      registry,
      store,
    );
    expect(built[0]!.config).toEqual({ name: 'acme', keyLimit: 2 });
  });

  it('refuses a configuration named after another provider', async () => {
    const { store, adminArn, registry, secret } = setup();
    const error = await resolveProvider(
      secret({ provider: 'acme', adminArn, providerConfig: JSON.stringify({ name: 'other' }) }),
      registry,
      store,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidProviderConfigError);
  });

  it('refuses an HTTP secret without a configuration or without adminArn, naming the setting', async () => {
    const { store, adminArn, registry, secret } = setup();
    const noConfig = await resolveProvider(secret({ provider: 'acme', adminArn }), registry, store).catch(
      (e: unknown) => e,
    );
    expect(noConfig).toBeInstanceOf(InvalidProviderConfigError);
    expect((noConfig as Error).message).toMatch(/providerConfig/);
    const noAdmin = await resolveProvider(
      secret({ provider: 'acme', providerConfig: JSON.stringify({ name: 'acme' }) }),
      registry,
      store,
    ).catch((e: unknown) => e);
    expect(noAdmin).toBeInstanceOf(InvalidApiKeySecretError);
    expect((noAdmin as Error).message).toMatch(/adminArn/);
  });

  it('refuses a provider the function was not given', async () => {
    const { store, secret } = setup();
    const error = await resolveProvider(secret({ provider: 'acme' }), {}, store).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidProviderConfigError);
  });
});

describe('readAdminCredentialSecret', () => {
  it('reads a plain value or the apiKey, token or password field of a JSON value', async () => {
    const store = new MemorySecretStore();
    const value = generated();
    for (const [name, stored] of [
      ['plain', value],
      ['api-key', JSON.stringify({ apiKey: value })],
      ['password', JSON.stringify({ username: 'admin', password: value })],
    ] as const) {
      const arn = store.create(name, stored);
      expect((await readAdminCredentialSecret(arn, store)).reveal()).toBe(value);
    }
  });

  it('refuses a JSON value without a credential field, without quoting it', async () => {
    const store = new MemorySecretStore();
    const value = generated();
    const arn = store.create('odd', JSON.stringify({ something: value }));
    const error = await readAdminCredentialSecret(arn, store).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidProviderConfigError);
    expect(String(error)).not.toContain(value);
  });
});
