import { randomInt } from 'node:crypto';
import type { Clock } from '../../core/clock';
import { AwsServiceError } from '../aws-json-server';

/** A task definition to register: `family` and `containerDefinitions` as in RegisterTaskDefinition. */
export interface TaskDefinitionInput {
  readonly family: string;
  readonly containerDefinitions: readonly Record<string, unknown>[];
  /** Any other task definition fields (cpu, memory, executionRoleArn...), answered as given. */
  readonly [field: string]: unknown;
}

/** A service to seed. */
export interface ServiceInput {
  /** Cluster name or ARN; created when missing. @default 'default' */
  readonly cluster?: string;
  readonly serviceName: string;
  /** ARN, `family:revision` or `family` (latest revision). */
  readonly taskDefinition: string;
  /** @default 1 */
  readonly desiredCount?: number;
  /**
   * With the deployment circuit breaker (rollback on), deployments carry `rolloutState`; without it, the
   * stand-in answers as older ECS did: no rolloutState, only counts. @default true
   */
  readonly circuitBreaker?: boolean;
}

/** A deployment as DescribeServices answers it. */
export interface StoredDeployment {
  id: string;
  status: 'PRIMARY' | 'ACTIVE';
  taskDefinition: string;
  desiredCount: number;
  pendingCount: number;
  runningCount: number;
  failedTasks: number;
  createdAt: Date;
  updatedAt: Date;
  launchType: string;
  rolloutState?: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  rolloutStateReason?: string;
}

export interface StoredService {
  readonly serviceArn: string;
  readonly serviceName: string;
  readonly clusterArn: string;
  readonly createdAt: Date;
  readonly circuitBreaker: boolean;
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
  desiredCount: number;
  taskDefinition: string;
  deployments: StoredDeployment[];
  /** What the next forced rollout does (a test hook); consumed by it. */
  next?: 'fail' | 'never';
  timers: Set<NodeJS.Timeout>;
}

export interface StoredTaskDefinition {
  readonly taskDefinitionArn: string;
  readonly family: string;
  readonly revision: number;
  readonly body: Record<string, unknown>;
}

/** How long rollouts take. */
export interface RolloutTiming {
  /** From UpdateService to the new deployment completing (or failing). */
  readonly rolloutDelayMs: number;
  /** From a failure to the circuit breaker's rollback completing. */
  readonly rollbackDelayMs: number;
}

/** The stand-in's clusters, task definitions and services, and the rollouts that move them. */
export class EcsState {
  readonly clusters = new Map<string, string>(); // name -> ARN, in creation order
  readonly taskDefinitions = new Map<string, StoredTaskDefinition>(); // ARN -> definition
  readonly services: StoredService[] = [];
  #closed = false;

  constructor(
    readonly region: string,
    readonly accountId: string,
    private readonly clock: Clock,
    private readonly timing: RolloutTiming,
  ) {}

  arn(resource: string): string {
    return `arn:aws:ecs:${this.region}:${this.accountId}:${resource}`;
  }

  addCluster(nameOrArn: string): string {
    const name = lastSegment(nameOrArn, 'cluster/');
    const existing = this.clusters.get(name);
    if (existing) return existing;
    const arn = this.arn(`cluster/${name}`);
    this.clusters.set(name, arn);
    return arn;
  }

  /** The cluster's ARN; `default` when none is named, as ECS does. */
  cluster(input: unknown): string {
    const name = input === undefined || input === null ? 'default' : lastSegment(String(input), 'cluster/');
    const arn = this.clusters.get(name);
    if (!arn) throw new AwsServiceError('ClusterNotFoundException', 'Cluster not found.');
    return arn;
  }

  addTaskDefinition(input: TaskDefinitionInput): string {
    if (!input.family || !Array.isArray(input.containerDefinitions)) {
      throw new Error('a task definition needs a family and containerDefinitions');
    }
    const revision = [...this.taskDefinitions.values()].filter((t) => t.family === input.family).length + 1;
    const taskDefinitionArn = this.arn(`task-definition/${input.family}:${revision}`);
    this.taskDefinitions.set(taskDefinitionArn, {
      taskDefinitionArn,
      family: input.family,
      revision,
      body: {
        ...structuredClone(input),
        taskDefinitionArn,
        revision,
        status: 'ACTIVE',
        registeredAt: toEpochSeconds(this.clock.now()),
      },
    });
    return taskDefinitionArn;
  }

  /** A task definition by ARN, `family:revision` or `family` (latest ACTIVE revision). */
  taskDefinition(reference: unknown): StoredTaskDefinition {
    const ref = String(reference ?? '');
    const name = ref.startsWith('arn:') ? lastSegment(ref, 'task-definition/') : ref;
    const [family, revision] = name.split(':');
    const matching = [...this.taskDefinitions.values()].filter(
      (t) => t.family === family && (revision === undefined || String(t.revision) === revision),
    );
    const found = matching[matching.length - 1];
    if (!found) throw new AwsServiceError('ClientException', 'Unable to describe task definition.');
    return found;
  }

  addService(input: ServiceInput): string {
    const clusterArn = this.addCluster(input.cluster ?? 'default');
    const clusterName = lastSegment(clusterArn, 'cluster/');
    if (this.services.some((s) => s.clusterArn === clusterArn && s.serviceName === input.serviceName)) {
      throw new Error(`service ${input.serviceName} already exists in cluster ${clusterName}`);
    }
    const taskDefinition = this.taskDefinition(input.taskDefinition).taskDefinitionArn;
    const desiredCount = input.desiredCount ?? 1;
    const circuitBreaker = input.circuitBreaker ?? true;
    const now = this.clock.now();
    const service: StoredService = {
      serviceArn: this.arn(`service/${clusterName}/${input.serviceName}`),
      serviceName: input.serviceName,
      clusterArn,
      createdAt: now,
      circuitBreaker,
      status: 'ACTIVE',
      desiredCount,
      taskDefinition,
      deployments: [],
      timers: new Set(),
    };
    const first = this.newDeployment(service, taskDefinition);
    first.runningCount = desiredCount;
    this.settle(service, first, 'COMPLETED');
    service.deployments = [first];
    this.services.push(service);
    return service.serviceArn;
  }

