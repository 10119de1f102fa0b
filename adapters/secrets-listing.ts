import {
  ListSecretsCommand,
  TagResourceCommand,
  type SecretListEntry,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { realSleep, type Sleep } from '../core/clock';
import { ROTATION_TAGS } from '../core/contracts/rotation';
import { SecretStoreRequestError, SecretStoreUnavailableError } from '../core/rotation/errors';
import type { ListedSecret } from '../core/workflow/sweep';
import { awsErrorInfo } from './aws-errors';

/** Options of `listManagedSecrets`. */
export interface ListManagedSecretsOptions {
  /** The tag every managed secret carries. @default `rotor:kind` */
  readonly tagKey?: string;
  /** Attempts per page when Secrets Manager throttles (on top of the SDK's own retries). @default 5 */
  readonly attempts?: number;
  /** @default 200 ms, doubling, with full jitter */
  readonly baseDelayMs?: number;
  readonly sleep?: Sleep;
}

/**
 * Secrets Manager's metadata for the daily sweep: every secret carrying `rotor:kind` (ListSecrets with the
 * `tag-key` filter, 100 a page, secrets scheduled for deletion included so the sweep can say why it skips
 * them). Values are never read. A throttled page is retried with backoff so a large fleet is not listed
 * again from the start; what still fails becomes `SecretStoreUnavailableError` (retryable) or
 * `SecretStoreRequestError`, naming the AWS error code only.
 */
export async function* listManagedSecrets(
  client: SecretsManagerClient,
  options: ListManagedSecretsOptions = {},
): AsyncGenerator<ListedSecret> {
  const attempts = options.attempts ?? 5;
  const base = options.baseDelayMs ?? 200;
  const sleep = options.sleep ?? realSleep;
  let nextToken: string | undefined;
  do {
    const page = await withRetry(
      () =>
        client.send(
          new ListSecretsCommand({
            Filters: [{ Key: 'tag-key', Values: [options.tagKey ?? ROTATION_TAGS.kind] }],
            IncludePlannedDeletion: true,
            MaxResults: 100,
            ...(nextToken ? { NextToken: nextToken } : {}),
          }),
        ),
      { attempts, base, sleep, operation: 'ListSecrets' },
    );
    for (const entry of page.SecretList ?? []) {
      const listed = toListed(entry);
      if (listed) yield listed;
    }
    nextToken = page.NextToken;
  } while (nextToken);
}

/** Collects `listManagedSecrets` into an array. */
export async function listAllManagedSecrets(
  client: SecretsManagerClient,
  options?: ListManagedSecretsOptions,
): Promise<ListedSecret[]> {
  const all: ListedSecret[] = [];
  for await (const secret of listManagedSecrets(client, options)) all.push(secret);
  return all;
}

/**
 * Writes tags on a secret (TagResource), retrying throttling like the listing. Used by the certificate
 * function to record AWSCURRENT's validity for the sweep.
 */
export async function tagSecret(
  client: SecretsManagerClient,
  secretId: string,
  tags: Readonly<Record<string, string>>,
  options: Omit<ListManagedSecretsOptions, 'tagKey'> = {},
): Promise<void> {
  await withRetry(
    () =>
      client.send(
        new TagResourceCommand({
          SecretId: secretId,
          Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      ),
    {
      attempts: options.attempts ?? 5,
      base: options.baseDelayMs ?? 200,
      sleep: options.sleep ?? realSleep,
      operation: 'TagResource',
      secretId,
    },
  );
}

function toListed(entry: SecretListEntry): ListedSecret | undefined {
  if (!entry.ARN || !entry.Name) return undefined;
  return {
    arn: entry.ARN,
    name: entry.Name,
    tags: Object.fromEntries(
      (entry.Tags ?? []).filter((t) => t.Key !== undefined).map((t) => [t.Key!, t.Value ?? '']),
    ),
    ...(entry.RotationEnabled === undefined ? {} : { rotationEnabled: entry.RotationEnabled }),
    ...(entry.RotationLambdaARN ? { rotationLambdaArn: entry.RotationLambdaARN } : {}),
    ...(entry.CreatedDate ? { createdDate: new Date(entry.CreatedDate) } : {}),
    ...(entry.LastRotatedDate ? { lastRotatedDate: new Date(entry.LastRotatedDate) } : {}),
    ...(entry.DeletedDate ? { deletedDate: new Date(entry.DeletedDate) } : {}),
  };
}

async function withRetry<T>(
  call: () => Promise<T>,
  options: { attempts: number; base: number; sleep: Sleep; operation: string; secretId?: string },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const { code, retryable } = awsErrorInfo(error);
      const where = { secretId: options.secretId ?? '*', check: options.operation };
      if (!retryable) {
        throw new SecretStoreRequestError(
          `Secrets Manager refused ${options.operation} (${code})`,
          where,
          error,
        );
      }
      if (attempt >= options.attempts) {
        throw new SecretStoreUnavailableError(
          `Secrets Manager could not answer ${options.operation} after ${attempt} attempts (${code})`,
          where,
          error,
        );
      }
      await options.sleep(Math.floor(Math.random() * options.base * 2 ** (attempt - 1)));
    }
  }
}
