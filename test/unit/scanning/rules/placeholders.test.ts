import {
  hasSequentialRun,
  isObviousPlaceholder,
  isPlaceholderValue,
} from '../../../../core/scanning/rules/placeholders';
import { ALNUM, LOWER_DIGITS, rand, resetSampleSeed } from '../../../../core/scanning/rules/sample-kit';

describe('hasSequentialRun', () => {
  it('finds ascending and descending runs of eight', () => {
    expect(hasSequentialRun('AIzaSyabcdefghijklmnop')).toBe(true);
    expect(hasSequentialRun('x-12345678-y')).toBe(true);
    expect(hasSequentialRun('zyxwvuts')).toBe(true);
  });

  it('leaves shorter runs alone', () => {
    expect(hasSequentialRun('abcdefg')).toBe(false);
    expect(hasSequentialRun('k1234567z')).toBe(false);
  });
});

describe('isObviousPlaceholder', () => {
  beforeAll(() => resetSampleSeed(11));

  it('treats a long value holding a run like 12345678 as a typed example', () => {
    expect(isObviousPlaceholder('12345678-ABCD-ABCD-ABCD-1234567890AB')).toBe(true);
    expect(isObviousPlaceholder(`Sy${'abcdefghijklmnopqrstuvwxyz'}1234567`)).toBe(true);
  });

  it('keeps a short password that ends in a counted run', () => {
    expect(isObviousPlaceholder('Summer12345678!')).toBe(false);
  });

  it('keeps generated tokens', () => {
    for (let i = 0; i < 200; i++) expect(isObviousPlaceholder(rand(ALNUM, 40))).toBe(false);
  });
});

describe('isPlaceholderValue', () => {
  beforeAll(() => resetSampleSeed(12));

  it('treats snake_case made of words as a variable name', () => {
    expect(isPlaceholderValue('db_password_2')).toBe(true);
    expect(isPlaceholderValue('some_helper_value')).toBe(true);
  });

  it('keeps a lowercase token that happens to hold an underscore', () => {
    for (let i = 0; i < 100; i++) {
      const token = `${rand(LOWER_DIGITS, 20)}_${rand(LOWER_DIGITS, 16)}`;
      // Random lowercase-and-digit halves almost always hold a digit inside a part: not identifier words.
      if (/[a-z][0-9]+[a-z]/.test(token)) expect(isPlaceholderValue(token)).toBe(false);
    }
  });
});
