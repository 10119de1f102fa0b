import type {
  EcsContainer,
  EcsDeployment,
  EcsPort,
  EcsService,
  EcsTaskDefinition,
} from '../../../core/consumers/ports';
import { EcsThrottlingError } from '../../../core/consumers/errors';

/** What the next rollout of a service does, as the fake is polled. */
export type RolloutPlan =
  | { readonly kind: 'complete'; readonly afterPolls: number }
  | { readonly kind: 'fail'; readonly afterPolls: number; readonly reason: string }
  | { readonly kind: 'never' }
  /** No rolloutState (no circuit breaker, older answers): running catches up, the old deployment goes. */
  | { readonly kind: 'legacy'; readonly afterPolls: number };

interface FakeService {
  cluster: string;
  name: string;
  status: string;
  desiredCount: number;
  deployments: (EcsDeployment & { polls?: number })[];
  plan: RolloutPlan;
}

export const REGION = 'eu-west-1';
export const ACCOUNT = '111122223333';
export const clusterArn = (name: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${name}`;
export const serviceArn = (cluster: string, name: string) =>
  `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${cluster}/${name}`;
export const taskDefinitionArn = (family: string, revision = 1) =>
  `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:${revision}`;

/** An in-memory EcsPort that counts calls; its deployments advance one step per poll of the service. */
export class FakeEcs implements EcsPort {
  readonly services: FakeService[] = [];
  readonly taskDefinitions = new Map<string, EcsTaskDefinition>();
  readonly calls = {
    describeTaskDefinition: [] as string[],
    updateService: [] as string[],
    describeServices: 0,
    listServices: 0,
  };
  /** Throw a throttling error on the next N describeServices / updateService calls. */
  throttleDescribes = 0;
  throttleUpdates = 0;
  now: () => Date = () => new Date(0);
  #ids = 0;

  addTaskDefinition(family: string, containers: Partial<EcsContainer>[], revision = 1): string {
    const arn = taskDefinitionArn(family, revision);
    this.taskDefinitions.set(arn, {
      taskDefinitionArn: arn,
      containers: containers.map((c, i) => ({
        name: c.name ?? `c${i}`,
        secrets: c.secrets ?? [],
        logSecrets: c.logSecrets ?? [],
        ...(c.repositoryCredentials ? { repositoryCredentials: c.repositoryCredentials } : {}),
      })),
    });
    return arn;
  }

  addService(cluster: string, name: string, taskDefinition: string, extra: Partial<FakeService> = {}): void {
    this.services.push({
      cluster,
      name,
      status: 'ACTIVE',
      desiredCount: 2,
      deployments: [
        {
          id: `ecs-svc/${++this.#ids}`,
          status: 'PRIMARY',
          taskDefinition,
          desiredCount: 2,
          runningCount: 2,
          createdAt: new Date(0),
          rolloutState: 'COMPLETED',
        },
      ],
      plan: { kind: 'complete', afterPolls: 1 },
      ...extra,
    });
  }

  service(name: string): FakeService {
    const found = this.services.find((s) => s.name === name);
    if (!found) throw new Error(`no service ${name}`);
    return found;
  }

  async *listClusters(): AsyncIterable<string> {
    for (const name of new Set(this.services.map((s) => s.cluster))) yield clusterArn(name);
  }

  async *listServices(cluster: string): AsyncIterable<string> {
    this.calls.listServices++;
    const name = cluster.split('/').pop();
    for (const s of this.services.filter((x) => x.cluster === name)) yield serviceArn(s.cluster, s.name);
  }

  async describeServices(cluster: string, services: readonly string[]): Promise<readonly EcsService[]> {
    this.calls.describeServices++;
    if (this.throttleDescribes > 0) {
      this.throttleDescribes--;
      throw new EcsThrottlingError('DescribeServices');
    }
    const clusterName = cluster.split('/').pop();
    const wanted = new Set(services.map((s) => s.split('/').pop()));
    return this.services
      .filter((s) => s.cluster === clusterName && wanted.has(s.name))
      .map((s) => {
        this.advance(s);
        return this.view(s);
      });
  }

  async describeTaskDefinition(arn: string): Promise<EcsTaskDefinition> {
    this.calls.describeTaskDefinition.push(arn);
    const found = this.taskDefinitions.get(arn);
    if (!found) throw new Error(`no task definition ${arn}`);
    return found;
  }

  async updateService(cluster: string, service: string): Promise<EcsService> {
    this.calls.updateService.push(service);
    if (this.throttleUpdates > 0) {
      this.throttleUpdates--;
      throw new EcsThrottlingError('UpdateService');
    }
    const s = this.service(service.split('/').pop()!);
    const primary = s.deployments.find((d) => d.status === 'PRIMARY')!;
    const legacy = s.plan.kind === 'legacy';
    s.deployments = [
      {
        id: `ecs-svc/${++this.#ids}`,
        status: 'PRIMARY',
        taskDefinition: primary.taskDefinition,
        desiredCount: s.desiredCount,
        runningCount: 0,
        createdAt: this.now(),
        ...(legacy ? {} : { rolloutState: 'IN_PROGRESS' }),
        polls: 0,
      },
      ...s.deployments.map((d) => ({ ...d, status: 'ACTIVE' })),
    ];
    if (legacy) for (const d of s.deployments) delete (d as { rolloutState?: string }).rolloutState;
    void cluster;
    return this.view(s);
  }

  /** One poll's worth of progress on the newest deployment. */
  private advance(s: FakeService): void {
    const newest = s.deployments[0]!;
    if (newest.polls === undefined) return;
    newest.polls++;
    const plan = s.plan;
    if (plan.kind === 'never') return;
    if (newest.polls < plan.afterPolls) return;
    if (plan.kind === 'fail') {
      Object.assign(newest, { rolloutState: 'FAILED', rolloutStateReason: plan.reason, status: 'ACTIVE' });
      return;
    }
    Object.assign(
      newest,
      { runningCount: newest.desiredCount, polls: undefined },
      plan.kind === 'complete' ? { rolloutState: 'COMPLETED' } : {},
    );
    s.deployments = [newest];
  }

  private view(s: FakeService): EcsService {
    return {
      clusterArn: clusterArn(s.cluster),
      serviceArn: serviceArn(s.cluster, s.name),
      serviceName: s.name,
      status: s.status,
      desiredCount: s.desiredCount,
      taskDefinition: s.deployments.find((d) => d.status === 'PRIMARY')?.taskDefinition,
      deployments: s.deployments.map(({ polls: _polls, ...d }) => ({ ...d })),
    };
  }
}
