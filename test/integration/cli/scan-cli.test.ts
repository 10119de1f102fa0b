import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { runCli } from '../../support/run-cli';

// The installed `rotor scan` on a folder: what a CI pipeline runs. Secrets are generated here, never committed.
const password = randomBytes(12).toString('hex');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rotor-scan-cli-'));
  mkdirSync(join(dir, 'config'));
  writeFileSync(
    join(dir, 'config', 'app.env'),
    `LOG_LEVEL=info\nDATABASE_URL=postgres://orders:${password}@db.internal:5432/orders\n`,
  );
  writeFileSync(
    join(dir, 'README.md'),
    'Set DATABASE_URL=postgres://user:<password>@host/db before you start.\n',
  );
});

describe('rotor scan (the installed command)', () => {
  it('prints a table of findings with the secret censored, and exits 1', async () => {
    const { code, stdout, stderr } = await runCli(['scan', `dir:${dir}`]);
    expect({ code, stderr }).toEqual({ code: 1, stderr: '' });
    expect(stdout).toMatch(/^SEVERITY\s+RULE\s+WHERE/);
    expect(stdout).toContain('config/app.env:2');
    expect(stdout).not.toContain(password);
    expect(stdout).not.toContain('README.md');
    expect(stdout).toMatch(/1 finding: 1 (critical|high)/);
  });

  it('writes SARIF 2.1.0 to a file, and never the secret', async () => {
    const out = join(dir, '..', `rotor-${process.pid}.sarif`);
    const { code } = await runCli(['scan', `dir:${dir}`, '--format', 'sarif', '--output', out]);
    expect(code).toBe(1);
    const text = readFileSync(out, 'utf8');
    expect(text).not.toContain(password);
    const sarif = JSON.parse(text);
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results[0].locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'config/app.env' },
      region: { startLine: 2, startColumn: expect.any(Number) },
    });
  });

  it('exits 0 when nothing reaches --fail-on, and prints JSON for machines', async () => {
    const { code, stdout } = await runCli([
      'scan',
      `dir:${dir}`,
      '--fail-on',
      'critical',
      '--format',
      'json',
    ]);
    const report = JSON.parse(stdout);
    const worst = report.findings.map((f: { severity: string }) => f.severity);
    expect(code).toBe(worst.includes('critical') ? 1 : 0);
    expect(report.stats.files).toBe(2);
  });

  it('finds the same with detection in worker threads', async () => {
    const inThread = await runCli(['scan', `dir:${dir}`, '--format', 'json', '--workers', '0']);
    const pooled = await runCli(['scan', `dir:${dir}`, '--format', 'json', '--workers', '2']);
    expect(pooled.code).toBe(inThread.code);
    const findings = (out: string) => (JSON.parse(out) as { findings: unknown[] }).findings;
    expect(findings(pooled.stdout)).toEqual(findings(inThread.stdout));
  });

  it('exits 2 with the reason when it cannot scan', async () => {
    const missing = await runCli(['scan', `dir:${join(dir, 'nope')}`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^rotor: /);
    const bad = await runCli(['scan', 'ftp://example']);
    expect(bad.code).toBe(2);
  });

  it('scans a task definition file for plaintext secrets in its environment, naming the variable', async () => {
    const password = `Pw${randomBytes(9).toString('base64url')}`;
    const file = join(dir, '..', `td-${randomBytes(4).toString('hex')}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        taskDefinition: {
          taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/orders:7',
          family: 'orders',
          revision: 7,
          containerDefinitions: [
            {
              name: 'app',
              image: 'orders:1',
              environment: [
                { name: 'DB_PASSWORD', value: password },
                { name: 'PORT', value: '8080' },
              ],
            },
          ],
        },
      }),
    );
    const { code, stdout, stderr } = await runCli([
      'scan',
      `ecs-task-definition:${file}`,
      '--format',
      'json',
    ]);
    expect({ code, stderr }).toEqual({ code: 1, stderr: '' });
    const report = JSON.parse(stdout) as { findings: Array<{ path: string; ruleId: string }> };
    expect(report.findings).toHaveLength(1);
    expect(JSON.stringify(report.findings[0])).toContain('DB_PASSWORD');
    expect(stdout).not.toContain(password);
    writeFileSync(file, '{"not": "a task definition"');
    const broken = await runCli(['scan', `ecs-task-definition:${file}`]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/^rotor: /);
  });
});
