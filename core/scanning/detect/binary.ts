/**
 * Decides by content whether a file is binary: a NUL byte, or more than 10% of the sample being invalid UTF-8
 * or control characters other than whitespace. Names and extensions play no part.
 */
export function looksBinary(sample: Uint8Array, complete: boolean): boolean {
  if (sample.length === 0) return false;
  if (sample.indexOf(0) !== -1) return true;
  const text = new TextDecoder('utf-8', { fatal: false }).decode(sample, { stream: !complete });
  let bad = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (
      c === 0xfffd ||
      (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c && c !== 0x1b && c !== 0x08) ||
      c === 0x7f
    ) {
      bad++;
    }
  }
  return bad > text.length * 0.1;
}
