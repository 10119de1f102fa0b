import type { ListedSecret, RotationSweepEvent } from '../../../core/workflow/sweep';
import { planStep, summarizeStep } from '../../../functions/rotation-sweep/sweep-steps';

const DAY = 86_400_000;
const NOW = new Date('2026-06-01T03:00:00Z');
const arn = (name: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}-AbCdEf`;
const secret = (
  name: string,
  lastRotatedDaysAgo: number,
  over: Partial<ListedSecret> = {},
): ListedSecret => ({
  arn: arn(name),
  name,
  tags: { 'rotor:kind': 'api-key', 'rotor:interval-days': '7' },
  rotationEnabled: true,
  rotationLambdaArn: 'arn:aws:lambda:eu-west-1:123456789012:function:rotate-api-key',
  lastRotatedDate: new Date(NOW.getTime() - lastRotatedDaysAgo * DAY),
  ...over,
});

function deps(secrets: ListedSecret[]) {
  const audited: RotationSweepEvent[] = [];
  const metrics: Array<[string, number]> = [];
  return {
    audited,
    metrics,
    deps: {
      list: async function* () {
        yield* secrets;
      },
      audit: async (event: RotationSweepEvent) => void audited.push(event),
      metric: (name: string, value: number) => void metrics.push([name, value]),
      clock: { now: () => NOW },
      batchSize: 2,
    },
  };
}

describe('the sweep function’s steps', () => {
  const fleet = [
    secret('a', 9),
    secret('b', 10),
    secret('c', 30),
    secret('fresh', 1),
    secret('orphan', 30, { rotationLambdaArn: undefined }),
  ];

  it('plans the first batch, audits the skips with their reasons and emits the overdue count once', async () => {
    const fx = deps(fleet);
    const plan = await planStep({ action: 'plan', executionId: 'x1' }, fx.deps);
    expect(plan).toMatchObject({
      batch: 1,
      due: [
        { secretId: arn('a'), reason: 'schedule' },
        { secretId: arn('b'), reason: 'schedule' },
      ],
      more: true,
      after: arn('b'),
      overdue: 3,
      listed: 5,
      dueTotal: 3,
      skipped: [
        { name: 'orphan', why: 'no-rotation-function' },
        { name: 'fresh', why: 'not-due' },
      ],
    });
    expect(fx.audited[0].details).toMatchObject({
      phase: 'plan',
      batch: 1,
      skipped: [
        { secret: 'orphan', reason: 'no-rotation-function' },
        { secret: 'fresh', reason: 'not-due' },
      ],
    });
    expect(fx.metrics).toEqual([['OverdueSecrets', 3]]);

    const next = await planStep(
      { action: 'plan', executionId: 'x1', cursor: { after: plan.after, batch: 1 } },
      fx.deps,
    );
    expect(next).toMatchObject({ batch: 2, due: [{ secretId: arn('c') }], more: false });
    expect(fx.metrics).toHaveLength(1);
  });

  it('never puts a value in what it returns or audits: it only ever sees metadata', async () => {
    const fx = deps(fleet);
    const plan = await planStep({ action: 'plan' }, fx.deps);
    expect(JSON.stringify([plan, fx.audited])).not.toMatch(/password|SecretString/i);
  });

  it('summarizes a batch and emits how many rotations it started', async () => {
    const fx = deps([]);
    const summary = await summarizeStep(
      {
        action: 'summarize',
        executionId: 'x1',
        batch: 1,
        results: [
          { secretId: arn('a'), result: 'rotated' },
          { secretId: arn('b'), result: 'failed', error: 'States.TaskFailed' },
        ],
      },
      fx.deps,
    );
    expect(summary).toMatchObject({ started: 2, rotated: 1, failed: 1 });
    expect(fx.audited[0]).toMatchObject({ outcome: 'failure', eventId: 'x1:summary:1' });
    expect(fx.metrics).toEqual([['RotationsStarted', 2]]);
  });
});
