import {
  ClientException,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ECSServiceException,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { ecsTaskDefinitionSource } from '../../../../adapters/ecs-task-definitions';
import {
  TaskDefinitionNotFoundError,
  TaskDefinitionRequestError,
  TaskDefinitionThrottlingError,
  TaskDefinitionUnavailableError,
} from '../../../../core/scanning/task-definition';
import { password } from '../../../../core/scanning/rules/sample-kit';
import { arnOf } from './support';

const ecs = mockClient(ECSClient);
const source = ecsTaskDefinitionSource(new ECSClient({ region: 'eu-west-1' }));

beforeEach(() => ecs.reset());

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

const serviceError = (name: string, status: number, fault: 'client' | 'server' = 'client') =>
  new ECSServiceException({
    name,
    $fault: fault,
    $metadata: { httpStatusCode: status },
    message: 'said by ECS',
  });

describe('ecsTaskDefinitionSource', () => {
  it('describes a revision with its containers environment', async () => {
    const secret = password(14);
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: arnOf('api', 3) }).resolves({
      taskDefinition: {
        taskDefinitionArn: arnOf('api', 3),
        family: 'api',
        revision: 3,
        status: 'ACTIVE',
        containerDefinitions: [{ name: 'app', environment: [{ name: 'DB_PASSWORD', value: secret }] }],
      },
    });
    expect(await source.describe(arnOf('api', 3))).toEqual({
      taskDefinitionArn: arnOf('api', 3),
      family: 'api',
      revision: 3,
      status: 'ACTIVE',
      containers: [
        {
          name: 'app',
          environment: [{ name: 'DB_PASSWORD', value: secret }],
          environmentFiles: [],
          logOptions: [],
          dockerLabels: [],
          command: [],
          entryPoint: [],
        },
      ],
    });
  });

  it('pages through the ACTIVE families', async () => {
    ecs
      .on(ListTaskDefinitionFamiliesCommand)
      .resolvesOnce({ families: ['api', 'batch'], nextToken: 't1' })
      .resolvesOnce({ families: ['web'] });
    expect(await collect(source.activeFamilies())).toEqual(['api', 'batch', 'web']);
    expect(ecs.commandCalls(ListTaskDefinitionFamiliesCommand).map((c) => c.args[0].input)).toEqual([
      { status: 'ACTIVE', maxResults: 100 },
      { status: 'ACTIVE', maxResults: 100, nextToken: 't1' },
    ]);
  });

  it('asks for the newest ACTIVE revision of exactly that family, one item', async () => {
    ecs.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [arnOf('api', 9)], nextToken: 'more' });
    expect(await source.latestActiveRevision('api')).toBe(arnOf('api', 9));
    expect(ecs.commandCalls(ListTaskDefinitionsCommand).map((c) => c.args[0].input)).toEqual([
      { familyPrefix: 'api', status: 'ACTIVE', sort: 'DESC', maxResults: 1 },
    ]);
  });

  it('answers undefined for a family without ACTIVE revisions', async () => {
    ecs.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [] });
    expect(await source.latestActiveRevision('gone')).toBeUndefined();
  });

  it('pages through every ACTIVE revision, newest first, dropping ARNs of another family', async () => {
    ecs
      .on(ListTaskDefinitionsCommand)
      .resolvesOnce({ taskDefinitionArns: [arnOf('api', 3), arnOf('api-worker', 1)], nextToken: 'p2' })
      .resolvesOnce({ taskDefinitionArns: [arnOf('api', 2), arnOf('api', 1)] });
    expect(await collect(source.activeRevisions('api'))).toEqual([
      arnOf('api', 3),
      arnOf('api', 2),
      arnOf('api', 1),
    ]);
    expect(ecs.commandCalls(ListTaskDefinitionsCommand)[1]!.args[0].input).toEqual({
      familyPrefix: 'api',
      status: 'ACTIVE',
      sort: 'DESC',
      maxResults: 100,
      nextToken: 'p2',
    });
  });

  it('turns throttling into a retryable TaskDefinitionThrottlingError', async () => {
    ecs.on(ListTaskDefinitionFamiliesCommand).rejects(serviceError('ThrottlingException', 400));
    const error = await collect(source.activeFamilies()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskDefinitionThrottlingError);
    expect(error).toMatchObject({ retryable: true, context: { operation: 'ListTaskDefinitionFamilies' } });
  });

  it('turns a server fault into a retryable TaskDefinitionUnavailableError', async () => {
    ecs.on(DescribeTaskDefinitionCommand).rejects(serviceError('ServerException', 500, 'server'));
    const error = await source.describe(arnOf('api', 1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskDefinitionUnavailableError);
    expect((error as TaskDefinitionUnavailableError).retryable).toBe(true);
  });

  it('turns ClientException on describe into TaskDefinitionNotFoundError', async () => {
    ecs.on(DescribeTaskDefinitionCommand).rejects(
      new ClientException({
        $metadata: { httpStatusCode: 400 },
        message: 'Unable to describe task definition.',
      }),
    );
    const error = await source.describe('api:99').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskDefinitionNotFoundError);
    expect(error).toMatchObject({ retryable: false, context: { taskDefinition: 'api:99' } });
  });

  it('turns access denied into a TaskDefinitionRequestError naming the code, not ECS message', async () => {
    ecs.on(ListTaskDefinitionsCommand).rejects(serviceError('AccessDeniedException', 400));
    const error = await source.latestActiveRevision('api').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskDefinitionRequestError);
    expect((error as Error).message).toBe('ECS refused ListTaskDefinitions (AccessDeniedException)');
    expect((error as Error).message).not.toContain('said by ECS');
  });
});
