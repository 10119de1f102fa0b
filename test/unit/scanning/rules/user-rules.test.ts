import { parseUserRules, InvalidRuleError } from '../../../../core/scanning/rules';
import { createDetector } from '../../../../core/scanning/detect';
import { BUILTIN_RULES } from '../../../../core/scanning/rules';

const token = () => 'acme_' + 'Q7x'.repeat(4) + 'z9K2mP4vR8';

const file = (rules: unknown[]) => JSON.stringify({ rules });
const acmeRule = {
  id: 'acme-internal-token',
  title: 'ACME internal API token',
  kind: 'infrastructure',
  severity: 'high',
  keywords: ['acme_'],
  pattern: '\\b(acme_[A-Za-z0-9]{22})\\b',
  secretGroup: 1,
  entropy: 3,
  allow: ['^acme_0+$'],
  samples: { leak: ['ACME_TOKEN=<token>'], ignore: ['acme_0000000000000000000000'] },
};

describe('parseUserRules', () => {
  it('parses a rule file into rules the detector runs next to the built-in ones', () => {
    const rules = parseUserRules(file([acmeRule]));
    expect(rules).toHaveLength(1);
    expect(rules[0]!.pattern.flags).toBe('');
    const detector = createDetector({ rules: [...BUILTIN_RULES, ...rules] });
    const findings = detector.scanText(`ACME_TOKEN=${token()}`, { path: 'x' });
    expect(findings.map((f) => f.ruleId)).toEqual(['acme-internal-token']);
    expect(detector.scanText('acme_0000000000000000000000', { path: 'x' })).toEqual([]);
  });

  it.each([
    ['an id that is not kebab-case', { ...acmeRule, id: 'Acme_Token' }, /rules\.0\.id/],
    ['a g flag', { ...acmeRule, flags: 'g' }, /rules\.0\.flags/],
    ['an uppercase keyword', { ...acmeRule, keywords: ['ACME_'] }, /rules\.0\.keywords/],
    ['an unknown kind', { ...acmeRule, kind: 'misc' }, /rules\.0\.kind/],
    ['an unknown field', { ...acmeRule, colour: 'red' }, /rules\.0/],
    ['an invalid pattern', { ...acmeRule, pattern: '(unclosed' }, /acme-internal-token/],
    ['a secret group the pattern lacks', { ...acmeRule, secretGroup: 3 }, /secretGroup 3/],
  ])('rejects %s, naming the place', (_what, rule, message) => {
    expect(() => parseUserRules(file([rule]))).toThrow(InvalidRuleError);
    expect(() => parseUserRules(file([rule]))).toThrow(message);
  });

  it('rejects duplicate ids and text that is not JSON', () => {
    expect(() => parseUserRules(file([acmeRule, acmeRule]))).toThrow(/used twice/);
    expect(() => parseUserRules('{rules: [')).toThrow(InvalidRuleError);
  });

  it('never quotes sample text in its errors', () => {
    const secretish = `sample-${token()}`;
    const bad = { ...acmeRule, samples: { leak: [secretish], ignore: [] }, severity: 'urgent' };
    try {
      parseUserRules(file([bad]));
      throw new Error('expected a failure');
    } catch (error) {
      expect(String(error)).not.toContain(secretish);
      expect(JSON.stringify((error as InvalidRuleError).context)).not.toContain(secretish);
    }
  });
});
