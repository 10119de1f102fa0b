import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ECSServiceException,
  ListClustersCommand,
  ListServicesCommand,
  ServiceNotFoundException,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { ecsPort } from '../../../adapters/ecs';
import { EcsRequestError, EcsThrottlingError, EcsUnavailableError } from '../../../core/consumers/errors';

const ecs = mockClient(ECSClient);
const port = ecsPort(new ECSClient({ region: 'eu-west-1' }));
const arn = (resource: string) => `arn:aws:ecs:eu-west-1:111122223333:${resource}`;

beforeEach(() => ecs.reset());

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

const throttling = () =>
  new ECSServiceException({
    name: 'ThrottlingException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: 'Rate exceeded',
  });

describe('ecsPort', () => {
  it('follows nextToken through every page of ListClusters and ListServices', async () => {
    ecs
      .on(ListClustersCommand)
      .resolvesOnce({ clusterArns: [arn('cluster/a')], nextToken: 't1' })
      .resolvesOnce({ clusterArns: [arn('cluster/b')] });
    ecs
      .on(ListServicesCommand)
      .resolvesOnce({ serviceArns: ['s1', 's2'], nextToken: 'p2' })
      .resolvesOnce({ serviceArns: ['s3'], nextToken: 'p3' })
      .resolvesOnce({ serviceArns: [] });
    expect(await collect(port.listClusters())).toEqual([arn('cluster/a'), arn('cluster/b')]);
    expect(await collect(port.listServices('a'))).toEqual(['s1', 's2', 's3']);
    expect(ecs.commandCalls(ListClustersCommand).map((c) => c.args[0].input)).toEqual([
      { maxResults: 100 },
      { maxResults: 100, nextToken: 't1' },
    ]);
    expect(ecs.commandCalls(ListServicesCommand).map((c) => c.args[0].input.nextToken)).toEqual([
      undefined,
      'p2',
      'p3',
    ]);
  });

  it('stops paging when the caller stops reading', async () => {
    ecs.on(ListServicesCommand).resolves({ serviceArns: ['s1', 's2'], nextToken: 'more' });
    for await (const service of port.listServices('a')) if (service === 's1') break;
    expect(ecs.commandCalls(ListServicesCommand)).toHaveLength(1);
  });

  it('describes services in batches of 10 and maps deployments, leaving out missing services', async () => {
    ecs.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => ({
      services: input.services
        .filter((s) => s !== 'gone')
        .map((s) => ({
          serviceArn: arn(`service/a/${s}`),
          serviceName: s,
          clusterArn: arn('cluster/a'),
          status: 'ACTIVE',
          desiredCount: 2,
          taskDefinition: arn('task-definition/api:3'),
          deployments: [
            {
              id: 'ecs-svc/1',
              status: 'PRIMARY',
              taskDefinition: arn('task-definition/api:3'),
              desiredCount: 2,
              runningCount: 1,
              createdAt: new Date(5000),
              rolloutState: 'FAILED',
              rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
            },
          ],
        })),
      failures: input.services.filter((s) => s === 'gone').map((s) => ({ arn: s, reason: 'MISSING' })),
    }));
    const names = [...Array.from({ length: 24 }, (_, i) => `s${i}`), 'gone'];
    const services = await port.describeServices('a', names);
    expect(ecs.commandCalls(DescribeServicesCommand).map((c) => c.args[0].input.services!.length)).toEqual([
      10, 10, 5,
    ]);
    expect(services).toHaveLength(24);
    expect(services[0]).toEqual({
      clusterArn: arn('cluster/a'),
      serviceArn: arn('service/a/s0'),
      serviceName: 's0',
      status: 'ACTIVE',
      desiredCount: 2,
      taskDefinition: arn('task-definition/api:3'),
      deployments: [
        {
          id: 'ecs-svc/1',
          status: 'PRIMARY',
          taskDefinition: arn('task-definition/api:3'),
          desiredCount: 2,
          runningCount: 1,
          createdAt: new Date(5000),
          rolloutState: 'FAILED',
          rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
        },
      ],
    });
  });

  it('reads secrets, log secret options and repository credentials from container definitions', async () => {
    ecs.on(DescribeTaskDefinitionCommand).resolves({
      taskDefinition: {
        taskDefinitionArn: arn('task-definition/api:3'),
        containerDefinitions: [
          {
            name: 'app',
            secrets: [{ name: 'DB', valueFrom: 'prod/db' }],
            logConfiguration: {
              logDriver: 'awsfirelens',
              secretOptions: [{ name: 'apiKey', valueFrom: 'prod/log' }],
            },
            repositoryCredentials: {
              credentialsParameter: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:hub-AbCdEf',
            },
          },
          { name: 'plain' },
        ],
      },
    });
    expect(await port.describeTaskDefinition('api:3')).toEqual({
      taskDefinitionArn: arn('task-definition/api:3'),
      containers: [
        {
          name: 'app',
          secrets: [{ name: 'DB', valueFrom: 'prod/db' }],
          logSecrets: [{ name: 'apiKey', valueFrom: 'prod/log' }],
          repositoryCredentials: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:hub-AbCdEf',
        },
        { name: 'plain', secrets: [], logSecrets: [] },
      ],
    });
  });

  it('forces a new deployment with UpdateService and answers the service after the update', async () => {
    ecs.on(UpdateServiceCommand).resolves({
      service: {
        serviceName: 'api',
        serviceArn: arn('service/a/api'),
        status: 'ACTIVE',
        deployments: [{ id: 'ecs-svc/2', status: 'PRIMARY' }],
      },
    });
    const service = await port.updateService('a', 'api', { forceNewDeployment: true });
    expect(ecs.commandCalls(UpdateServiceCommand)[0]!.args[0].input).toEqual({
      cluster: 'a',
      service: 'api',
      forceNewDeployment: true,
    });
    expect(service.deployments[0]).toMatchObject({ id: 'ecs-svc/2', status: 'PRIMARY' });
    expect(service.clusterArn).toBe('a');
  });

  it('maps ThrottlingException to a retryable EcsThrottlingError', async () => {
    ecs.on(DescribeServicesCommand).rejects(throttling());
    const failure = port.describeServices('a', ['api']);
    await expect(failure).rejects.toThrow(EcsThrottlingError);
    await expect(port.describeServices('a', ['api'])).rejects.toMatchObject({
      retryable: true,
      name: 'EcsThrottlingError',
    });
  });

  it('maps 5xx to a retryable EcsUnavailableError and a missing service to EcsRequestError', async () => {
    ecs.on(ListClustersCommand).rejects(
      new ECSServiceException({
        name: 'ServerException',
        $fault: 'server',
        $metadata: { httpStatusCode: 500 },
      }),
    );
    ecs
      .on(UpdateServiceCommand)
      .rejects(new ServiceNotFoundException({ message: 'Service not found.', $metadata: {} }));
    await expect(collect(port.listClusters())).rejects.toMatchObject({
      name: 'EcsUnavailableError',
      retryable: true,
    });
    const refused = await port
      .updateService('a', 'api', { forceNewDeployment: true })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(EcsRequestError);
    expect(refused).toMatchObject({
      retryable: false,
      message: 'ECS refused UpdateService (cluster a, service api): ServiceNotFoundException',
    });
    expect(new EcsUnavailableError('X', 'Y').retryable).toBe(true);
  });
});
