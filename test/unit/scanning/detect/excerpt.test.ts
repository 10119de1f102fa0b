import { BUILTIN_RULES } from '../../../../core/scanning/rules';
import { resetSampleSeed } from '../../../../core/scanning/rules/sample-kit';
import { createDetector, redactSecret } from '../../../../core/scanning/detect';

describe('censored excerpts', () => {
  beforeAll(() => resetSampleSeed(3));
  const detector = createDetector();

  it('never contains the secret, for every sample of every rule', () => {
    let checked = 0;
    for (const rule of BUILTIN_RULES) {
      const alone = new RegExp(rule.pattern.source, [...new Set(rule.pattern.flags + 'm')].join(''));
      for (const sample of rule.samples.leak()) {
        const secret = alone.exec(sample)?.[rule.secretGroup];
        if (!secret) throw new Error(`no secret for ${rule.id}`);
        for (const path of ['.npmrc', '.pypirc', '.pgpass', 'x.txt']) {
          for (const finding of detector.scanText(`prefix ${sample} suffix`, { path })) {
            expect(finding.excerpt).not.toContain(secret!);
            expect(finding.excerpt.length).toBeLessThanOrEqual(2 * 40 + 8 + 2);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('shows at most 4 characters of a secret, fewer for short ones', () => {
    expect(redactSecret('abcdefghijklmnopqrstuvwxyz')).toBe('abcd****');
    expect(redactSecret('abcdefghijkl')).toBe('ab****');
    expect(redactSecret('abcdefgh')).toBe('a****');
    expect(redactSecret('abcdef')).toBe('****');
  });
});
