import { randomInt } from 'node:crypto';
import { invalidParameter } from './errors';

/** The options of GetRandomPassword, with AWS's defaults applied by {@link generateRandomPassword}. */
export interface PasswordOptions {
  /** @default 32 */
  readonly passwordLength?: number;
  /** Characters that must not appear. @default '' */
  readonly excludeCharacters?: string;
  readonly excludeNumbers?: boolean;
  readonly excludePunctuation?: boolean;
  readonly excludeUppercase?: boolean;
  readonly excludeLowercase?: boolean;
  /** @default false */
  readonly includeSpace?: boolean;
  /** At least one character of each included type (lowercase, uppercase, number, punctuation). @default true */
  readonly requireEachIncludedType?: boolean;
}

/** The character classes of GetRandomPassword; punctuation is AWS's documented set. */
export const PASSWORD_CHARACTER_CLASSES = {
  lowercase: 'abcdefghijklmnopqrstuvwxyz',
  uppercase: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  numbers: '0123456789',
  punctuation: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
} as const;

/**
 * A password as GetRandomPassword makes it, from `crypto.randomInt`. A type counts as included when it is
 * not excluded and some of its characters survive `excludeCharacters`; with `requireEachIncludedType` the
 * password holds at least one character of each included type (the space is never required).
 *
 * @throws InvalidParameterException when no character is left, or when the length is shorter than the
 *   number of required types.
 */
export function generateRandomPassword(options: PasswordOptions = {}): string {
  const length = options.passwordLength ?? 32;
  const excluded = new Set(options.excludeCharacters ?? '');
  const keep = (chars: string): string => [...chars].filter((c) => !excluded.has(c)).join('');
  const classes: string[] = [];
  if (!options.excludeLowercase) classes.push(keep(PASSWORD_CHARACTER_CLASSES.lowercase));
  if (!options.excludeUppercase) classes.push(keep(PASSWORD_CHARACTER_CLASSES.uppercase));
  if (!options.excludeNumbers) classes.push(keep(PASSWORD_CHARACTER_CLASSES.numbers));
  if (!options.excludePunctuation) classes.push(keep(PASSWORD_CHARACTER_CLASSES.punctuation));
  const required = classes.filter((chars) => chars.length > 0);
  const space = options.includeSpace && !excluded.has(' ') ? ' ' : '';
  const pool = required.join('') + space;
  if (pool.length === 0) {
    throw invalidParameter(
      'The password cannot be generated: every character type or character is excluded.',
    );
  }
  const requireEach = options.requireEachIncludedType ?? true;
  const chars: string[] = [];
  if (requireEach) {
    if (length < required.length) {
      throw invalidParameter(
        `The password length ${length} is too short to include each of the ${required.length} required character types.`,
      );
    }
    for (const chars_ of required) chars.push(pick(chars_));
  }
  while (chars.length < length) chars.push(pick(pool));
  shuffle(chars);
  return chars.join('');
}

function pick(chars: string): string {
  return chars[randomInt(chars.length)];
}

/** Fisher-Yates, so the required characters do not sit at the front. */
function shuffle(chars: string[]): void {
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
}
