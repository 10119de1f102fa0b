import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { systemClock, type Clock } from '../core/clock';
import { Sensitive } from '../core/sensitive';
import {
  FingerprintStoreUnavailableError,
  InvalidFingerprintKeyError,
} from '../core/scanning/managed/errors';
import { deriveScanKeys, type ScanKeys } from '../core/scanning/managed/keys';
import { RefreshingValue } from '../core/scanning/managed/refreshing';
import { awsErrorInfo } from './aws-errors';

/** Options of fingerprintKeyLoader. */
export interface FingerprintKeyOptions {
  /** How long the key is kept per container before it is read again. @default 5 minutes */
  readonly ttlMs?: number;
  /** @default systemClock */
  readonly clock?: Clock;
}

/**
 * Loads the deployment's fingerprint key from its Secrets Manager secret (AWSCURRENT), derives the scan
 * keys from it (core/scanning/managed/keys.ts) and keeps them per container for `ttlMs`. Errors name the
 * secret and the AWS error code, never its value: throttling, 5xx and network errors are
 * FingerprintStoreUnavailableError (retryable), anything else InvalidFingerprintKeyError.
 *
 * @example
 *   const keys = fingerprintKeyLoader(new SecretsManagerClient({}), env.ROTOR_FINGERPRINT_KEY_SECRET_ARN);
 *   const { managed, findings } = await keys();
 */
export function fingerprintKeyLoader(
  client: SecretsManagerClient,
  secretId: string,
  options: FingerprintKeyOptions = {},
): () => Promise<ScanKeys> {
  const cached = new RefreshingValue(async () => ({ version: 0, value: await readKey(client, secretId) }), {
    ttlMs: options.ttlMs ?? 5 * 60_000,
    clock: options.clock ?? systemClock,
  });
  return async () => (await cached.get()).value;
}

async function readKey(client: SecretsManagerClient, secretId: string): Promise<ScanKeys> {
  let secretString: string | undefined;
  try {
    const out = await client.send(
      new GetSecretValueCommand({ SecretId: secretId, VersionStage: 'AWSCURRENT' }),
    );
    secretString = out.SecretString;
  } catch (error) {
    const { code, retryable } = awsErrorInfo(error);
    const context = { secretId, code };
    if (retryable) {
      throw new FingerprintStoreUnavailableError(`the fingerprint key secret could not be read (${code})`, {
        context,
        cause: error,
      });
    }
    throw new InvalidFingerprintKeyError(`the fingerprint key secret could not be read (${code})`, {
      context,
      cause: error,
    });
  }
  if (secretString === undefined || secretString === '') {
    throw new InvalidFingerprintKeyError('the fingerprint key secret holds no string', {
      context: { secretId },
    });
  }
  try {
    return deriveScanKeys(Sensitive.of(secretString));
  } catch (error) {
    if (error instanceof InvalidFingerprintKeyError) {
      throw new InvalidFingerprintKeyError(error.message, { context: { secretId, ...error.context } });
    }
    throw error;
  }
}
