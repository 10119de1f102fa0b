import type { AuditWriter } from '../audit/writer';
import { secretSubject } from '../audit/event';
import type { Clock } from '../clock';
import {
  checkDeployments,
  findConsumers,
  startDeployments,
  type ConsumerDeployment,
  type DeclaredConsumer,
  type EcsPort,
  type FailedConsumer,
} from '../consumers';
import { ROTATION_TAGS } from '../contracts/rotation';
import type { SecretStore } from '../rotation/ports';
import { RotorError } from '../errors';

/**
 * The workflow's consumer refresh, in two halves so that the state machine waits in its own Wait state
 * (no Lambda sits idle while ECS rolls out): `startConsumerRefresh` finds the ECS services that read the
 * secret and starts a new deployment of each; `checkConsumerRefresh` looks once and carries the state on.
 * Revocation of the previous credential is allowed only when every consumer moved and none reads a pinned
 * version (`revocable`).
 */

/** A consumer that did not move: its service and why (error class and message: identifiers only). */
export interface ConsumerFailure {
  readonly service: string;
  readonly error: { readonly name: string; readonly message: string };
}

/** The refresh as the workflow carries it from state to state (JSON-safe, small). */
export interface ConsumerRefreshState {
  readonly pending: readonly ConsumerDeployment[];
  /** Services (names) running with the new value. */
  readonly moved: readonly string[];
  readonly failed: readonly ConsumerFailure[];
  /** Services reading a pinned version (AWSPREVIOUS or a version id): a redeploy does not move them. */
  readonly pinned: readonly string[];
  /** True while some deployment is still rolling out. */
  readonly waiting: boolean;
  /** Every consumer moved, none failed or pinned: the previous credential may go. */
  readonly revocable: boolean;
  /** When the last consumer was seen moved (ISO 8601); set once nothing is pending. */
  readonly settledAt?: string;
}

export interface ConsumerDeps {
  readonly store: SecretStore;
  readonly ecs: EcsPort;
  readonly audit: AuditWriter;
  readonly clock: Clock;
  /** How long a consumer's rollout may take before it counts as failed. */
  readonly rolloutTimeoutMs: number;
}

/** The consumers a secret's tags declare (`rotor:consumers`: space-separated `cluster/service`). */
export function declaredConsumers(tags: Readonly<Record<string, string>>): DeclaredConsumer[] {
  const raw = tags[ROTATION_TAGS.consumers]?.trim();
  if (!raw) return [];
  return raw.split(/\s+/).map((entry) => {
    // An ARN carries its own slashes: arn:aws:ecs:region:account:service/cluster/service.
    const arn = /^arn:[^:]+:ecs:[^:]*:[^:]*:service\/([^/]+)\/([^/]+)$/.exec(entry);
    if (arn) return { cluster: arn[1]!, service: entry };
    const slash = entry.indexOf('/');
    if (slash <= 0 || slash === entry.length - 1) {
      throw new InvalidConsumerTagError(
        `${ROTATION_TAGS.consumers} holds "${entry}": each entry is cluster/service or a service ARN`,
      );
    }
    return { cluster: entry.slice(0, slash), service: entry.slice(slash + 1) };
  });
}

/** The clusters discovery scans: `undefined` for every cluster, `[]` for none (`rotor:consumer-clusters`). */
export function discoveryClusters(tags: Readonly<Record<string, string>>): string[] | undefined {
  const raw = tags[ROTATION_TAGS.consumerClusters]?.trim();
  if (raw === undefined || raw === '') return undefined;
  return raw === 'none' ? [] : raw.split(/\s+/);
}

/** A consumer tag that cannot be read. */
export class InvalidConsumerTagError extends RotorError {}

/**
 * Finds the secret's consumers (discovered through ECS, plus those its tags declare) and starts a new
 * deployment of each. `since` (default: now, which is after finishSecret) is when the new value became
 * AWSCURRENT: a deployment started after it is joined rather than restarted. A retried attempt therefore
 * starts a second deployment rather than joining its own first one: one rollout more, never a deployment
 * joined that began before the new value was current.
 */
export async function startConsumerRefresh(
  input: { secretArn: string; executionId: string; token: string; since?: string },
  deps: ConsumerDeps,
): Promise<ConsumerRefreshState> {
  const secret = await deps.store.describe(input.secretArn);
  const clusters = discoveryClusters(secret.tags);
  const consumers = await findConsumers({ arn: secret.arn, name: secret.name }, deps.ecs, {
    declared: declaredConsumers(secret.tags),
    ...(clusters === undefined ? {} : { clusters }),
  });
  const since = input.since ? new Date(input.since) : deps.clock.now();
  const { started, failed } = await startDeployments(consumers, deps.ecs, {
    ...(Number.isNaN(since.getTime()) ? {} : { since }),
    clock: deps.clock,
  });
  return settle({ pending: started, moved: [], failed: failed.map(failure), pinned: [] }, input, deps);
}

/** Looks once at the pending deployments; fails those past the rollout timeout. */
export async function checkConsumerRefresh(
  input: { secretArn: string; executionId: string; token: string; state: ConsumerRefreshState },
  deps: ConsumerDeps,
): Promise<ConsumerRefreshState> {
  const { moved, failed, pending } = await checkDeployments(input.state.pending, deps.ecs, {
    timeoutMs: deps.rolloutTimeoutMs,
    clock: deps.clock,
  });
  return settle(
    {
      pending,
      moved: [...input.state.moved, ...moved.map((m) => m.serviceName)],
      failed: [...input.state.failed, ...failed.map(failure)],
      pinned: [...input.state.pinned, ...moved.filter((m) => m.pinned).map((m) => m.serviceName)],
    },
    input,
    deps,
  );
}

async function settle(
  parts: Pick<ConsumerRefreshState, 'pending' | 'moved' | 'failed' | 'pinned'>,
  input: { secretArn: string; executionId: string; token: string },
  deps: ConsumerDeps,
): Promise<ConsumerRefreshState> {
  const waiting = parts.pending.length > 0;
  // A pinned consumer reads a fixed version: it moved nowhere, and revoking would break it.
  const pinned = [
    ...new Set([...parts.pinned, ...parts.pending.filter((d) => d.pinned).map((d) => d.serviceName)]),
  ];
  if (waiting) return { ...parts, pinned, waiting, revocable: false };
  const revocable = parts.failed.length === 0 && pinned.length === 0;
  const settledAt = deps.clock.now().toISOString();
  const result = parts.failed.length > 0 ? 'failed' : parts.moved.length === 0 ? 'none' : 'moved';
  await deps.audit.append({
    type: 'rotation.consumers',
    subject: secretSubject(input.secretArn),
    actor: 'rotor:rotation-workflow',
    outcome: result === 'failed' ? 'failure' : 'success',
    eventId: `${input.executionId}:${input.token}:consumers`,
    details: {
      result,
      executionId: input.executionId,
      moved: parts.moved.slice(0, 500),
      failed: parts.failed.slice(0, 500),
      ...(pinned.length ? { pinned: pinned.slice(0, 500) } : {}),
    },
  });
  return { ...parts, pinned, waiting, revocable, settledAt };
}

function failure(f: FailedConsumer): ConsumerFailure {
  return { service: f.serviceName, error: { name: f.error.name, message: f.error.message } };
}
