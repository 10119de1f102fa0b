import fc from 'fast-check';
import { KeywordPrefilter } from '../../../../core/scanning/detect';

describe('KeywordPrefilter', () => {
  it('finds keywords case-insensitively, overlapping ones and ones inside others included', () => {
    const prefilter = new KeywordPrefilter([
      '_auth',
      '_authtoken',
      'auth',
      'sk-',
      'sk-ant-',
      'hooks.slack.com',
    ]);
    expect([...prefilter.present('//r/:_AuthToken=x sk-ANT-api')].sort()).toEqual([
      '_auth',
      '_authtoken',
      'auth',
      'sk-',
      'sk-ant-',
    ]);
    expect([...prefilter.present('see HOOKS.SLACK.COM/services')]).toEqual(['hooks.slack.com']);
    expect(prefilter.present('nothing to see here, hooks.slack.co')).toEqual(new Set());
  });

  it('looks only at the range it is given', () => {
    const prefilter = new KeywordPrefilter(['ghp_']);
    expect(prefilter.present('ghp_ and more', 1).size).toBe(0);
    expect(prefilter.present('xx ghp_', 0, 5).size).toBe(0);
  });

  it('handles keywords with non-ASCII characters', () => {
    const prefilter = new KeywordPrefilter(['passwört']);
    expect([...prefilter.present('PASSWÖRT=1')]).toEqual(['passwört']);
  });

  it('agrees with a naive lowercase search on random texts', () => {
    const keywords = ['ab', 'abc', 'bca', 'c_', 'xyz', 'a-b'];
    const prefilter = new KeywordPrefilter(keywords);
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'A', 'B', '_', '-', 'x', 'y', 'z', 'é') }),
        (text) => {
          const expected = new Set(keywords.filter((k) => text.toLowerCase().includes(k)));
          expect(prefilter.present(text)).toEqual(expected);
        },
      ),
    );
  });

  it('reports where each keyword starts, in ascending order, agreeing with a naive search', () => {
    const keywords = ['ab', 'abc', 'bca', 'c_', 'xyz', 'a-b'];
    const prefilter = new KeywordPrefilter(keywords);
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'A', 'B', '_', '-', 'x', 'y', 'z', 'é', 'ġ') }),
        fc.nat(5),
        (text, cut) => {
          const from = Math.min(cut, text.length);
          const hits = prefilter.occurrences(text, from);
          for (const keyword of keywords) {
            const expected: number[] = [];
            const lower = text.toLowerCase();
            for (let i = lower.indexOf(keyword, from); i !== -1; i = lower.indexOf(keyword, i + 1))
              expected.push(i);
            expect({ keyword, at: hits.positions[prefilter.idOf(keyword)] ?? [] }).toEqual({
              keyword,
              at: expected,
            });
          }
        },
      ),
      { seed: 3 },
    );
  });

  it('may report a spurious occurrence for a character above U+00FF (its low byte), never miss one', () => {
    // U+0162's low byte is 0x62, "b": an extra sticky try for the rule, not a different finding.
    const prefilter = new KeywordPrefilter(['ab']);
    expect(prefilter.occurrences('a\u0162 ab').positions[0]).toEqual([0, 3]);
  });

  it('leaves out the occurrences that follow a character its notAfter table marks, in both loops', () => {
    const letters = new Uint8Array(128);
    for (let c = 97; c <= 122; c++) letters[c] = 1;
    const text = 'nd and (nd) end\u0100nd';
    for (const useWasm of [true, false]) {
      const prefilter = new KeywordPrefilter(['nd', 'xy'], { useWasm, notAfter: new Map([['nd', letters]]) });
      // After a letter: dropped; at the start, after a space or a bracket: kept; after U+0100: kept (unknown).
      expect(prefilter.occurrences(text).positions[0]).toEqual([0, 8, 16]);
    }
  });

  it('gives the same positions and newline counts in WebAssembly as in JavaScript', () => {
    const keywords = ['ab', 'abc', 'bca', 'c_', 'sk', 'xyz', 'a-b', '://'];
    const wasm = new KeywordPrefilter(keywords);
    const js = new KeywordPrefilter(keywords, { useWasm: false });
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom('a', 'b', 'c', 'S', 'k', '_', '-', ':', '/', 'x', 'y', 'z', '\n', 'é', 'Ċ'),
        }),
        fc.nat(6),
        fc.nat(6),
        (text, cut, tail) => {
          const from = Math.min(cut, text.length);
          const to = Math.max(from, text.length - tail);
          const linesFrom = Math.min(to, from + 2);
          expect(wasm.occurrences(text, from, to, linesFrom, to)).toEqual(
            js.occurrences(text, from, to, linesFrom, to),
          );
        },
      ),
      { numRuns: 300, seed: 4 },
    );
    const long = 'ab\nc_ '.repeat(200_000); // grows the WebAssembly memory
    expect(wasm.occurrences(long)).toEqual(js.occurrences(long));
  });
  it('gives the same positions and newline counts in WebAssembly as in JavaScript on texts walked as two streams', () => {
    // From 4096 characters the WebAssembly loop walks the two halves at once: keywords and newlines around
    // the middle, where the second stream starts, are the cases that matter.
    const keywords = ['ab', 'abc', 'bca', 'c_', 'sk', 'xyz', 'a-b', '://', 'abcabcabcabc'];
    const wasm = new KeywordPrefilter(keywords);
    const js = new KeywordPrefilter(keywords, { useWasm: false });
    const unit = fc.constantFrom('a', 'b', 'c', 'S', 'k', '_', '-', ':', '/', 'x', 'y', 'z', '\n', 'é', 'Ċ');
    fc.assert(
      fc.property(
        fc.integer({ min: 4096, max: 9000 }),
        fc.string({ unit, minLength: 40, maxLength: 40 }),
        fc.nat(20),
        fc.nat(20),
        fc.nat(5000),
        (length, middle, cut, tail, linesAt) => {
          // Random text around the middle, a repeated filler elsewhere.
          const half = Math.floor(length / 2) - 20;
          const text =
            'abc\nx'.repeat(length).slice(0, half) + middle + 'z_sk\n'.repeat(length).slice(0, half);
          const from = Math.min(cut, text.length);
          const to = Math.max(from, text.length - tail);
          const linesFrom = Math.min(to, from + linesAt);
          expect(wasm.occurrences(text, from, to, linesFrom, to)).toEqual(
            js.occurrences(text, from, to, linesFrom, to),
          );
        },
      ),
      { numRuns: 200, seed: 5 },
    );
    // The longest keyword across the middle (2500 here) at every offset: the second stream must start early enough.
    for (let start = 2500 - 13; start <= 2501; start++) {
      const text = `${'.'.repeat(start)}abcabcabcabc${'.'.repeat(5000 - start - 12)}`;
      expect(wasm.occurrences(text).positions[keywords.indexOf('abcabcabcabc')]).toEqual([start]);
      expect(wasm.occurrences(text)).toEqual(js.occurrences(text));
    }
  });
});
