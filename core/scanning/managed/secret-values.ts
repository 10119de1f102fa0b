import { Sensitive } from '../../sensitive';
import { MAX_MATCH_CHARS } from '../detect/limits';
import {
  BASE64,
  classAlphabet,
  fitsAlphabet,
  passwordAlphabet,
  type PasswordAlphabetSettings,
} from './alphabets';
import { MIN_MANAGED_LENGTH } from './record';

/**
 * Which values of a managed secret are worth fingerprinting, and the alphabet each was drawn from.
 *
 * - Databases (`rotor:kind` postgres, mysql, mariadb, aurora-*): `password`, with the password policy's
 *   alphabet when the value fits it (Rotor generated it), else the alphabet of its character classes (a
 *   password set before Rotor managed the secret, often the likeliest to have leaked).
 * - API keys: IAM `secretAccessKey` (40 characters of base64); an HTTP provider's `apiKey`, whose alphabet
 *   Rotor does not know, gets the alphabet of the character classes present in the value (alphabets.ts).
 *   Key ids are not secret and are left out.
 * - Certificates: the private key's PEM body is split over lines, and a candidate never spans a line
 *   break, so the last full 64-character line of the body is fingerprinted: it is key material (the
 *   end of a PKCS#8 body holds private fields, never the structural prefix every key of a type shares).
 *   A key pasted with escaped newlines (`\n` in JSON) is not recognised this way; the PEM rules still
 *   report it as a private key.
 *
 * Values too short or too long, or made of characters no generator produces, are skipped with a reason;
 * one field's problem never stops the others. Nothing here returns or reports a value except wrapped.
 */

/** The families of secrets Rotor rotates, as the `rotor:kind` tag names them. */
export type ManagedKind = 'database' | 'api-key' | 'certificate';

/** A value to fingerprint. */
export interface FingerprintableValue {
  readonly field: string;
  readonly value: Sensitive<string>;
  readonly alphabet: string;
  /** Where the alphabet came from: the password policy, a known format, or the value's character classes. */
  readonly alphabetFrom: 'policy' | 'format' | 'classes';
}

/** A field left out, and why (never the value). */
export interface SkippedValue {
  readonly field: string;
  readonly reason: string;
}

/** Options of `fingerprintableValues`. */
export interface SecretValueOptions {
  /** The database rotation functions' password settings. @default Rotor's default policy */
  readonly passwordPolicy?: PasswordAlphabetSettings;
}

const DATABASE_KINDS = new Set(['postgres', 'aurora-postgresql', 'mysql', 'mariadb', 'aurora-mysql']);
// Rotor's default exclusions (core/rotation/password-policy.ts): letters, digits and `-_.` remain.
const DEFAULT_EXCLUDED = ' !"#$%&\'()*+,/:;<=>?@[\\]^`{|}~';
const WHOLE_SECRET = '(secret)';

/** The kind a `rotor:kind` tag names, or the one the JSON's shape says when the tag is absent. */
export function managedKindOf(
  tag: string | undefined,
  json: Record<string, unknown>,
): ManagedKind | undefined {
  if (tag !== undefined) {
    if (DATABASE_KINDS.has(tag)) return 'database';
    if (tag === 'api-key' || tag === 'certificate') return tag;
    return undefined;
  }
  if (typeof json.engine === 'string' && 'password' in json) return 'database';
  if (typeof json.provider === 'string') return 'api-key';
  if ('privateKey' in json && 'certificate' in json) return 'certificate';
  return undefined;
}

/**
 * The values of one version of a managed secret worth fingerprinting, from its secret string and its
 * `rotor:kind` tag (the shape decides when there is none).
 */
