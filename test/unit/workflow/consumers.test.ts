import { AuditWriter } from '../../../core/audit/writer';
import type { SecretStore } from '../../../core/rotation/ports';
import {
  checkConsumerRefresh,
  declaredConsumers,
  discoveryClusters,
  startConsumerRefresh,
  type ConsumerDeps,
  type ConsumerRefreshState,
} from '../../../core/workflow/consumers';
import { MemoryChainStore } from '../../support/memory-chain-store';
import { ACCOUNT, FakeEcs, REGION, serviceArn } from '../consumers/fake-ecs';

const SECRET = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/orders-db-AbCdEf`;

function setup(tags: Record<string, string> = {}) {
  const ecs = new FakeEcs();
  let t = Date.parse('2026-11-24T08:00:00Z');
  ecs.now = () => new Date(t);
  const chains = new MemoryChainStore();
  const store = {
    describe: async () => ({
      arn: SECRET,
      name: 'prod/orders-db',
      versionIdsToStages: {},
      tags: { 'rotor:kind': 'postgres', ...tags },
    }),
  } as unknown as SecretStore;
  const deps: ConsumerDeps = {
    store,
    ecs,
    audit: new AuditWriter({ store: chains }),
    clock: { now: () => new Date(t) },
    rolloutTimeoutMs: 60_000,
  };
  const reader = (stage?: string) =>
    ecs.addTaskDefinition(`td-${stage ?? 'current'}`, [
      { name: 'app', secrets: [{ name: 'DB', valueFrom: `${SECRET}:password:${stage ?? ''}:` }] },
    ]);
  const request = {
    secretArn: SECRET,
    executionId: 'exec-1',
    token: 'tok-1',
    since: new Date(t).toISOString(),
  };
  return { ecs, deps, chains, reader, request, advance: (ms: number) => (t += ms) };
}

async function untilSettled(
  state: ConsumerRefreshState,
  s: ReturnType<typeof setup>,
): Promise<ConsumerRefreshState> {
  for (let i = 0; state.waiting && i < 50; i++) {
    s.advance(10_000);
    state = await checkConsumerRefresh({ ...s.request, state }, s.deps);
  }
  return state;
}

describe('the workflow consumer refresh', () => {
  it('redeploys every service that reads the secret and allows revocation once all moved', async () => {
    const s = setup();
    const td = s.reader();
    s.ecs.addService('prod', 'orders-web', td, { plan: { kind: 'complete', afterPolls: 2 } });
    s.ecs.addService('prod', 'orders-worker', td, { plan: { kind: 'complete', afterPolls: 1 } });
    s.ecs.addService('prod', 'unrelated', s.ecs.addTaskDefinition('other', [{ name: 'x' }]));

    const started = await startConsumerRefresh(s.request, s.deps);
    expect(started).toMatchObject({ waiting: true, revocable: false });
    expect(s.ecs.calls.updateService.sort()).toEqual([
      serviceArn('prod', 'orders-web'),
      serviceArn('prod', 'orders-worker'),
    ]);
    const settled = await untilSettled(started, s);
    expect(settled).toMatchObject({ waiting: false, revocable: true, failed: [], pinned: [] });
    expect([...settled.moved].sort()).toEqual(['orders-web', 'orders-worker']);
    expect(settled.settledAt).toBeDefined();
    const [record] = s.chains.chains.get('SECRET#prod/orders-db')!;
    expect(record).toMatchObject({ type: 'rotation.consumers', details: { result: 'moved' } });
  });

  it('holds revocation back when a consumer never stabilises, naming it', async () => {
    const s = setup();
    const td = s.reader();
    s.ecs.addService('prod', 'orders-web', td, { plan: { kind: 'complete', afterPolls: 1 } });
    s.ecs.addService('prod', 'orders-stuck', td, { plan: { kind: 'never' } });
    const settled = await untilSettled(await startConsumerRefresh(s.request, s.deps), s);
    expect(settled).toMatchObject({ waiting: false, revocable: false, moved: ['orders-web'] });
    expect(settled.failed).toEqual([
      { service: 'orders-stuck', error: expect.objectContaining({ name: 'ConsumerTimeoutError' }) },
    ]);
    const [record] = s.chains.chains.get('SECRET#prod/orders-db')!;
    expect(record).toMatchObject({ outcome: 'failure', details: { result: 'failed' } });
  });

  it('holds revocation back when a consumer reads a pinned AWSPREVIOUS', async () => {
    const s = setup();
    s.ecs.addService('prod', 'legacy', s.reader('AWSPREVIOUS'), {
      plan: { kind: 'complete', afterPolls: 1 },
    });
    const settled = await untilSettled(await startConsumerRefresh(s.request, s.deps), s);
    expect(settled).toMatchObject({ revocable: false, pinned: ['legacy'] });
  });

  it('settles at once with nothing to refresh, and revocation allowed', async () => {
    const s = setup();
    const state = await startConsumerRefresh(s.request, s.deps);
    expect(state).toMatchObject({ waiting: false, revocable: true, moved: [], failed: [] });
    expect(s.chains.chains.get('SECRET#prod/orders-db')![0]).toMatchObject({ details: { result: 'none' } });
  });

  it('refreshes declared consumers and scans only the tagged clusters', async () => {
    const s = setup({ 'rotor:consumers': 'batch/nightly', 'rotor:consumer-clusters': 'none' });
    s.ecs.addService('prod', 'orders-web', s.reader());
    s.ecs.addService('batch', 'nightly', s.ecs.addTaskDefinition('n', [{ name: 'n' }]), {
      plan: { kind: 'complete', afterPolls: 1 },
    });
    const settled = await untilSettled(await startConsumerRefresh(s.request, s.deps), s);
    expect(s.ecs.calls.updateService).toEqual(['nightly']);
    expect(settled.moved).toEqual(['nightly']);
  });
});

describe('consumer tags', () => {
  it('reads cluster/service pairs and service ARNs', () => {
    const arn = serviceArn('prod', 'api');
    expect(declaredConsumers({ 'rotor:consumers': ` prod/web  ${arn} ` })).toEqual([
      { cluster: 'prod', service: 'web' },
      { cluster: 'prod', service: arn },
    ]);
    expect(() => declaredConsumers({ 'rotor:consumers': 'web' })).toThrow(/cluster\/service/);
  });

  it('scans every cluster unless told which, or none', () => {
    expect(discoveryClusters({})).toBeUndefined();
    expect(discoveryClusters({ 'rotor:consumer-clusters': 'none' })).toEqual([]);
    expect(discoveryClusters({ 'rotor:consumer-clusters': 'a b' })).toEqual(['a', 'b']);
  });
});
