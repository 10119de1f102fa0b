import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { RotationSweepEvent } from '../audit/event';
import { ROTATION_TAGS } from '../contracts/rotation';
import { renewalDue } from '../rotation/certificate/renewal';

/**
 * The daily sweep's decisions (pure): which managed secrets are due for rotation and why, which are skipped
 * and why. It reads only what ListSecrets returns (tags, dates, rotation settings), never a value.
 *
 * - A secret with `rotor:interval-days` is due once its last rotation (the later of LastRotatedDate and the
 *   `rotor:rotated-at` tag; CreatedDate when never rotated) is that old. A secret without the tag rotates on
 *   Secrets Manager's own schedule: skipped (`no-interval`).
 * - A certificate follows its expiry (the `rotor:not-before`/`rotor:not-after` tags of AWSCURRENT): due at
 *   two thirds of its lifetime or `rotor:renew-before-days` before notAfter, minus a jitter derived from the
 *   secret's ARN, so a fleet issued together renews spread out and a re-run decides the same. Without usable
 *   date tags (never issued by Rotor) it is due: renewing early is safe, expiring is not.
 */

const DAY_MS = 86_400_000;

/**
 * When AWSCURRENT was last rotated by a driver other than Secrets Manager's own schedule (ISO-8601). Secrets
 * Manager sets LastRotatedDate only for rotations it runs (RotateSecret); a rotation the workflow drives
 * leaves it unchanged, so the workflow's side records it here. The sweep takes the later of the two.
 * (Proposed for `ROTATION_TAGS.rotatedAt`.)
 */
export const ROTATED_AT_TAG = ROTATION_TAGS.rotatedAt;

/** The kinds Rotor rotates (`rotor:kind`). */
export const SWEPT_KINDS = ['postgres', 'mysql', 'mariadb', 'certificate', 'api-key'] as const;

/** A managed secret as ListSecrets describes it: metadata only. */
export interface ListedSecret {
  readonly arn: string;
  readonly name: string;
  readonly tags: Readonly<Record<string, string>>;
  /** `undefined` when the listing does not say. */
  readonly rotationEnabled?: boolean;
  readonly rotationLambdaArn?: string;
  readonly createdDate?: Date;
  readonly lastRotatedDate?: Date;
  /** Set when the secret is scheduled for deletion. */
  readonly deletedDate?: Date;
}

/** Why a secret is due. */
export type DueWhy = 'overdue' | 'never-rotated' | 'renewal-window' | 'expired' | 'no-validity';

