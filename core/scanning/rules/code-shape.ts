// Whether an unquoted assignment value reads as code rather than a literal. The generic rules ask this of
// every candidate (about 300,000 on the benchmark image, `token = req.headers`), so it is written over char
// codes instead of regexes, splits and replaces; `test/unit/scanning/rules/code-shape.test.ts` checks it
// against the regex form it replaced, on random and adversarial values.

const CH_0 = 48;
const CH_9 = 57;
const CH_DOLLAR = 36;
const CH_UNDERSCORE = 95;
const CH_DOT = 46;
const CH_QUESTION = 63;

const isDigit = (c: number) => c >= CH_0 && c <= CH_9;
const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
/** `[A-Za-z_$]`: an identifier's first character. */
const isIdentStart = (c: number) => isLetter(c) || c === CH_UNDERSCORE || c === CH_DOLLAR;
/** `[\w$]`: an identifier's other characters. */
const isIdentPart = (c: number) => isIdentStart(c) || isDigit(c);
/** `aeiouAEIOU`. */
const isVowel = (c: number) => {
  const lower = c | 0x20;
  return lower === 97 || lower === 101 || lower === 105 || lower === 111 || lower === 117;
};

/**
 * Whether `word[from, to)` reads like a programmer's identifier (`normalizedCreds`, `messages_1`, `state2`)
 * rather than a random string: no digits but a trailing counter (one or two digits, maybe after `_`), and,
 * when 16 characters or longer, the vowels of words (at least a quarter; random letters have about a fifth).
 */
export function isIdentifierWord(word: string, from = 0, to = word.length): boolean {
  let digits = 0;
  while (to - digits > from && isDigit(word.charCodeAt(to - 1 - digits))) digits++;
  let end = to - Math.min(digits, 2);
  if (digits >= 1 && digits <= 2 && end > from && word.charCodeAt(end - 1) === CH_UNDERSCORE) end--;
  const length = end - from;
  let vowels = 0;
  for (let i = from; i < end; i++) {
    const c = word.charCodeAt(i);
    if (isDigit(c)) return false;
    if (isVowel(c)) vowels++;
  }
  return length < 16 || vowels / length >= 0.25;
}

/**
 * Objects code reads values from: a member chain that starts with one (`exports.id_pkcs9_at_challengePassword`,
 * `this.x9Token`) is code whatever its members look like.
 */
export const CODE_ROOTS: ReadonlySet<string> = new Set([
  'exports',
  'module',
  'this',
  'self',
  'window',
  'document',
  'globalThis',
  'global',
  'process',
  'os',
  'sys',
  'props',
  'state',
  'options',
  'opts',
  'args',
  'ctx',
  'context',
  'env',
  'params',
  'req',
  'res',
  'request',
  'response',
  'config',
  'settings',
]);

/**
 * Whether an unquoted value is an expression: a member chain of identifier words (`req.headers`,
 * `opts?.token`) or from one of CODE_ROOTS, a bare identifier word (no digits but a trailing counter: env
 * files' `KEY=f00b4r` count), or a value starting with an operator or holding `?.`. Trailing `!`, `;` and
 * `,` are ignored.
 */
export function looksLikeCode(value: string): boolean {
  let end = value.length;
  while (end > 0) {
    const c = value.charCodeAt(end - 1);
    if (c !== 33 && c !== 59 && c !== 44) break; // ! ; ,
    end--;
  }
  const chain = identifierChain(value, end);
  if (chain !== undefined) return chain;
  return /^[!?*&|+~^%]/.test(value) || value.includes('?.');
}

/**
 * For `value[0, end)` made of identifiers joined by `.` or `?.`: whether each is an identifier word. For any
 * other shape: undefined. (One pass, no allocation: the generic rules ask this of every unquoted candidate.)
 */
function identifierChain(value: string, end: number): boolean | undefined {
  let words = true;
  let firstEnd = -1;
  let i = 0;
  for (;;) {
    if (i >= end || !isIdentStart(value.charCodeAt(i))) return undefined;
    const start = i++;
    while (i < end && isIdentPart(value.charCodeAt(i))) i++;
    if (firstEnd === -1) firstEnd = i;
    // Once one part is not a word, the answer is false if the shape holds: skip the remaining checks.
    if (words && !isIdentifierWord(value, start, i)) words = false;
    // A chain from a code root is code whatever its members (checked last: most chains are words).
    if (i === end) return words || (firstEnd < end && CODE_ROOTS.has(value.slice(0, firstEnd)));
    if (value.charCodeAt(i) === CH_QUESTION) i++;
    if (i >= end || value.charCodeAt(i) !== CH_DOT) return undefined;
    i++;
  }
}
