import { z } from 'zod';

/**
 * The audit trail's event model. Every event names a subject (the chain it belongs to), an actor, a time,
 * an outcome and the version ids it concerns; its details are typed per event type and strict, so nothing
 * free-form (and so no secret value) can ride along. Free text (an error message) is bounded and scrubbed
 * by the writer before it is hashed.
 */

/** A chain's key: `SECRET#<name>`, `IMAGE#<repository>`, `SYSTEM#<component>`. */
export const Subject = z
  .string()
  .min(3)
  .max(1024)
  .regex(
    /^(SECRET|IMAGE|TASKDEF|SYSTEM)#[^\s#][^\s]*$/,
    'a subject is SECRET#<name>, IMAGE#<repo>, TASKDEF#<family> or SYSTEM#<name>',
  );
export type Subject = z.infer<typeof Subject>;

/** Who acted: an IAM principal ARN, `rotor:<component>`, or `user:<name>` for the CLI. */
export const Actor = z.string().min(1).max(2048);

const shortText = z.string().max(1024);
const identifier = z.string().min(1).max(2048);

/** The outcome of what the event records. */
export const Outcome = z.enum(['success', 'failure', 'skipped']);
export type Outcome = z.infer<typeof Outcome>;

/** Version ids the event concerns (Secrets Manager version ids, image digests). Never values. */
export const Versions = z
  .object({
    from: identifier.optional(),
    to: identifier.optional(),
  })
  .strict();

/** A failure's cause, as much as is safe to keep: the error's class name and a scrubbed, short message. */
export const ErrorInfo = z.object({ name: z.string().max(128), message: shortText }).strict();

export const RotationStep = z.enum(['createSecret', 'setSecret', 'testSecret', 'finishSecret']);
export const RotationReason = z.enum(['schedule', 'manual', 'remediation', 'native']);
export const Severity = z.enum(['info', 'low', 'medium', 'high', 'critical']);

const base = {
  subject: Subject,
  actor: Actor,
  /** When the source says it happened (a CloudTrail eventTime), when that differs from when it was recorded. */
  occurredAt: z.iso.datetime({ offset: true }).optional(),
  outcome: Outcome,
  versions: Versions.optional(),
  /** A caller-chosen id that makes the append idempotent at the source (a CloudTrail event id, an execution step). */
  eventId: z.string().min(1).max(256).optional(),
};

/** One step of the rotation contract ran (or failed). */
export const RotationStepEvent = z
  .object({
    ...base,
    type: z.literal('rotation.step'),
    details: z
      .object({
        step: RotationStep,
        kind: z.string().max(64).optional(),
        strategy: z.string().max(64).optional(),
        durationMs: z.number().int().nonnegative().optional(),
        attempt: z.number().int().positive().optional(),
        error: ErrorInfo.optional(),
      })
      .strict(),
  })
  .strict();

/** A rotation ended: rotated, rolled back or failed. */
export const RotationOutcomeEvent = z
  .object({
    ...base,
    type: z.literal('rotation.outcome'),
    details: z
      .object({
        result: z.enum(['rotated', 'rolled-back', 'failed', 'already-current', 'consumers-failed']),
        reason: RotationReason,
        kind: z.string().max(64).optional(),
        executionId: identifier.optional(),
        consumersRefreshed: z.array(identifier).max(500).optional(),
        /** A roll-back: whether the service was set back to AWSCURRENT. */
        restore: z.enum(['not-needed', 'restored', 'failed']).optional(),
        /** The finding that caused a remediation rotation. */
        findingFingerprint: z.string().max(128).optional(),
        error: ErrorInfo.optional(),
      })
      .strict(),
  })
  .strict();

/** The consumers of a rotated secret were refreshed (ECS services redeployed), or some did not move. */
export const RotationConsumersEvent = z
  .object({
    ...base,
    type: z.literal('rotation.consumers'),
    details: z
      .object({
        result: z.enum(['moved', 'failed', 'none']),
        executionId: identifier.optional(),
        /** Services (names) now running with the new value. */
        moved: z.array(identifier).max(500),
        /** Services that did not move, and why (error class and a scrubbed message). */
        failed: z.array(z.object({ service: identifier, error: ErrorInfo }).strict()).max(500),
        /** Services that read a pinned version: a redeploy does not move them, so nothing is revoked. */
        pinned: z.array(identifier).max(500).optional(),
      })
      .strict(),
  })
  .strict();

/** The previous credential of a rotated secret was revoked, deferred, or held back. */
export const RotationRevokeEvent = z
  .object({
    ...base,
    type: z.literal('rotation.revoke'),
    details: z
      .object({
        result: z.enum(['revoked', 'deferred', 'nothing-to-revoke', 'held-back', 'failed']),
        /** `consumers-moved` (after the grace period) or `remediation` (at once). */
        trigger: z.enum(['consumers-moved', 'remediation']),
        executionId: identifier.optional(),
        /** What the provider did or why nothing was done (`deactivated`, `deleted`, `no-previous`, ...). */
        detail: z.string().max(128).optional(),
        error: ErrorInfo.optional(),
      })
      .strict(),
  })
  .strict();

/** A scheduled verification of the audit chains ran. */
export const AuditVerifiedEvent = z
  .object({
    ...base,
    type: z.literal('audit.verified'),
    details: z
      .object({
        chains: z.number().int().nonnegative(),
        broken: z.number().int().nonnegative(),
        /** The broken chains' subjects (at most 100). */
        brokenSubjects: z.array(Subject).max(100).optional(),
      })
      .strict(),
  })
  .strict();

