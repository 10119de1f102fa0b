import {
  decideSecret,
  planAuditEvent,
  planSweep,
  summarizeBatch,
  summaryAuditEvent,
  type ListedSecret,
} from '../../../core/workflow/sweep';

const DAY = 86_400_000;
const NOW = new Date('2026-06-01T03:00:00Z');
const daysAgo = (n: number) => new Date(NOW.getTime() - n * DAY);
const arn = (name: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}-AbCdEf`;

function secret(
  name: string,
  over: Partial<ListedSecret> & { tags?: Record<string, string> } = {},
): ListedSecret {
  return {
    arn: arn(name),
    name,
    rotationEnabled: true,
    rotationLambdaArn: 'arn:aws:lambda:eu-west-1:123456789012:function:rotate-database',
    createdDate: daysAgo(100),
    ...over,
    tags: { 'rotor:kind': 'postgres', 'rotor:interval-days': '30', ...over.tags },
  };
}

function certificate(
  name: string,
  tags: Record<string, string>,
  over: Partial<ListedSecret> = {},
): ListedSecret {
  return secret(name, { ...over, tags: { 'rotor:kind': 'certificate', ...tags } });
}

describe('decideSecret: interval-driven kinds', () => {
  it('is due when the last rotation is older than the interval, counting overdue days', () => {
    const d = decideSecret(secret('a', { lastRotatedDate: daysAgo(33) }), NOW);
    expect(d).toMatchObject({
      decision: 'due',
      why: 'overdue',
      overdueDays: 3,
      dueSince: daysAgo(3).toISOString(),
    });
  });

  it('skips a secret rotated within the interval, saying when it will be due', () => {
    const d = decideSecret(secret('a', { lastRotatedDate: daysAgo(10) }), NOW);
    expect(d).toEqual(
      expect.objectContaining({ decision: 'skipped', why: 'not-due', until: daysAgo(-20).toISOString() }),
    );
  });

  it('counts from the creation date when the secret was never rotated', () => {
    expect(decideSecret(secret('a', { createdDate: daysAgo(31) }), NOW)).toMatchObject({
      decision: 'due',
      why: 'never-rotated',
      overdueDays: 1,
    });
    expect(decideSecret(secret('a', { createdDate: daysAgo(5) }), NOW)).toMatchObject({ why: 'not-due' });
  });

  it('counts from rotor:rotated-at when the workflow rotated it later than Secrets Manager last did', () => {
    const s = secret('a', {
      lastRotatedDate: daysAgo(90),
      tags: { 'rotor:rotated-at': daysAgo(2).toISOString() },
    });
    expect(decideSecret(s, NOW)).toMatchObject({ why: 'not-due', until: daysAgo(-28).toISOString() });
    const older = secret('a', {
      lastRotatedDate: daysAgo(31),
      tags: { 'rotor:rotated-at': daysAgo(60).toISOString() },
    });
    expect(decideSecret(older, NOW)).toMatchObject({ decision: 'due', overdueDays: 1 });
  });

  it('leaves a secret without an interval to Secrets Manager’s own schedule', () => {
    const s = secret('a', { lastRotatedDate: daysAgo(400) });
    const untagged = { ...s, tags: { 'rotor:kind': 'mysql' } };
    expect(decideSecret(untagged, NOW)).toMatchObject({ decision: 'skipped', why: 'no-interval' });
  });

  it('names a malformed interval tag instead of guessing', () => {
    for (const value of ['thirty', '-3', '0', '']) {
      expect(decideSecret(secret('a', { tags: { 'rotor:interval-days': value } }), NOW)).toMatchObject({
        why: 'invalid-tag',
        tag: 'rotor:interval-days',
      });
    }
  });

  it.each([
    ['rotation-disabled', { rotationEnabled: false }],
    ['no-rotation-function', { rotationLambdaArn: undefined }],
    ['pending-deletion', { deletedDate: daysAgo(1) }],
  ] as const)('skips an overdue secret as %s', (why, over) => {
    expect(decideSecret(secret('a', { lastRotatedDate: daysAgo(90), ...over }), NOW)).toMatchObject({
      decision: 'skipped',
      why,
    });
  });

  it('skips kinds it does not know', () => {
    expect(decideSecret(secret('a', { tags: { 'rotor:kind': 'oracle' } }), NOW)).toMatchObject({
      why: 'unknown-kind',
      kind: 'oracle',
    });
  });
});

describe('decideSecret: certificates follow their expiry', () => {
  const validity = (from: Date, days: number) => ({
    'rotor:not-before': from.toISOString(),
    'rotor:not-after': new Date(from.getTime() + days * DAY).toISOString(),
  });

  it('is not due before two thirds of the lifetime, even with the widest jitter', () => {
    // 30-day certificate, 10 days old: the renewal point is day 20 minus at most 1.5 days of jitter.
    const d = decideSecret(certificate('tls', validity(daysAgo(10), 30)), NOW);
    expect(d.decision).toBe('skipped');
    const until = Date.parse((d as { until: string }).until);
    expect(until).toBeGreaterThan(daysAgo(10).getTime() + 18.5 * DAY - 1);
    expect(until).toBeLessThanOrEqual(daysAgo(10).getTime() + 20 * DAY);
  });

  it('is due past two thirds of the lifetime', () => {
    expect(decideSecret(certificate('tls', validity(daysAgo(21), 30)), NOW)).toMatchObject({
      decision: 'due',
      why: 'renewal-window',
    });
  });

  it('renews renew-before-days before notAfter when the tag says so', () => {
    // 90-day certificate, 50 days old: two thirds (day 60) not reached, but 45 days before expiry (day 45) is.
    const tags = { ...validity(daysAgo(50), 90), 'rotor:renew-before-days': '45' };
    expect(decideSecret(certificate('tls', tags), NOW)).toMatchObject({
      decision: 'due',
      why: 'renewal-window',
    });
    const later = { ...validity(daysAgo(50), 90), 'rotor:renew-before-days': '7' };
    expect(decideSecret(certificate('tls', later), NOW)).toMatchObject({
      decision: 'skipped',
      why: 'not-due',
    });
  });

  it('falls back to two thirds of the lifetime on a malformed renew-before and names the tag', () => {
    const tags = { ...validity(daysAgo(5), 30), 'rotor:renew-before-days': 'soon' };
    expect(decideSecret(certificate('tls', tags), NOW)).toMatchObject({
      why: 'not-due',
      tag: 'rotor:renew-before-days',
    });
  });

  it('renews a certificate never issued by Rotor (no date tags) or with unreadable ones', () => {
    expect(decideSecret(certificate('new', {}), NOW)).toMatchObject({ decision: 'due', why: 'no-validity' });
    expect(
      decideSecret(
        certificate('bad', { 'rotor:not-before': 'yesterday', 'rotor:not-after': 'tomorrow' }),
        NOW,
      ),
    ).toMatchObject({ decision: 'due', why: 'no-validity' });
  });

  it('marks an expired certificate as such', () => {
    expect(decideSecret(certificate('old', validity(daysAgo(40), 30)), NOW)).toMatchObject({
      decision: 'due',
      why: 'expired',
    });
  });

  it('ignores an interval tag: certificates renew by expiry only', () => {
    const tags = { ...validity(daysAgo(2), 30), 'rotor:interval-days': '1' };
    expect(decideSecret(certificate('tls', tags), NOW)).toMatchObject({
      decision: 'skipped',
      why: 'not-due',
    });
  });

  it('jitters per secret: the same secret always gets the same point, a fleet spreads over the window', () => {
    const tags = validity(daysAgo(1), 30);
    const points = Array.from({ length: 200 }, (_, i) => {
      const first = decideSecret(certificate(`fleet/${i}`, tags), NOW) as { until: string };
      const again = decideSecret(certificate(`fleet/${i}`, tags), new Date(NOW.getTime() + 3600_000)) as {
        until: string;
      };
      expect(again.until).toBe(first.until);
      return Date.parse(first.until);
    });
    const spread = Math.max(...points) - Math.min(...points);
    // The jitter window is a twentieth of the lifetime (1.5 days): 200 secrets cover most of it.
    expect(spread).toBeGreaterThan(1.2 * DAY);
    expect(spread).toBeLessThanOrEqual(1.5 * DAY);
    expect(new Set(points).size).toBeGreaterThan(190);
  });
});

describe('planSweep', () => {
  const fleet = [
    secret('b', { lastRotatedDate: daysAgo(32) }),
    secret('a', { lastRotatedDate: daysAgo(45) }),
    secret('c', { lastRotatedDate: daysAgo(30.5) }),
    secret('fresh', { lastRotatedDate: daysAgo(1) }),
    secret('paused', { lastRotatedDate: daysAgo(60), rotationEnabled: false }),
    secret('gone', { deletedDate: daysAgo(1) }),
  ];

  it('lists the due secrets in ARN order as workflow inputs, with totals and the overdue count', () => {
    const plan = planSweep(fleet, NOW);
    expect(plan.due).toEqual([
      { secretId: arn('a'), reason: 'schedule' },
      { secretId: arn('b'), reason: 'schedule' },
      { secretId: arn('c'), reason: 'schedule' },
    ]);
    expect(plan.more).toBe(false);
    // c became due half a day ago: within the grace of one sweep, so not overdue.
    expect(plan.overdue).toBe(2);
    expect(plan.counts).toEqual({
      listed: 6,
      due: 3,
      skipped: 3,
      skippedByReason: { 'not-due': 1, 'rotation-disabled': 1, 'pending-deletion': 1 },
    });
  });

  it('lists the unusual skips before the not-due ones', () => {
    expect(planSweep(fleet, NOW).skipped.map((s) => [s.name, s.why])).toEqual([
      ['gone', 'pending-deletion'],
      ['paused', 'rotation-disabled'],
      ['fresh', 'not-due'],
    ]);
  });

  it('pages the due secrets in batches after a cursor', () => {
    const many = Array.from({ length: 7 }, (_, i) => secret(`s${i}`, { lastRotatedDate: daysAgo(40) }));
    const first = planSweep(many, NOW, { batchSize: 3 });
    expect(first.due.map((d) => d.secretId)).toEqual([arn('s0'), arn('s1'), arn('s2')]);
    expect(first).toMatchObject({ more: true, after: arn('s2') });
    const second = planSweep(many, NOW, { batchSize: 3, after: first.after });
    expect(second.due.map((d) => d.secretId)).toEqual([arn('s3'), arn('s4'), arn('s5')]);
    const third = planSweep(many, NOW, { batchSize: 3, after: second.after });
    expect(third).toMatchObject({ more: false, after: arn('s6') });
    expect(third.counts.due).toBe(7);
  });

  it('caps the skipped list but keeps the counts exact', () => {
    const many = Array.from({ length: 250 }, (_, i) => secret(`n${i}`, { lastRotatedDate: daysAgo(1) }));
    const plan = planSweep(many, NOW, { maxSkippedListed: 100 });
    expect(plan.skipped).toHaveLength(100);
    expect(plan).toMatchObject({ skippedTruncated: true, counts: { skipped: 250 } });
  });
});

describe('the sweep’s audit records', () => {
  it('records the plan by names and reasons, never more than 100 skipped secrets', () => {
    const plan = planSweep(
      [secret('a', { lastRotatedDate: daysAgo(45) }), secret('p', { rotationEnabled: false })],
      NOW,
    );
    expect(planAuditEvent(plan, { executionId: 'exec-1', batch: 1 })).toEqual({
      type: 'rotation.sweep',
      subject: 'SYSTEM#rotation-sweep',
      actor: 'rotor:rotation-sweep',
      outcome: 'success',
      eventId: 'exec-1:plan:1',
      details: {
        phase: 'plan',
        executionId: 'exec-1',
        batch: 1,
        listed: 2,
        due: 1,
        overdue: 1,
        skippedByReason: { 'rotation-disabled': 1 },
        skipped: [{ secret: 'p', reason: 'rotation-disabled' }],
        skippedTruncated: false,
      },
    });
  });

  it('summarizes a batch, naming failures by secret name and error class', () => {
    const summary = summarizeBatch([
      { secretId: arn('a'), result: 'rotated' },
      { secretId: arn('b'), result: 'skipped' },
      { secretId: arn('c'), result: 'failed', error: 'States.TaskFailed' },
    ]);
    expect(summary).toEqual({
      started: 3,
      rotated: 1,
      lockHeld: 1,
      failed: 1,
      failures: [{ secret: 'c', error: 'States.TaskFailed' }],
    });
    expect(summaryAuditEvent(summary, { batch: 2 })).toMatchObject({
      outcome: 'failure',
      details: { phase: 'summary' },
    });
  });
});
