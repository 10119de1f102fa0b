import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { ecsPort } from '../../../adapters/ecs';
import { findConsumers } from '../../../core/consumers/discover';
import { ConsumerRolloutFailedError, ConsumerTimeoutError } from '../../../core/consumers/errors';
import type { EcsPort } from '../../../core/consumers/ports';
import { refreshConsumers } from '../../../core/consumers/refresh';
import { startEcsStandIn, type EcsStandIn } from '../../../local/ecs';

const REGION = 'eu-west-1';
const ACCOUNT = '111122223333';
const PREFIX = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:`;
const secret = { arn: `${PREFIX}prod/db-AbCdEf`, name: 'prod/db' };
const FILLERS = 101; // more than one ListServices page of 100

let ecs: EcsStandIn;
let client: ECSClient;
let port: EcsPort;
const calls: string[] = [];
const fast = { pollMs: 25, timeoutMs: 20_000 };

const container = (name: string, secrets: { name: string; valueFrom: string }[] = []) => ({
  name,
  image: `registry.example/${name}:1`,
  essential: true,
  secrets,
});

beforeAll(async () => {
  ecs = await startEcsStandIn({
    region: REGION,
    accountId: ACCOUNT,
    rolloutDelayMs: 150,
    log: (line) => calls.push(line),
  });
  client = new ECSClient({
    endpoint: ecs.endpoint,
    region: REGION,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1, // throttling reaches Rotor's own handling
  });
  port = ecsPort(client);

  const api = ecs.addTaskDefinition({
    family: 'api',
    containerDefinitions: [
      container('app', [
        { name: 'DB_USER', valueFrom: `${secret.arn}:username::` },
        { name: 'DB_PASSWORD', valueFrom: `${PREFIX}prod/db:password:AWSCURRENT:` },
      ]),
      container('proxy'),
    ],
  });
  const reporting = ecs.addTaskDefinition({
    family: 'reporting',
    containerDefinitions: [container('app', [{ name: 'DB', valueFrom: `${PREFIX}prod/db-replica` }])],
  });
  const web = ecs.addTaskDefinition({ family: 'web', containerDefinitions: [container('web')] });
  const worker = ecs.addTaskDefinition({
    family: 'worker',
    containerDefinitions: [
      {
        ...container('worker', [{ name: 'DB', valueFrom: 'prod/db' }]),
        repositoryCredentials: { credentialsParameter: secret.arn },
      },
    ],
  });
  const filler = ecs.addTaskDefinition({ family: 'filler', containerDefinitions: [container('f')] });

  ecs.addService({ cluster: 'prod', serviceName: 'api', taskDefinition: api, desiredCount: 2 });
  ecs.addService({ cluster: 'prod', serviceName: 'api-canary', taskDefinition: api });
  ecs.addService({ cluster: 'prod', serviceName: 'api-blue', taskDefinition: api });
  ecs.addService({ cluster: 'prod', serviceName: 'reporting', taskDefinition: reporting });
  ecs.addService({ cluster: 'prod', serviceName: 'web', taskDefinition: web });
  // An older service without the circuit breaker: no rolloutState in the answers.
  ecs.addService({
    cluster: 'batch',
    serviceName: 'worker',
    taskDefinition: worker,
    desiredCount: 3,
    circuitBreaker: false,
  });
  for (let i = 0; i < FILLERS; i++)
    ecs.addService({ cluster: 'batch', serviceName: `filler-${i}`, taskDefinition: filler });
});

afterAll(async () => {
  client?.destroy();
  await ecs?.close();
});

const count = (operation: string) => calls.filter((line) => line.startsWith(`${operation} -> `)).length;
const byName = <T extends { serviceName: string }>(consumers: readonly T[], name: string): T =>
  consumers.find((c) => c.serviceName === name)!;

describe('consumers of a secret on the ECS stand-in, through the real ECSClient', () => {
  it('discovers the referencing services across two clusters and fetches each task definition once', async () => {
    calls.length = 0;
    const consumers = await findConsumers(secret, port);
    expect(consumers.map((c) => c.serviceName).sort()).toEqual(['api', 'api-blue', 'api-canary', 'worker']);
    expect(byName(consumers, 'api')).toMatchObject({
      cluster: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/prod`,
      service: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/prod/api`,
      taskDefinition: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/api:1`,
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
    });
    expect(byName(consumers, 'worker').references.map((r) => r.field)).toEqual([
      'secrets',
      'repositoryCredentials',
    ]);
    expect(count('ListClusters')).toBe(1);
    expect(count('ListServices')).toBe(3); // prod: 1 page, batch: 2 pages
    expect(count('DescribeTaskDefinition')).toBe(5); // api, reporting, web, worker, filler
    expect(count('DescribeServices')).toBe(1 + Math.ceil((FILLERS + 1) / 10));
  });

  it('refreshes consumers to completion, with and without rolloutState, and allows revoking', async () => {
    const consumers = (await findConsumers(secret, port, { clusters: ['prod', 'batch'] })).filter((c) =>
      ['api', 'worker'].includes(c.serviceName),
    );
    const before = await client.send(new DescribeServicesCommand({ cluster: 'prod', services: ['api'] }));
    const result = await refreshConsumers(consumers, port, fast);
    expect(result.failed).toEqual([]);
    expect(result.moved.map((m) => m.serviceName).sort()).toEqual(['api', 'worker']);
    expect(result.revokeAllowed).toBe(true);

    const after = await client.send(new DescribeServicesCommand({ cluster: 'prod', services: ['api'] }));
    const [deployment] = after.services![0]!.deployments!;
    expect(after.services![0]!.deployments).toHaveLength(1);
    expect(deployment).toMatchObject({ status: 'PRIMARY', rolloutState: 'COMPLETED', runningCount: 2 });
    expect(deployment!.id).not.toBe(before.services![0]!.deployments![0]!.id);
    expect(deployment!.id).toBe(result.moved.find((m) => m.serviceName === 'api')!.deploymentId);
  });

  it("reports a rollout the circuit breaker rolled back as failed, with ECS's reason", async () => {
    ecs.failNextRollout('api', 'prod');
    const result = await refreshConsumers([{ cluster: 'prod', service: 'api' }], port, fast);
    expect(result.moved).toEqual([]);
    expect(result.revokeAllowed).toBe(false);
    const { error } = result.failed[0]!;
    expect(error).toBeInstanceOf(ConsumerRolloutFailedError);
    expect(error.message).toBe(
      'service api in cluster prod: the new deployment failed: ECS deployment circuit breaker: tasks failed to start.',
    );
  });

  it('gives up on a service that never stabilises: "did not stabilise within N s"', async () => {
    ecs.neverStabilise('api-canary', 'prod');
    const result = await refreshConsumers([{ cluster: 'prod', service: 'api-canary' }], port, {
      pollMs: 25,
      timeoutMs: 400,
    });
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0]!.error).toBeInstanceOf(ConsumerTimeoutError);
    expect(result.failed[0]!.error.message).toBe(
      'service api-canary in cluster prod: the new deployment did not stabilise within 0.4 s',
    );
  });

  it('on retry with `since`, joins the deployment an earlier attempt started instead of starting another', async () => {
    const since = new Date(Date.now() - 1000);
    await port.updateService('prod', 'api-blue', { forceNewDeployment: true }); // the earlier attempt
    calls.length = 0;
    const result = await refreshConsumers([{ cluster: 'prod', service: 'api-blue' }], port, {
      ...fast,
      since,
    });
    expect(count('UpdateService')).toBe(0);
    expect(result.moved).toEqual([expect.objectContaining({ serviceName: 'api-blue', joined: true })]);
  });

  it('keeps polling through throttled reads and still sees the rollout complete', async () => {
    const worker = { cluster: 'batch', service: 'worker' };
    const stop = ecs.faults.throttle(3, ['DescribeServices']);
    const result = await refreshConsumers([worker], port, fast);
    stop();
    expect(result.moved.map((m) => m.serviceName)).toEqual(['worker']);
    expect(calls.filter((line) => line === 'DescribeServices -> 400').length).toBeGreaterThanOrEqual(3);
  });

  it('answers the errors of ECS for a missing cluster, service and task definition', async () => {
    const missingService = await refreshConsumers([{ cluster: 'prod', service: 'nope' }], port, fast);
    expect(missingService.failed[0]!.error.message).toBe(
      'ECS refused UpdateService (cluster prod, service nope): ServiceNotFoundException',
    );
    await expect(port.describeTaskDefinition('nope:1')).rejects.toThrow(
      'ECS refused DescribeTaskDefinition: ClientException',
    );
    await expect(findConsumers(secret, port, { clusters: ['nope'] })).rejects.toThrow(
      /ClusterNotFoundException/,
    );
  });
});
