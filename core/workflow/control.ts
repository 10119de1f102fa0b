import { randomUUID } from 'node:crypto';
import type { AuditWriter } from '../audit/writer';
import { secretSubject } from '../audit/event';
import type { Clock } from '../clock';
import { RotorError } from '../errors';
import type { SecretStore } from '../rotation/ports';
import type { RotationReason } from '../contracts/workflow';
import { ROTATION_TAGS } from '../contracts/rotation';
import { acquireRotationLock, rotationLockKey, type LockStore } from './lock';

/** A secret the workflow cannot rotate: no rotation function is attached to it. */
export class NotManagedError extends RotorError {}

/** The workflow was started with input it cannot use. */
export class InvalidWorkflowInputError extends RotorError {}

/** The workflow's input (RotationWorkflowInput), as received: anything may be missing. */
export interface BeginInput {
  readonly secretId?: unknown;
  readonly reason?: unknown;
  readonly findingFingerprint?: unknown;
  readonly leakedStage?: unknown;
  /** This run is the second rotation of a remediation. */
  readonly followUp?: unknown;
}

const REASONS = new Set<RotationReason>(['schedule', 'manual', 'remediation']);

export interface ControlDeps {
  readonly store: SecretStore;
  readonly locks: LockStore;
  readonly audit: AuditWriter;
  readonly clock: Clock;
  readonly lockTtlSeconds: number;
  /** Tags the secret (TagResource): the End state records `rotor:rotated-at` for the sweep. */
  readonly tagSecret?: (secretArn: string, tags: Readonly<Record<string, string>>) => Promise<void>;
}

/** What the workflow knows once it has begun: the secret, its kind, its rotation function and the token. */
export interface BeganRotation {
  readonly secretArn: string;
  readonly secretName: string;
  readonly kind: string;
  readonly rotationFunctionArn: string;
  /** The ClientRequestToken of this rotation: the id of the version it creates. */
  readonly token: string;
  readonly lockExpiresAt: number;
  /**
   * Remediation of a leaked AWSCURRENT under alternating users: this rotation moves AWSCURRENT to the other
   * user, but the leaked password stays valid as AWSPREVIOUS until the next rotation changes it, so the
   * workflow rotates once more at once.
   */
  readonly rotateAgain: boolean;
  /** How the previous credential goes once consumers moved: at once for remediation, else after the grace period. */
  readonly revokeTrigger: 'remediation' | 'consumers-moved';
  readonly reason: RotationReason;
  /** The finding a remediation answers; null otherwise (Step Functions paths need the key). */
  readonly findingFingerprint: string | null;
}

/**
 * The workflow's first state: finds the secret's rotation function (DescribeSecret), takes the secret's
 * lock for this execution, and mints the rotation token. Throws LockHeldError when another rotation of the
 * secret is running, NotManagedError when no rotation is attached to it.
 */
export async function beginRotation(
  request: { input: BeginInput; executionId: string },
  deps: ControlDeps,
): Promise<BeganRotation> {
  const input = { ...request.input, executionId: request.executionId };
  if (typeof input.secretId !== 'string' || input.secretId === '') {
    throw new InvalidWorkflowInputError('the workflow input needs secretId (a secret name or ARN)');
  }
  const reason: RotationReason = REASONS.has(input.reason as RotationReason)
    ? (input.reason as RotationReason)
    : 'manual';
  const secret = await deps.store.describe(input.secretId);
  if (!secret.rotationLambdaArn) {
    throw new NotManagedError(
      `${secret.name} has no rotation function: attach Rotor's rotation to it first`,
      {
        context: { secretId: secret.arn },
      },
    );
  }
  const lock = await acquireRotationLock(deps.locks, {
    secretArn: secret.arn,
    owner: input.executionId,
    ttlSeconds: deps.lockTtlSeconds,
    clock: deps.clock,
  });
  const findingFingerprint =
    typeof input.findingFingerprint === 'string' ? input.findingFingerprint.slice(0, 128) : null;
  if (reason === 'remediation' && findingFingerprint && input.followUp !== true) {
    // The finding's answer, in the secret's chain: the outcome record links back to the same fingerprint.
    await deps.audit.append({
      type: 'remediation',
      subject: secretSubject(secret.arn),
      actor: 'rotor:rotation-workflow',
      outcome: 'success',
      eventId: `${input.executionId}:remediation`,
      details: {
        action: 'rotation-started',
        findingFingerprint,
        executionId: input.executionId,
        ...(typeof input.leakedStage === 'string'
          ? { reason: `leaked ${input.leakedStage.slice(0, 64)}` }
          : {}),
      },
    });
  }
  return {
    secretArn: secret.arn,
    secretName: secret.name,
    kind: secret.tags['rotor:kind'] ?? 'unknown',
    rotationFunctionArn: secret.rotationLambdaArn,
    token: randomUUID(),
    lockExpiresAt: lock.expiresAt,
    reason,
    findingFingerprint,
    rotateAgain:
      reason === 'remediation' &&
      input.followUp !== true &&
      input.leakedStage === 'AWSCURRENT' &&
      secret.tags[ROTATION_TAGS.strategy] === 'alternating-users',
    revokeTrigger: reason === 'remediation' ? 'remediation' : 'consumers-moved',
  };
}

