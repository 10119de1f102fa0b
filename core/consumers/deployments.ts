import { realSleep, systemClock, type Clock, type Sleep } from '../clock';
import { RotorError } from '../errors';
import { mapWithConcurrency } from './concurrency';
import type { ConsumerReference } from './discover';
import { serviceKey, serviceName } from './ecs-names';
import { ConsumerRolloutFailedError, ConsumerTimeoutError } from './errors';
import type { EcsDeployment, EcsPort, EcsService } from './ports';

/**
 * The two halves of a refresh, usable on their own by a workflow that waits in its own Wait state:
 * `startDeployments` (UpdateService, or join an earlier attempt's deployment) and `checkDeployments`
 * (one look: moved, failed or still pending). `refreshConsumers` loops over them.
 */

/** A service to refresh: a discovered consumer, or `{ cluster, service }` by names or ARNs. */
export interface RefreshTarget {
  readonly cluster: string;
  readonly service: string;
  readonly serviceName?: string;
  /** Where it reads the secret; a pinned version there forbids revoking the previous one. */
  readonly references?: readonly ConsumerReference[];
}

/** A deployment being watched. JSON-safe, so a workflow can carry it from one check to the next. */
export interface ConsumerDeployment {
  readonly cluster: string;
  readonly service: string;
  readonly serviceName: string;
  /** The deployment whose completion moves the service (may change to a newer one that superseded it). */
  readonly deploymentId: string;
  /** True when an earlier attempt's deployment was joined rather than a new one started. */
  readonly joined: boolean;
  /** When watching began (ISO 8601): the timeout counts from here. */
  readonly startedAt: string;
  /** A container reads a pinned version (a stage other than AWSCURRENT, or a version id): a redeploy does not move it. */
  readonly pinned: boolean;
}

/** A consumer whose tasks now run from a deployment started after the rotation. */
export type MovedConsumer = Omit<ConsumerDeployment, 'startedAt'>;

/** A consumer that did not move, and why. */
export interface FailedConsumer {
  readonly cluster: string;
  readonly service: string;
  readonly serviceName: string;
  readonly deploymentId?: string;
  /** ConsumerRolloutFailedError, ConsumerTimeoutError, or the ECS error that stopped the update. */
  readonly error: RotorError;
}

/** Options of `startDeployments`. */
export interface StartDeploymentsOptions {
  /**
   * When the new secret value became AWSCURRENT. A PRIMARY deployment created at or after this moment (by
   * an earlier attempt of this step) already starts tasks with the new value: it is joined, not restarted.
   * @default none: every consumer gets a new deployment
   */
  readonly since?: Date;
  /** ECS calls in flight at once. @default 5 */
  readonly concurrency?: number;
  /** Attempts of each ECS call when ECS throttles or fails transiently. @default 3 */
  readonly attempts?: number;
  /** @default systemClock */
  readonly clock?: Clock;
  /** Waits between attempts. @default realSleep */
  readonly sleep?: Sleep;
}

/** Options of `checkDeployments`. */
export interface CheckDeploymentsOptions {
  /** How long each deployment may take from `startedAt`. @default 900000 (15 min) */
  readonly timeoutMs?: number;
  /** DescribeServices calls in flight at once. @default 5 */
  readonly concurrency?: number;
  /** @default systemClock */
  readonly clock?: Clock;
}

/**
 * Starts a new deployment of each consumer (UpdateService with forceNewDeployment), or joins the one an
 * earlier attempt started (see `since`). A service listed twice is deployed once. Retries throttling.
 */
