import { z } from 'zod';
import { Sensitive } from '../../sensitive';
import { InvalidApiKeySecretError } from './errors';
import type { IssuedKey } from './provider';

/** The provider name of AWS IAM user access keys. */
export const AWS_IAM_PROVIDER = 'aws-iam';

/** A non-secret provider setting kept beside the key (a key name, a scope, a region). */
export type KeySettingValue = string | number | boolean;

/** An API key of a SaaS provider: `{ provider, keyId, apiKey, ...settings }`. */
export interface HttpApiKeySecret {
  readonly provider: string;
  readonly keyId: string;
  readonly apiKey: Sensitive<string>;
  /** Every other top-level field: provider settings that are not secret. */
  readonly settings: Readonly<Record<string, KeySettingValue>>;
}

/** An IAM user's access key: `{ provider: 'aws-iam', userName, accessKeyId, secretAccessKey, ...settings }`. */
export interface IamAccessKeySecret {
  readonly provider: typeof AWS_IAM_PROVIDER;
  readonly userName: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: Sensitive<string>;
  readonly settings: Readonly<Record<string, KeySettingValue>>;
}

/** The value of an API key secret, parsed. */
export type ApiKeySecret = HttpApiKeySecret | IamAccessKeySecret;

const setting = z.union([z.string(), z.number(), z.boolean()]);
// Settings are stored and logged as not secret: a field whose name says otherwise is refused.
const SECRET_LOOKING = /secret|password|passwd|token|apikey|api_key|privatekey|private_key|credential/i;

const iamShape = {
  provider: z.literal(AWS_IAM_PROVIDER),
  // IAM user names: 1-64 of [\w+=,.@-] (IAM API reference, CreateUser).
  userName: z.string().regex(/^[\w+=,.@-]{1,64}$/),
  accessKeyId: z.string().regex(/^[A-Z0-9]{16,128}$/),
  secretAccessKey: z.string().min(1),
};
const httpShape = {
  provider: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/),
  keyId: z.string().min(1).max(512),
  apiKey: z.string().min(1),
};

function settingsSchema(known: readonly string[]) {
  return z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
    for (const [name, field] of Object.entries(value)) {
      if (known.includes(name)) continue;
      if (SECRET_LOOKING.test(name))
        ctx.addIssue({ code: 'custom', path: [name], message: 'secret-looking' });
      else if (!setting.safeParse(field).success)
        ctx.addIssue({ code: 'custom', path: [name], message: 'type' });
    }
  });
}

const IamSecretSchema = z.object(iamShape).and(settingsSchema(Object.keys(iamShape)));
const HttpSecretSchema = z.object(httpShape).and(settingsSchema(Object.keys(httpShape)));

function invalid(provider: string, fields: readonly string[], reason: string): InvalidApiKeySecretError {
  const list = [...new Set(fields)].sort();
  return new InvalidApiKeySecretError(
    `${reason}${list.length === 0 ? '' : ` (fields: ${list.join(', ')})`}`,
    {
      provider,
      operation: 'parse',
      field: list.join(','),
    },
  );
}

function settingsOf(
  value: Record<string, unknown>,
  known: readonly string[],
): Record<string, KeySettingValue> {
  const settings: Record<string, KeySettingValue> = {};
  for (const [name, field] of Object.entries(value)) {
    if (!known.includes(name)) settings[name] = field as KeySettingValue;
  }
  return settings;
}

/**
 * Parses an API key secret's JSON. Errors name the fields at fault, never their values; a JSON syntax
 * error is reported without the parser's message (it quotes the text).
 */
export function parseApiKeySecret(secretString: Sensitive<string>): ApiKeySecret {
  let value: unknown;
  try {
    value = JSON.parse(secretString.reveal());
  } catch {
    throw invalid('api-key', [], 'the secret is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('api-key', [], 'the secret is not a JSON object');
  }
  const record = value as Record<string, unknown>;
  const provider = typeof record.provider === 'string' ? record.provider : undefined;
  const schema = provider === AWS_IAM_PROVIDER ? IamSecretSchema : HttpSecretSchema;
  const result = schema.safeParse(record);
  if (!result.success) {
    const fields = result.error.issues.map((issue) => issue.path.map(String).join('.') || '(root)');
    throw invalid(
      provider !== undefined && /^[\w.-]{1,64}$/.test(provider) ? provider : 'api-key',
      fields,
      'invalid or missing fields',
    );
  }
  if (provider === AWS_IAM_PROVIDER) {
    return {
      provider: AWS_IAM_PROVIDER,
      userName: record.userName as string,
      accessKeyId: record.accessKeyId as string,
      secretAccessKey: Sensitive.of(record.secretAccessKey as string),
      settings: settingsOf(record, Object.keys(iamShape)),
    };
  }
  return {
    provider: record.provider as string,
    keyId: record.keyId as string,
    apiKey: Sensitive.of(record.apiKey as string),
    settings: settingsOf(record, Object.keys(httpShape)),
  };
}

/** Whether a parsed secret holds an IAM access key. */
export function isIamAccessKeySecret(secret: ApiKeySecret): secret is IamAccessKeySecret {
  return secret.provider === AWS_IAM_PROVIDER;
}

/** The JSON to store for a version (settings first, so the known fields always win). */
export function serializeApiKeySecret(secret: ApiKeySecret): Sensitive<string> {
  if (isIamAccessKeySecret(secret)) {
    return Sensitive.of(
      JSON.stringify({
        ...secret.settings,
        provider: AWS_IAM_PROVIDER,
        userName: secret.userName,
        accessKeyId: secret.accessKeyId,
        secretAccessKey: secret.secretAccessKey.reveal(),
      }),
    );
  }
  return Sensitive.of(
    JSON.stringify({
      ...secret.settings,
      provider: secret.provider,
      keyId: secret.keyId,
      apiKey: secret.apiKey.reveal(),
    }),
  );
}

/** The key a secret holds, as the provider port takes it. */
export function issuedKeyOf(secret: ApiKeySecret): IssuedKey {
  return isIamAccessKeySecret(secret)
    ? { keyId: secret.accessKeyId, secret: secret.secretAccessKey }
    : { keyId: secret.keyId, secret: secret.apiKey };
}

/** The same secret (provider, owner, settings) holding another key: the pending value of a rotation. */
export function withKey<T extends ApiKeySecret>(secret: T, key: IssuedKey): T {
  if (isIamAccessKeySecret(secret)) {
    return { ...secret, accessKeyId: key.keyId, secretAccessKey: key.secret };
  }
  return { ...secret, keyId: key.keyId, apiKey: key.secret };
}
