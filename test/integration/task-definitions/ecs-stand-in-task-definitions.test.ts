import {
  DeregisterTaskDefinitionCommand,
  ECSClient,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
} from '@aws-sdk/client-ecs';
import { ecsTaskDefinitionSource } from '../../../adapters/ecs-task-definitions';
import { startEcsStandIn, type EcsStandIn } from '../../../local/ecs';

// The stand-in's task definition calls (local/ecs/task-definitions.ts) through the real ECSClient, and the
// adapter on top of them.

let ecs: EcsStandIn;
let sdk: ECSClient;
const arns: Record<string, string[]> = {};

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

beforeAll(async () => {
  ecs = await startEcsStandIn({ region: 'eu-west-1', accountId: '123456789012' });
  sdk = new ECSClient({
    endpoint: ecs.endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  for (const [family, count] of [
    ['api', 3],
    ['api-worker', 2],
    ['batch', 1],
    ['old', 1],
  ] as const) {
    arns[family] = Array.from({ length: count }, () =>
      ecs.addTaskDefinition({ family, containerDefinitions: [{ name: 'app' }] }),
    );
  }
  await sdk.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arns.old![0]! }));
  await sdk.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'api:3' }));
});

afterAll(async () => {
  await ecs?.close();
});

describe('the ECS stand-in task definition calls', () => {
  it('lists families in name order, filtered by status and prefix, in pages', async () => {
    const all = await sdk.send(new ListTaskDefinitionFamiliesCommand({}));
    expect(all.families).toEqual(['api', 'api-worker', 'batch', 'old']);
    const active = await sdk.send(new ListTaskDefinitionFamiliesCommand({ status: 'ACTIVE', maxResults: 2 }));
    expect(active).toMatchObject({ families: ['api', 'api-worker'], nextToken: expect.any(String) });
    const rest = await sdk.send(
      new ListTaskDefinitionFamiliesCommand({ status: 'ACTIVE', maxResults: 2, nextToken: active.nextToken }),
    );
    expect(rest.families).toEqual(['batch']);
    expect(rest.nextToken).toBeUndefined();
    const inactive = await sdk.send(new ListTaskDefinitionFamiliesCommand({ status: 'INACTIVE' }));
    expect(inactive.families).toEqual(['old']);
    const prefixed = await sdk.send(new ListTaskDefinitionFamiliesCommand({ familyPrefix: 'api' }));
    expect(prefixed.families).toEqual(['api', 'api-worker']);
  });

  it('lists ACTIVE revisions of exactly one family, ascending or descending', async () => {
    const asc = await sdk.send(new ListTaskDefinitionsCommand({ familyPrefix: 'api' }));
    expect(asc.taskDefinitionArns).toEqual([arns.api![0], arns.api![1]]);
    const desc = await sdk.send(
      new ListTaskDefinitionsCommand({ familyPrefix: 'api', sort: 'DESC', maxResults: 1 }),
    );
    expect(desc).toMatchObject({ taskDefinitionArns: [arns.api![1]], nextToken: expect.any(String) });
    const inactive = await sdk.send(new ListTaskDefinitionsCommand({ status: 'INACTIVE' }));
    expect(inactive.taskDefinitionArns).toEqual([arns.api![2], arns.old![0]]);
  });

  it('refuses a bad parameter as ECS does', async () => {
    await expect(sdk.send(new ListTaskDefinitionsCommand({ maxResults: 500 }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
  });
});

describe('ecsTaskDefinitionSource on the stand-in', () => {
  const source = () => ecsTaskDefinitionSource(sdk);

  it('finds the ACTIVE families and the latest ACTIVE revision of each', async () => {
    expect(await collect(source().activeFamilies())).toEqual(['api', 'api-worker', 'batch']);
    expect(await source().latestActiveRevision('api')).toBe(arns.api![1]);
    expect(await source().latestActiveRevision('old')).toBeUndefined();
    expect(await collect(source().activeRevisions('api-worker'))).toEqual([
      arns['api-worker']![1],
      arns['api-worker']![0],
    ]);
  });

  it('retries throttling through the SDK and still answers', async () => {
    ecs.faults.throttle(1, ['DescribeTaskDefinition']);
    expect(await source().describe('batch:1')).toMatchObject({ family: 'batch', revision: 1 });
  });
});