/** How a run ended, as the workflow's last state reports it. */
export interface EndInput {
  readonly secretId: string;
  readonly executionId: string;
  readonly reason: RotationReason;
  /** `consumers-failed`: rotated, but a consumer did not move, so the previous credential was kept. */
  readonly result: 'rotated' | 'rolled-back' | 'failed' | 'consumers-failed';
  readonly began?: BeganRotation;
  /** The roll-back's give-up (`rolled-back` only): whether AWSCURRENT works again, or the give-up's own error. */
  readonly abandon?: { readonly outcome?: string; readonly restore?: string; readonly Error?: string };
  /** The consumer refresh, when it ran. */
  readonly consumers?: {
    readonly moved: readonly string[];
    readonly failed: ReadonlyArray<{ readonly service: string }>;
    /** Set when discovery or ECS itself failed (a Step Functions Catch output). */
    readonly error?: { readonly Error?: string; readonly Cause?: string };
  };
  readonly findingFingerprint?: string | null;
  /** A Step Functions Catch output: `{ Error, Cause }`. */
  readonly error?: { readonly Error?: string; readonly Cause?: string };
}

/**
 * The workflow's last state, on every path: records the outcome in the audit trail (linked to the finding
 * for remediation) and releases the lock. Returns a one-line summary the workflow publishes when the
 * rotation did not happen (names and error classes only, never a value).
 */
export async function endRotation(
  input: EndInput,
  deps: ControlDeps,
): Promise<{ result: EndInput['result']; summary: string }> {
  const caught = input.error ?? input.consumers?.error;
  const error = caught ? describeError(caught) : undefined;
  const name = input.began?.secretName ?? input.secretId;
  try {
    await deps.audit.append({
      type: 'rotation.outcome',
      subject: secretSubject(input.began?.secretArn ?? input.secretId),
      actor: 'rotor:rotation-workflow',
      outcome: input.result === 'rotated' ? 'success' : 'failure',
      // One execution may rotate twice (remediation under alternating users): one outcome per token.
      eventId: `${input.executionId}:${input.began?.token ?? 'unbegun'}:outcome`,
      ...(input.began ? { versions: { to: input.began.token } } : {}),
      details: {
        result: input.result,
        reason: input.reason,
        executionId: input.executionId,
        ...(input.began ? { kind: input.began.kind } : {}),
        ...(input.findingFingerprint ? { findingFingerprint: input.findingFingerprint } : {}),
        ...(input.abandon?.restore ? { restore: input.abandon.restore as 'restored' } : {}),
        ...(input.consumers?.moved.length ? { consumersRefreshed: input.consumers.moved.slice(0, 500) } : {}),
        ...(error ? { error } : {}),
      },
    });
    if (
      input.began &&
      deps.tagSecret &&
      (input.result === 'rotated' || input.result === 'consumers-failed')
    ) {
      // AWSCURRENT moved: the sweep counts the next interval from now (LastRotatedDate did not move).
      await deps.tagSecret(input.began.secretArn, {
        [ROTATION_TAGS.rotatedAt]: deps.clock.now().toISOString(),
      });
    }
  } finally {
    if (input.began) await deps.locks.release(rotationLockKey(input.began.secretArn), input.executionId);
  }
  const summary = [
    `Rotor: the rotation of ${name} (${input.reason}) ${
      input.result === 'rotated'
        ? 'succeeded.'
        : input.result === 'rolled-back'
          ? rolledBackText(input.abandon)
          : input.result === 'consumers-failed'
            ? `completed, but ${consumerList(input.consumers?.failed ?? [])} did not roll out and may still use the previous credential, which was NOT revoked and still works. Fix their deployment before the next rotation, which retires the previous credential.`
            : 'failed after the new value became current.'
    }`,
    error ? `Cause: ${error.name}.` : '',
    `Execution: ${input.executionId}. The audit trail has every step: rotor audit list --subject ${name}`,
  ]
    .filter(Boolean)
    .join(' ');
  return { result: input.result, summary };
}

/** The error class and message a Catch recorded; the audit writer scrubs and bounds the message. */
function describeError(error: { Error?: string; Cause?: string }): { name: string; message: string } {
  let message = error.Cause ?? '';
  try {
    const cause = JSON.parse(message) as { errorMessage?: string };
    if (typeof cause.errorMessage === 'string') message = cause.errorMessage;
  } catch {
    // a plain-text cause
  }
  return { name: (error.Error ?? 'Error').slice(0, 128), message: message.slice(0, 1024) };
}

function consumerList(failed: ReadonlyArray<{ readonly service: string }>): string {
  const names = failed.map((f) => f.service);
  if (names.length === 0) return 'a consumer';
  return names.length <= 5
    ? names.join(', ')
    : `${names.slice(0, 5).join(', ')} and ${names.length - 5} more`;
}

function rolledBackText(abandon: EndInput['abandon']): string {
  if (abandon?.restore === 'failed' || abandon?.Error) {
    return 'was rolled back; AWSCURRENT is unchanged, but the service may still hold the abandoned value until the next rotation takes it back (ROTOR_ABANDONED): start one once the cause is fixed.';
  }
  return abandon?.restore === 'restored'
    ? 'was rolled back; AWSCURRENT is unchanged and works again (the service was set back to it).'
    : 'was rolled back; AWSCURRENT is unchanged and still works.';
}
