/**
 * A tiny evaluator for the Go that gitleaks rule files and trufflehog pattern tests use to build their test
 * strings: string literals, `+`, `fmt.Sprintf`, `strings.Repeat`, `secrets.NewSecret(regex)`, gitleaks'
 * `utils.*` pattern and sample helpers, `[]string{...}`, `map[string]string{...}`, `append`, and local
 * variables. Anything else evaluates to `undefined` (the caller counts what it skips).
 */
import { generate } from './regen';

export type Tok = { t: 'str' | 'id' | 'num' | 'p' | 'nl'; v: string };

export function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\n') {
      out.push({ t: 'nl', v: '\n' });
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') i++;
    else if (src.startsWith('//', i)) {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (src.startsWith('/*', i)) {
      const e = src.indexOf('*/', i + 2);
      i = e < 0 ? src.length : e + 2;
    } else if (c === '`') {
      const e = src.indexOf('`', i + 1);
      out.push({ t: 'str', v: src.slice(i + 1, e).replace(/\r/g, '') });
      i = e + 1;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\') {
          const n = src[j + 1]!;
          const map: Record<string, string> = {
            n: '\n',
            t: '\t',
            r: '\r',
            '"': '"',
            "'": "'",
            '\\': '\\',
            a: '\x07',
            b: '\b',
            f: '\f',
            v: '\v',
          };
          if (n in map) {
            s += map[n];
            j += 2;
          } else if (n === 'x') {
            s += String.fromCharCode(parseInt(src.slice(j + 2, j + 4), 16));
            j += 4;
          } else if (n === 'u') {
            s += String.fromCharCode(parseInt(src.slice(j + 2, j + 6), 16));
            j += 6;
          } else if (n === 'U') {
            s += String.fromCodePoint(parseInt(src.slice(j + 2, j + 10), 16));
            j += 10;
          } else if (/[0-7]/.test(n)) {
            s += String.fromCharCode(parseInt(src.slice(j + 1, j + 4), 8));
            j += 4;
          } else {
            s += n;
            j += 2;
          }
        } else s += src[j++];
      }
      out.push({ t: 'str', v: s });
      i = j + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/.exec(src.slice(i, i + 200))!;
      out.push({ t: 'id', v: m[0] });
      i += m[0].length;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9][0-9a-fA-FxX_.]*/.exec(src.slice(i, i + 50))!;
      out.push({ t: 'num', v: m[0] });
      i += m[0].length;
    } else {
      const three = src.slice(i, i + 3);
      const two = src.slice(i, i + 2);
      if (three === '...') {
        out.push({ t: 'p', v: '...' });
        i += 3;
      } else if ([':=', '==', '!=', '+=', '&&', '||', '<-', '<=', '>='].includes(two)) {
        out.push({ t: 'p', v: two });
        i += 2;
      } else {
        out.push({ t: 'p', v: c });
        i++;
      }
    }
  }
  return out;
}

export type Val = string | string[] | Record<string, string> | number | undefined;

const REGEX_HELPERS: Record<string, (n: string) => string> = {
  'utils.Numeric': (n) => `[0-9]{${n}}`,
  'utils.Hex': (n) => `[a-f0-9]{${n}}`,
  'utils.AlphaNumeric': (n) => `[a-z0-9]{${n}}`,
  'utils.AlphaNumericExtendedShort': (n) => `[a-z0-9_-]{${n}}`,
  'utils.AlphaNumericExtended': (n) => `[a-z0-9=_\\-]{${n}}`,
  'utils.AlphaNumericExtendedLong': (n) => `[a-z0-9\\/=_\\+\\-]{${n}}`,
};

const SAMPLE_TEMPLATES = [
  '{i}Token="{s}"',
  '{i}Token = "{s}"',
  '{i}Token={s}',
  '{i}Token = {s}',
  '{\n    "{i}_token": "{s}"\n}',
  '{"config.ini": "{I}_TOKEN={s}\\nBACKUP_ENABLED=true"}',
  '<{i}Token>\n    {s}\n</{i}Token>',
  '{i}_token: {s}',
  "{i}_token: '{s}'",
  '{i}_token: "{s}"',
  'string {i}Token = "{s}";',
  'var {i}Token string = "{s}"',
  '{i}Token := "{s}"',
  '{i}Token := `{s}`',
  'String {i}Token = "{s}";',
  'var {i}Token = "{s}"',
  '${i}Token .= "{s}"',
  "{i}Token = '{s}'",
  '{i}Token = "{s}"',
  'System.setProperty("{I}_TOKEN", "{s}")',
  '  "{i}Token" => "{s}"',
  '{i}_TOKEN = "{s}"',
  '{i}_TOKEN := "{s}"',
  '{i}_TOKEN ::= "{s}"',
  '{i}_TOKEN :::= "{s}"',
  '{i}_TOKEN ?= "{s}"',
];