export async function startDeployments(
  targets: readonly RefreshTarget[],
  ecs: EcsPort,
  options: StartDeploymentsOptions = {},
): Promise<{ started: ConsumerDeployment[]; failed: FailedConsumer[] }> {
  const clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? realSleep;
  const attempts = Math.max(1, options.attempts ?? 3);
  const started: ConsumerDeployment[] = [];
  const failed: FailedConsumer[] = [];
  const unique = [...new Map(targets.map((t) => [serviceKey(t.cluster, t.service), t])).values()];

  await mapWithConcurrency(unique, options.concurrency ?? 5, async (target) => {
    const begin = (deploymentId: string, joined: boolean) =>
      started.push({
        ...identity(target),
        deploymentId,
        joined,
        startedAt: clock.now().toISOString(),
        pinned: isPinned(target),
      });
    try {
      if (options.since) {
        const since = options.since;
        const joinable = await withRetries(attempts, sleep, () => joinableDeployment(ecs, target, since));
        if (joinable) {
          begin(joinable.id, true);
          return;
        }
      }
      const service = await withRetries(attempts, sleep, () =>
        ecs.updateService(target.cluster, target.service, { forceNewDeployment: true }),
      );
      const primary = primaryOf(service);
      if (!primary) {
        throw new ConsumerRolloutFailedError(
          target.cluster,
          nameOf(target),
          'ECS reported no PRIMARY deployment after the update',
        );
      }
      begin(primary.id, false);
    } catch (error) {
      failed.push({ ...identity(target), error: asRotorError(error, target) });
    }
  });
  return { started, failed };
}

/**
 * Looks once at each deployment: COMPLETED (or, without a rolloutState, the only deployment running its
 * desired count) moves the consumer; FAILED, or gone before completing, fails it; anything else is pending
 * until `startedAt + timeoutMs`, then fails it with ConsumerTimeoutError. Throttled reads leave a
 * deployment pending. Services are read in batches per cluster.
 */
export async function checkDeployments(
  deployments: readonly ConsumerDeployment[],
  ecs: EcsPort,
  options: CheckDeploymentsOptions = {},
): Promise<{ moved: MovedConsumer[]; failed: FailedConsumer[]; pending: ConsumerDeployment[] }> {
  const clock = options.clock ?? systemClock;
  const timeoutMs = options.timeoutMs ?? 900_000;
  const moved: MovedConsumer[] = [];
  const failed: FailedConsumer[] = [];
  const pending: ConsumerDeployment[] = [];

  const waitOrTimeout = (d: ConsumerDeployment) => {
    if (clock.now().getTime() >= Date.parse(d.startedAt) + timeoutMs) {
      const error = new ConsumerTimeoutError(d.cluster, d.serviceName, timeoutMs, d.deploymentId);
      failed.push({ ...identity(d), deploymentId: d.deploymentId, error });
    } else {
      pending.push(d);
    }
  };

  const byCluster = groupBy(deployments, (d) => d.cluster);
  await mapWithConcurrency([...byCluster], options.concurrency ?? 5, async ([cluster, watched]) => {
    let services: readonly EcsService[];
    try {
      services = await ecs.describeServices(
        cluster,
        watched.map((d) => d.service),
      );
    } catch (error) {
      for (const d of watched) {
        // Throttled or unavailable: look again next time, unless time is up.
        if (isRetryable(error)) waitOrTimeout(d);
        else failed.push({ ...identity(d), deploymentId: d.deploymentId, error: asRotorError(error, d) });
      }
      return;
    }
    for (const d of watched) {
      const service = services.find((s) => sameService(s, d));
      const verdict = judge(service, d.deploymentId);
      const current = { ...d, deploymentId: verdict.deploymentId };
      if (verdict.state === 'completed') {
        const { startedAt: _startedAt, ...rest } = current;
        moved.push(rest);
      } else if (verdict.state === 'failed') {
        const error = new ConsumerRolloutFailedError(
          cluster,
          d.serviceName,
          verdict.reason,
          verdict.deploymentId,
        );
        failed.push({ ...identity(d), deploymentId: verdict.deploymentId, error });
      } else {
        waitOrTimeout(current);
      }
    }
  });
  return { moved, failed, pending };
}

type Verdict = { deploymentId: string } & (
  { state: 'completed' } | { state: 'failed'; reason: string } | { state: 'waiting' }
);

