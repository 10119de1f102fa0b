import {
  DEFAULT_EXCLUDED_CHARACTERS,
  DEFAULT_PASSWORD_POLICY,
  randomPasswordRequest,
  resolvePasswordPolicy,
} from '../../../core/rotation/password-policy';
import { InvalidPasswordPolicyError } from '../../../core/rotation/errors';
import { MemorySecretStore } from './support/memory-secret-store';

describe('the password policy', () => {
  it('defaults to 32 characters without the characters that break URLs, connection strings and shells', () => {
    expect(DEFAULT_PASSWORD_POLICY.length).toBe(32);
    for (const c of [' ', '/', '@', '"', "'", '\\', ':', '?', '#', '%', '&', '$', '`', '!', ';', '=', '~']) {
      expect(DEFAULT_EXCLUDED_CHARACTERS).toContain(c);
    }
  });

  it('produces passwords that survive a URL, a libpq string and a shell unquoted', async () => {
    const store = new MemorySecretStore();
    const request = randomPasswordRequest(resolvePasswordPolicy());
    for (let i = 0; i < 200; i++) {
      const password = (await store.getRandomPassword(request)).reveal();
      expect(password).toHaveLength(32);
      expect(password).toMatch(/^[A-Za-z0-9._-]+$/);
      expect(encodeURIComponent(password)).toBe(password);
    }
  });

  it('accepts overrides and ignores undefined ones', () => {
    expect(
      resolvePasswordPolicy({ length: 64, excludeCharacters: undefined as unknown as string }),
    ).toMatchObject({
      length: 64,
      excludeCharacters: DEFAULT_EXCLUDED_CHARACTERS,
    });
  });

  it.each([[8], [15], [4097], [20.5]])('refuses a length of %p', (length) => {
    expect(() => resolvePasswordPolicy({ length })).toThrow(InvalidPasswordPolicyError);
  });

  it('refuses a policy that excludes every character class', () => {
    const all = {
      excludeNumbers: true,
      excludePunctuation: true,
      excludeUppercase: true,
      excludeLowercase: true,
    };
    expect(() => resolvePasswordPolicy(all)).toThrow(/every character class/);
  });
});
