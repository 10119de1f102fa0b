import { Sensitive } from '../../sensitive';
import { AWSCURRENT, type SecretStore } from '../ports';
import { InvalidApiKeySecretError, InvalidProviderConfigError } from './errors';
import type { AdminCredentialSource, KeyProvider } from './provider';
import { isIamAccessKeySecret, type ApiKeySecret, type KeySettingValue } from './secret';

/** A setting holding the HTTP provider configuration as JSON, in the secret itself. */
export const PROVIDER_CONFIG_SETTING = 'providerConfig';
/** A setting naming another secret (ARN or name) whose value is the HTTP provider configuration (JSON). */
export const PROVIDER_CONFIG_ARN_SETTING = 'providerConfigArn';
/** A setting naming the secret (ARN or name) that holds the HTTP provider's admin credential. */
export const ADMIN_ARN_SETTING = 'adminArn';
const RESERVED_SETTINGS = [PROVIDER_CONFIG_SETTING, PROVIDER_CONFIG_ARN_SETTING, ADMIN_ARN_SETTING];

/** The settings an IAM key provider takes. */
export interface IamOwnerSettings {
  readonly userName: string;
}

/** The settings an HTTP key provider takes: the secret's settings, reserved ones removed. */
export type HttpOwnerSettings = Readonly<Record<string, KeySettingValue>>;

/** Builds the provider of an HTTP admin API from its configuration (JSON, not yet validated). */
export type HttpProviderFactory = (
  config: unknown,
  adminCredential: AdminCredentialSource,
) => KeyProvider<HttpOwnerSettings>;

/**
 * Reads an admin credential kept in another secret (AWSCURRENT). Called on every provider request, so
 * rotating the admin credential needs no restart.
 */
export type AdminCredentialReader = (secretId: string, store: SecretStore) => Promise<Sensitive<string>>;

/**
 * The providers an api-key rotator may use, chosen by the secret's `provider` field: `aws-iam` for IAM
 * user access keys, any other name for an HTTP admin API whose configuration comes from the secret's
 * `providerConfig` setting, the secret named by `providerConfigArn`, or `httpConfigs` (deployed with the
 * function). `providers` adds ready-made providers by name (a custom integration, a fake in tests).
 */
export interface ApiKeyProviderRegistry {
  /** IAM user access keys; absent when the function may not manage IAM keys. */
  readonly awsIam?: KeyProvider<IamOwnerSettings>;
  /** Builds HTTP providers; absent when the function may not call HTTP admin APIs. */
  readonly http?: HttpProviderFactory;
  /** HTTP configurations by provider name, used when the secret carries none. */
  readonly httpConfigs?: Readonly<Record<string, unknown>>;
  /** Ready-made providers by name; they get the secret's settings (reserved ones removed). */
  readonly providers?: Readonly<Record<string, KeyProvider<HttpOwnerSettings>>>;
  /** @default readAdminCredentialSecret */
  readonly readAdminCredential?: AdminCredentialReader;
}

/** A provider with the settings of one key owner, ready for the key logic. */
export interface ResolvedProvider {
  readonly provider: KeyProvider<unknown>;
  readonly settings: unknown;
  /** Who owns the keys (`aws-iam/<user>`, `<provider>`): versions of other owners are never touched. */
  readonly owner: string;
}

/**
 * The default `AdminCredentialReader`: the AWSCURRENT value of the secret, either the credential itself or
 * a JSON object with an `apiKey`, `token` or `password` field.
 */
export async function readAdminCredentialSecret(
  secretId: string,
  store: SecretStore,
): Promise<Sensitive<string>> {
  const version = await store.getValue(secretId, { stage: AWSCURRENT });
  const fail = (reason: string) =>
    new InvalidProviderConfigError(reason, {
      provider: 'http',
      operation: 'admin-credential',
      field: ADMIN_ARN_SETTING,
    });
  if (version === undefined) throw fail(`the admin credential secret ${secretId} has no AWSCURRENT value`);
  const text = version.secretString.reveal();
  if (!text.trimStart().startsWith('{')) return version.secretString;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw fail(`the admin credential secret ${secretId} is neither a plain value nor JSON`);
  }
  const record = value as Record<string, unknown>;
  const field = ['apiKey', 'token', 'password'].find((name) => typeof record[name] === 'string');
  if (field === undefined) {
    throw fail(`the admin credential secret ${secretId} has no apiKey, token or password field`);
  }
  return Sensitive.of(record[field] as string);
}