function sprintf(fmt: string, args: Val[]): string {
  let k = 0;
  return fmt.replace(/%(?:\[\d+\])?[-+# 0]*\d*(?:\.\d+)?([svdqx%])/g, (_m, verb: string) => {
    if (verb === '%') return '%';
    const a = args[k++];
    if (verb === 'q') return JSON.stringify(String(a));
    return Array.isArray(a) ? a.join(' ') : String(a);
  });
}

export class Unsupported extends Error {}

export class GoEval {
  pos = 0;
  constructor(
    readonly toks: Tok[],
    readonly scope: Map<string, Val> = new Map(),
  ) {}

  peek(o = 0): Tok | undefined {
    return this.toks[this.pos + o];
  }
  skipNl(): void {
    while (this.peek()?.t === 'nl') this.pos++;
  }
  expect(v: string): void {
    this.skipNl();
    const t = this.toks[this.pos++];
    if (t?.v !== v) throw new Unsupported(`expected ${v}, got ${t?.v}`);
  }

  /** Skips a balanced (), {} or [] group starting at the current token. */
  skipGroup(): void {
    const open = this.peek()!.v;
    const close = { '(': ')', '{': '}', '[': ']' }[open]!;
    let depth = 0;
    do {
      const t = this.toks[this.pos++]!;
      if (t.v === open && t.t === 'p') depth++;
      else if (t.v === close && t.t === 'p') depth--;
    } while (depth > 0 && this.pos < this.toks.length);
  }

  expr(): Val {
    let v = this.term();
    for (;;) {
      const t = this.peek();
      if (t?.t === 'p' && t.v === '+') {
        this.pos++;
        this.skipNl();
        const r = this.term();
        if (typeof v === 'string' && typeof r === 'string') v = v + r;
        else if (typeof v === 'number' && typeof r === 'number') v = v + r;
        else throw new Unsupported('+ on non-strings');
      } else return v;
    }
  }

  args(): Val[] {
    this.expect('(');
    const out: Val[] = [];
    this.skipNl();
    while (this.peek()?.v !== ')') {
      const v = this.expr();
      if (this.peek()?.v === '...') {
        this.pos++;
        if (Array.isArray(v)) out.push(...v);
        else throw new Unsupported('spread');
      } else out.push(v);
      this.skipNl();
      if (this.peek()?.v === ',') this.pos++;
      this.skipNl();
    }
    this.pos++;
    return out;
  }

  list(): Val[] {
    this.expect('{');
    const out: Val[] = [];
    this.skipNl();
    while (this.peek()?.v !== '}') {
      out.push(this.expr());
      this.skipNl();
      if (this.peek()?.v === ',') this.pos++;
      this.skipNl();
    }
    this.pos++;
    return out;
  }

  term(): Val {
    this.skipNl();
    const t = this.toks[this.pos]!;
    if (t.t === 'str') {
      this.pos++;
      return t.v;
    }
    if (t.t === 'num') {
      this.pos++;
      return Number(t.v);
    }
    if (t.v === '(') {
      this.pos++;
      const v = this.expr();
      this.expect(')');
      return v;
    }
    if (t.v === '[' && this.peek(1)?.v === ']') {
      // []string{...} / []byte(...)
      this.pos += 2;
      const ty = this.toks[this.pos++]!.v;
      if (this.peek()?.v === '(') {
        const a = this.args();
        return a[0];
      }
      if (ty !== 'string') {
        this.skipGroup();
        throw new Unsupported(`[]${ty}`);
      }
      return this.list().map((x) => {
        if (typeof x !== 'string') throw new Unsupported('non-string in list');
        return x;
      });
    }
    if (t.t === 'id' && t.v === 'map') {
      // map[string]string{ k: v, ... }
      this.pos++;
      this.skipGroup();
      this.pos++; // value type
      this.expect('{');
      const out: Record<string, string> = {};
      this.skipNl();
      while (this.peek()?.v !== '}') {
        const k = this.expr();
        this.expect(':');
        const v = this.expr();
        out[String(k)] = String(v);
        this.skipNl();
        if (this.peek()?.v === ',') this.pos++;
        this.skipNl();
      }
      this.pos++;
      return out;
    }
    if (t.t === 'id') {
      this.pos++;
      const name = t.v;
      if (this.peek()?.v === '(') {
        const a = this.args();
        return this.call(name, a);
      }
      if (this.peek()?.v === '{') {
        this.skipGroup();
        throw new Unsupported(`composite ${name}`);
      }
      if (this.peek()?.v === '[') {
        // index or slice: unsupported
        this.skipGroup();
        throw new Unsupported('index');
      }
      if (this.scope.has(name)) return this.scope.get(name);
      if (name === 'nil') return [];
      throw new Unsupported(`unknown identifier ${name}`);
    }
    throw new Unsupported(`unexpected token ${t.v}`);
  }

