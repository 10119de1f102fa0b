/** Labeled texts from trufflehog's detector pattern tests: `input` with a non-empty `want` is a secret. */
import { execFileSync } from 'node:child_process';
import { GoEval, Unsupported } from './go-eval';
import { evalGoFile } from './extract-gitleaks';
import { sourceGitDir, type Labeled } from './labeled';

const git = (...args: string[]) =>
  execFileSync('git', ['-C', sourceGitDir('ROTOR_EVAL_TRUFFLEHOG'), ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });

export function extractTrufflehog(): { items: Labeled[]; skipped: string[] } {
  const files = git('ls-tree', '-r', '--name-only', 'HEAD', 'pkg/detectors/')
    .split('\n')
    .filter((f) => f.endsWith('_test.go') && !f.includes('integration'));
  const items: Labeled[] = [];
  const skipped: string[] = [];
  for (const file of files) {
    const group = file.split('/').slice(2, -1).join('/');
    const src = git('show', `HEAD:${file}`);
    if (!/_Pattern\(/.test(src)) continue;
    const { funcs, topEval } = evalGoFile(src, (toks, scope) => new GoEval(toks, scope));
    for (const f of funcs.filter((x) => x.name.endsWith('_Pattern'))) {
      const local = new GoEval(f.body, new Map(topEval.scope));
      local.run();
      const toks = f.body;
      for (let i = 0; i < toks.length; i++) {
        if (!(toks[i]!.v === 'input' && toks[i + 1]?.v === ':')) continue;
        const ev = new GoEval(toks, local.scope);
        ev.pos = i + 2;
        let input: unknown;
        try {
          input = ev.expr();
        } catch (e) {
          if (!(e instanceof Unsupported)) throw e;
          skipped.push(`${group}: input ${e.message}`);
          continue;
        }
        // The `want` of the same case: before the next `input`.
        let j = ev.pos;
        while (j < toks.length && toks[j]!.v !== 'want' && toks[j]!.v !== 'input') j++;
        if (toks[j]?.v !== 'want' || toks[j + 1]?.v !== ':') {
          skipped.push(`${group}: no want`);
          continue;
        }
        ev.pos = j + 2;
        let want: unknown;
        try {
          want = ev.expr();
        } catch (e) {
          if (!(e instanceof Unsupported)) throw e;
          // e.g. want: []string{validPattern + "..."} with unknowns: the case is labeled positive anyway
          want = ['?'];
        }
        if (typeof input !== 'string') continue;
        const secret = Array.isArray(want) && want.length > 0;
        items.push({ source: 'trufflehog', group, text: input, secret });
      }
    }
  }
  return { items, skipped };
}
