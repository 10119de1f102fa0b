import { createHmac } from 'node:crypto';

/**
 * The key used for finding fingerprints when none is configured. It is public (it is in this file), so a
 * default fingerprint only de-duplicates; it protects nothing. Deployments pass their own key, held in
 * KMS-protected storage, so that fingerprints cannot be used to test guesses of a secret.
 */
export const DEFAULT_FINGERPRINT_KEY = 'rotor-finding-fingerprint-v1';

/** HMAC-SHA256 of rule id and secret, hex. Stable across images and paths; never reversible to the secret. */
export function findingFingerprint(key: string | Uint8Array, ruleId: string, secret: string): string {
  return createHmac('sha256', key).update(ruleId).update('\0').update(secret).digest('hex');
}
