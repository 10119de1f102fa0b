import { createHmac, hkdfSync } from 'node:crypto';
import { Sensitive } from '../../sensitive';
import { InvalidFingerprintKeyError } from './errors';

/**
 * The keys a deployment's scanner uses, all derived from its one fingerprint key secret: `managed` for the
 * HMAC records of managed values (the writer and the detector must agree on it), `findings` for the
 * findings' de-duplication fingerprints (replacing the public default key, so a stored fingerprint cannot
 * test guesses of a secret). Two derived keys rather than one shared key: a record's HMAC and a finding's
 * fingerprint of the same value can never be compared.
 */
export interface ScanKeys {
  readonly managed: Sensitive<Uint8Array>;
  readonly findings: Sensitive<Uint8Array>;
  /** Names the key without revealing it (16 hex of an HMAC): stored with each record to spot a key change. */
  readonly keyId: string;
}

/** The fewest characters a key secret may have: 43 letters and digits carry 256 bits. */
export const MIN_KEY_SECRET_LENGTH = 43;

/** Derives the scan keys (HKDF-SHA256) from the key secret's string. Throws on a key too short to trust. */
export function deriveScanKeys(secret: Sensitive<string>): ScanKeys {
  const material = secret.reveal();
  if (material.length < MIN_KEY_SECRET_LENGTH) {
    throw new InvalidFingerprintKeyError(
      `the fingerprint key secret is shorter than ${MIN_KEY_SECRET_LENGTH} characters`,
      { context: { length: material.length } },
    );
  }
  const derive = (info: string) =>
    Sensitive.of(new Uint8Array(hkdfSync('sha256', material, 'rotor-scan-keys-v1', info, 32)));
  return {
    managed: derive('managed-secret-records'),
    findings: derive('finding-fingerprints'),
    keyId: createHmac('sha256', material).update('rotor-key-id').digest('hex').slice(0, 16),
  };
}
