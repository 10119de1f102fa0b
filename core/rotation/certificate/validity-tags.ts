import { ROTATION_TAGS } from '../../contracts/rotation';
import type { Sensitive } from '../../sensitive';
import { parseCertificateRotationSecret } from './rotation-secret';

/**
 * The tags that tell the daily sweep when a certificate secret is due for renewal: the validity of its
 * AWSCURRENT certificate (`rotor:not-before`, `rotor:not-after`, ISO-8601), so the sweep decides from
 * ListSecrets alone and never reads a value. `undefined` for a request-only secret (nothing issued yet).
 * Throws `InvalidSecretError` (naming fields, never values) when the value does not parse.
 */
export function certificateValidityTags(
  secretValue: Sensitive<string>,
  secretId: string,
): Record<string, string> | undefined {
  const secret = parseCertificateRotationSecret(secretValue.reveal(), { secretId, check: 'validity-tags' });
  if (secret.issued === undefined) return undefined;
  return {
    [ROTATION_TAGS.notBefore]: new Date(secret.issued.notBefore).toISOString(),
    [ROTATION_TAGS.notAfter]: new Date(secret.issued.notAfter).toISOString(),
  };
}
