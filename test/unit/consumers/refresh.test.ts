import { checkDeployments, startDeployments } from '../../../core/consumers/deployments';
import { refreshConsumers, type RefreshOptions } from '../../../core/consumers/refresh';
import {
  ConsumerRolloutFailedError,
  ConsumerTimeoutError,
  EcsRequestError,
} from '../../../core/consumers/errors';
import { FakeEcs, clusterArn, serviceArn } from './fake-ecs';

/** A clock that only moves when the code under test sleeps: no test waits for real. */
function fakeTime(ecs: FakeEcs, start = 1_000_000) {
  let t = start;
  const slept: number[] = [];
  ecs.now = () => new Date(t);
  const options: RefreshOptions = {
    clock: { now: () => new Date(t) },
    sleep: async (ms) => {
      slept.push(ms);
      t += ms;
    },
    pollMs: 10_000,
    timeoutMs: 60_000,
  };
  return { options, slept, advance: (ms: number) => (t += ms), now: () => t };
}

function cluster(...plans: Parameters<FakeEcs['addService']>[3][]): FakeEcs {
  const ecs = new FakeEcs();
  const td = ecs.addTaskDefinition('api', [{ name: 'app' }]);
  plans.forEach((extra, i) => ecs.addService('prod', `svc${i}`, td, extra));
  return ecs;
}

const consumer = (name: string) => ({
  cluster: clusterArn('prod'),
  service: serviceArn('prod', name),
  serviceName: name,
});

