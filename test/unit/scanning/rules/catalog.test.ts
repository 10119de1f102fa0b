import { BUILTIN_RULES } from '../../../../core/scanning/rules';
import { resetSampleSeed } from '../../../../core/scanning/rules/sample-kit';
import { createDetector } from '../../../../core/scanning/detect';
import { RULE_KINDS } from '../../../../core/scanning/rules/rule';

/** The path a rule's samples are scanned under: one its `paths` accepts. */
function pathFor(paths: RegExp | undefined): string {
  if (paths === undefined) return 'app/config.txt';
  return (
    ['.npmrc', 'home/app/.npmrc', '.pypirc', 'root/.netrc', 'root/.docker/config.json', 'root/.pgpass'].find(
      (p) => paths.test(p),
    ) ?? 'x'
  );
}

describe('the built-in rule catalog', () => {
  beforeAll(() => resetSampleSeed());
  const detector = createDetector();

  it('has unique kebab-case ids, known kinds, no g or y flag, and lowercase keywords', () => {
    const ids = BUILTIN_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of BUILTIN_RULES) {
      expect(rule.id).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
      expect(RULE_KINDS).toContain(rule.kind);
      expect(rule.pattern.flags).not.toMatch(/[gy]/);
      expect(rule.keywords.length).toBeGreaterThan(0);
      for (const k of rule.keywords) expect(k).toBe(k.toLowerCase());
    }
  });

  it('covers at least 40 kinds of secret', () => {
    expect(BUILTIN_RULES.length).toBeGreaterThanOrEqual(40);
  });

  describe.each(BUILTIN_RULES.map((r) => [r.id, r] as const))('%s', (_id, rule) => {
    it('finds each generated leak sample with this rule, and a keyword occurs in the sample', () => {
      const samples = rule.samples.leak();
      expect(samples.length).toBeGreaterThan(0);
      for (const sample of samples) {
        expect(rule.keywords.some((k) => sample.toLowerCase().includes(k))).toBe(true);
        const findings = detector.scanText(sample, { path: pathFor(rule.paths) });
        const ids = findings.map((f) => f.ruleId);
        if (!ids.includes(rule.id))
          throw new Error(
            `${rule.id} missed sample #${samples.indexOf(sample)}; found ${ids.join(',') || 'nothing'}`,
          );
      }
    });

    it('finds the right secret: the rule alone matches the sample and its secret group is not empty', () => {
      const alone = createDetector({ rules: [rule] });
      for (const sample of rule.samples.leak()) {
        const findings = alone.scanText(sample, { path: pathFor(rule.paths) });
        expect(findings.length).toBeGreaterThan(0);
        const m = new RegExp(rule.pattern.source, [...new Set(rule.pattern.flags + 'm')].join('')).exec(
          sample,
        );
        expect(m?.[rule.secretGroup]).toBeTruthy();
      }
    });

    it('finds nothing in the ignore samples, with any rule', () => {
      for (const sample of rule.samples.ignore) {
        const findings = detector.scanText(sample, { path: pathFor(rule.paths) });
        if (findings.length > 0) {
          throw new Error(
            `ignore sample #${rule.samples.ignore.indexOf(sample)} of ${rule.id} found by ${findings.map((f) => f.ruleId).join(',')}`,
          );
        }
      }
    });
  });
});
