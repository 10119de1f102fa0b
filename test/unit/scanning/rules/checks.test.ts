import { any, randomBody } from '../../../../core/scanning/rules/checks';
import { ALNUM, LOWER_DIGITS, rand, resetSampleSeed } from '../../../../core/scanning/rules/sample-kit';

const noMatch = /x/.exec('x')!;

describe('randomBody', () => {
  beforeAll(() => resetSampleSeed(21));
  const check = randomBody(4);

  it('accepts generated bodies, mixed-case or lowercase', () => {
    for (let i = 0; i < 200; i++) {
      expect(check(rand(ALNUM, 36), noMatch)).toBe(true);
      expect(check(rand(LOWER_DIGITS, 36), noMatch)).toBe(true);
    }
  });

  it('rejects bodies padded or counted like fixtures', () => {
    expect(check(`${rand(ALNUM, 30)}AAAAAA`, noMatch)).toBe(false);
    expect(check(`${rand(ALNUM, 30)}ABCDEF`, noMatch)).toBe(false);
    expect(check(`${rand(ALNUM, 26)}9876543210`, noMatch)).toBe(false);
    expect(check('x'.repeat(36), noMatch)).toBe(false);
  });

  it('rejects low-entropy bodies', () => {
    expect(check('abababababcdcdcdcdcdefefefefefghghgh', noMatch)).toBe(false);
  });
});

describe('any', () => {
  it('keeps a value when one of the checks does', () => {
    const yes = () => true;
    const no = () => false;
    expect(any(no, yes)('v', noMatch)).toBe(true);
    expect(any(no, no)('v', noMatch)).toBe(false);
  });
});