describe('refreshConsumers', () => {
  it('forces a new deployment of each consumer and reports them moved once COMPLETED', async () => {
    const ecs = cluster(
      { plan: { kind: 'complete', afterPolls: 3 } },
      { plan: { kind: 'complete', afterPolls: 1 } },
    );
    const { options } = fakeTime(ecs);
    const result = await refreshConsumers([consumer('svc0'), consumer('svc1')], ecs, options);
    expect(ecs.calls.updateService).toEqual([serviceArn('prod', 'svc0'), serviceArn('prod', 'svc1')]);
    expect(result.failed).toEqual([]);
    expect(result.moved.map((m) => [m.serviceName, m.joined, m.pinned])).toEqual([
      ['svc1', false, false],
      ['svc0', false, false],
    ]);
    expect(result.moved[0]!.deploymentId).toBe(ecs.service('svc1').deployments[0]!.id);
    expect(result.revokeAllowed).toBe(true);
  });

  it("reports a rollout the circuit breaker failed, with the service and ECS's reason, and forbids revoking", async () => {
    const reason = 'ECS deployment circuit breaker: tasks failed to start.';
    const ecs = cluster({ plan: { kind: 'fail', afterPolls: 2, reason } }, {});
    const { options } = fakeTime(ecs);
    const result = await refreshConsumers([consumer('svc0'), consumer('svc1')], ecs, options);
    expect(result.moved.map((m) => m.serviceName)).toEqual(['svc1']);
    expect(result.failed).toHaveLength(1);
    const { error, serviceName } = result.failed[0]!;
    expect(serviceName).toBe('svc0');
    expect(error).toBeInstanceOf(ConsumerRolloutFailedError);
    expect(error.message).toBe(
      `service svc0 in cluster ${clusterArn('prod')}: the new deployment failed: ${reason}`,
    );
    expect(result.revokeAllowed).toBe(false);
  });

  it('gives up on a deployment still IN_PROGRESS at the timeout: "did not stabilise within N s"', async () => {
    const ecs = cluster({ plan: { kind: 'never' } });
    const time = fakeTime(ecs);
    const start = time.now();
    const result = await refreshConsumers([consumer('svc0')], ecs, { ...time.options, timeoutMs: 45_000 });
    expect(result.failed[0]!.error).toBeInstanceOf(ConsumerTimeoutError);
    expect(result.failed[0]!.error.message).toMatch(/svc0 .*did not stabilise within 45 s/);
    // Polls every 10 s, then sleeps only up to the deadline.
    expect(time.slept).toEqual([10_000, 10_000, 10_000, 10_000, 5_000]);
    expect(time.now() - start).toBe(45_000);
    expect(result.revokeAllowed).toBe(false);
  });

  it('falls back to counts without rolloutState: moved once only the new deployment runs its desired count', async () => {
    const ecs = cluster({ plan: { kind: 'legacy', afterPolls: 3 } });
    const { options, slept } = fakeTime(ecs);
    const result = await refreshConsumers([consumer('svc0')], ecs, options);
    expect(result.moved.map((m) => m.serviceName)).toEqual(['svc0']);
    expect(slept).toHaveLength(2);
    expect(ecs.service('svc0').deployments).toHaveLength(1);
  });

  it('without rolloutState, times out while the old deployment is still there', async () => {
    const ecs = cluster({ plan: { kind: 'legacy', afterPolls: 100 } });
    const { options } = fakeTime(ecs);
    const result = await refreshConsumers([consumer('svc0')], ecs, { ...options, timeoutMs: 30_000 });
    expect(result.failed[0]!.error).toBeInstanceOf(ConsumerTimeoutError);
  });

  it('on retry with `since`, joins the deployment an earlier attempt started instead of starting another', async () => {
    const ecs = cluster({ plan: { kind: 'complete', afterPolls: 4 } });
    const time = fakeTime(ecs);
    const rotatedAt = new Date(time.now());
    // The first attempt started a deployment and then died (Lambda timeout) before it completed.
    time.advance(1000);
    await ecs.updateService('prod', serviceArn('prod', 'svc0'));
    const started = ecs.service('svc0').deployments[0]!.id;
    const result = await refreshConsumers([consumer('svc0')], ecs, { ...time.options, since: rotatedAt });
    expect(ecs.calls.updateService).toHaveLength(1);
    expect(result.moved).toEqual([expect.objectContaining({ deploymentId: started, joined: true })]);
  });

  it('with `since`, starts a new deployment when the PRIMARY one predates the rotation', async () => {
    const ecs = cluster({});
    const time = fakeTime(ecs);
    const result = await refreshConsumers([consumer('svc0')], ecs, {
      ...time.options,
      since: new Date(time.now()),
    });
    expect(ecs.calls.updateService).toHaveLength(1);
    expect(result.moved[0]).toMatchObject({ joined: false });
  });

  it('follows a newer deployment that superseded its own: those tasks start after the rotation too', async () => {
    const ecs = cluster({ plan: { kind: 'complete', afterPolls: 3 } });
    const time = fakeTime(ecs);
    const refresh = refreshConsumers([consumer('svc0')], ecs, {
      ...time.options,
      sleep: async (ms) => {
        time.advance(ms);
        // Another rotation of another secret redeploys the same service meanwhile.
        if (ecs.calls.updateService.length === 1) await ecs.updateService('prod', serviceArn('prod', 'svc0'));
      },
    });
    const result = await refresh;
    expect(result.moved).toHaveLength(1);
    expect(result.moved[0]!.deploymentId).toBe(ecs.service('svc0').deployments[0]!.id);
  });

  it('retries UpdateService when ECS throttles, and keeps polling through throttled reads', async () => {
    const ecs = cluster({});
    ecs.throttleUpdates = 2;
    ecs.throttleDescribes = 1;
    const { options } = fakeTime(ecs);
    const result = await refreshConsumers([consumer('svc0')], ecs, options);
    expect(ecs.calls.updateService).toHaveLength(3);
    expect(result.moved).toHaveLength(1);
  });

  it('records an update ECS refuses as a failure of that consumer alone', async () => {
    const ecs = cluster({});
    const refuse = jest.spyOn(ecs, 'updateService');
    refuse.mockImplementationOnce(async () => {
      throw new EcsRequestError('UpdateService', 'ServiceNotFoundException', { service: 'gone' });
    });
    const { options } = fakeTime(ecs);
    const result = await refreshConsumers([consumer('gone'), consumer('svc0')], ecs, options);
    expect(result.failed.map((f) => [f.serviceName, f.error.name])).toEqual([['gone', 'EcsRequestError']]);
    expect(result.moved.map((m) => m.serviceName)).toEqual(['svc0']);
    expect(result.revokeAllowed).toBe(false);
  });

  it('does not allow revoking while a consumer reads a pinned version', async () => {
    const ecs = cluster({});
    const { options } = fakeTime(ecs);
    const pinned = {
      ...consumer('svc0'),
      references: [{ container: 'app', field: 'secrets' as const, versionStage: 'AWSPREVIOUS' }],
    };
    const result = await refreshConsumers([pinned], ecs, options);
    expect(result.moved[0]!.pinned).toBe(true);
    expect(result.revokeAllowed).toBe(false);
  });

  it('refreshes a service listed twice once, and allows revoking when there is nothing to refresh', async () => {
    const ecs = cluster({});
    const { options } = fakeTime(ecs);
    await refreshConsumers([consumer('svc0'), { cluster: 'prod', service: 'svc0' }], ecs, options);
    expect(ecs.calls.updateService).toHaveLength(1);
    expect(await refreshConsumers([], ecs, options)).toEqual({ moved: [], failed: [], revokeAllowed: true });
  });

  it('keeps at most `concurrency` UpdateService calls in flight', async () => {
    const ecs = cluster({}, {}, {}, {}, {});
    let inFlight = 0;
    let most = 0;
    const update = ecs.updateService.bind(ecs);
    jest.spyOn(ecs, 'updateService').mockImplementation(async (c, s) => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      return update(c, s);
    });
    const { options } = fakeTime(ecs);
    const result = await refreshConsumers(
      [0, 1, 2, 3, 4].map((i) => consumer(`svc${i}`)),
      ecs,
      { ...options, concurrency: 2 },
    );
    expect(most).toBe(2);
    expect(result.moved).toHaveLength(5);
  });
});

