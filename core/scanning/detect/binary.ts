import { isAscii } from 'node:buffer';

/** 1 for the bytes that count against text: control characters other than whitespace, and DEL. */
const CONTROL = new Uint8Array(128);
for (let c = 0; c < 0x20; c++) CONTROL[c] = 1;
for (const c of [0x09, 0x0a, 0x0d, 0x0c, 0x1b, 0x08]) CONTROL[c] = 0;
CONTROL[0x7f] = 1;

/**
 * Decides by content whether a file is binary: a NUL byte, or more than 10% of the sample being invalid UTF-8
 * or control characters other than whitespace. Names and extensions play no part.
 */
export function looksBinary(sample: Uint8Array, complete: boolean): boolean {
  if (sample.length === 0) return false;
  if (sample.indexOf(0) !== -1) return true;
  if (isAscii(sample)) {
    // ASCII decodes one character a byte, none invalid: count on the bytes, without decoding.
    let bad = 0;
    for (let i = 0; i < sample.length; i++) bad += CONTROL[sample[i]!]!;
    return bad > sample.length * 0.1;
  }
  const text = new TextDecoder('utf-8', { fatal: false }).decode(sample, { stream: !complete });
  let bad = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0xfffd || (c < 128 && CONTROL[c] === 1)) bad++;
  }
  return bad > text.length * 0.1;
}
