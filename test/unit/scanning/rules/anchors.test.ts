import fc from 'fast-check';
import { BUILTIN_RULES, type Rule } from '../../../../core/scanning/rules';
import { resetSampleSeed } from '../../../../core/scanning/rules/sample-kit';
import { createDetector } from '../../../../core/scanning/detect';

const anchored = BUILTIN_RULES.filter((r) => r.anchor !== undefined);

/** A path the rule's `paths` accepts (the catalog's rules with paths are config files). */
function pathFor(rule: Rule): string {
  if (rule.paths === undefined) return 'app/config.txt';
  return ['.npmrc', '.pypirc', 'root/.netrc', 'root/.docker/config.json', 'root/.pgpass'].find((p) =>
    rule.paths!.test(p),
  )!;
}

/** Every match the pattern makes in `text`, as a plain search (g, m) would find them. */
function matches(rule: Rule, text: string): RegExpExecArray[] {
  const regex = new RegExp(rule.pattern.source, [...new Set(rule.pattern.flags + 'gm')].join(''));
  const out: RegExpExecArray[] = [];
  for (let m = regex.exec(text); m !== null; m = regex.exec(text)) {
    out.push(m);
    if (m[0].length === 0) regex.lastIndex++;
  }
  return out;
}

describe('rule anchors (where a match starts relative to a keyword)', () => {
  beforeAll(() => resetSampleSeed(11));

  it('most built-in rules are anchored, so their cost follows their keywords', () => {
    expect(anchored.length).toBeGreaterThanOrEqual(BUILTIN_RULES.length * 0.8);
  });

  describe.each(anchored.map((r) => [r.id, r] as const))('%s', (_id, rule) => {
    it('holds for every match in its samples: a keyword starts within the anchor, the first character is listed', () => {
      const { from, to, first } = rule.anchor!;
      const texts = [...rule.samples.leak(), ...rule.samples.leak(), ...rule.samples.ignore];
      for (const text of texts) {
        const lower = text.toLowerCase();
        for (const m of matches(rule, text)) {
          const anchoredAt = rule.keywords.some((k) => {
            for (let q = lower.indexOf(k); q !== -1; q = lower.indexOf(k, q + 1))
              if (m.index - q >= from && m.index - q <= to) return true;
            return false;
          });
          expect({ match: m.index, anchoredAt }).toEqual({ match: m.index, anchoredAt: true });
          if (first !== undefined) expect(first).toContain(text.charAt(m.index));
        }
      }
    });

    it('finds exactly what a search of the whole text finds, on random texts around its samples', () => {
      const withAnchor = createDetector({ rules: [rule], windowChars: 64 });
      const without = createDetector({ rules: [{ ...rule, anchor: undefined }], windowChars: 64 });
      const pieces = [
        ...rule.samples.leak(),
        ...rule.samples.ignore,
        ...rule.keywords,
        ...rule.keywords.map((k) => k.toUpperCase()),
      ];
      const piece = fc.oneof(
        fc.constantFrom(...pieces),
        fc.constantFrom(...pieces).map((p) => p.slice(0, Math.max(1, p.length >> 1))),
        fc.string({
          unit: fc.constantFrom('a', 'Z', '0', '9', '_', '-', '.', ':', '=', '"', ' ', '\n', '/', '+'),
        }),
      );
      fc.assert(
        fc.property(fc.array(piece, { maxLength: 8 }), (parts) => {
          const text = parts.join('');
          const location = { path: pathFor(rule) };
          expect(withAnchor.scanText(text, location)).toEqual(without.scanText(text, location));
        }),
        { numRuns: 60, seed: 42 },
      );
    });
  });
});
