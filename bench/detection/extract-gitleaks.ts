/** Labeled texts from gitleaks' rule definitions: each rule's `tps` (secrets) and `fps` (benign). */
import { execFileSync } from 'node:child_process';
import { GoEval, tokenize, type Tok } from './go-eval';
import { sourceGitDir, type Labeled } from './labeled';
import { generate } from './regen';

const git = (...args: string[]) =>
  execFileSync('git', ['-C', sourceGitDir('ROTOR_EVAL_GITLEAKS'), ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });

/** Splits a Go file's tokens into its functions' bodies and the top-level rest. */
export function splitFunctions(toks: Tok[]): { funcs: { name: string; body: Tok[] }[]; top: Tok[] } {
  const funcs: { name: string; body: Tok[] }[] = [];
  const top: Tok[] = [];
  let i = 0;
  while (i < toks.length) {
    if (toks[i]!.v === 'func' && toks[i]!.t === 'id') {
      let name = toks[i + 1]!.v;
      if (name === '(') {
        // method: func (r T) Name(...)
        let d = 0;
        let j = i + 1;
        do {
          if (toks[j]!.v === '(') d++;
          if (toks[j]!.v === ')') d--;
          j++;
        } while (d > 0);
        name = toks[j]!.v;
      }
      let j = i + 1;
      while (j < toks.length && !(toks[j]!.v === '{' && toks[j]!.t === 'p' && toks[j + 1]?.t === 'nl')) j++;
      const start = j + 1;
      let d = 0;
      do {
        if (toks[j]!.t === 'p' && toks[j]!.v === '{') d++;
        if (toks[j]!.t === 'p' && toks[j]!.v === '}') d--;
        j++;
      } while (d > 0 && j < toks.length);
      funcs.push({ name, body: toks.slice(start, j - 1) });
      i = j;
    } else top.push(toks[i++]!);
  }
  return { funcs, top };
}

class GitleaksEval extends GoEval {
  override call(name: string, a: any[]) {
    if (name === 'newPlausibleSecret') {
      for (;;) {
        const s = generate(String(a[0]), 1);
        if (/[1-9]/.test(s)) return s;
      }
    }
    return super.call(name, a);
  }
}

/**
 * A Go file's functions and its top level evaluated (constants, variables), with `true`/`false` in scope:
 * each function is then evaluated in a copy of that scope.
 */
export function evalGoFile<E extends GoEval>(
  src: string,
  make: (toks: Tok[], scope: Map<string, any>) => E,
): { funcs: { name: string; body: Tok[] }[]; topEval: E } {
  const { funcs, top } = splitFunctions(tokenize(src));
  const topEval = make(
    top,
    new Map<string, any>([
      ['true', 'true'],
      ['false', 'false'],
    ]),
  );
  topEval.run();
  return { funcs, topEval };
}

export function extractGitleaks(): { items: Labeled[]; skipped: string[] } {
  const files = git('ls-tree', '--name-only', 'HEAD', 'cmd/generate/config/rules/')
    .split('\n')
    .filter((f) => f.endsWith('.go') && !f.endsWith('_test.go'));
  const items: Labeled[] = [];
  const skipped: string[] = [];
  for (const file of files) {
    const src = git('show', `HEAD:${file}`);
    const { funcs, topEval } = evalGoFile(src, (toks, scope) => new GitleaksEval(toks, scope));
    for (const f of funcs) {
      const text = f.body.map((t) => t.v).join(' ');
      const call =
        /utils \. Validate(WithPaths)? \( r , (\w+) , (\w+) \)|utils\.Validate(WithPaths)? \( r , (\w+) , (\w+) \)/.exec(
          text,
        );
      if (!call) continue;
      const withPaths = call[1] ?? call[4];
      const tpName = call[2] ?? call[5];
      const fpName = call[3] ?? call[6];
      const idTok = f.body.findIndex((t) => t.v === 'RuleID');
      const ruleId = idTok >= 0 ? f.body[idTok + 2]!.v : f.name;
      const ev = new GitleaksEval(f.body, new Map(topEval.scope));
      const failed = ev.run().filter((x) => !x.startsWith('r:'));
      for (const x of failed) skipped.push(`${ruleId}: ${x}`);
      for (const [name, secret] of [
        [tpName!, true],
        [fpName!, false],
      ] as const) {
        if (name === 'nil') continue;
        const v = ev.scope.get(name);
        if (v === undefined) {
          skipped.push(`${ruleId}: ${name} not evaluated`);
          continue;
        }
        if (withPaths) {
          for (const [path, text] of Object.entries(v as Record<string, string>))
            if (text.trim()) items.push({ source: 'gitleaks', group: ruleId, text, secret, path });
        } else {
          for (const t of v as string[])
            if (typeof t === 'string' && t.trim())
              items.push({ source: 'gitleaks', group: ruleId, text: t, secret });
        }
      }
    }
  }
  return { items, skipped };
}
