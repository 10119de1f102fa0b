/**
 * Scores Rotor's built-in rules on labeled lines from gitleaks, detect-secrets and trufflehog (see README.md).
 *   npx tsx bench/detection/run.ts [--label=before] [--show=misses,fps] [--refresh=true]
 * Writes <ROTOR_EVAL_OUT>/<label>.json and .txt (default: a `rotor-detection-eval` folder in the temp dir).
 */
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seed } from './regen';
import { extractGitleaks } from './extract-gitleaks';
import { extractTrufflehog } from './extract-trufflehog';
import { disputeOf, indexPositives } from './disputed';
import type { Labeled } from './labeled';
import { kindOf, tierOf, type Tier } from './scope';
import { createDetector } from '../../core/scanning/detect';

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k!, v ?? 'true'];
  }),
);
const label = args.label ?? 'run';
const DIR = process.env.ROTOR_EVAL_OUT ?? join(tmpdir(), 'rotor-detection-eval');
const HERE = __dirname;

function load(): Labeled[] {
  mkdirSync(`${DIR}/data`, { recursive: true });
  const cache = `${DIR}/data/corpus.json`;
  if (existsSync(cache) && args.refresh !== 'true') return JSON.parse(readFileSync(cache, 'utf8'));
  seed(20261124);
  const g = extractGitleaks();
  const t = extractTrufflehog();
  const ds = JSON.parse(
    execFileSync('python3', [`${HERE}/extract_detect_secrets.py`], { encoding: 'utf8', maxBuffer: 1 << 28 }),
  ) as Labeled[];
  const all = [...g.items, ...ds, ...t.items];
  writeFileSync(cache, JSON.stringify(all));
  writeFileSync(`${DIR}/data/skipped.txt`, [...g.skipped, ...t.skipped].join('\n') + '\n');
  return all;
}

interface Row {
  item: Labeled;
  tier: Tier;
  found: string[];
  dispute?: string;
}

const items = load();
const detector = createDetector();
indexPositives(items);
const rows: Row[] = items.map((item) => {
  const findings = detector.scanText(item.text, { path: item.path ?? 'src/sample.txt' });
  return {
    item,
    tier: tierOf(item.group),
    found: [...new Set(findings.map((f) => f.ruleId))],
    dispute: disputeOf(item),
  };
});

type Score = { tp: number; fn: number; fp: number; tn: number };
const empty = (): Score => ({ tp: 0, fn: 0, fp: 0, tn: 0 });
function add(s: Score, r: Row) {
  const hit = r.found.length > 0;
  if (r.item.secret && hit) s.tp++;
  else if (r.item.secret) s.fn++;
  else if (hit) s.fp++;
  else s.tn++;
}
const fmt = (s: Score) => {
  const recall = s.tp / Math.max(1, s.tp + s.fn);
  const precision = s.tp / Math.max(1, s.tp + s.fp);
  const fpr = s.fp / Math.max(1, s.fp + s.tn);
  return `secrets ${String(s.tp + s.fn).padStart(5)} benign ${String(s.fp + s.tn).padStart(4)}  recall ${recall.toFixed(3)}  precision ${precision.toFixed(3)}  benign-flagged ${fpr.toFixed(3)} (${s.fp}/${s.fp + s.tn})`;
};

const out: string[] = [];
const json: Record<string, Score> = {};
function section(name: string, filter: (r: Row) => boolean) {
  const s = empty();
  for (const r of rows) if (filter(r)) add(s, r);
  json[name] = s;
  out.push(`${name.padEnd(44)} ${fmt(s)}`);
}
const inScope = (r: Row) => r.tier !== 'out';
const fair = (r: Row) => inScope(r) && r.dispute === undefined;
out.push(`# ${label}: ${rows.length} labeled texts, ${new Date().toISOString()}`);
section('ALL in scope (core+saas), disputed excluded', fair);
section('ALL in scope, disputed counted as labeled', inScope);
for (const src of ['gitleaks', 'detect-secrets', 'trufflehog'])
  for (const tier of ['core', 'saas', 'out'] as const)
    section(
      `${src} ${tier}${tier === 'out' ? '' : ' (fair)'}`,
      (r) => r.item.source === src && r.tier === tier && (tier === 'out' || r.dispute === undefined),
    );
section('core only (fair)', (r) => r.tier === 'core' && r.dispute === undefined);
section('saas only (fair)', (r) => r.tier === 'saas' && r.dispute === undefined);
out.push('\n## Per kind (in scope, fair; all sources)');
for (const kind of [...new Set(rows.filter(fair).map((r) => kindOf(r.item.group)))].sort())
  section(`  ${kind}`, (r) => fair(r) && kindOf(r.item.group) === kind);

// Per group: misses and false positives, in scope.
const groups = new Map<string, { s: Score; misses: string[]; fps: string[] }>();
for (const r of rows.filter(inScope)) {
  const key = `${r.item.source}:${r.item.group}`;
  const g = groups.get(key) ?? { s: empty(), misses: [], fps: [] };
  groups.set(key, g);
  if (r.dispute) continue;
  add(g.s, r);
  const short = r.item.text.length > 160 ? r.item.text.slice(0, 160) + '...' : r.item.text;
  if (r.item.secret && r.found.length === 0) g.misses.push(short);
  if (!r.item.secret && r.found.length > 0) g.fps.push(`[${r.found.join(',')}] ${short}`);
}
out.push('\n## In-scope groups with misses or false positives (fair), most first');
const sorted = [...groups]
  .filter(([, g]) => g.s.fn + g.s.fp > 0)
  .sort((a, b) => b[1].s.fn + b[1].s.fp - (a[1].s.fn + a[1].s.fp));
for (const [key, g] of sorted) {
  out.push(`${key.padEnd(60)} miss ${g.s.fn}/${g.s.tp + g.s.fn}  fp ${g.s.fp}/${g.s.fp + g.s.tn}`);
  if (args.show?.includes('misses'))
    for (const m of [...new Set(g.misses)].slice(0, 4)) out.push(`    MISS ${JSON.stringify(m)}`);
  if (args.show?.includes('fps'))
    for (const m of [...new Set(g.fps)].slice(0, 6)) out.push(`    FP   ${JSON.stringify(m)}`);
}
out.push('\n## Disputed labels (excluded from the fair numbers)');
const disputes = new Map<string, number>();
for (const r of rows.filter((x) => inScope(x) && x.dispute))
  disputes.set(r.dispute!, (disputes.get(r.dispute!) ?? 0) + 1);
for (const [d, n] of disputes) out.push(`  ${n} x ${d}`);

mkdirSync(`${DIR}/results`, { recursive: true });
writeFileSync(`${DIR}/results/${label}.txt`, out.join('\n') + '\n');
writeFileSync(`${DIR}/results/${label}.json`, JSON.stringify(json, null, 1));
console.log(out.join('\n'));
