import fc from 'fast-check';
import { createDetector } from '../../../../core/scanning/detect';
import type { Rule } from '../../../../core/scanning/rules/rule';

/** A rule whose keywords are too short for the automaton: the detector looks for them in the window. */
const rule: Rule = {
  id: 'test-short-keyword',
  title: 'test',
  kind: 'generic',
  severity: 'low',
  keywords: ['nd', 'K!'],
  pattern: /\b([a-z]{2}-[0-9]{4})\b/,
  secretGroup: 1,
  samples: { leak: () => [], ignore: [] },
};

/** The rule as it ran before: the window lowercased, then searched. */
function expected(text: string): number {
  const lower = text.toLowerCase();
  if (!['nd', 'k!'].some((k) => lower.includes(k))) return 0;
  return [...text.matchAll(/\b([a-z]{2}-[0-9]{4})\b/g)].length;
}

describe('rules with keywords of one or two characters', () => {
  const detector = createDetector({ rules: [rule] });

  it('run when a keyword occurs in any case, Latin-1 and wider texts alike', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom(
            'n',
            'N',
            'd',
            'D',
            'k',
            'K',
            '!',
            'ab-1234',
            ' ',
            '\n',
            'é',
            'É',
            '\u212a',
            '\u0130',
            'ğ',
          ),
          maxLength: 40,
        }),
        (text) => {
          expect(detector.scanText(text, { path: 'p' })).toHaveLength(expected(text));
        },
      ),
      { numRuns: 500, seed: 8 },
    );
  });

  it('runs through the Kelvin sign, which lowercases to k', () => {
    expect(detector.scanText('\u212a! ab-1234', { path: 'p' })).toHaveLength(1);
    expect(detector.scanText('Nd ab-1234', { path: 'p' })).toHaveLength(1);
    expect(detector.scanText('n-d ab-1234', { path: 'p' })).toHaveLength(0);
  });
});
