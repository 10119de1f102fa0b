import { findConsumers } from '../../../core/consumers/discover';
import { TooManyServicesError } from '../../../core/consumers/errors';
import { ACCOUNT, FakeEcs, REGION, clusterArn, serviceArn, taskDefinitionArn } from './fake-ecs';

const PREFIX = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:`;
const secret = { arn: `${PREFIX}prod/db-AbCdEf`, name: 'prod/db' };

function account(): FakeEcs {
  const ecs = new FakeEcs();
  const api = ecs.addTaskDefinition('api', [
    {
      name: 'app',
      secrets: [
        { name: 'DB_USER', valueFrom: `${PREFIX}prod/db-AbCdEf:username::` },
        { name: 'DB_PASSWORD', valueFrom: `${PREFIX}prod/db:password:AWSCURRENT:` },
      ],
    },
    { name: 'sidecar', secrets: [{ name: 'OTHER', valueFrom: `${PREFIX}prod/other-QwErTy` }] },
  ]);
  const replica = ecs.addTaskDefinition('reporting', [
    { name: 'app', secrets: [{ name: 'DB', valueFrom: `${PREFIX}prod/db-replica` }] },
  ]);
  const worker = ecs.addTaskDefinition('worker', [
    {
      name: 'w',
      repositoryCredentials: `${PREFIX}prod/db-AbCdEf`,
      logSecrets: [{ name: 'apiKey', valueFrom: 'prod/db' }],
    },
  ]);
  ecs.addService('prod', 'api', api);
  ecs.addService('prod', 'api-canary', api);
  ecs.addService('prod', 'reporting', replica);
  ecs.addService('batch', 'worker', worker);
  ecs.addService('batch', 'old-worker', worker, { status: 'DRAINING' });
  return ecs;
}

describe('findConsumers', () => {
  it('finds the services whose current task definition names the secret, with the containers and keys', async () => {
    const consumers = await findConsumers(secret, account());
    expect(consumers.map((c) => c.serviceName)).toEqual(['api', 'api-canary', 'worker']);
    expect(consumers[0]).toEqual({
      cluster: clusterArn('prod'),
      service: serviceArn('prod', 'api'),
      serviceName: 'api',
      taskDefinition: taskDefinitionArn('api'),
      references: [
        { container: 'app', field: 'secrets', variable: 'DB_USER', jsonKey: 'username' },
        {
          container: 'app',
          field: 'secrets',
          variable: 'DB_PASSWORD',
          jsonKey: 'password',
          versionStage: 'AWSCURRENT',
        },
      ],
      discovered: true,
      declared: false,
    });
    expect(consumers[2]!.references).toEqual([
      { container: 'w', field: 'logConfiguration.secretOptions', variable: 'apiKey' },
      { container: 'w', field: 'repositoryCredentials' },
    ]);
  });

  it('fetches a task definition that many services share only once', async () => {
    const ecs = account();
    await findConsumers(secret, ecs);
    expect(ecs.calls.describeTaskDefinition.filter((arn) => arn === taskDefinitionArn('api'))).toHaveLength(
      1,
    );
    expect(new Set(ecs.calls.describeTaskDefinition).size).toBe(ecs.calls.describeTaskDefinition.length);
  });

  it("reads the PRIMARY deployment's task definition, not an older one still draining", async () => {
    const ecs = new FakeEcs();
    const old = ecs.addTaskDefinition(
      'api',
      [{ name: 'app', secrets: [{ name: 'DB', valueFrom: secret.arn }] }],
      1,
    );
    const current = ecs.addTaskDefinition('api', [{ name: 'app', secrets: [] }], 2);
    ecs.addService('prod', 'api', current, {
      deployments: [
        {
          id: 'ecs-svc/2',
          status: 'PRIMARY',
          taskDefinition: current,
          desiredCount: 1,
          runningCount: 0,
          rolloutState: 'IN_PROGRESS',
        },
        {
          id: 'ecs-svc/1',
          status: 'ACTIVE',
          taskDefinition: old,
          desiredCount: 1,
          runningCount: 1,
          rolloutState: 'COMPLETED',
        },
      ],
    });
    expect(await findConsumers(secret, ecs)).toEqual([]);
  });

  it('merges declared consumers without duplicates, by names or ARNs', async () => {
    const consumers = await findConsumers(secret, account(), {
      declared: [
        { cluster: 'prod', service: 'api' },
        { cluster: clusterArn('prod'), service: serviceArn('prod', 'api-canary') },
        { cluster: 'edge', service: 'gateway' },
        { cluster: 'edge', service: 'gateway' },
      ],
    });
    expect(consumers.map((c) => [c.serviceName, c.discovered, c.declared])).toEqual([
      ['api', true, true],
      ['api-canary', true, true],
      ['worker', true, false],
      ['gateway', false, true],
    ]);
    expect(consumers[3]).toMatchObject({ cluster: 'edge', service: 'gateway', references: [] });
  });

  it('scans only the clusters it is given', async () => {
    const ecs = account();
    const consumers = await findConsumers(secret, ecs, { clusters: ['batch'] });
    expect(consumers.map((c) => c.serviceName)).toEqual(['worker']);
    expect(ecs.calls.listServices).toBe(1);
    expect(await findConsumers(secret, ecs, { clusters: [] })).toEqual([]);
  });

  it('describes services in batches of at most 10', async () => {
    const ecs = new FakeEcs();
    const td = ecs.addTaskDefinition('api', [
      { name: 'app', secrets: [{ name: 'DB', valueFrom: 'prod/db' }] },
    ]);
    for (let i = 0; i < 23; i++) ecs.addService('prod', `s${i}`, td);
    const spy = jest.spyOn(ecs, 'describeServices');
    expect(await findConsumers(secret, ecs)).toHaveLength(23);
    expect(spy.mock.calls.map(([, services]) => services.length)).toEqual([10, 10, 3]);
  });

  it('stops with TooManyServicesError past the cap, naming the cap and the cluster', async () => {
    const ecs = account();
    const found = findConsumers(secret, ecs, { maxServices: 4 });
    await expect(found).rejects.toThrow(TooManyServicesError);
    await expect(findConsumers(secret, ecs, { maxServices: 4 })).rejects.toThrow(/more than 4 services/);
    await expect(findConsumers(secret, ecs, { maxServices: 5 })).resolves.toHaveLength(3);
  });
});
