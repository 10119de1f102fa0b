/**
 * A random string matching a regular expression (Go RE2 syntax as gitleaks and trufflehog write it), like
 * lucasjones/reggen which gitleaks' `secrets.NewSecret` uses: classes pick a random member, bounded
 * repetitions a random count, unbounded ones up to `limit` more than the minimum, alternations a random branch.
 */
import { RegExpParser } from '@eslint-community/regexpp';
import { randInt, resetSampleSeed } from '../../core/scanning/rules/sample-kit';

/** Seeds the generator: the same seed, the same corpus (mulberry32, the rule samples' generator). */
export const seed = (s: number): void => resetSampleSeed(s);
/** A random integer in [0, n). */
export const rnd = (n: number): number => Math.floor(randInt(n));

const parser = new RegExpParser({ ecmaVersion: 2024 });

/** Go's inline flags and classes JS lacks, rewritten to JS. */
function goToJs(re: string): { source: string; ignoreCase: boolean } {
  let ignoreCase = false;
  let s = re.replace(/^\(\?i\)/, () => {
    ignoreCase = true;
    return '';
  });
  s = s
    .replace(/\(\?i:/g, '(?:')
    .replace(/\(\?-i:/g, '(?:')
    .replace(/\(\?[ims]+\)/g, '');
  s = s.replace(/\\z/g, '$').replace(/\\A/g, '^');
  s = s.replace(/\[\[:alnum:\]\]/g, '[A-Za-z0-9]').replace(/\[:alnum:\]/g, 'A-Za-z0-9');
  s = s.replace(/\(\?P</g, '(?<');
  return { source: s, ignoreCase };
}

const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));
const WORD = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_';

type Node = any;

function classChars(node: Node): string[] {
  // Build the set of printable ASCII characters the class accepts.
  const test = new RegExp(`^${node.raw}$`, 'u');
  return PRINTABLE.filter((c) => test.test(c));
}

function gen(node: Node, limit: number): string {
  switch (node.type) {
    case 'Pattern':
      return gen(node.alternatives[rnd(node.alternatives.length)], limit);
    case 'Alternative':
      return node.elements.map((e: Node) => gen(e, limit)).join('');
    case 'Group':
    case 'CapturingGroup':
      return gen(node.alternatives[rnd(node.alternatives.length)], limit);
    case 'Character':
      return String.fromCodePoint(node.value);
    case 'CharacterClass':
    case 'CharacterSet': {
      if (node.type === 'CharacterSet' && node.kind === 'any') return WORD[rnd(WORD.length)]!;
      const chars = classChars(node);
      if (chars.length === 0) return 'a';
      return chars[rnd(chars.length)]!;
    }
    case 'Quantifier': {
      const max = Number.isFinite(node.max) ? node.max : node.min + limit;
      const n = node.min + rnd(max - node.min + 1);
      let out = '';
      for (let i = 0; i < n; i++) out += gen(node.element, limit);
      return out;
    }
    case 'Assertion':
    case 'Backreference':
      return '';
    default:
      throw new Error(`regen: unsupported node ${node.type}`);
  }
}

/** A random string matching `re` (Go syntax). */
export function generate(re: string, limit = 10): string {
  const { source } = goToJs(re);
  const ast = parser.parsePattern(source, 0, source.length, { unicodeSets: false, unicode: false });
  return gen(ast, limit);
}
