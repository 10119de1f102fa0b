import fc from 'fast-check';
import { createDetector } from '../../../../core/scanning/detect';
import { leadingLookbehind } from '../../../../core/scanning/detect/lookbehind';
import { BUILTIN_RULES, type Rule } from '../../../../core/scanning/rules';

/** The characters (below 128) a table marks. */
const marked = (table: Uint8Array | undefined) =>
  table === undefined
    ? undefined
    : [...table].flatMap((v, c) => (v === 1 ? [String.fromCharCode(c)] : [])).join('');

describe('leadingLookbehind', () => {
  it('reads the class of a leading negative lookbehind: ranges, escapes and a literal dash at the end', () => {
    expect(marked(leadingLookbehind(/(?<![A-C0-2_.-])x/))).toBe('-.012ABC_');
    expect(marked(leadingLookbehind(/(?<![\w~])x/))).toBe(
      '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~',
    );
    expect(marked(leadingLookbehind(new RegExp('(?<![\\d\\-\\/])x')))).toBe('-/0123456789');
    expect(marked(leadingLookbehind(/(?<![+/%])x/))).toBe('%+/');
  });

  it('adds the other case of letters when the pattern ignores case', () => {
    expect(marked(leadingLookbehind(/(?<![a-c])x/i))).toBe('ABCabc');
  });

  it('gives up where it cannot be sure', () => {
    for (const pattern of [
      /x(?<![a-z])/, // not leading
      /(?<=[a-z])x/, // positive
      /(?<![^a-z])x/, // negated class
      /(?<![\s])x/, // a class escape it does not expand
      /(?<![a-z]y)x/, // more than a class
      /(?<![a-z])x|y/, // the lookbehind guards one alternative only
      /(?<![é])x/, // not ASCII
      /(?<![\x41])x/, // a code escape
    ]) {
      expect({ pattern: pattern.source, table: leadingLookbehind(pattern) }).toEqual({
        pattern: pattern.source,
        table: undefined,
      });
    }
    // Alternation inside a group or a class is fine.
    expect(leadingLookbehind(/(?<![a-z|])(?:x|y)[|]/)).toBeDefined();
  });

  it('reads the class of most built-in rules that start with one, and agrees with the regex engine', () => {
    const leading = BUILTIN_RULES.filter((r) => r.pattern.source.startsWith('(?<!['));
    const read = leading.filter((r) => leadingLookbehind(r.pattern) !== undefined);
    expect(read.length).toBeGreaterThanOrEqual(leading.length * 0.9);
    for (const rule of read) {
      const table = leadingLookbehind(rule.pattern)!;
      const lookbehind = new RegExp(/^\(\?<!\[(?:\\.|[^\]])*\]\)/.exec(rule.pattern.source)![0] + '$', 'y');
      for (let c = 0; c < 128; c++) {
        // The lookbehind alone, tried after the character c: it fails exactly where the table says so.
        const flags = rule.pattern.ignoreCase ? 'i' : '';
        const refuses = !new RegExp(lookbehind.source, flags).test(String.fromCharCode(c));
        expect({ rule: rule.id, c, refuses }).toEqual({ rule: rule.id, c, refuses: table[c] === 1 });
      }
    }
  });
});

describe('keyword occurrences dropped before any rule sees them', () => {
  // Two rules tried at the keyword `tok` itself; only the first refuses to start after a letter.
  const refusing: Rule = {
    id: 'refusing',
    title: 'Refuses to start after a letter',
    kind: 'chat',
    severity: 'high',
    keywords: ['tok'],
    anchor: { from: 0, to: 0 },
    pattern: /(?<![A-Za-z])tok_([0-9a-f]{6})/,
    secretGroup: 1,
    samples: { leak: () => ['tok_9f3a71'], ignore: ['xtok_9f3a71'] },
  };
  const accepting: Rule = {
    ...refusing,
    id: 'accepting',
    title: 'Starts anywhere',
    pattern: /tok-([0-9a-f]{6})/,
    samples: { leak: () => ['xtok-9f3a71'], ignore: [] },
  };
  const location = { path: 'app/config.txt' };

  it('drops an occurrence only when every rule with the keyword refuses it', () => {
    const both = createDetector({ rules: [refusing, accepting] });
    expect(both.scanText('a xtok-9f3a71 xtok_e2b804 tok_5c0d9a', location).map((f) => f.ruleId)).toEqual([
      'accepting',
      'refusing',
    ]);
    const alone = createDetector({ rules: [refusing] });
    expect(alone.scanText('xtok_9f3a71 (tok_a81f37)', location).map((f) => f.location.column)).toEqual([18]);
  });

  it('finds what the same rules find unanchored, on random texts', () => {
    const anchored = createDetector({ rules: [refusing, accepting], windowChars: 32 });
    const plain = createDetector({
      rules: [refusing, accepting].map((r) => ({ ...r, anchor: undefined })),
      windowChars: 32,
    });
    const piece = fc.oneof(
      fc.constantFrom('tok_9f3a71', 'tok-9f3a71', 'TOK_', 'tok', '9f3a71'),
      fc.string({ unit: fc.constantFrom('a', 'Z', '0', '_', '-', ' ', '\n', 't', 'o', 'k') }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (parts) => {
        const text = parts.join('');
        expect(anchored.scanText(text, location)).toEqual(plain.scanText(text, location));
      }),
      { numRuns: 300, seed: 5 },
    );
  });
});