describe('startDeployments and checkDeployments (for a workflow that waits in its own Wait state)', () => {
  it('carries JSON-safe deployments from one check to the next until they complete', async () => {
    const ecs = cluster({ plan: { kind: 'complete', afterPolls: 2 } });
    const time = fakeTime(ecs);
    const { started, failed } = await startDeployments([consumer('svc0')], ecs, time.options);
    expect(failed).toEqual([]);
    const carried = JSON.parse(JSON.stringify(started));
    expect(carried).toEqual([
      expect.objectContaining({
        serviceName: 'svc0',
        joined: false,
        pinned: false,
        startedAt: new Date(time.now()).toISOString(),
      }),
    ]);
    const first = await checkDeployments(carried, ecs, time.options);
    expect(first).toEqual({ moved: [], failed: [], pending: carried });
    const second = await checkDeployments(first.pending, ecs, time.options);
    expect(second.moved).toEqual([
      expect.objectContaining({ serviceName: 'svc0', deploymentId: started[0]!.deploymentId }),
    ]);
    expect(second.pending).toEqual([]);
  });

  it('fails a deployment that disappeared before it completed, naming what replaced it', async () => {
    const ecs = cluster({ plan: { kind: 'never' } });
    const time = fakeTime(ecs);
    const { started } = await startDeployments([consumer('svc0')], ecs, time.options);
    const replacement = { ...ecs.service('svc0').deployments[1]!, id: 'ecs-svc/rollback', status: 'PRIMARY' };
    ecs.service('svc0').deployments = [replacement];
    const { failed } = await checkDeployments(started, ecs, time.options);
    expect(failed[0]!.error).toBeInstanceOf(ConsumerRolloutFailedError);
    expect(failed[0]!.error.message).toMatch(
      new RegExp(
        `deployment ${started[0]!.deploymentId} was replaced by ecs-svc/rollback before it completed`,
      ),
    );
  });

  it('times a deployment out from its startedAt, even across separate checks', async () => {
    const ecs = cluster({ plan: { kind: 'never' } });
    const time = fakeTime(ecs);
    const { started } = await startDeployments([consumer('svc0')], ecs, time.options);
    time.advance(59_999);
    expect((await checkDeployments(started, ecs, time.options)).pending).toHaveLength(1);
    time.advance(1);
    const { failed, pending } = await checkDeployments(started, ecs, time.options);
    expect(pending).toEqual([]);
    expect(failed[0]!.error).toBeInstanceOf(ConsumerTimeoutError);
  });

  it("retries the read that looks for an earlier attempt's deployment when ECS throttles", async () => {
    const ecs = cluster({});
    ecs.throttleDescribes = 1;
    const time = fakeTime(ecs);
    const { started, failed } = await startDeployments([consumer('svc0')], ecs, {
      ...time.options,
      since: new Date(0),
    });
    expect(failed).toEqual([]);
    expect(started[0]!.joined).toBe(true); // the seeded deployment was created at 0, not before `since`
  });
});
