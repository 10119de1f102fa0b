/**
 * Candidate extraction for managed secrets. Rotation generates values of known lengths from known alphabets,
 * so only substrings of exactly those lengths, made only of alphabet characters and standing between
 * boundaries, are hashed.
 *
 * A boundary is a character outside the alphabet, or the start or end of the text. For alphabets that include
 * punctuation (Secrets Manager's default password alphabet has almost all of it), the characters that delimit
 * values in code and config (quotes, `=`, `:`, `,`, `;`, `@`, `/`, brackets, `&`, `?`, `#`, `|`, backslash)
 * are also boundaries even though they are in the alphabet: `DB_PASSWORD="<value>"` is one run of alphabet
 * characters, and the value is found because it sits between `"` and `"`.
 * The trade-off: a value glued to other alphabet characters with no such delimiter (`pw!<value>`) is missed,
 * and a value's own delimiter characters cost a few extra hashes. The alternative, hashing every substring of
 * the right length, costs one HMAC per character of text.
 */

/** Characters that delimit values in code and config even when the alphabet contains them. */
const DELIMITERS = '"\'`=:,;@/()[]{}<>&?#|\\';

/** A lookup table for one alphabet, with the lengths of values using it. */
export interface AlphabetGroup {
  readonly alphabet: string;
  /** 1: in the alphabet; 2: in the alphabet and a delimiter; 0: a boundary. Indexed by UTF-16 code unit. */
  readonly table: Uint8Array;
  readonly lengths: readonly number[];
}

/** Builds the table of an alphabet. */
export function alphabetGroup(alphabet: string, lengths: Iterable<number>): AlphabetGroup {
  const table = new Uint8Array(65536);
  for (const ch of alphabet) {
    const c = ch.charCodeAt(0);
    if (ch.length === 1) table[c] = DELIMITERS.includes(ch) ? 2 : 1;
  }
  return { alphabet, table, lengths: [...new Set(lengths)].sort((a, b) => a - b) };
}

/**
 * Calls `visit(start, length)` for each candidate whose start lies in [from, to). `textIsComplete` says
 * whether `text` ends where the file ends (else the last character is not a boundary).
 */
export function forEachCandidate(
  text: string,
  from: number,
  to: number,
  group: AlphabetGroup,
  textIsComplete: boolean,
  visit: (start: number, length: number) => void,
): void {
  const { table, lengths } = group;
  const n = text.length;
  let i = from;
  while (i < to) {
    if (table[text.charCodeAt(i)] === 0) {
      i++;
      continue;
    }
    let end = i;
    while (end < n && table[text.charCodeAt(end)] !== 0) end++;
    const runEndsText = end === n && !textIsComplete;
    for (let p = i; p < end && p < to; p++) {
      const startsHere = p === 0 || table[text.charCodeAt(p - 1)] !== 1;
      if (!startsHere) continue;
      for (const length of lengths) {
        const stop = p + length;
        if (stop > end) break;
        if ((stop === end && !runEndsText) || table[text.charCodeAt(stop)] === 2) visit(p, length);
      }
    }
    i = end;
  }
}