  call(name: string, a: Val[]): Val {
    if (name in REGEX_HELPERS) return REGEX_HELPERS[name]!(String(a[0]));
    switch (name) {
      case 'utils.Hex8_4_4_4_12':
        return '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
      case 'secrets.NewSecret':
        return generate(String(a[0]), 1);
      case 'utils.GenerateSampleSecrets': {
        const [i, s] = a.map(String) as [string, string];
        return SAMPLE_TEMPLATES.map((tpl) =>
          tpl.replace(/\{i\}/g, i).replace(/\{I\}/g, i.toUpperCase()).replace(/\{s\}/g, s),
        );
      }
      case 'utils.GenerateSampleSecret':
        return `${a[0]}_api_token = "${a[1]}"`;
      case 'fmt.Sprintf':
        return sprintf(String(a[0]), a.slice(1));
      case 'strings.Repeat':
        return String(a[0]).repeat(Number(a[1]));
      case 'strings.ToUpper':
        return String(a[0]).toUpperCase();
      case 'strings.ToLower':
        return String(a[0]).toLowerCase();
      case 'strings.Join':
        return (a[0] as string[]).join(String(a[1]));
      case 'append': {
        const base = (a[0] as string[]) ?? [];
        return [...base, ...(a.slice(1) as string[])];
      }
      case 'string':
        return a[0];
      default:
        throw new Unsupported(`call ${name}`);
    }
  }

  /**
   * Runs the statements of a block: `x := expr`, `x = expr`, `var x = expr`, `const x = expr`,
   * `var ( ... )`; other statements are skipped to the end of their line. Returns the names it failed on.
   */
  run(end = this.toks.length): string[] {
    const failed: string[] = [];
    while (this.pos < end) {
      this.skipNl();
      if (this.pos >= end) break;
      const t = this.peek()!;
      if ((t.v === 'var' || t.v === 'const') && this.peek(1)?.v === '(') {
        this.pos += 2;
        continue; // the entries inside are plain `x = expr` statements
      }
      let nameTok = t;
      let offset = 0;
      if (t.v === 'var' || t.v === 'const') {
        nameTok = this.peek(1)!;
        offset = 1;
        // `var x string = ...`
        if (this.peek(2)?.t === 'id' && this.peek(3)?.v === '=') offset = 2;
      }
      const op = this.peek(offset + 1);
      if (nameTok.t === 'id' && op && (op.v === ':=' || op.v === '=') && !nameTok.v.includes('.')) {
        this.pos += offset + 2;
        const start = this.pos;
        try {
          this.scope.set(nameTok.v, this.expr());
        } catch (e) {
          if (!(e instanceof Unsupported)) throw e;
          failed.push(`${nameTok.v}: ${e.message}`);
          this.pos = start;
          this.skipStatement();
        }
      } else this.skipStatement();
    }
    return failed;
  }

  skipStatement(): void {
    let depth = 0;
    while (this.pos < this.toks.length) {
      const t = this.toks[this.pos]!;
      if (t.t === 'p' && '({['.includes(t.v)) depth++;
      else if (t.t === 'p' && ')}]'.includes(t.v)) {
        if (depth === 0) {
          this.pos++;
          return;
        }
        depth--;
      } else if (t.t === 'nl' && depth === 0) {
        const prev = this.toks[this.pos - 1];
        if (!(prev?.t === 'p' && ['+', ',', '(', '{', '['].includes(prev.v))) return;
      }
      this.pos++;
    }
  }
}