/** Where a watched deployment stands; follows a newer PRIMARY that superseded it while in progress. */
function judge(service: EcsService | undefined, deploymentId: string): Verdict {
  if (!service || service.status !== 'ACTIVE') {
    return { deploymentId, state: 'failed', reason: 'the service no longer exists or is not ACTIVE' };
  }
  const ours = service.deployments.find((d) => d.id === deploymentId);
  const primary = primaryOf(service);
  if (!ours) {
    return {
      deploymentId,
      state: 'failed',
      reason: `deployment ${deploymentId} was replaced by ${primary?.id ?? 'no deployment'} before it completed (a circuit breaker rollback or another deployment)`,
    };
  }
  if (ours.rolloutState === 'COMPLETED') return { deploymentId, state: 'completed' };
  if (ours.rolloutState === 'FAILED') {
    return {
      deploymentId,
      state: 'failed',
      reason: ours.rolloutStateReason ?? 'the rollout failed (no reason given)',
    };
  }
  if (ours.status !== 'PRIMARY' && primary && isNotOlder(primary, ours)) {
    // Someone deployed again after us: those tasks also start after the rotation, so follow them.
    return judge(service, primary.id);
  }
  if (ours.rolloutState === undefined) {
    // No circuit breaker (older answers): done when it is the only deployment and runs its desired count.
    const settled =
      ours.status === 'PRIMARY' &&
      service.deployments.length === 1 &&
      ours.runningCount === ours.desiredCount;
    return { deploymentId, state: settled ? 'completed' : 'waiting' };
  }
  return { deploymentId, state: 'waiting' };
}

/** A PRIMARY deployment created at or after `since` that has not failed: an earlier attempt's, to join. */
async function joinableDeployment(
  ecs: EcsPort,
  target: RefreshTarget,
  since: Date,
): Promise<EcsDeployment | undefined> {
  const services = await ecs.describeServices(target.cluster, [target.service]);
  const service = services.find((s) => sameService(s, target));
  const primary = service ? primaryOf(service) : undefined;
  if (!primary?.createdAt || primary.createdAt.getTime() < since.getTime()) return undefined;
  return primary.rolloutState === 'FAILED' ? undefined : primary;
}

function primaryOf(service: EcsService): EcsDeployment | undefined {
  return service.deployments.find((d) => d.status === 'PRIMARY');
}

function isNotOlder(a: EcsDeployment, b: EcsDeployment): boolean {
  return a.id !== b.id && (a.createdAt?.getTime() ?? 0) >= (b.createdAt?.getTime() ?? 0);
}

function isPinned(target: RefreshTarget): boolean {
  return (target.references ?? []).some(
    (r) => r.versionId !== undefined || (r.versionStage !== undefined && r.versionStage !== 'AWSCURRENT'),
  );
}

function sameService(service: EcsService, target: { cluster: string; service: string }): boolean {
  return (
    serviceKey(service.clusterArn || target.cluster, service.serviceArn) ===
    serviceKey(target.cluster, target.service)
  );
}

function identity(target: RefreshTarget): { cluster: string; service: string; serviceName: string } {
  return { cluster: target.cluster, service: target.service, serviceName: nameOf(target) };
}

function nameOf(target: RefreshTarget): string {
  return target.serviceName ?? serviceName(target.service);
}

function isRetryable(error: unknown): boolean {
  return error instanceof RotorError && error.retryable;
}

function asRotorError(error: unknown, target: RefreshTarget): RotorError {
  if (error instanceof RotorError) return error;
  return new RotorError(
    `service ${nameOf(target)} in cluster ${target.cluster}: the refresh stopped on an unexpected error`,
    { cause: error, context: { cluster: target.cluster, service: nameOf(target) } },
  );
}

async function withRetries<T>(attempts: number, sleep: Sleep, call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= attempts || !isRetryable(error)) throw error;
      await sleep(Math.min(1000 * 2 ** (attempt - 1), 8000));
    }
  }
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