/** A Secrets Manager API call recorded by CloudTrail: who touched which secret, and whether it worked. */
export const SecretAccessEvent = z
  .object({
    ...base,
    type: z.literal('secret.access'),
    details: z
      .object({
        api: z.string().min(1).max(128),
        eventSource: z.string().max(128),
        region: z.string().max(64).optional(),
        accountId: z.string().max(32).optional(),
        sourceIp: z.string().max(256).optional(),
        userAgent: z.string().max(1024).optional(),
        principalType: z.string().max(64).optional(),
        versionStage: z.string().max(256).optional(),
        errorCode: z.string().max(256).optional(),
        readOnly: z.boolean().optional(),
      })
      .strict(),
  })
  .strict();

export type SecretAccessAuditEvent = z.infer<typeof SecretAccessEvent>;

/** The scanner found a secret somewhere. The finding's fingerprint identifies it; no value is kept. */
export const ScanFindingEvent = z
  .object({
    ...base,
    type: z.literal('scan.finding'),
    details: z
      .object({
        ruleId: z.string().min(1).max(128),
        severity: Severity,
        fingerprint: z.string().min(1).max(128),
        location: z.string().max(2048),
        layerDigest: z.string().max(128).optional(),
        managedSecretId: z.string().max(2048).optional(),
        deletedInLayer: z.string().max(128).optional(),
      })
      .strict(),
  })
  .strict();

/** Rotor answered a finding: started a rotation or notified. */
export const RemediationEvent = z
  .object({
    ...base,
    type: z.literal('remediation'),
    details: z
      .object({
        action: z.enum(['rotation-started', 'notified', 'ignored']),
        findingFingerprint: z.string().min(1).max(128),
        executionId: identifier.optional(),
        reason: shortText.optional(),
      })
      .strict(),
  })
  .strict();

const SweepSkipReason = z.enum([
  'not-due',
  'rotation-disabled',
  'no-rotation-function',
  'pending-deletion',
  'unknown-kind',
  'no-interval',
  'invalid-tag',
]);
const count = z.number().int().nonnegative();

/** The daily sweep planned a batch (what is due, what it skipped and why) or summarized its rotations. */
export const RotationSweepEvent = z
  .object({
    ...base,
    type: z.literal('rotation.sweep'),
    details: z
      .object({
        phase: z.enum(['plan', 'summary']),
        executionId: identifier.optional(),
        batch: z.number().int().positive(),
        listed: count.optional(),
        due: count.optional(),
        overdue: count.optional(),
        skippedByReason: z.partialRecord(SweepSkipReason, count).optional(),
        skipped: z
          .array(
            z
              .object({
                secret: z.string().min(1).max(512),
                reason: SweepSkipReason,
                until: z.string().max(64).optional(),
                tag: z.string().max(128).optional(),
              })
              .strict(),
          )
          .max(100)
          .optional(),
        skippedTruncated: z.boolean().optional(),
        started: count.optional(),
        rotated: count.optional(),
        lockHeld: count.optional(),
        failed: count.optional(),
        failures: z
          .array(z.object({ secret: z.string().min(1).max(512), error: z.string().max(128) }).strict())
          .max(500)
          .optional(),
      })
      .strict(),
  })
  .strict();

/** Any audit event: what `AuditWriter.append` accepts. */
export const AuditEvent = z.discriminatedUnion('type', [
  RotationSweepEvent,
  RotationStepEvent,
  RotationOutcomeEvent,
  SecretAccessEvent,
  ScanFindingEvent,
  RemediationEvent,
  RotationConsumersEvent,
  RotationRevokeEvent,
  AuditVerifiedEvent,
]);
export type AuditEvent = z.infer<typeof AuditEvent>;
export type AuditEventType = AuditEvent['type'];
export const AUDIT_EVENT_TYPES: readonly AuditEventType[] = [
  'rotation.sweep',
  'rotation.step',
  'rotation.outcome',
  'secret.access',
  'scan.finding',
  'remediation',
  'rotation.consumers',
  'rotation.revoke',
  'audit.verified',
];

/** A stored event: the event plus its place in the chain. */
export type AuditRecord = AuditEvent & {
  /** When the record was appended (ISO 8601, UTC). Never decreases along a chain. */
  readonly at: string;
  /** Epoch seconds after which DynamoDB TTL may delete the record; absent when retention is off. */
  readonly expiresAt?: number;
  /** 1-based position in the subject's chain. */
  readonly seq: number;
  /** The hash of the record before it in the chain (GENESIS_HASH for the first). */
  readonly prevHash: string;
  /** sha256 over the canonical serialization of everything above. */
  readonly hash: string;
};

/** Builds a subject key for a secret name (an ARN is reduced to the name it carries). */
export function secretSubject(nameOrArn: string): Subject {
  return `SECRET#${secretNameOf(nameOrArn)}`;
}

/**
 * The secret name in a Secrets Manager ARN (`arn:aws:secretsmanager:r:a:secret:NAME-AbCdEf`), or the input
 * itself when it is a name. The 6-character suffix AWS appends to full ARNs is dropped.
 */
export function secretNameOf(nameOrArn: string): string {
  const match = /^arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:(.+)$/.exec(nameOrArn);
  if (!match) return nameOrArn;
  return match[1].replace(/-[A-Za-z0-9]{6}$/, '');
}
