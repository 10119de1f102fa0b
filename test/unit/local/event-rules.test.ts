import { deliver, matches, rulesOf, targetInput } from '../../../local/event-rules';
import { synthRotor } from '../../support/synth';

const where = { account: '000000000000', region: 'us-east-1' };

describe('the template’s EventBridge rules, applied locally', () => {
  const { template } = synthRotor();
  const rules = rulesOf(template.toJSON() as never);
  const leak = deliver(
    {
      Source: 'rotor.scanner',
      DetailType: 'Rotor Managed Secret Leaked',
      Detail: JSON.stringify({
        secretId: 'demo/billing-key',
        stage: 'AWSCURRENT',
        fingerprint: 'f'.repeat(64),
      }),
    },
    where,
  );

  it('routes a managed leak to the rotation workflow with the remediation input', () => {
    const matched = rules.filter((rule) => matches(rule.pattern, leak));
    expect(matched.map((r) => r.logicalId)).toEqual([
      expect.stringMatching(/^RemediationManagedSecretLeaked/),
    ]);
    const [target] = matched[0]!.targets;
    expect(target!.logicalId).toMatch(/^Rotation/);
    expect(targetInput(target!, leak)).toEqual({
      secretId: 'demo/billing-key',
      reason: 'remediation',
      findingFingerprint: 'f'.repeat(64),
      leakedStage: 'AWSCURRENT',
    });
  });

  it('notifies only the severities the rule names, with the finding’s place in the text', () => {
    const found = (severity: string) =>
      deliver(
        {
          Source: 'rotor.scanner',
          DetailType: 'Rotor Unmanaged Secret Found',
          Detail: JSON.stringify({
            severity,
            ruleId: 'github-pat',
            registry: 'r',
            repository: 'shop/web',
            imageDigest: 'sha256:abc',
            location: 'app/.env:3',
            fingerprint: 'e'.repeat(64),
            deleted: false,
          }),
        },
        where,
      );
    expect(rules.filter((rule) => matches(rule.pattern, found('low')))).toEqual([]);
    const [rule] = rules.filter((r) => matches(r.pattern, found('critical')));
    const text = targetInput(rule!.targets[0]!, found('critical'));
    expect(text).toEqual(expect.stringContaining('Rotor found a critical secret (github-pat)'));
    expect(text).toEqual(expect.stringContaining('r/shop/web@sha256:abc at app/.env:3'));
  });

  it('matches lists, nested fields and any value of a list in the event', () => {
    expect(matches({ source: ['a', 'b'] }, { source: 'b' })).toBe(true);
    expect(matches({ detail: { tags: ['x'] } }, { detail: { tags: ['y', 'x'] } })).toBe(true);
    expect(matches({ detail: { n: [1] } }, { detail: {} })).toBe(false);
    expect(() => matches({ source: [{ prefix: 'a' }] }, { source: 'a' })).toThrow(/content filters/);
  });
});