/** Why a secret is skipped. */
export const SKIP_REASONS = [
  'not-due',
  'rotation-disabled',
  'no-rotation-function',
  'pending-deletion',
  'unknown-kind',
  'no-interval',
  'invalid-tag',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** A secret the sweep rotates. */
export interface DueSecret {
  readonly decision: 'due';
  readonly secretId: string;
  readonly name: string;
  readonly kind: string;
  readonly why: DueWhy;
  /** Since when it has been due (ISO-8601). */
  readonly dueSince: string;
  /** Whole days since it became due. */
  readonly overdueDays: number;
}

/** A secret the sweep leaves alone, and why. */
export interface SkippedSecret {
  readonly decision: 'skipped';
  readonly secretId: string;
  readonly name: string;
  readonly kind?: string;
  readonly why: SkipReason;
  /** For `not-due`: when it will be (ISO-8601). For `invalid-tag`: which tag. */
  readonly until?: string;
  readonly tag?: string;
}

export type SweepDecision = DueSecret | SkippedSecret;

/** Options of the sweep. */
export interface SweepOptions {
  /**
   * A due secret counts as overdue (the `OverdueSecrets` metric) once it has been due this long: a daily
   * sweep should have started it by then, so a non-zero count means rotation is falling behind.
   * @default 1 day
   */
  readonly overdueGraceMs?: number;
}

/** Decides one secret. */
export function decideSecret(secret: ListedSecret, now: Date): SweepDecision {
  const kind = secret.tags[ROTATION_TAGS.kind];
  const base = { secretId: secret.arn, name: secret.name };
  const skip = (why: SkipReason, extra: Partial<SkippedSecret> = {}): SkippedSecret => ({
    decision: 'skipped',
    ...base,
    ...(kind ? { kind } : {}),
    why,
    ...extra,
  });
  if (secret.deletedDate) return skip('pending-deletion');
  if (!kind || !(SWEPT_KINDS as readonly string[]).includes(kind)) return skip('unknown-kind');
  if (!secret.rotationLambdaArn) return skip('no-rotation-function');
  if (secret.rotationEnabled === false) return skip('rotation-disabled');
  const due = (why: DueWhy, since: Date): DueSecret => ({
    decision: 'due',
    ...base,
    kind,
    why,
    dueSince: since.toISOString(),
    overdueDays: Math.max(0, Math.floor((now.getTime() - since.getTime()) / DAY_MS)),
  });

  if (kind === 'certificate') {
    const notBefore = parseDate(secret.tags[ROTATION_TAGS.notBefore]);
    const notAfter = parseDate(secret.tags[ROTATION_TAGS.notAfter]);
    if (!notBefore || !notAfter || notAfter <= notBefore)
      return due('no-validity', secret.createdDate ?? now);
    // A bad renew-before must not stop renewal: two thirds of the lifetime apply, and a not-due skip names the tag.
    const renewBeforeTag = secret.tags[ROTATION_TAGS.renewBeforeDays];
    const renewBeforeDays = renewBeforeTag === undefined ? undefined : parseDays(renewBeforeTag);
    const renewal = renewalDue(
      { notBefore, notAfter, serialNumber: certificateJitterSeed(secret.arn) },
      now,
      renewBeforeDays === undefined ? {} : { renewBeforeMs: renewBeforeDays * DAY_MS },
    );
    if (now >= notAfter) return due('expired', renewal.dueAt);
    if (renewal.due) return due('renewal-window', renewal.dueAt);
    return skip('not-due', {
      until: renewal.dueAt.toISOString(),
      ...(renewBeforeTag !== undefined && renewBeforeDays === undefined
        ? { tag: ROTATION_TAGS.renewBeforeDays }
        : {}),
    });
  }

  const intervalTag = secret.tags[ROTATION_TAGS.intervalDays];
  if (intervalTag === undefined) return skip('no-interval');
  const intervalDays = parseDays(intervalTag);
  if (intervalDays === undefined || intervalDays === 0)
    return skip('invalid-tag', { tag: ROTATION_TAGS.intervalDays });
  const rotated = latest(secret.lastRotatedDate, parseDate(secret.tags[ROTATED_AT_TAG]));
  const from = rotated ?? secret.createdDate;
  if (!from) return due('never-rotated', now);
  const dueAt = new Date(from.getTime() + intervalDays * DAY_MS);
  if (now < dueAt) return skip('not-due', { until: dueAt.toISOString() });
  return due(rotated ? 'overdue' : 'never-rotated', dueAt);
}

/**
 * The seed of a certificate secret's renewal jitter: a hash of its ARN (hex), so each secret of a fleet
 * renews at its own point of the jitter window and every sweep computes the same point.
 */
export function certificateJitterSeed(secretArn: string): string {
  return createHash('sha256').update(secretArn).digest('hex');
}

function latest(a: Date | undefined, b: Date | undefined): Date | undefined {
  if (!a) return b;
  if (!b) return a;
  return a > b ? a : b;
}

function parseDate(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function parseDays(value: string): number | undefined {
  if (!/^\d{1,5}(\.\d+)?$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

/** A page of the plan: at most `batchSize` due secrets after a cursor, with the totals of the whole sweep. */
export interface SweepPlan {
  /** The workflow inputs of this batch, in ARN order. */
  readonly due: ReadonlyArray<{ readonly secretId: string; readonly reason: 'schedule' }>;
  /** Due secrets beyond this batch: ask again with `after`. */
  readonly more: boolean;
  /** The last ARN of this batch: the cursor of the next. */
  readonly after?: string;
  /** Due secrets that have been due longer than the grace period. */
  readonly overdue: number;
  /** Totals over every listed secret. */
  readonly counts: {
    readonly listed: number;
    readonly due: number;
    readonly skipped: number;
    readonly skippedByReason: Readonly<Partial<Record<SkipReason, number>>>;
  };
  /** Skipped secrets, the unusual reasons first (`not-due` last), at most `maxSkippedListed`. */
  readonly skipped: readonly SkippedSecret[];
  /** Whether `skipped` was cut short (the counts are complete). */
  readonly skippedTruncated: boolean;
}

/** Options of `planSweep`. */
export interface PlanOptions extends SweepOptions {
  /**
   * At most this many due secrets per batch: Step Functions carries state of at most 256 KB, and an ARN with
   * its reason is about 130 bytes, so 500 leave room for the rest. @default 500
   */
  readonly batchSize?: number;
  /** Only due secrets whose ARN sorts after this one (the previous batch's `after`). */
  readonly after?: string;
  /** @default 100 */
  readonly maxSkippedListed?: number;
}

/** Plans one batch of the sweep over every listed secret. */
export function planSweep(secrets: Iterable<ListedSecret>, now: Date, options: PlanOptions = {}): SweepPlan {
  const grace = options.overdueGraceMs ?? DAY_MS;
  const batchSize = options.batchSize ?? 500;
  const maxSkipped = options.maxSkippedListed ?? 100;
  const due: DueSecret[] = [];
  const skipped: SkippedSecret[] = [];
  const skippedByReason: Partial<Record<SkipReason, number>> = {};
  let listed = 0;
  let overdue = 0;
  for (const secret of secrets) {
    listed++;
    const decision = decideSecret(secret, now);
    if (decision.decision === 'due') {
      due.push(decision);
      if (now.getTime() - Date.parse(decision.dueSince) > grace) overdue++;
    } else {
      skipped.push(decision);
      skippedByReason[decision.why] = (skippedByReason[decision.why] ?? 0) + 1;
    }
  }
  const ordered = due
    .map((d) => d.secretId)
    .sort()
    .filter((arn) => options.after === undefined || arn > options.after);
  const batch = ordered.slice(0, batchSize);
  const rank = (s: SkippedSecret) => (s.why === 'not-due' ? 1 : 0);
  const listedSkips = [...skipped]
    .sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name))
    .slice(0, maxSkipped);
  return {
    due: batch.map((secretId) => ({ secretId, reason: 'schedule' as const })),
    more: ordered.length > batch.length,
    ...(batch.length > 0 ? { after: batch.at(-1) } : {}),
    overdue,
    counts: { listed, due: due.length, skipped: skipped.length, skippedByReason },
    skipped: listedSkips,
    skippedTruncated: listedSkips.length < skipped.length,
  };
}

/** How one rotation started by the sweep ended (the Map's per-item result). */
export interface SweepItemResult {
  readonly secretId: string;
  readonly result: 'rotated' | 'skipped' | 'failed';
  /** For `failed`: the error name Step Functions reported. */
  readonly error?: string;
}

/** The counts of one batch of rotations. */
export interface SweepBatchSummary {
  readonly started: number;
  readonly rotated: number;
  /** Another rotation of the secret held its lock: the workflow ended `Skipped`. */
  readonly lockHeld: number;
  readonly failed: number;
  readonly failures: ReadonlyArray<{ readonly secret: string; readonly error: string }>;
}

/** Counts a batch's results. */
export function summarizeBatch(results: readonly SweepItemResult[]): SweepBatchSummary {
  const failures = results
    .filter((r) => r.result === 'failed')
    .map((r) => ({ secret: nameOfArn(r.secretId), error: (r.error ?? 'Error').slice(0, 128) }));
  return {
    started: results.length,
    rotated: results.filter((r) => r.result === 'rotated').length,
    lockHeld: results.filter((r) => r.result === 'skipped').length,
    failed: failures.length,
    failures,
  };
}

function nameOfArn(arn: string): string {
  const match = /:secret:(.+)-[A-Za-z0-9]{6}$/.exec(arn);
  return match ? match[1] : arn;
}

/** The audit chain of the sweep's records. */
export const SWEEP_SUBJECT = 'SYSTEM#rotation-sweep';

/** The sweep's audit record (`rotation.sweep` in core/audit/event.ts). */
export type RotationSweepEvent = z.infer<typeof RotationSweepEvent>;

/** The audit record of a batch's plan. */
export function planAuditEvent(
  plan: SweepPlan,
  context: { executionId?: string; batch: number },
): RotationSweepEvent {
  return RotationSweepEvent.parse({
    type: 'rotation.sweep',
    subject: SWEEP_SUBJECT,
    actor: 'rotor:rotation-sweep',
    outcome: 'success',
    ...(context.executionId ? { eventId: `${context.executionId}:plan:${context.batch}` } : {}),
    details: {
      phase: 'plan',
      ...(context.executionId ? { executionId: context.executionId } : {}),
      batch: context.batch,
      listed: plan.counts.listed,
      due: plan.counts.due,
      overdue: plan.overdue,
      skippedByReason: plan.counts.skippedByReason,
      skipped: plan.skipped.slice(0, 100).map((s) => ({
        secret: s.name,
        reason: s.why,
        ...(s.until ? { until: s.until } : {}),
        ...(s.tag ? { tag: s.tag } : {}),
      })),
      skippedTruncated: plan.skippedTruncated || plan.skipped.length > 100,
    },
  });
}

/** The audit record of a batch's outcome. */
export function summaryAuditEvent(
  summary: SweepBatchSummary,
  context: { executionId?: string; batch: number },
): RotationSweepEvent {
  return RotationSweepEvent.parse({
    type: 'rotation.sweep',
    subject: SWEEP_SUBJECT,
    actor: 'rotor:rotation-sweep',
    outcome: summary.failed > 0 ? 'failure' : 'success',
    ...(context.executionId ? { eventId: `${context.executionId}:summary:${context.batch}` } : {}),
    details: {
      phase: 'summary',
      ...(context.executionId ? { executionId: context.executionId } : {}),
      batch: context.batch,
      started: summary.started,
      rotated: summary.rotated,
      lockHeld: summary.lockHeld,
      failed: summary.failed,
      failures: summary.failures.slice(0, 500),
    },
  });
}
