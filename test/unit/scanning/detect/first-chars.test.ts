import fc from 'fast-check';
import { createDetector } from '../../../../core/scanning/detect';
import { BUILTIN_RULES } from '../../../../core/scanning/rules';
import { resetSampleSeed } from '../../../../core/scanning/rules/sample-kit';

// Anchored rules whose `first` lists one or two characters (`<`, `aA`) find those characters with indexOf,
// remembering the next occurrence, instead of testing every position of the anchor's range.
describe('anchored rules with one or two first characters', () => {
  beforeAll(() => resetSampleSeed(31));
  const few = BUILTIN_RULES.filter((r) => r.anchor?.first !== undefined && new Set(r.anchor.first).size <= 2);

  it('covers the XML element and Authorization header rules', () => {
    expect(few.map((r) => r.id)).toEqual(
      expect.arrayContaining(['xml-secret-element', 'basic-auth-header', 'bearer-token-header']),
    );
  });

  it.each(few.map((r) => [r.id, r] as const))(
    '%s finds what a search of the whole text finds, across long gaps without its first character',
    (_id, rule) => {
      const withAnchor = createDetector({ rules: [rule], windowChars: 300 });
      const without = createDetector({ rules: [{ ...rule, anchor: undefined }], windowChars: 300 });
      const piece = fc.oneof(
        fc.constantFrom(...rule.samples.leak(), ...rule.samples.ignore),
        fc.constantFrom(...rule.keywords, ...rule.keywords.map((k) => k.toUpperCase())),
        // Keywords with no first character before them for a long stretch, then one far away.
        fc.constantFrom(...rule.keywords).map((k) => `${k} x=1 `.repeat(40)),
        fc.constantFrom(...rule.anchor!.first!),
        fc.string({
          unit: fc.constantFrom('a', 'A', '<', '/', '>', 'é', ' ', '\n', ':', '"'),
          maxLength: 30,
        }),
      );
      fc.assert(
        fc.property(fc.array(piece, { maxLength: 10 }), (parts) => {
          const text = parts.join('');
          const location = { path: 'app/config.txt' };
          expect(withAnchor.scanText(text, location)).toEqual(without.scanText(text, location));
        }),
        { numRuns: 150, seed: 17 },
      );
    },
  );
});
