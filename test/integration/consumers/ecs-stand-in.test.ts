import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  InvalidParameterException,
  ListServicesCommand,
  ServiceNotFoundException,
  UpdateServiceCommand,
  type Deployment,
} from '@aws-sdk/client-ecs';
import { startEcsStandIn, type EcsStandIn } from '../../../local/ecs';

let ecs: EcsStandIn;
let client: ECSClient;

beforeAll(async () => {
  ecs = await startEcsStandIn({ region: 'eu-west-1', rolloutDelayMs: 50, rollbackDelayMs: 150 });
  client = new ECSClient({
    endpoint: ecs.endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  const td = ecs.addTaskDefinition({
    family: 'api',
    containerDefinitions: [{ name: 'app', image: 'api:1' }],
  });
  for (let i = 0; i < 12; i++)
    ecs.addService({ cluster: 'prod', serviceName: `svc-${i}`, taskDefinition: td, desiredCount: 2 });
});

afterAll(async () => {
  client?.destroy();
  await ecs?.close();
});

async function deploymentsOf(service: string): Promise<Deployment[]> {
  const out = await client.send(new DescribeServicesCommand({ cluster: 'prod', services: [service] }));
  return out.services![0]!.deployments!;
}

/** Polls until `check` holds (at most 10 s: the rollouts here take well under a second). */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('condition not reached');
}

describe('the ECS stand-in', () => {
  it('pages ListServices by maxResults (10 by default) with an opaque nextToken', async () => {
    const first = await client.send(new ListServicesCommand({ cluster: 'prod' }));
    expect(first.serviceArns).toHaveLength(10);
    const second = await client.send(
      new ListServicesCommand({ cluster: 'prod', nextToken: first.nextToken }),
    );
    expect(second.serviceArns).toEqual([
      `arn:aws:ecs:eu-west-1:000000000000:service/prod/svc-10`,
      `arn:aws:ecs:eu-west-1:000000000000:service/prod/svc-11`,
    ]);
    expect(second.nextToken).toBeUndefined();
  });

  it('answers missing services as failures and refuses more than 10 at once', async () => {
    const out = await client.send(
      new DescribeServicesCommand({ cluster: 'prod', services: ['svc-0', 'nope'] }),
    );
    expect(out.services!.map((s) => s.serviceName)).toEqual(['svc-0']);
    expect(out.failures).toEqual([
      { arn: 'arn:aws:ecs:eu-west-1:000000000000:service/nope', reason: 'MISSING' },
    ]);
    const eleven = Array.from({ length: 11 }, (_, i) => `svc-${i}`);
    await expect(
      client.send(new DescribeServicesCommand({ cluster: 'prod', services: eleven })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it('describes a task definition by family, family:revision or ARN', async () => {
    const byFamily = await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'api' }));
    expect(byFamily.taskDefinition).toMatchObject({ family: 'api', revision: 1, status: 'ACTIVE' });
    expect(byFamily.taskDefinition!.registeredAt).toBeInstanceOf(Date);
    const byArn = await client.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: byFamily.taskDefinition!.taskDefinitionArn }),
    );
    expect(byArn.taskDefinition!.containerDefinitions).toEqual([{ name: 'app', image: 'api:1' }]);
  });

  it('runs a forced deployment: new PRIMARY IN_PROGRESS, old ACTIVE, then only the new one COMPLETED', async () => {
    const [old] = await deploymentsOf('svc-1');
    const updated = await client.send(
      new UpdateServiceCommand({ cluster: 'prod', service: 'svc-1', forceNewDeployment: true }),
    );
    const [fresh, previous] = updated.service!.deployments!;
    expect(fresh).toMatchObject({
      status: 'PRIMARY',
      rolloutState: 'IN_PROGRESS',
      runningCount: 0,
      desiredCount: 2,
    });
    expect(fresh!.createdAt).toBeInstanceOf(Date);
    expect(previous).toMatchObject({ id: old!.id, status: 'ACTIVE' });
    await eventually(async () => (await deploymentsOf('svc-1'))[0]!.rolloutState === 'COMPLETED');
    expect(await deploymentsOf('svc-1')).toEqual([
      expect.objectContaining({
        id: fresh!.id,
        status: 'PRIMARY',
        runningCount: 2,
        rolloutState: 'COMPLETED',
      }),
    ]);
  });

  it('fails a rollout on demand and rolls back to the previous deployment', async () => {
    ecs.failNextRollout('svc-2', 'prod');
    const updated = await client.send(
      new UpdateServiceCommand({ cluster: 'prod', service: 'svc-2', forceNewDeployment: true }),
    );
    const failedId = updated.service!.deployments![0]!.id;
    await eventually(async () => (await deploymentsOf('svc-2')).some((d) => d.rolloutState === 'FAILED'));
    const during = await deploymentsOf('svc-2');
    expect(during.find((d) => d.id === failedId)).toMatchObject({
      status: 'ACTIVE',
      rolloutState: 'FAILED',
      rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
    });
    expect(during[0]).toMatchObject({ status: 'PRIMARY' });
    await eventually(async () => (await deploymentsOf('svc-2')).length === 1);
    expect((await deploymentsOf('svc-2'))[0]).toMatchObject({ status: 'PRIMARY', rolloutState: 'COMPLETED' });
  });

  it('answers no rolloutState for a service without the circuit breaker', async () => {
    const td = ecs.addTaskDefinition({
      family: 'legacy',
      containerDefinitions: [{ name: 'app', image: 'old:1' }],
    });
    ecs.addService({ cluster: 'prod', serviceName: 'legacy', taskDefinition: td, circuitBreaker: false });
    await client.send(
      new UpdateServiceCommand({ cluster: 'prod', service: 'legacy', forceNewDeployment: true }),
    );
    const during = await deploymentsOf('legacy');
    expect(during).toHaveLength(2);
    expect(during.every((d) => d.rolloutState === undefined)).toBe(true);
    await eventually(async () => (await deploymentsOf('legacy')).length === 1);
  });

  it('refuses an update of a service that does not exist', async () => {
    await expect(
      client.send(new UpdateServiceCommand({ cluster: 'prod', service: 'nope', forceNewDeployment: true })),
    ).rejects.toBeInstanceOf(ServiceNotFoundException);
  });
});
