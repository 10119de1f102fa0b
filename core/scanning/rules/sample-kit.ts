/**
 * Generators for rule samples. Credential-shaped test data is made at run time, never committed as a literal:
 * a seeded PRNG keeps the tests deterministic.
 */

let state = 0x2545f491;

/** Resets the sample generator (tests call it to get the same samples in every run). */
export function resetSampleSeed(seed = 0x2545f491): void {
  state = seed >>> 0;
}

/** A deterministic pseudo-random integer in [0, n). */
export function randInt(n: number): number {
  // mulberry32
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * n;
}

export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
export const LOWER_DIGITS = 'abcdefghijklmnopqrstuvwxyz0123456789';
export const HEX = '0123456789abcdef';
export const BASE64 = ALNUM + '+/';
export const BASE64URL = ALNUM + '-_';
export const DIGITS = '0123456789';
export const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A random string of `length` characters from `alphabet`, never filler (no run of 3 equal characters). */
export function rand(alphabet: string, length: number): string {
  let out = '';
  while (out.length < length) {
    const ch = alphabet[Math.floor(randInt(alphabet.length))]!;
    if (out.length >= 2 && out[out.length - 1] === ch && out[out.length - 2] === ch) continue;
    out += ch;
  }
  return out;
}

/** One of the items. */
export function pick<T>(items: readonly T[]): T {
  return items[Math.floor(randInt(items.length))]!;
}

/** Base64 (standard alphabet) of a string. */
export function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** Base64url without padding of a string. */
export function b64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** A password of mixed classes, as a person or a generator would make it. */
export function password(length = 14): string {
  const parts = [
    rand('ABCDEFGHJKLMNPQRSTUVWXYZ', 2),
    rand('abcdefghijkmnopqrstuvwxyz', 4),
    rand(DIGITS, 3),
    rand('!#%&*+-.^_~', 1),
  ];
  let out = parts.join('');
  while (out.length < length) out += rand(ALNUM, 1);
  return out;
}

/** A PEM block of random base64 body: what a key file looks like to a scanner. */
export function pemBlock(label: string, bodyChars = 1600, headers = ''): string {
  const body = rand(BASE64, bodyChars);
  const lines = body.match(/.{1,64}/g)!.join('\n');
  const dashes = '-'.repeat(5);
  return `${dashes}BEGIN ${label}${dashes}\n${headers}${lines}\n${dashes}END ${label}${dashes}`;
}
