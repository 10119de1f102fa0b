import { AuditEvent } from '../../../../core/audit/event';
import { createDetector } from '../../../../core/scanning/detect';
import { fingerprintManagedValue } from '../../../../core/scanning/managed';
import { ALNUM, password, rand } from '../../../../core/scanning/rules/sample-kit';
import {
  TASK_DEFINITION_SOURCE,
  scanTaskDefinitionRevision,
  type TaskDefinitionScanDeps,
} from '../../../../core/scanning/task-definition';
import { MemoryFindingsStore, RecordingAudit, RecordingLeaks } from '../pipeline/memory-ports';
import { MemoryTaskDefinitions, arnOf, revisionOf } from './support';

const clock = { now: () => new Date('2026-11-24T10:00:00Z') };
const live = rand(ALNUM, 32);
const hmacKey = 'managed-key';
const detector = createDetector({
  managed: {
    records: [fingerprintManagedValue(hmacKey, 'prod/payments', 'AWSCURRENT', live, ALNUM)],
    key: hmacKey,
  },
});

function setup() {
  const source = new MemoryTaskDefinitions();
  const findings = new MemoryFindingsStore();
  const audit = new RecordingAudit();
  const leaks = new RecordingLeaks();
  const deps: TaskDefinitionScanDeps = { source, detector, findings, audit, leaks, clock };
  return { source, findings, audit, leaks, deps };
}

describe('scanTaskDefinitionRevision', () => {
  it('stores each finding with the revision as its occurrence and audits it on the family chain', async () => {
    const { source, findings, audit, deps } = setup();
    source.add(revisionOf('api', 3, { DB_PASSWORD: password(15), PORT: '80' }));
    const summary = await scanTaskDefinitionRevision(arnOf('api', 3), deps);
    expect(summary).toMatchObject({
      taskDefinitionArn: arnOf('api', 3),
      variables: 2,
      findings: 1,
      newFindings: 1,
      managedLeaks: 0,
    });
    const [record] = [...findings.items.values()];
    expect(record).toMatchObject({
      occurrence: `${arnOf('api', 3)}#app/DB_PASSWORD`,
      imageDigest: arnOf('api', 3),
      registry: 'ecs:eu-west-1:123456789012',
      repository: 'api',
      location: 'ecs-task-definition:api:3#app/DB_PASSWORD',
      path: 'app/DB_PASSWORD',
      source: TASK_DEFINITION_SOURCE,
      family: 'api',
      revision: 3,
      container: 'app',
      field: 'environment',
      variable: 'DB_PASSWORD',
      remedy: expect.stringContaining('valueFrom'),
      auditedAt: '2026-11-24T10:00:00.000Z',
    });
    expect(audit.events).toHaveLength(1);
    const event = audit.events[0]!;
    expect(AuditEvent.safeParse(event).success).toBe(true);
    expect(event).toMatchObject({
      type: 'scan.finding',
      subject: 'TASKDEF#api',
      actor: 'rotor:scanner',
      versions: { to: arnOf('api', 3) },
      details: { location: 'ecs-task-definition:api:3#app/DB_PASSWORD', fingerprint: record!.fingerprint },
    });
  });

  it('stores and audits nothing new when the same revision is scanned again', async () => {
    const { source, audit, deps } = setup();
    source.add(revisionOf('api', 1, { DB_PASSWORD: password(15) }));
    await scanTaskDefinitionRevision('api:1', deps);
    const again = await scanTaskDefinitionRevision('api:1', deps);
    expect(again).toMatchObject({ findings: 1, newFindings: 0 });
    expect(audit.events).toHaveLength(1);
  });

  it('records the same secret in the next revision as a new sighting under the same fingerprint', async () => {
    const { source, findings, deps } = setup();
    const secret = password(15);
    source.add(revisionOf('api', 1, { DB_PASSWORD: secret }));
    source.add(revisionOf('api', 2, { DB_PASSWORD: secret }));
    await scanTaskDefinitionRevision('api:1', deps);
    expect(await scanTaskDefinitionRevision('api:2', deps)).toMatchObject({ newFindings: 1 });
    const records = [...findings.items.values()];
    expect(new Set(records.map((r) => r.fingerprint)).size).toBe(1);
    expect(records.map((r) => r.occurrence).sort()).toEqual([
      `${arnOf('api', 1)}#app/DB_PASSWORD`,
      `${arnOf('api', 2)}#app/DB_PASSWORD`,
    ]);
  });

  it('announces a managed secret with the image leak event shape plus the revision, container and variable', async () => {
    const { source, leaks, deps } = setup();
    source.add(revisionOf('payments', 5, { PAYMENTS_KEY: live }));
    expect(await scanTaskDefinitionRevision('payments:5', deps)).toMatchObject({ managedLeaks: 1 });
    expect(leaks.leaks).toEqual([
      expect.objectContaining({
        secretId: 'prod/payments',
        stage: 'AWSCURRENT',
        ruleId: 'managed-secret',
        severity: 'critical',
        registry: 'ecs:eu-west-1:123456789012',
        repository: 'payments',
        targetDigest: arnOf('payments', 5),
        imageDigest: arnOf('payments', 5),
        location: 'ecs-task-definition:payments:5#app/PAYMENTS_KEY',
        deleted: false,
        source: TASK_DEFINITION_SOURCE,
        taskDefinitionArn: arnOf('payments', 5),
        family: 'payments',
        revision: 5,
        container: 'app',
        field: 'environment',
        variable: 'PAYMENTS_KEY',
      }),
    ]);
  });

  it('audits a finding again on the next run when the audit append failed', async () => {
    const { source, audit, deps } = setup();
    source.add(revisionOf('api', 1, { DB_PASSWORD: password(15) }));
    audit.failNext = 1;
    await expect(scanTaskDefinitionRevision('api:1', deps)).rejects.toThrow('audit table unavailable');
    expect(await scanTaskDefinitionRevision('api:1', deps)).toMatchObject({ newFindings: 1 });
    expect(audit.events).toHaveLength(1);
  });

  it('keeps every value out of stored records, audit events and leak events', async () => {
    const { source, findings, audit, leaks, deps } = setup();
    const values = [password(15), rand(ALNUM, 40)];
    source.add(revisionOf('payments', 1, { DB_PASSWORD: values[0]!, API_TOKEN: values[1]!, LIVE: live }));
    await scanTaskDefinitionRevision('payments:1', deps);
    const everything = JSON.stringify([[...findings.items.values()], audit.events, leaks.leaks]);
    expect(findings.items.size).toBe(3);
    for (const v of [...values, live]) expect(everything).not.toContain(v);
  });
});
