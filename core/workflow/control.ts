import { randomUUID } from 'node:crypto';
import type { AuditWriter } from '../audit/writer';
import { secretSubject } from '../audit/event';
import type { Clock } from '../clock';
import { RotorError } from '../errors';
import type { SecretStore } from '../rotation/ports';
import type { RotationReason } from '../contracts/workflow';
import { acquireRotationLock, rotationLockKey, type LockStore } from './lock';

/** A secret the workflow cannot rotate: no rotation function is attached to it. */
export class NotManagedError extends RotorError {}

export interface ControlDeps {
  readonly store: SecretStore;
  readonly locks: LockStore;
  readonly audit: AuditWriter;
  readonly clock: Clock;
  readonly lockTtlSeconds: number;
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
}

/**
 * The workflow's first state: finds the secret's rotation function (DescribeSecret), takes the secret's
 * lock for this execution, and mints the rotation token. Throws LockHeldError when another rotation of the
 * secret is running, NotManagedError when no rotation is attached to it.
 */
export async function beginRotation(
  input: { secretId: string; executionId: string },
  deps: ControlDeps,
): Promise<BeganRotation> {
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
  return {
    secretArn: secret.arn,
    secretName: secret.name,
    kind: secret.tags['rotor:kind'] ?? 'unknown',
    rotationFunctionArn: secret.rotationLambdaArn,
    token: randomUUID(),
    lockExpiresAt: lock.expiresAt,
  };
}

/** How a run ended, as the workflow's last state reports it. */
export interface EndInput {
  readonly secretId: string;
  readonly executionId: string;
  readonly reason: RotationReason;
  readonly result: 'rotated' | 'rolled-back' | 'failed';
  readonly began?: BeganRotation;
  readonly findingFingerprint?: string;
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
  const error = input.error ? describeError(input.error) : undefined;
  const name = input.began?.secretName ?? input.secretId;
  try {
    await deps.audit.append({
      type: 'rotation.outcome',
      subject: secretSubject(input.began?.secretArn ?? input.secretId),
      actor: 'rotor:rotation-workflow',
      outcome: input.result === 'rotated' ? 'success' : 'failure',
      eventId: `${input.executionId}:outcome`,
      ...(input.began ? { versions: { to: input.began.token } } : {}),
      details: {
        result: input.result,
        reason: input.reason,
        executionId: input.executionId,
        ...(input.began ? { kind: input.began.kind } : {}),
        ...(input.findingFingerprint ? { findingFingerprint: input.findingFingerprint } : {}),
        ...(error ? { error } : {}),
      },
    });
  } finally {
    if (input.began) await deps.locks.release(rotationLockKey(input.began.secretArn), input.executionId);
  }
  const summary = [
    `Rotor: the rotation of ${name} (${input.reason}) ${
      input.result === 'rotated'
        ? 'succeeded.'
        : input.result === 'rolled-back'
          ? 'was rolled back; AWSCURRENT is unchanged and still works.'
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
