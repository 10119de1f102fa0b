/**
 * Most rules start with a negative lookbehind on a character class, `(?<![A-Za-z0-9_-])`: a match cannot
 * start right after a word character. An anchored rule is tried at each of its keywords' positions, and most
 * of those positions sit inside words (`nd` in `handler`), so reading the character before a position from a
 * table rejects them before a call into the regex engine (the Discord bot token rule alone was tried 1.2
 * million times on the benchmark's 108 MiB of text, and never matched).
 *
 * `leadingLookbehind` reads that class from a pattern's source. It answers only where it is sure: a pattern
 * whose whole match must pass the lookbehind (no alternation at the top level), a class of plain ASCII
 * characters, ranges and the escapes \w and \d. Anything else gives undefined, and the rule is tried as before.
 */

const WORD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_';
const DIGITS = '0123456789';

/**
 * For a pattern that starts with `(?<![class])`: 1 at each char code (< 128) of the class, the characters a
 * match cannot follow. Undefined when the pattern does not start so or the class is not plain.
 */
export function leadingLookbehind(pattern: RegExp): Uint8Array | undefined {
  const source = pattern.source;
  if (!source.startsWith('(?<![') || hasTopLevelAlternation(source)) return undefined;
  const table = new Uint8Array(128);
  const add = (code: number) => {
    table[code] = 1;
    if (pattern.ignoreCase && ((code >= 65 && code <= 90) || (code >= 97 && code <= 122)))
      table[code ^ 32] = 1;
  };
  let i = 5;
  if (source[i] === '^' || source[i] === ']') return undefined;
  let previous: number | undefined;
  while (i < source.length && source[i] !== ']') {
    let code: number;
    if (source[i] === '\\') {
      const escaped = source[i + 1];
      if (escaped === undefined) return undefined;
      i += 2;
      if (escaped === 'w' || escaped === 'd') {
        for (const ch of escaped === 'w' ? WORD : DIGITS) add(ch.charCodeAt(0));
        previous = undefined;
        continue;
      }
      // A letter or digit after a backslash is a class escape or a code (\s, \n, \x41): not handled here.
      if (/[A-Za-z0-9]/.test(escaped)) return undefined;
      code = escaped.charCodeAt(0);
    } else if (source[i] === '-' && previous !== undefined && source[i + 1] !== ']') {
      // A range: previous-next.
      let end = source[i + 1]!;
      i += 2;
      if (end === '\\') {
        const escaped = source[i];
        if (escaped === undefined || /[A-Za-z0-9]/.test(escaped)) return undefined;
        end = escaped;
        i++;
      }
      const last = end.charCodeAt(0);
      if (last >= 128 || last < previous) return undefined;
      for (let c = previous; c <= last; c++) add(c);
      previous = undefined;
      continue;
    } else {
      code = source.charCodeAt(i);
      i++;
    }
    if (code >= 128) return undefined;
    add(code);
    previous = code;
  }
  return source.startsWith('])', i) ? table : undefined;
}

/** Whether `|` occurs outside every group and class: then the lookbehind guards one alternative only. */
function hasTopLevelAlternation(source: string): boolean {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch === '\\') i++;
    else if (inClass) inClass = ch !== ']';
    else if (ch === '[') inClass = true;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === '|' && depth === 0) return true;
  }
  return false;
}
