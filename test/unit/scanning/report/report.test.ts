import { atLeast, bySeverity, toSarif, toTable, where } from '../../../../core/scanning/report';
import type { Finding } from '../../../../core/scanning/types';

const layer = `sha256:${'ab'.repeat(32)}`;
const finding = (overrides: Partial<Finding> = {}): Finding => ({
  ruleId: 'github-pat-classic',
  title: 'GitHub personal access token',
  severity: 'critical',
  location: { target: 'registry.local/app:1', layerDigest: layer, path: 'app/.env', line: 3, column: 14 },
  excerpt: 'GITHUB_TOKEN=ghp_****',
  fingerprint: 'f'.repeat(64),
  ...overrides,
});

describe('severity helpers', () => {
  it('compares severities against a threshold', () => {
    expect(atLeast('critical', 'high')).toBe(true);
    expect(atLeast('high', 'high')).toBe(true);
    expect(atLeast('medium', 'high')).toBe(false);
  });

  it('orders most severe first and names where a finding is', () => {
    const sorted = bySeverity([
      finding({ severity: 'low' }),
      finding({ severity: 'critical' }),
      finding({ severity: 'medium' }),
    ]);
    expect(sorted.map((f) => f.severity)).toEqual(['critical', 'medium', 'low']);
    expect(where(finding())).toBe(`${layer.slice(0, 19)}/app/.env:3`);
    expect(where(finding({ location: { path: 'config:Env[2]', line: 0, column: 0 } }))).toBe('config:Env[2]');
    expect(
      where(
        finding({ location: { path: 'lib/app.jar', innerPath: 'conf/app.properties', line: 7, column: 1 } }),
      ),
    ).toBe('lib/app.jar!conf/app.properties:7');
  });
});

describe('toSarif', () => {
  const sarif = toSarif(
    [
      finding(),
      finding({
        ruleId: 'generic-password',
        title: 'Password assignment',
        severity: 'medium',
        location: { path: 'config:Env[1]', line: 0, column: 0 },
      }),
      finding({
        managedSecret: { secretId: 'prod/orders-db', stage: 'AWSCURRENT' },
        deletedBy: { layerDigest: `sha256:${'cd'.repeat(32)}` },
      }),
    ],
    [{ id: 'github-pat-classic', title: 'GitHub personal access token', severity: 'critical' }],
    { version: '0.1.0' },
  ) as any;

  it('is a SARIF 2.1.0 log with one run by Rotor', () => {
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.$schema).toContain('sarif-2.1.0');
    expect(sarif.runs).toHaveLength(1);
    expect(sarif.runs[0].tool.driver).toMatchObject({ name: 'Rotor', semanticVersion: '0.1.0' });
  });

  it('describes each rule that fired once, with a security severity GitHub ranks by', () => {
    const rules = sarif.runs[0].tool.driver.rules;
    expect(rules.map((r: { id: string }) => r.id)).toEqual(['generic-password', 'github-pat-classic']);
    expect(rules[1]).toMatchObject({
      name: 'GithubPatClassic',
      defaultConfiguration: { level: 'error' },
      properties: { 'security-severity': '9.5', tags: ['security', 'secret'] },
    });
    expect(rules[0].properties['security-severity']).toBe('5.5');
  });

  it('gives each result its rule index, location, level and fingerprint', () => {
    const [first, config, managed] = sarif.runs[0].results;
    expect(first).toMatchObject({
      ruleId: 'github-pat-classic',
      ruleIndex: 1,
      level: 'error',
      partialFingerprints: { 'rotorFinding/v1': 'f'.repeat(64) },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: `sha256-${'ab'.repeat(32)}/app/.env` },
            region: { startLine: 3, startColumn: 14 },
          },
        },
      ],
    });
    // GitHub rejects startLine 0: a finding in the image config has no region.
    expect(config.locations[0].physicalLocation.region).toBeUndefined();
    expect(config.level).toBe('warning');
    expect(managed.message.text).toContain('live value of the managed secret prod/orders-db');
    expect(managed.message.text).toContain('still in the image');
  });
});

describe('toTable', () => {
  it('lists findings most severe first with a summary line', () => {
    const text = toTable([finding({ severity: 'low', ruleId: 'generic-password' }), finding()]);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^SEVERITY\s+RULE\s+WHERE\s+EXCERPT\s+NOTE$/);
    expect(lines[1]).toMatch(/^CRITICAL\s+github-pat-classic/);
    expect(lines[2]).toMatch(/^LOW\s+generic-password/);
    expect(lines.at(-1)).toBe('2 findings: 1 critical, 1 low');
  });

  it('says so when nothing was found', () => {
    expect(toTable([])).toBe('no secrets found');
  });
});
