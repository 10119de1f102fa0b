import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { AuditWriter } from '../../../core/audit/writer';
import { rotationStep } from '../../support/audit-events';
import { startLocalAudit } from '../../support/local-audit';
import { runCli } from '../../support/run-cli';

let local: Awaited<ReturnType<typeof startLocalAudit>>;
let env: Record<string, string>;

beforeAll(async () => {
  local = await startLocalAudit();
  env = {
    AWS_ENDPOINT_URL: local.dynamo.endpoint,
    AWS_REGION: 'us-east-1',
    ROTOR_AUDIT_TABLE: local.auditTable,
  };
  const writer = new AuditWriter({ store: local.store });
  for (let i = 0; i < 7; i++)
    await writer.append(rotationStep('orders-db', { actor: i % 2 ? 'rotor:workflow' : 'rotor:rotation' }));
  await writer.append(rotationStep('payments'));
});
afterAll(() => local?.dynamo.close());

describe('rotor audit (the installed command, against an endpoint given by AWS_ENDPOINT_URL)', () => {
  it('lists a subject newest first as a table, and says how to get the next page', async () => {
    const { code, stdout } = await runCli(['audit', 'list', '--subject', 'orders-db', '--limit', '3'], env);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^TIME\s+SUBJECT\s+SEQ\s+TYPE\s+OUTCOME\s+ACTOR\s+WHAT/);
    expect(lines.slice(1, 4).map((l) => l.split(/\s+/)[2])).toEqual(['7', '6', '5']);
    expect(stdout).toMatch(/more: --cursor \S+/);
  });

  it('lists by actor as JSON, with a time window', async () => {
    const { code, stdout } = await runCli(
      ['audit', 'list', '--actor', 'rotor:workflow', '--since', '1h', '--json'],
      env,
    );
    expect(code).toBe(0);
    const page = JSON.parse(stdout);
    expect(page.items.map((r: { seq: number }) => r.seq).sort()).toEqual([2, 4, 6]);
  });

  it('refuses a listing without exactly one of subject, type or actor', async () => {
    const { code, stderr } = await runCli(['audit', 'list'], env);
    expect(code).toBe(2);
    expect(stderr).toContain('give exactly one of --subject, --type or --actor');
  });

  it('verifies every chain, then exits 1 naming the broken link once a record is changed', async () => {
    const ok = await runCli(['audit', 'verify'], env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/ok\s+SECRET#orders-db: 7 records/);
    expect(ok.stdout).toContain('2 chains intact');

    await local.client.send(
      new UpdateItemCommand({
        TableName: local.auditTable,
        Key: marshall({ subject: 'SECRET#orders-db', seq: 5 }),
        UpdateExpression: 'SET outcome = :o',
        ExpressionAttributeValues: marshall({ ':o': 'failure' }),
      }),
    );
    const broken = await runCli(['audit', 'verify', '--subject', 'SECRET#orders-db', '--json'], env);
    expect(broken.code).toBe(1);
    const report = JSON.parse(broken.stdout);
    expect(report.broken).toBe(1);
    expect(report.reports[0].broken).toMatchObject({ kind: 'changed', seq: 5 });
  });

  it('says how to name the table when it has none', async () => {
    const { code, stderr } = await runCli(['audit', 'verify', '--stack', 'NoSuchStack'], {
      ...env,
      ROTOR_AUDIT_TABLE: '',
    });
    expect(code).toBe(2);
    expect(stderr).toContain('pass --table or set ROTOR_AUDIT_TABLE');
  });

  it('explains itself with --help', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('rotor local');
    expect(stdout).toContain('audit');
    const audit = await runCli(['audit', 'list', '--help']);
    expect(audit.stdout).toContain('--since <when>');
  });
});
