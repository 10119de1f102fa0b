import type { Clock } from '../../core/clock';
import { ROTOR_METRICS } from '../../core/contracts/metrics';
import {
  planAuditEvent,
  planSweep,
  summarizeBatch,
  summaryAuditEvent,
  type ListedSecret,
  type RotationSweepEvent,
  type SkippedSecret,
  type SweepItemResult,
} from '../../core/workflow/sweep';

/** The sweep state machine's Plan input: the cursor and batch number of the previous round, if any. */
export interface PlanEvent {
  readonly action: 'plan';
  readonly executionId?: string;
  /** Where the previous round ended: its last ARN and its number (absent or 0 for the first round). */
  readonly cursor?: { readonly after?: string; readonly batch?: number };
}

/** The Summarize input: the Map's per-item results of one batch. */
export interface SummarizeEvent {
  readonly action: 'summarize';
  readonly executionId?: string;
  readonly batch: number;
  readonly results: readonly SweepItemResult[];
}

/** What Plan returns into the state (`$.plan`): small whatever the fleet (see `PlanOptions.batchSize`). */
export interface PlanOutput {
  readonly batch: number;
  readonly due: ReadonlyArray<{ readonly secretId: string; readonly reason: 'schedule' }>;
  readonly more: boolean;
  readonly after?: string;
  readonly overdue: number;
  readonly listed: number;
  readonly dueTotal: number;
  readonly skippedByReason: Readonly<Record<string, number>>;
  /** The first skipped secrets (unusual reasons first), by name; the audit record has up to 100. */
  readonly skipped: ReadonlyArray<Pick<SkippedSecret, 'name' | 'why' | 'until'>>;
}

/** What the steps need: the listing, the audit trail, metrics and a clock. */
export interface SweepDeps {
  readonly list: () => AsyncIterable<ListedSecret>;
  readonly audit: (event: RotationSweepEvent) => Promise<unknown>;
  /** Emits a count under the sweep's service (`ROTOR_METRICS.overdueSecrets`, `.sweepStarted`). */
  readonly metric: (name: string, value: number) => void;
  readonly clock: Clock;
  /** @default 500 */
  readonly batchSize?: number;
}

const SKIPPED_IN_STATE = 20;

/**
 * Plan: lists the managed secrets, decides each, audits the plan (what is skipped and why) and returns
 * one batch of due secrets. The overdue count is emitted once per sweep, on its first batch.
 */
export async function planStep(event: PlanEvent, deps: SweepDeps): Promise<PlanOutput> {
  const secrets: ListedSecret[] = [];
  for await (const secret of deps.list()) secrets.push(secret);
  const batch = (event.cursor?.batch ?? 0) + 1;
  const plan = planSweep(secrets, deps.clock.now(), {
    ...(event.cursor?.after ? { after: event.cursor.after } : {}),
    batchSize: deps.batchSize ?? 500,
  });
  await deps.audit(planAuditEvent(plan, { executionId: event.executionId, batch }));
  if (batch === 1) deps.metric(ROTOR_METRICS.overdueSecrets.name, plan.overdue);
  return {
    batch,
    due: plan.due,
    more: plan.more,
    ...(plan.after ? { after: plan.after } : {}),
    overdue: plan.overdue,
    listed: plan.counts.listed,
    dueTotal: plan.counts.due,
    skippedByReason: plan.counts.skippedByReason,
    skipped: plan.skipped.slice(0, SKIPPED_IN_STATE).map(({ name, why, until }) => ({
      name,
      why,
      ...(until ? { until } : {}),
    })),
  };
}

/** Summarize: counts a batch's rotations, audits them and emits how many the sweep started. */
export async function summarizeStep(event: SummarizeEvent, deps: SweepDeps) {
  const summary = summarizeBatch(event.results ?? []);
  await deps.audit(summaryAuditEvent(summary, { executionId: event.executionId, batch: event.batch }));
  deps.metric(ROTOR_METRICS.sweepStarted.name, summary.started);
  return summary;
}
