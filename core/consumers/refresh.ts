import { realSleep, systemClock, type Clock, type Sleep } from '../clock';
import type { EcsPort } from './ports';
import {
  checkDeployments,
  startDeployments,
  type ConsumerDeployment,
  type FailedConsumer,
  type MovedConsumer,
  type RefreshTarget,
} from './deployments';

/** How long and how often to wait, and how to recognise a deployment an earlier attempt started. */
export interface RefreshOptions {
  /** How long each service's new deployment may take, from when it started. @default 900000 (15 min) */
  readonly timeoutMs?: number;
  /** Pause between two looks at the deployments. @default 15000 */
  readonly pollMs?: number;
  /** ECS calls in flight at once. @default 5 */
  readonly concurrency?: number;
  /**
   * When the new secret value became AWSCURRENT. A PRIMARY deployment created at or after this moment (by
   * an earlier attempt of this step) already starts tasks with the new value: it is joined, not restarted.
   * @default none: every consumer gets a new deployment
   */
  readonly since?: Date;
  /** Attempts of UpdateService when ECS throttles or fails transiently. @default 3 */
  readonly updateAttempts?: number;
  /** @default systemClock */
  readonly clock?: Clock;
  /** @default realSleep */
  readonly sleep?: Sleep;
}

/** What the refresh did; `revokeAllowed` says whether the previous credential may now be retired. */
export interface RefreshResult {
  readonly moved: readonly MovedConsumer[];
  readonly failed: readonly FailedConsumer[];
  /** True only when every consumer moved and none reads a pinned version. */
  readonly revokeAllowed: boolean;
}

/**
 * Redeploys each consumer (UpdateService with forceNewDeployment) so that its tasks restart with the new
 * secret value, then waits until every new deployment completes, fails or times out. A deployment is
 * done when its `rolloutState` is COMPLETED; without a rolloutState (no circuit breaker, older answers),
 * when it is the only deployment and runs its desired count. With `since`, a deployment an earlier attempt
 * started is joined rather than duplicated, so the step can be retried.
 *
 * @example
 *   const result = await refreshConsumers(consumers, ecs, { timeoutMs: 600_000, since: rotatedAt });
 *   if (!result.revokeAllowed) throw result.failed[0]?.error;
 */
export async function refreshConsumers(
  consumers: readonly RefreshTarget[],
  ecs: EcsPort,
  options: RefreshOptions = {},
): Promise<RefreshResult> {
  const clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? realSleep;
  const timeoutMs = options.timeoutMs ?? 900_000;
  const pollMs = options.pollMs ?? 15_000;
  const concurrency = options.concurrency ?? 5;

  const { started, failed } = await startDeployments(consumers, ecs, {
    concurrency,
    clock,
    sleep,
    ...(options.since ? { since: options.since } : {}),
    ...(options.updateAttempts === undefined ? {} : { attempts: options.updateAttempts }),
  });
  const moved: MovedConsumer[] = [];
  let pending: ConsumerDeployment[] = started;
  while (pending.length > 0) {
    const check = await checkDeployments(pending, ecs, { timeoutMs, concurrency, clock });
    moved.push(...check.moved);
    failed.push(...check.failed);
    pending = check.pending;
    if (pending.length > 0) {
      // Sleep a poll interval, or only up to the nearest deadline.
      const nextDeadline = Math.min(...pending.map((d) => Date.parse(d.startedAt) + timeoutMs));
      await sleep(Math.max(0, Math.min(pollMs, nextDeadline - clock.now().getTime())));
    }
  }
  return { moved, failed, revokeAllowed: failed.length === 0 && moved.every((m) => !m.pinned) };
}
