import { randomInt } from 'node:crypto';

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Where the emulated secrets live: the region and account that appear in their ARNs. */
export interface ArnScope {
  readonly region: string;
  readonly accountId: string;
}

/** The ARN prefix before a secret's name: `arn:aws:secretsmanager:<region>:<account>:secret:`. */
export function secretArnPrefix(scope: ArnScope): string {
  return `arn:aws:secretsmanager:${scope.region}:${scope.accountId}:secret:`;
}

/**
 * A new secret ARN: the name followed by a hyphen and six random alphanumeric characters, as Secrets
 * Manager makes them, so a secret recreated under the same name gets a different ARN.
 */
export function newSecretArn(scope: ArnScope, name: string): string {
  let suffix = '';
  for (let i = 0; i < 6; i++) suffix += SUFFIX_ALPHABET[randomInt(SUFFIX_ALPHABET.length)];
  return `${secretArnPrefix(scope)}${name}-${suffix}`;
}

/**
 * Whether `secretId` names the secret `{ name, arn }`: its name, its full ARN, or its partial ARN (the
 * full ARN without the `-xxxxxx` suffix), which are the three forms the API accepts.
 */
export function secretIdMatches(
  secretId: string,
  secret: { readonly name: string; readonly arn: string },
  scope: ArnScope,
): boolean {
  if (!secretId.startsWith('arn:')) return secretId === secret.name;
  return secretId === secret.arn || secretId === `${secretArnPrefix(scope)}${secret.name}`;
}
