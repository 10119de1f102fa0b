import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { z } from 'zod';
import { DynamoDbAuditStore } from '../../adapters/dynamodb-audit-store';
import { secretsManagerStore } from '../../adapters/secrets-store';
import { secretSubject } from '../../core/audit/event';
import { AuditWriter } from '../../core/audit/writer';
import { abandonRotation, type AbandonResult } from '../../core/rotation/abandon';
import { rotate, type RotationDeps, type RotationEvent, type StepResult } from '../../core/rotation/contract';
import type { RotationLog } from '../../core/rotation/ports';
import { NOTHING_TO_REVOKE, type RevocationResult, type Revoker } from '../../core/rotation/revocation';
import { systemClock } from '../../core/clock';
import { readEnv } from './env';
import { createLogger } from './logger';
import { rotorHandler } from './middleware';

const RotationEnv = z.object({
  AUDIT_TABLE_NAME: z.string().min(1).optional(),
  AUDIT_RETENTION_DAYS: z.coerce.number().int().positive().optional(),
  ROTOR_PASSWORD_LENGTH: z.coerce.number().int().optional(),
  ROTOR_PASSWORD_EXCLUDE_CHARACTERS: z.string().optional(),
});

const StepNames = new Set(['createSecret', 'setSecret', 'testSecret', 'finishSecret']);

/**
 * What invokes a rotation function: Secrets Manager's event, or the rotation workflow's, which adds
 * `Workflow: true` (it mints its own token and may rotate without Secrets Manager's schedule) and may ask
 * for `abandonSecret`, Rotor's roll-back step that gives up the pending version without touching AWSCURRENT.
 */
export type RotationInvocation = RotationEvent & {
  readonly Workflow?: boolean;
  /** `revokePrevious` only: why, and since when the consumers run with AWSCURRENT. */
  readonly Trigger?: 'consumers-moved' | 'remediation';
  readonly ConsumersMovedAt?: string;
  readonly GracePeriodSeconds?: number;
  readonly ExecutionId?: string;
};

/**
 * A rotation function for one family of kinds: the contract engine over Secrets Manager, with a Powertools
 * logger (secret id, step and token on every line, never a value), a metric per step (duration, failures),
 * and an audit record per step, success or failure, whichever driver invoked it (Secrets Manager's own
 * schedule or the rotation workflow).
 */
export function rotationHandler(options: {
  service: string;
  rotatorFor: RotationDeps['rotatorFor'];
  /** The workflow's `revokePrevious` step for kinds that keep a previous credential alive. */
  revoker?: Revoker;
}) {
  const env = readEnv(RotationEnv);
  const logger = createLogger(options.service);
  const metrics = new Metrics({ namespace: 'Rotor', serviceName: options.service });
  const log: RotationLog = {
    info: (m, f) => logger.info(m, f ?? {}),
    warn: (m, f) => logger.warn(m, f ?? {}),
  };
  const deps: RotationDeps = {
    store: secretsManagerStore(new SecretsManagerClient({})),
    rotatorFor: options.rotatorFor,
    log,
    passwordPolicy: {
      ...(env.ROTOR_PASSWORD_LENGTH ? { length: env.ROTOR_PASSWORD_LENGTH } : {}),
      ...(env.ROTOR_PASSWORD_EXCLUDE_CHARACTERS
        ? { excludeCharacters: env.ROTOR_PASSWORD_EXCLUDE_CHARACTERS }
        : {}),
    },
  };
  const audit = env.AUDIT_TABLE_NAME
    ? new AuditWriter({
        store: new DynamoDbAuditStore(env.AUDIT_TABLE_NAME, new DynamoDBClient({})),
        retentionDays: env.AUDIT_RETENTION_DAYS,
      })
    : undefined;

  const record = async (event: RotationEvent, durationMs: number, error?: Error) => {
    if (!audit || !StepNames.has(event.Step)) return;
    await audit.append({
      type: 'rotation.step',
      subject: secretSubject(event.SecretId),
      actor: `rotor:${options.service}`,
      outcome: error ? 'failure' : 'success',
      versions: { to: event.ClientRequestToken },
      eventId: `${event.ClientRequestToken}:${event.Step}:${error ? 'failed' : 'done'}`,
      details: {
        step: event.Step as 'createSecret',
        durationMs: Math.round(durationMs),
        ...(error ? { error: { name: error.name, message: error.message } } : {}),
      },
    });
  };

  const revokePrevious = async (event: RotationInvocation): Promise<RevocationResult> => {
    const trigger = event.Trigger === 'remediation' ? 'remediation' : 'consumers-moved';
    const movedAt = event.ConsumersMovedAt ? new Date(event.ConsumersMovedAt) : new Date();
    const revocation = options.revoker
      ? await options.revoker(
          {
            secretId: event.SecretId,
            trigger,
            consumersMovedAt: Number.isNaN(movedAt.getTime()) ? new Date() : movedAt,
            gracePeriodMs: Math.max(0, event.GracePeriodSeconds ?? 0) * 1000,
          },
          systemClock,
        )
      : NOTHING_TO_REVOKE;
    logger.info('previous credential', { result: revocation.result, detail: revocation.detail, trigger });
    await audit?.append({
      type: 'rotation.revoke',
      subject: secretSubject(event.SecretId),
      actor: `rotor:${options.service}`,
      outcome: revocation.result === 'deferred' ? 'skipped' : 'success',
      versions: { to: event.ClientRequestToken },
      // A deferral is asked again later: each answer is its own record.
      eventId: `${event.ClientRequestToken}:revoke:${revocation.result}${revocation.result === 'deferred' ? `:${revocation.notBefore}` : ''}`,
      details: {
        result: revocation.result,
        trigger,
        detail: revocation.detail,
        ...(event.ExecutionId ? { executionId: event.ExecutionId } : {}),
      },
    });
    return revocation;
  };

  return rotorHandler(
    { logger, metrics },
    async (event: RotationInvocation): Promise<StepResult | AbandonResult | RevocationResult> => {
      logger.appendKeys({ secretId: event.SecretId, step: event.Step, version: event.ClientRequestToken });
      const started = performance.now();
      if (event.Workflow && event.Step === 'revokePrevious') return revokePrevious(event);
      if (event.Workflow && event.Step === 'abandonSecret') {
        const result = await abandonRotation(
          { secretId: event.SecretId, token: event.ClientRequestToken },
          deps,
        );
        logger.warn('rotation abandoned: AWSCURRENT unchanged', {
          outcome: result.outcome,
          restore: result.restore,
          ...(result.restoreError ? { restoreError: result.restoreError } : {}),
        });
        return result;
      }
      try {
        const result = await rotate(
          event,
          deps,
          event.Workflow ? { acceptNewToken: true, requireRotationEnabled: false } : {},
        );
        const ms = performance.now() - started;
        metrics.addDimension('step', event.Step);
        metrics.addMetric('StepDuration', MetricUnit.Milliseconds, ms);
        logger.info('rotation step done', { outcome: result.outcome, durationMs: Math.round(ms) });
        await record(event, ms);
        return result;
      } catch (error) {
        // Auditing a failure must not hide it: the step's own error is what the caller needs.
        await record(event, performance.now() - started, error as Error).catch((auditError: Error) =>
          logger.warn('could not audit the failed step', { errorName: auditError.name }),
        );
        throw error;
      }
    },
  );
}