export function fingerprintableValues(
  secretString: Sensitive<string>,
  kindTag: string | undefined,
  options: SecretValueOptions = {},
): { values: FingerprintableValue[]; skipped: SkippedValue[] } {
  let json: unknown;
  try {
    json = JSON.parse(secretString.reveal());
  } catch {
    // The parser's message quotes the text: it is dropped.
    return { values: [], skipped: [{ field: WHOLE_SECRET, reason: 'the secret string is not JSON' }] };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { values: [], skipped: [{ field: WHOLE_SECRET, reason: 'the secret is not a JSON object' }] };
  }
  const record = json as Record<string, unknown>;
  const kind = managedKindOf(kindTag, record);
  const values: FingerprintableValue[] = [];
  const skipped: SkippedValue[] = [];
  const take = (
    field: string,
    value: string,
    alphabet: string,
    from: FingerprintableValue['alphabetFrom'],
  ) => {
    const reason = lengthProblem(value);
    if (reason) skipped.push({ field, reason });
    else values.push({ field, value: Sensitive.of(value), alphabet, alphabetFrom: from });
  };
  const withClasses = (field: string, value: string) => {
    const alphabet = classAlphabet(value);
    if (alphabet === undefined) {
      skipped.push({ field, reason: 'has a space or a character outside printable ASCII' });
    } else take(field, value, alphabet, 'classes');
  };
  const stringField = (field: string): string | undefined => {
    const value = record[field];
    if (typeof value === 'string') return value;
    skipped.push({ field, reason: value === undefined ? 'missing' : 'not a string' });
    return undefined;
  };

  if (kind === undefined) {
    skipped.push({
      field: WHOLE_SECRET,
      reason:
        kindTag === undefined
          ? 'no rotor:kind tag and no shape Rotor knows'
          : 'a rotor:kind Rotor does not know',
    });
  } else if (kind === 'database') {
    const password = stringField('password');
    if (password !== undefined) {
      const settings = options.passwordPolicy ?? {};
      const policy = passwordAlphabet({
        ...settings,
        excludeCharacters: settings.excludeCharacters ?? DEFAULT_EXCLUDED,
      });
      if (fitsAlphabet(password, policy)) take('password', password, policy, 'policy');
      else withClasses('password', password);
    }
  } else if (kind === 'api-key') {
    if (record.provider === 'aws-iam') {
      const key = stringField('secretAccessKey');
      if (key !== undefined) {
        if (fitsAlphabet(key, BASE64)) take('secretAccessKey', key, BASE64, 'format');
        else withClasses('secretAccessKey', key);
      }
    } else {
      const key = stringField('apiKey');
      if (key !== undefined) withClasses('apiKey', key);
    }
  } else {
    const pem = stringField('privateKey');
    if (pem !== undefined) {
      const line = lastFullPemLine(pem);
      if (line === undefined)
        skipped.push({ field: 'privateKey', reason: 'no full 64-character line in the PEM body' });
      else take('privateKey', line, BASE64, 'format');
    }
  }
  return { values, skipped };
}

function lengthProblem(value: string): string | undefined {
  if (value.length < MIN_MANAGED_LENGTH) {
    return `shorter than ${MIN_MANAGED_LENGTH} characters: it would match text by chance`;
  }
  if (value.length > MAX_MATCH_CHARS)
    return `longer than the ${MAX_MATCH_CHARS} characters the detector matches`;
  return undefined;
}

/** The last body line of the first PEM block that is exactly 64 base64 characters. */
function lastFullPemLine(pem: string): string | undefined {
  const lines = pem.split(/\r?\n/).map((l) => l.trim());
  const begin = lines.findIndex((l) => l.startsWith('-----BEGIN '));
  if (begin < 0) return undefined;
  const end = lines.findIndex((l, i) => i > begin && l.startsWith('-----END '));
  const body = lines.slice(begin + 1, end < 0 ? lines.length : end);
  // Encrypted legacy PEM carries headers (`Proc-Type: ...`): those lines are not base64 and are skipped.
  const full = body.filter((l) => l.length === 64 && fitsAlphabet(l, BASE64));
  return full[full.length - 1];
}
