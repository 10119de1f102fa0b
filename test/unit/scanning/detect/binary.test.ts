import fc from 'fast-check';
import { looksBinary } from '../../../../core/scanning/detect';

/** The rule as written: decode, then count invalid sequences and control characters other than whitespace. */
function reference(sample: Uint8Array, complete: boolean): boolean {
  if (sample.length === 0) return false;
  if (sample.includes(0)) return true;
  const text = new TextDecoder('utf-8', { fatal: false }).decode(sample, { stream: !complete });
  let bad = 0;
  for (const ch of text) {
    const c = ch.charCodeAt(0);
    if (c === 0xfffd || (c < 0x20 && ![0x09, 0x0a, 0x0d, 0x0c, 0x1b, 0x08].includes(c)) || c === 0x7f) bad++;
  }
  return bad > text.length * 0.1;
}

describe('looksBinary', () => {
  it('agrees with decoding and counting, on ASCII and on other bytes', () => {
    const asciiHeavy = fc.uint8Array({ max: 127, maxLength: 300 });
    const controlHeavy = fc.array(fc.constantFrom(0x01, 0x07, 0x09, 0x0a, 0x1b, 0x7f, 0x41, 0x20), {
      maxLength: 300,
    });
    const anyBytes = fc.uint8Array({ min: 1, maxLength: 300 });
    fc.assert(
      fc.property(
        fc.oneof(
          asciiHeavy,
          controlHeavy.map((a) => Uint8Array.from(a)),
          anyBytes,
        ),
        fc.boolean(),
        (sample, complete) => {
          expect(looksBinary(sample, complete)).toBe(reference(sample, complete));
        },
      ),
      { numRuns: 500, seed: 8 },
    );
  });
});
