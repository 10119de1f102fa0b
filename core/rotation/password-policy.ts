import { InvalidPasswordPolicyError } from './errors';
import type { RandomPasswordRequest } from './ports';

/**
 * Every punctuation character GetRandomPassword may use except `-`, `_` and `.`.
 *
 * Why: a database password ends up in connection URLs (`postgres://user:pw@host/db?x=y`), libpq and JDBC
 * key=value strings, `.env` files, shell commands and YAML. `-_.` are URL-unreserved (no percent-encoding),
 * are not key/value separators, quote characters, escapes, comment starters (`#`), variable or command
 * expansions (`$`, backtick, `!`), globs (`*?[]{}`), home expansion (`~`), redirections or list separators
 * (`<>|&;`), and mean nothing to YAML or JSON. `/@"'\` and space are the classic exclusions of AWS's
 * templates; `:?#%&$` and backtick break URLs and shells. Excluding the rest leaves 65 symbols, so the
 * 32-character default still carries about 192 bits.
 */
export const DEFAULT_EXCLUDED_CHARACTERS = ' !"#$%&\'()*+,/:;<=>?@[\\]^`{|}~';

/** How new passwords are generated (the arguments of GetRandomPassword). */
export interface PasswordPolicy {
  /** @default 32 */
  readonly length: number;
  /** @default DEFAULT_EXCLUDED_CHARACTERS */
  readonly excludeCharacters: string;
  /** @default false */
  readonly excludeNumbers: boolean;
  /** @default false */
  readonly excludePunctuation: boolean;
  /** @default false */
  readonly excludeUppercase: boolean;
  /** @default false */
  readonly excludeLowercase: boolean;
  /** @default true */
  readonly requireEachIncludedType: boolean;
}

/** The default policy: 32 characters, safe in connection strings, URLs and shells. */
export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = Object.freeze({
  length: 32,
  excludeCharacters: DEFAULT_EXCLUDED_CHARACTERS,
  excludeNumbers: false,
  excludePunctuation: false,
  excludeUppercase: false,
  excludeLowercase: false,
  requireEachIncludedType: true,
});

/** Lower bound on the length: below it a password is guessable offline from a leaked hash. */
export const MIN_PASSWORD_LENGTH = 16;
/** GetRandomPassword's upper bound. */
export const MAX_PASSWORD_LENGTH = 4096;

/** Fills in the defaults and checks the result; throws `InvalidPasswordPolicyError` naming the bad setting. */
export function resolvePasswordPolicy(overrides: Partial<PasswordPolicy> = {}): PasswordPolicy {
  const policy = { ...DEFAULT_PASSWORD_POLICY, ...withoutUndefined(overrides) };
  if (
    !Number.isInteger(policy.length) ||
    policy.length < MIN_PASSWORD_LENGTH ||
    policy.length > MAX_PASSWORD_LENGTH
  ) {
    throw new InvalidPasswordPolicyError(
      `password policy: length must be an integer from ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH}`,
      { context: { setting: 'length' } },
    );
  }
  if (policy.excludeCharacters.length > 4096) {
    throw new InvalidPasswordPolicyError(
      'password policy: excludeCharacters is longer than 4096 characters',
      {
        context: { setting: 'excludeCharacters' },
      },
    );
  }
  if (
    policy.excludeNumbers &&
    policy.excludePunctuation &&
    policy.excludeUppercase &&
    policy.excludeLowercase
  ) {
    throw new InvalidPasswordPolicyError('password policy: every character class is excluded', {
      context: { setting: 'exclude*' },
    });
  }
  return Object.freeze(policy);
}

/** The GetRandomPassword request for a policy. Spaces are never included. */
export function randomPasswordRequest(policy: PasswordPolicy): RandomPasswordRequest {
  return { ...policy, includeSpace: false };
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
