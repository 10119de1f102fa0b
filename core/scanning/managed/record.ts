import { createHmac } from 'node:crypto';
import { InvalidManagedRecordError } from './errors';
import { MAX_MATCH_CHARS } from '../detect/limits';

/** The stages whose values the scanner looks for. */
export type ManagedStage = 'AWSCURRENT' | 'AWSPREVIOUS';

/**
 * What Rotor keeps about a value it rotated, so that the scanner can recognise it without holding it: a keyed
 * HMAC of the value, its length and the alphabet it was generated from. Never the value.
 */
export interface ManagedSecretRecord {
  readonly secretId: string;
  readonly stage: ManagedStage;
  /** HMAC-SHA256 (hex) of the value under the managed-secret key (see managedValueHmac). */
  readonly hmac: string;
  /** The value's length in UTF-16 code units. */
  readonly length: number;
  /** Every character the generator may use, in any order (e.g. the 62 letters and digits). */
  readonly alphabet: string;
}

/** Shortest value worth indexing: shorter values would match too much text by chance. */
export const MIN_MANAGED_LENGTH = 8;

const DOMAIN = 'rotor-managed-secret-v1\0';

/** The keyed HMAC of a managed value, hex. Domain-separated from finding fingerprints. */
export function managedValueHmac(key: string | Uint8Array, value: string): string {
  return createHmac('sha256', key).update(DOMAIN).update(value).digest('hex');
}

/** Sorted, de-duplicated characters: two spellings of one alphabet share one scan. */
export function normaliseAlphabet(alphabet: string): string {
  return [...new Set(alphabet)].sort().join('');
}

/**
 * Makes the record rotation stores for a new value. Throws InvalidManagedRecordError (naming the secret, not
 * the value) when the value is too short or long, or uses characters outside the alphabet.
 */
export function fingerprintManagedValue(
  key: string | Uint8Array,
  secretId: string,
  stage: ManagedStage,
  value: string,
  alphabet: string,
): ManagedSecretRecord {
  const normalised = normaliseAlphabet(alphabet);
  if (value.length < MIN_MANAGED_LENGTH || value.length > MAX_MATCH_CHARS) {
    throw new InvalidManagedRecordError(
      `value of ${secretId} (${stage}) has a length the scanner cannot index`,
      {
        context: { secretId, stage, length: value.length },
      },
    );
  }
  for (const ch of value) {
    if (!normalised.includes(ch)) {
      throw new InvalidManagedRecordError(
        `value of ${secretId} (${stage}) uses a character outside its alphabet`,
        {
          context: { secretId, stage },
        },
      );
    }
  }
  return { secretId, stage, hmac: managedValueHmac(key, value), length: value.length, alphabet: normalised };
}
