import { BUILTIN_RULES, type Rule } from '../../../../core/scanning/rules';
import { resetSampleSeed } from '../../../../core/scanning/rules/sample-kit';
import { createDetector } from '../../../../core/scanning/detect';

const SIZE = 100 * 1024;

/** Repeats `unit` to about SIZE characters. */
const fill = (unit: string) => unit.repeat(Math.ceil(SIZE / Math.max(1, unit.length))).slice(0, SIZE);

/** Inputs built to make a backtracking pattern work hard: runs of what it accepts, and near-misses. */
function adversarialInputs(rule: Rule): string[] {
  const inputs = [
    'a',
    'A',
    '0',
    'f',
    'Z9',
    '-',
    '_',
    '=',
    '/',
    '+',
    '.',
    ':',
    '@',
    ' ',
    '\n',
    '\\n',
    '"',
    'aB3-_',
  ].map(fill);
  for (const keyword of rule.keywords) {
    inputs.push(
      fill(keyword),
      fill(`${keyword}${'a1'.repeat(40)}`),
      fill(`${keyword}="`),
      fill(`${keyword} `),
      fill(`${keyword}-----`),
    );
  }
  for (const sample of rule.samples.leak().slice(0, 2)) {
    inputs.push(
      fill(sample.slice(0, -1)),
      fill(sample.slice(0, Math.floor(sample.length / 2))),
      fill(sample.replace(/\s/g, '')),
    );
    inputs.push(sample.slice(0, 40) + fill(sample.slice(40, 41) || 'a'));
  }
  return inputs;
}

describe('backtracking safety', () => {
  beforeAll(() => resetSampleSeed(5));

  it.each(BUILTIN_RULES.map((r) => [r.id, r] as const))(
    '%s scans 100 KB adversarial lines in bounded time',
    (_id, rule) => {
      const detector = createDetector({ rules: [rule] });
      let worst = 0;
      for (const input of adversarialInputs(rule)) {
        // The faster of two runs: a catastrophic pattern is slow every time, a GC pause or a busy core is not.
        // Inputs made of repeated samples hold thousands of real findings; each may cost up to 0.1 ms to build
        // (excerpt, HMAC), which is work, not backtracking, so it is allowed for.
        let best = Infinity;
        for (let run = 0; run < 2 && best >= 50; run++) {
          const started = performance.now();
          const findings = detector.scanText(input, { path: '.npmrc' }).length;
          best = Math.min(best, performance.now() - started - findings * 0.1);
        }
        worst = Math.max(worst, best);
      }
      // Generous for a loaded 2-core machine (a busy CI core measured 450 ms): a catastrophic pattern on
      // 100 KB takes seconds to minutes, so 2 s still separates the two.
      expect(worst).toBeLessThan(2000);
    },
  );
});