/** The owner of a secret's keys, to tell versions of the same owner from others. */
export function ownerOf(secret: ApiKeySecret): string {
  return isIamAccessKeySecret(secret) ? `aws-iam/${secret.userName}` : secret.provider;
}

function settingText(secret: ApiKeySecret, name: string): string | undefined {
  const value = secret.settings[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') {
    throw new InvalidApiKeySecretError(`the setting ${name} must be a non-empty string (fields: ${name})`, {
      provider: secret.provider,
      operation: 'resolveProvider',
      field: name,
    });
  }
  return value;
}

async function httpConfigOf(
  secret: ApiKeySecret,
  registry: ApiKeyProviderRegistry,
  store: SecretStore,
): Promise<unknown> {
  const invalid = (reason: string, field: string) =>
    new InvalidProviderConfigError(reason, {
      provider: secret.provider,
      operation: 'resolveProvider',
      field,
    });
  const inline = settingText(secret, PROVIDER_CONFIG_SETTING);
  if (inline !== undefined) {
    try {
      return JSON.parse(inline);
    } catch {
      throw invalid(`the ${PROVIDER_CONFIG_SETTING} setting is not JSON`, PROVIDER_CONFIG_SETTING);
    }
  }
  const configArn = settingText(secret, PROVIDER_CONFIG_ARN_SETTING);
  if (configArn !== undefined) {
    const version = await store.getValue(configArn, { stage: AWSCURRENT });
    if (version === undefined) {
      throw invalid(
        `the provider configuration secret ${configArn} has no AWSCURRENT value`,
        PROVIDER_CONFIG_ARN_SETTING,
      );
    }
    try {
      return JSON.parse(version.secretString.reveal());
    } catch {
      throw invalid(
        `the provider configuration secret ${configArn} is not JSON`,
        PROVIDER_CONFIG_ARN_SETTING,
      );
    }
  }
  const deployed = registry.httpConfigs?.[secret.provider];
  if (deployed !== undefined) return deployed;
  throw invalid(
    `no configuration for provider ${secret.provider}: set ${PROVIDER_CONFIG_SETTING} or ${PROVIDER_CONFIG_ARN_SETTING}`,
    PROVIDER_CONFIG_SETTING,
  );
}

/**
 * The provider and owner settings for a parsed secret. Throws `InvalidProviderConfigError` when the
 * registry has no such provider, the configuration is missing or invalid, or its name is not the secret's
 * `provider` (a secret must not borrow another provider's configuration).
 */
export async function resolveProvider(
  secret: ApiKeySecret,
  registry: ApiKeyProviderRegistry,
  store: SecretStore,
): Promise<ResolvedProvider> {
  const owner = ownerOf(secret);
  const unknown = (reason: string) =>
    new InvalidProviderConfigError(reason, {
      provider: secret.provider,
      operation: 'resolveProvider',
      field: 'provider',
    });
  if (isIamAccessKeySecret(secret)) {
    if (registry.awsIam === undefined) throw unknown('this function does not rotate IAM access keys');
    return {
      provider: registry.awsIam as KeyProvider<unknown>,
      settings: { userName: secret.userName } satisfies IamOwnerSettings,
      owner,
    };
  }
  const settings: Record<string, KeySettingValue> = {};
  for (const [name, value] of Object.entries(secret.settings))
    if (!RESERVED_SETTINGS.includes(name)) settings[name] = value;
  const ready = registry.providers?.[secret.provider];
  if (ready !== undefined) return { provider: ready as KeyProvider<unknown>, settings, owner };
  if (registry.http === undefined) throw unknown(`no provider named ${secret.provider} is configured`);
  const config = await httpConfigOf(secret, registry, store);
  const configName = (config as { name?: unknown } | null)?.name;
  if (configName !== secret.provider) {
    throw unknown(`the configuration's name is not the secret's provider ${secret.provider}`);
  }
  const adminArn = settingText(secret, ADMIN_ARN_SETTING);
  if (adminArn === undefined) {
    throw new InvalidApiKeySecretError(
      `an HTTP provider needs the ${ADMIN_ARN_SETTING} setting (fields: ${ADMIN_ARN_SETTING})`,
      {
        provider: secret.provider,
        operation: 'resolveProvider',
        field: ADMIN_ARN_SETTING,
      },
    );
  }
  const read = registry.readAdminCredential ?? readAdminCredentialSecret;
  const provider = registry.http(config, () => read(adminArn, store));
  return { provider: provider as KeyProvider<unknown>, settings, owner };
}
