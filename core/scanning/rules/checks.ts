import { hasBase62Crc32Checksum } from './checksums';
import { shannonEntropy } from './entropy';
import { hasFillerRun, hasSequentialRun } from './placeholders';
import type { SecretCheck } from './rule';

/** Keeps tokens whose last six characters are the base62 CRC-32 of their body (GitHub classic, npm). */
export const base62Crc32: SecretCheck = (secret) => hasBase62Crc32Checksum(secret);

/** Decodes base64 or base64url leniently; undefined when the text is not base64. */
export function decodeBase64(text: string): string | undefined {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) return undefined;
  try {
    return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
  } catch {
    return undefined;
  }
}

/** Keeps base64 that decodes to printable `user:password` (Docker `auth`, npm `_auth`, HTTP Basic). */
export const base64UserPass: SecretCheck = (secret) => {
  const decoded = decodeBase64(secret);
  if (decoded === undefined) return false;
  const colon = decoded.indexOf(':');
  return colon > 0 && colon < decoded.length - 1 && /^[\x20-\x7e]+$/.test(decoded);
};

/**
 * Keeps JWTs whose header decodes to a JSON object with an `alg` (and a signature unless `alg` is `none`), and drops
 * documentation examples.
 */
export const jwtShape: SecretCheck = (secret) => {
  const [header, payload, signature] = secret.split('.');
  try {
    const parsedHeader = JSON.parse(decodeBase64(header ?? '') ?? '') as unknown;
    if (typeof parsedHeader !== 'object' || parsedHeader === null || !('alg' in parsedHeader)) return false;
    // Only an unsigned token (`alg: none`, accepted by careless servers) may end without a signature.
    if (!signature && String((parsedHeader as { alg: unknown }).alg).toLowerCase() !== 'none') return false;
    const body = decodeBase64(payload ?? '') ?? '';
    // Documentation examples: jwt.io's John Doe and its newer "hello hacker" token, PyJWT's {"some": "payload"},
    // the Microsoft identity platform's Abe Lincoln, and AWS's, whose claims say EXAMPLE in capitals (as its
    // example access key does) in the SDKs' doc comments.
    return !/"name"\s*:\s*"(?:John Doe|Abe Lincoln)"|"sub"\s*:\s*"1234567890"|^\{"some"\s*:\s*"payload"\}$|"msg"\s*:\s*"hello hacker, there's nothing for you here|:\s*"[^"]*EXAMPLE[^"]*"/.test(
      body,
    );
  } catch {
    return false;
  }
};

/** Keeps strings that mix at least `classes` of: lowercase, uppercase, digits, other. */
export function mixesClasses(classes: number): SecretCheck {
  return (secret) => {
    let n = 0;
    if (/[a-z]/.test(secret)) n++;
    if (/[A-Z]/.test(secret)) n++;
    if (/[0-9]/.test(secret)) n++;
    if (/[^A-Za-z0-9]/.test(secret)) n++;
    return n >= classes;
  };
}

/** Keeps strings whose entropy is at least `bits` (for use inside validate where the floor depends on length). */
export function entropyAtLeast(bits: number): SecretCheck {
  return (secret) => shannonEntropy(secret) >= bits;
}

/** All of the checks. */
export function all(...checks: SecretCheck[]): SecretCheck {
  return (secret, match) => checks.every((check) => check(secret, match));
}

/**
 * Whether a token body reads as machine-random rather than typed by hand: entropy of at least `bits`, no run of
 * four equal characters, and no run of five consecutive ones (`ABCDE`, `12345`). Test fixtures and
 * documentation pad or count (`...AAAAAA`, `...ABCDEF`); generators do not.
 */
export function randomBody(bits = 4): SecretCheck {
  return (secret) =>
    shannonEntropy(secret) >= bits && !hasFillerRun(secret, 4) && !hasSequentialRun(secret, 5);
}

/** Any of the checks. */
export function any(...checks: SecretCheck[]): SecretCheck {
  return (secret, match) => checks.some((check) => check(secret, match));
}
