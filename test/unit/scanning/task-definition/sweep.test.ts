import { createDetector } from '../../../../core/scanning/detect';
import { password } from '../../../../core/scanning/rules/sample-kit';
import {
  TaskDefinitionRequestError,
  TaskDefinitionThrottlingError,
  sweepTaskDefinitions,
  type TaskDefinitionScanDeps,
} from '../../../../core/scanning/task-definition';
import { MemoryFindingsStore, RecordingAudit, RecordingLeaks } from '../pipeline/memory-ports';
import { MemoryTaskDefinitions, arnOf, revisionOf } from './support';

const clock = { now: () => new Date('2026-11-24T10:00:00Z') };
const noSleep = async () => undefined;

function setup(families: number) {
  const source = new MemoryTaskDefinitions();
  for (let i = 0; i < families; i++) {
    const family = `svc-${String(i).padStart(3, '0')}`;
    source.add(revisionOf(family, 1, { DB_PASSWORD: password(15) }));
    source.add(revisionOf(family, 2, { DB_PASSWORD: password(15) }));
  }
  const deps: TaskDefinitionScanDeps = {
    source,
    detector: createDetector(),
    findings: new MemoryFindingsStore(),
    audit: new RecordingAudit(),
    leaks: new RecordingLeaks(),
    clock,
  };
  return { source, deps };
}

describe('sweepTaskDefinitions', () => {
  it('scans the latest ACTIVE revision of every family', async () => {
    const { source, deps } = setup(5);
    source.add(revisionOf('retired', 1, { DB_PASSWORD: password(15) }, { status: 'INACTIVE' }));
    const out = await sweepTaskDefinitions(deps, { remainingMs: () => 600_000, sleep: noSleep });
    expect(out).toMatchObject({
      families: 5,
      revisionsScanned: 5,
      findings: 5,
      newFindings: 5,
      complete: true,
      failedCount: 0,
    });
    expect(source.described.sort()).toEqual([0, 1, 2, 3, 4].map((i) => arnOf(`svc-00${i}`, 2)));
  });

  it('scans every ACTIVE revision when asked', async () => {
    const { deps } = setup(3);
    const out = await sweepTaskDefinitions(deps, {
      remainingMs: () => 600_000,
      allRevisions: true,
      sleep: noSleep,
    });
    expect(out).toMatchObject({ families: 3, revisionsScanned: 6, newFindings: 6, complete: true });
  });

  it('never runs more than `concurrency` scans at once', async () => {
    const { source, deps } = setup(12);
    let running = 0;
    let peak = 0;
    const describe = source.describe.bind(source);
    source.describe = async (ref) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setImmediate(r));
      running -= 1;
      return describe(ref);
    };
    const out = await sweepTaskDefinitions(deps, {
      remainingMs: () => 600_000,
      concurrency: 3,
      sleep: noSleep,
    });
    expect(out.revisionsScanned).toBe(12);
    expect(peak).toBe(3);
  });

  it('stops starting work when the time budget runs low and reports the families it did not reach', async () => {
    const { deps } = setup(10);
    let left = 100_000;
    const scanned: string[] = [];
    const describe = deps.source.describe.bind(deps.source);
    deps.source.describe = async (ref) => {
      scanned.push(ref);
      left -= 20_000; // each scan takes 20 s of the budget
      return describe(ref);
    };
    const out = await sweepTaskDefinitions(deps, {
      remainingMs: () => left,
      reserveMs: 30_000,
      concurrency: 1,
      maxListed: 3,
      sleep: noSleep,
    });
    expect(out.revisionsScanned).toBe(4);
    expect(out).toMatchObject({ families: 10, listed: true, complete: false, notReachedCount: 6 });
    expect(out.notReached).toEqual(['svc-004', 'svc-005', 'svc-006']);
  });

  it('retries a throttled revision with backoff, then goes on past one that keeps failing', async () => {
    const { source, deps } = setup(3);
    source.failures.set(arnOf('svc-000', 2), [new TaskDefinitionThrottlingError('DescribeTaskDefinition')]);
    source.failures.set(arnOf('svc-001', 2), [
      new TaskDefinitionRequestError('DescribeTaskDefinition', 'AccessDeniedException'),
    ]);
    const sleeps: number[] = [];
    const out = await sweepTaskDefinitions(deps, {
      remainingMs: () => 600_000,
      backoffMs: 100,
      sleep: async (ms) => void sleeps.push(ms),
    });
    expect(sleeps).toEqual([100]);
    expect(out).toMatchObject({ revisionsScanned: 2, failedCount: 1, complete: true });
    expect(out.failed).toEqual([
      {
        family: 'svc-001',
        taskDefinition: arnOf('svc-001', 2),
        error: 'TaskDefinitionRequestError',
        message: 'ECS refused DescribeTaskDefinition (AccessDeniedException)',
      },
    ]);
  });

  it('reports a foreign error by class only', async () => {
    const { source, deps } = setup(1);
    const secret = password(15);
    source.failures.set(arnOf('svc-000', 2), [new Error(`boom ${secret}`)]);
    const out = await sweepTaskDefinitions(deps, { remainingMs: () => 600_000, sleep: noSleep });
    expect(out.failed).toEqual([
      { family: 'svc-000', taskDefinition: arnOf('svc-000', 2), error: 'Error', message: 'unexpected Error' },
    ]);
    expect(JSON.stringify(out)).not.toContain(secret);
  });
});
