/**
 * The alphabets managed values are generated from. The scanner hashes only candidates made of a record's
 * alphabet, so an alphabet must contain every character of the value; a wider one costs a few more hashes,
 * a narrower one misses the value.
 */

export const LOWERCASE = 'abcdefghijklmnopqrstuvwxyz';
export const UPPERCASE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const DIGITS = '0123456789';
/** The 32 ASCII punctuation characters GetRandomPassword draws from. */
export const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
/** Standard base64 without padding: IAM secret access keys, the lines of a PEM body. */
export const BASE64 = `${UPPERCASE}${LOWERCASE}${DIGITS}+/`;

/**
 * Groups of punctuation that generators use together, so that a value drawn from one of them gets an
 * alphabet that does not swallow the delimiters around it: `-_.` (Rotor's default passwords, base64url and
 * token prefixes such as `sk_live_`) and `+/=` (base64). A value with any other punctuation gets all 32.
 */
const PUNCTUATION_GROUPS = ['-_.', '+/='] as const;

/** The settings of a password policy that decide its alphabet (see core/rotation/password-policy.ts). */
export interface PasswordAlphabetSettings {
  readonly excludeCharacters?: string;
  readonly excludeNumbers?: boolean;
  readonly excludePunctuation?: boolean;
  readonly excludeUppercase?: boolean;
  readonly excludeLowercase?: boolean;
}

/** The characters GetRandomPassword may return under these settings (spaces are never included). */
export function passwordAlphabet(settings: PasswordAlphabetSettings): string {
  const classes = [
    settings.excludeLowercase ? '' : LOWERCASE,
    settings.excludeUppercase ? '' : UPPERCASE,
    settings.excludeNumbers ? '' : DIGITS,
    settings.excludePunctuation ? '' : PUNCTUATION,
  ].join('');
  const excluded = new Set(settings.excludeCharacters ?? '');
  return [...classes].filter((ch) => !excluded.has(ch)).join('');
}

/**
 * An alphabet derived from the character classes present in a value, for values Rotor did not generate
 * (a provider's API key, a password set before Rotor managed the secret): each class the value uses
 * (lower case, upper case, digits, a punctuation group) is included whole. `undefined` when the value has
 * a character outside printable ASCII or a space, which no generator Rotor knows produces.
 */
export function classAlphabet(value: string): string | undefined {
  let lower = false;
  let upper = false;
  let digit = false;
  const groups = new Set<string>();
  for (const ch of value) {
    if (LOWERCASE.includes(ch)) lower = true;
    else if (UPPERCASE.includes(ch)) upper = true;
    else if (DIGITS.includes(ch)) digit = true;
    else if (PUNCTUATION.includes(ch))
      groups.add(PUNCTUATION_GROUPS.find((g) => g.includes(ch)) ?? PUNCTUATION);
    else return undefined;
  }
  const punctuation = groups.has(PUNCTUATION) ? PUNCTUATION : [...groups].join('');
  return `${lower ? LOWERCASE : ''}${upper ? UPPERCASE : ''}${digit ? DIGITS : ''}${punctuation}`;
}

/** Whether every character of `value` is in `alphabet`. */
export function fitsAlphabet(value: string, alphabet: string): boolean {
  for (const ch of value) if (!alphabet.includes(ch)) return false;
  return true;
}
