import fc from 'fast-check';
import { CODE_ROOTS, isIdentifierWord, looksLikeCode } from '../../../../core/scanning/rules/code-shape';

// The regex form these functions replaced (generic.ts before the speed work): the oracle.
function identifierWordByRegex(word: string): boolean {
  const body = word.replace(/_?\d{1,2}$/, '');
  if (/\d/.test(body)) return false;
  if (body.length < 16) return true;
  const vowels = body.replace(/[^aeiouAEIOU]/g, '').length;
  return vowels / body.length >= 0.25;
}

function looksLikeCodeByRegex(value: string): boolean {
  const core = value.replace(/[!;,]+$/, '');
  if (/^[A-Za-z_$][\w$]*(?:\??\.[A-Za-z_$][\w$]*)+$/.test(core))
    return CODE_ROOTS.has(core.split(/\??\./)[0]!) || core.split(/\??\./).every(identifierWordByRegex);
  if (/^[A-Za-z_$][\w$]*$/.test(core)) return identifierWordByRegex(core);
  return /^[!?*&|+~^%]/.test(value) || /\?\./.test(value);
}

/** Values near every boundary: identifier chains, trailing counters, long words with and without vowels. */
const values = fc.oneof(
  fc.string({
    unit: fc.constantFrom(
      'a',
      'e',
      'Q',
      'x',
      'Z',
      'U',
      '_',
      '$',
      '0',
      '7',
      '.',
      '?',
      '!',
      ';',
      ',',
      '-',
      'é',
      '*',
    ),
    maxLength: 40,
  }),
  fc
    .array(
      fc.tuple(
        fc.string({ unit: fc.constantFrom('a', 'o', 'B', 'k', 'r', 'T', 'z', '_', '$'), maxLength: 24 }),
        fc.constantFrom('', '1', '12', '123', '_1', '_12', '_123', '9_9', '0'),
      ),
      { minLength: 1, maxLength: 4 },
    )
    .chain((words) =>
      fc
        .array(fc.constantFrom('.', '?.', '?', '..', ''), {
          minLength: words.length,
          maxLength: words.length,
        })
        .map((seps) => words.map(([w, n], i) => w + n + (i + 1 < words.length ? seps[i] : '')).join('')),
    )
    .chain((v) => fc.constantFrom('', '!', ';', ',', '!;', ',,', '?.x').map((tail) => v + tail)),
  // Chains from a code root (and from names next to one), with members that are not words.
  fc
    .tuple(
      fc.constantFrom(...CODE_ROOTS, 'exportz', 'thi', 'Config', 'osx'),
      fc.constantFrom('.', '?.', '', '..'),
      fc.string({ unit: fc.constantFrom('a', 'Q', '9', '_', 'x', '.', '-'), maxLength: 30 }),
    )
    .map(([root, sep, rest]) => root + sep + rest),
);

describe('code shape (the generic rules value test, over char codes)', () => {
  it('answers as the regex form does, on random and adversarial values', () => {
    fc.assert(
      fc.property(values, (value) => {
        expect({ value, code: looksLikeCode(value) }).toEqual({ value, code: looksLikeCodeByRegex(value) });
        expect({ value, word: isIdentifierWord(value) }).toEqual({
          value,
          word: identifierWordByRegex(value),
        });
      }),
      { numRuns: 5000, seed: 3 },
    );
  });

  it.each([
    ['req.headers', true],
    ['opts?.token', true],
    ['messages_1', true],
    ['state2', true],
    ['normalizedCredentials', true],
    ['f00b4r9x2k', false],
    ['qzxkwrtplmnbvcxz', false],
    ['!flag', true],
    ['a?.b', true],
    ['token123', false],
    ['exports.id_pkcs9_at_challengePassword', true],
    ['this.x9fQ2kLmT7', true],
    ['process.env.K8S_TOKEN_2024', true],
    ['exportsx.id_pkcs9_at', false],
    ['exports', true],
  ])('judges %s as code: %s', (value, code) => {
    expect(looksLikeCode(value)).toBe(code);
  });
});
