import { GetAuthorizationTokenCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { systemClock, type Clock } from '../../core/clock';
import { RegistryAuthError } from '../../core/scanning/image/errors';
import { Sensitive } from '../../core/sensitive';
import type { CredentialProvider, RegistryCredentials } from './http-registry';

/** Where an ECR registry host points: `<account>.dkr.ecr.<region>.amazonaws.com`. */
export interface EcrRegistry {
  readonly accountId: string;
  readonly region: string;
}

const ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/** Reads an ECR registry host; undefined for any other registry. */
export function parseEcrRegistry(registry: string): EcrRegistry | undefined {
  const match = ECR_HOST.exec(registry.split(':')[0] ?? '');
  return match ? { accountId: match[1]!, region: match[2]! } : undefined;
}

/** Options of the ECR credential provider. */
export interface EcrCredentialOptions {
  /** The registry (account) to ask a token for. @default the caller's own account */
  readonly registryId?: string;
  /** Refresh this long before the token expires. @default 300000 (5 minutes) */
  readonly refreshMarginMs?: number;
  /** @default systemClock */
  readonly clock?: Clock;
}

/**
 * Registry credentials from ECR `GetAuthorizationToken`: the token is base64 of `AWS:<password>`, used
 * with Basic auth. Cached until shortly before `expiresAt` (tokens last 12 hours), then fetched again.
 * The token is never logged or put in an error.
 *
 * @example new HttpRegistryClient({ registry, credentials: ecrCredentialProvider(new ECRClient({ region })) })
 */
export function ecrCredentialProvider(
  client: ECRClient,
  options: EcrCredentialOptions = {},
): CredentialProvider {
  const clock = options.clock ?? systemClock;
  const margin = options.refreshMarginMs ?? 5 * 60 * 1000;
  let cached: { credentials: RegistryCredentials; refreshAt: number } | undefined;
  let pending: Promise<RegistryCredentials> | undefined;
  return async () => {
    if (cached && clock.now().getTime() < cached.refreshAt) return cached.credentials;
    // One GetAuthorizationToken at a time, however many layers ask at once.
    pending ??= fetchCredentials().finally(() => (pending = undefined));
    return pending;
  };

  async function fetchCredentials(): Promise<RegistryCredentials> {
    let output;
    try {
      output = await client.send(
        new GetAuthorizationTokenCommand(options.registryId ? { registryIds: [options.registryId] } : {}),
      );
    } catch (cause) {
      throw new RegistryAuthError(`ECR GetAuthorizationToken failed (${(cause as Error).name})`, {
        cause,
        context: { registryId: options.registryId },
      });
    }
    const data = output.authorizationData?.[0];
    if (!data?.authorizationToken)
      throw new RegistryAuthError('ECR GetAuthorizationToken returned no token', {
        context: { registryId: options.registryId },
      });
    const decoded = Buffer.from(data.authorizationToken, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0)
      throw new RegistryAuthError('ECR authorization token is not user:password', {
        context: { registryId: options.registryId },
      });
    const credentials: RegistryCredentials = {
      username: decoded.slice(0, colon),
      password: Sensitive.of(decoded.slice(colon + 1)),
    };
    const expiresAt = data.expiresAt?.getTime() ?? clock.now().getTime() + 60 * 60 * 1000;
    cached = { credentials, refreshAt: expiresAt - margin };
    return credentials;
  }
}