  /** A service of a cluster by name or ARN; undefined when it does not exist. */
  findService(clusterArn: string, reference: string): StoredService | undefined {
    if (reference.startsWith('arn:')) {
      return this.services.find((s) => s.serviceArn === reference && s.clusterArn === clusterArn);
    }
    return this.services.find((s) => s.serviceName === reference && s.clusterArn === clusterArn);
  }

  /** A service by ARN, or by name in `cluster` (or in any cluster when the name is unique). For test hooks. */
  serviceFor(reference: string, cluster?: string): StoredService {
    const candidates = this.services.filter(
      (s) =>
        (s.serviceArn === reference || s.serviceName === reference) &&
        (cluster === undefined || s.clusterArn === this.cluster(cluster)),
    );
    if (candidates.length !== 1) {
      throw new Error(
        `${candidates.length === 0 ? 'no' : 'more than one'} service ${reference}; name the cluster or use the ARN`,
      );
    }
    return candidates[0]!;
  }

  /**
   * UpdateService: a new PRIMARY deployment, IN_PROGRESS, with the older ones ACTIVE; it completes (or
   * fails, or never ends, by the service's `next` hook) after the rollout delay.
   */
  startDeployment(service: StoredService, taskDefinition: string): void {
    this.cancelTimers(service);
    for (const d of service.deployments) d.status = 'ACTIVE';
    const deployment = this.newDeployment(service, taskDefinition);
    service.deployments.unshift(deployment);
    service.taskDefinition = taskDefinition;
    const outcome = service.next;
    service.next = undefined;
    if (outcome === 'never') return;
    this.after(service, this.timing.rolloutDelayMs, () => {
      if (outcome === 'fail' && service.circuitBreaker) this.fail(service, deployment);
      else if (outcome !== 'fail') this.complete(service, deployment);
      // Without a circuit breaker a failing rollout just keeps failing: it never completes.
    });
  }

  private fail(service: StoredService, failed: StoredDeployment): void {
    failed.status = 'ACTIVE';
    failed.failedTasks = failed.desiredCount;
    this.settle(service, failed, 'FAILED', 'ECS deployment circuit breaker: tasks failed to start.');
    // The breaker rolls back to the task definition of the last deployment before the failed one.
    const previous = service.deployments.find((d) => d !== failed)?.taskDefinition ?? failed.taskDefinition;
    const rollback = this.newDeployment(service, previous);
    for (const d of service.deployments) d.status = 'ACTIVE';
    service.deployments.unshift(rollback);
    service.taskDefinition = previous;
    this.after(service, this.timing.rollbackDelayMs, () => this.complete(service, rollback));
  }

  private complete(service: StoredService, deployment: StoredDeployment): void {
    deployment.runningCount = deployment.desiredCount;
    deployment.pendingCount = 0;
    this.settle(service, deployment, 'COMPLETED');
    service.deployments = [deployment];
  }

  private settle(
    service: StoredService,
    deployment: StoredDeployment,
    state: 'COMPLETED' | 'FAILED',
    reason?: string,
  ): void {
    deployment.updatedAt = this.clock.now();
    if (!service.circuitBreaker) return;
    deployment.rolloutState = state;
    deployment.rolloutStateReason = reason ?? `ECS deployment ${deployment.id} completed.`;
  }

  private newDeployment(service: StoredService, taskDefinition: string): StoredDeployment {
    const now = this.clock.now();
    return {
      id: `ecs-svc/${String(randomInt(1e9)).padStart(9, '0')}${String(randomInt(1e9)).padStart(9, '0')}`,
      status: 'PRIMARY',
      taskDefinition,
      desiredCount: service.desiredCount,
      pendingCount: service.desiredCount,
      runningCount: 0,
      failedTasks: 0,
      createdAt: now,
      updatedAt: now,
      launchType: 'FARGATE',
      ...(service.circuitBreaker
        ? { rolloutState: 'IN_PROGRESS' as const, rolloutStateReason: 'ECS deployment in progress.' }
        : {}),
    };
  }

  private after(service: StoredService, ms: number, action: () => void): void {
    if (this.#closed) return;
    const timer = setTimeout(() => {
      service.timers.delete(timer);
      action();
    }, ms);
    timer.unref();
    service.timers.add(timer);
  }

  private cancelTimers(service: StoredService): void {
    for (const timer of service.timers) clearTimeout(timer);
    service.timers.clear();
  }

  /** Stops every pending rollout timer. */
  close(): void {
    this.#closed = true;
    for (const service of this.services) this.cancelTimers(service);
  }
}

/** The name after `prefix` in an ARN's resource (`cluster/prod` -> `prod`), or the input when it is a name. */
export function lastSegment(value: string, prefix: string): string {
  if (!value.startsWith('arn:')) return value;
  const resource = value.split(':').slice(5).join(':');
  return resource.startsWith(prefix) ? resource.slice(prefix.length) : resource;
}

/** AWS JSON 1.1 timestamps are epoch seconds. */
export function toEpochSeconds(date: Date): number {
  return date.getTime() / 1000;
}
