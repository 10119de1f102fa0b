import { awsErrorInfo, type AwsErrorInfo } from './aws-errors';
import {
  CreateAccessKeyCommand,
  DeleteAccessKeyCommand,
  IAMClient,
  ListAccessKeysCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { Sensitive } from '../core/sensitive';
import {
  KeyLimitError,
  KeyNotFoundError,
  ProviderRequestError,
  ProviderResponseError,
  ProviderUnavailableError,
} from '../core/rotation/api-key/errors';
import type { IssuedKey, KeyProvider, KeySummary, KeyTestResult } from '../core/rotation/api-key/provider';
import { AWS_IAM_PROVIDER } from '../core/rotation/api-key/secret';
import { DEFAULT_PROPAGATION_POLICY } from '../core/rotation/api-key/verify';

/** The owner of IAM access keys: an IAM user. */
export interface IamKeySettings {
  readonly userName: string;
}

/** What the STS client of a key test is built from: the key under test. */
export interface KeyCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** Options of the IAM provider: clients are injectable (tests, a custom endpoint). */
export interface IamAccessKeyProviderOptions {
  /** @default new IAMClient({}) */
  readonly iam?: IAMClient;
  /**
   * Builds the STS client that tests a key with that key's credentials. One try per call (`maxAttempts: 1`):
   * `verifyNewKey` owns the retries, so that propagation waits are bounded in one place.
   * @default a new STSClient with `region` (or the SDK's default region) and those credentials
   */
  readonly stsClientFor?: (credentials: KeyCredentials) => STSClient;
  readonly region?: string;
}

/** IAM allows two access keys per user, active or inactive (IAM quotas). */
export const IAM_ACCESS_KEY_LIMIT = 2;

// STS answers these while a new key has not reached it yet, and for keys that are wrong or inactive.
const KEY_REFUSED = new Set([
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'UnrecognizedClientException',
]);
/** Whether `arn` is the IAM user `userName` (any path): `arn:<partition>:iam::<account>:user/<path>/<name>`. */
function isUserArn(arn: string | undefined, userName: string): boolean {
  const parts = (arn ?? '').split(':');
  if (parts.length !== 6 || parts[0] !== 'arn' || parts[2] !== 'iam') return false;
  const resource = parts[5]!.split('/');
  return resource[0] === 'user' && resource.length >= 2 && resource[resource.length - 1] === userName;
}

function isUnavailable(info: AwsErrorInfo): boolean {
  return info.retryable;
}

/**
 * The KeyProvider of IAM user access keys: CreateAccessKey, ListAccessKeys, UpdateAccessKey (Inactive) and
 * DeleteAccessKey, with IAM's limit of two keys per user. A key is tested with STS GetCallerIdentity signed
 * by that key; `rejected` until IAM has propagated it (usually seconds). Revocation is two-phase:
 * deactivate (reversible), then delete.
 *
 * Errors name the operation, user, key id and AWS code: LimitExceeded is `KeyLimitError`, NoSuchEntity on
 * a key `KeyNotFoundError`, throttling, 5xx and network errors `ProviderUnavailableError` (retryable).
 *
 * @example
 *   const provider = iamAccessKeyProvider({ iam: new IAMClient({}) });
 *   const key = await provider.createKey({ userName: 'svc-orders' });
 */
export function iamAccessKeyProvider(options: IamAccessKeyProviderOptions = {}): KeyProvider<IamKeySettings> {
  const iam = options.iam ?? new IAMClient({});
  const stsClientFor =
    options.stsClientFor ??
    ((credentials: KeyCredentials) =>
      new STSClient({
        ...(options.region === undefined ? {} : { region: options.region }),
        credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey },
        maxAttempts: 1,
      }));

  const fail = (operation: string, settings: IamKeySettings, error: unknown, keyId?: string): never => {
    const info = awsErrorInfo(error);
    const context = {
      provider: AWS_IAM_PROVIDER,
      operation,
      code: info.code,
      ...(keyId === undefined ? {} : { keyId }),
    };
    const user = `for IAM user ${settings.userName}`;
    if (isUnavailable(info))
      throw new ProviderUnavailableError(`IAM could not answer ${user} (${info.code})`, context, error);
    if (info.code === 'LimitExceeded' || info.code === 'LimitExceededException') {
      throw new KeyLimitError(
        `IAM user ${settings.userName} already has ${IAM_ACCESS_KEY_LIMIT} access keys`,
        context,
        error,
      );
    }
    if ((info.code === 'NoSuchEntity' || info.code === 'NoSuchEntityException') && keyId !== undefined) {
      throw new KeyNotFoundError(`no such access key ${user}`, context, error);
    }
    throw new ProviderRequestError(`IAM refused the request ${user} (${info.code})`, context, error);
  };

  return {
    name: AWS_IAM_PROVIDER,
    keyLimit: IAM_ACCESS_KEY_LIMIT,
    propagation: DEFAULT_PROPAGATION_POLICY,

    async createKey(settings: IamKeySettings): Promise<IssuedKey> {
      let accessKey;
      try {
        accessKey = (await iam.send(new CreateAccessKeyCommand({ UserName: settings.userName }))).AccessKey;
      } catch (error) {
        return fail('CreateAccessKey', settings, error);
      }
      if (accessKey?.AccessKeyId === undefined || accessKey.SecretAccessKey === undefined) {
        throw new ProviderResponseError(
          'CreateAccessKey answered without AccessKey.AccessKeyId or SecretAccessKey',
          {
            provider: AWS_IAM_PROVIDER,
            operation: 'CreateAccessKey',
            field: 'AccessKey',
          },
        );
      }
      return { keyId: accessKey.AccessKeyId, secret: Sensitive.of(accessKey.SecretAccessKey) };
    },

    async testKey(key: IssuedKey, settings: IamKeySettings): Promise<KeyTestResult> {
      const sts = stsClientFor({ accessKeyId: key.keyId, secretAccessKey: key.secret.reveal() });
      try {
        const identity = await sts.send(new GetCallerIdentityCommand({}));
        // The key must sign as its own user: a key of another user would pass STS but not the consumers.
        if (!isUserArn(identity.Arn, settings.userName)) return { ok: false, reason: 'identity-mismatch' };
        return { ok: true };
      } catch (error) {
        const info = awsErrorInfo(error);
        if (KEY_REFUSED.has(info.code)) return { ok: false, reason: info.code };
        return fail('GetCallerIdentity', settings, error, key.keyId);
      } finally {
        sts.destroy();
      }
    },

    async listKeys(settings: IamKeySettings): Promise<readonly KeySummary[]> {
      const keys: KeySummary[] = [];
      let marker: string | undefined;
      try {
        do {
          const page = await iam.send(
            new ListAccessKeysCommand({ UserName: settings.userName, Marker: marker }),
          );
          for (const meta of page.AccessKeyMetadata ?? []) {
            if (meta.AccessKeyId === undefined) continue;
            keys.push({
              keyId: meta.AccessKeyId,
              status: meta.Status === 'Active' ? 'active' : 'inactive',
              ...(meta.CreateDate === undefined ? {} : { createdAt: new Date(meta.CreateDate) }),
            });
          }
          marker = page.IsTruncated ? page.Marker : undefined;
        } while (marker !== undefined);
      } catch (error) {
        return fail('ListAccessKeys', settings, error);
      }
      return keys;
    },

    async deactivateKey(keyId: string, settings: IamKeySettings): Promise<void> {
      try {
        await iam.send(
          new UpdateAccessKeyCommand({ UserName: settings.userName, AccessKeyId: keyId, Status: 'Inactive' }),
        );
      } catch (error) {
        fail('UpdateAccessKey', settings, error, keyId);
      }
    },

    async deleteKey(keyId: string, settings: IamKeySettings): Promise<void> {
      try {
        await iam.send(new DeleteAccessKeyCommand({ UserName: settings.userName, AccessKeyId: keyId }));
      } catch (error) {
        fail('DeleteAccessKey', settings, error, keyId);
      }
    },

    /** IAM has no undo after DeleteAccessKey: revoking is deleting (deactivate first to keep a way back). */
    async revokeKey(keyId: string, settings: IamKeySettings): Promise<void> {
      try {
        await iam.send(new DeleteAccessKeyCommand({ UserName: settings.userName, AccessKeyId: keyId }));
      } catch (error) {
        fail('DeleteAccessKey', settings, error, keyId);
      }
    },
  };
}
