import { RetryableRotationError, RotationError } from './errors';
import { ROTOR_ABANDONED, type SecretDescription, type SecretStore } from './ports';

/** Shared by the contract's steps and `abandonRotation`: label look-ups and error re-raising. */

/** The version holding a stage, if any. */
export function versionWithStage(description: SecretDescription, stage: string): string | undefined {
  return Object.entries(description.versionIdsToStages).find(([, stages]) => stages.includes(stage))?.[0];
}

/** Moves ROTOR_ABANDONED to a version (from wherever it is). */
export async function labelAbandoned(
  store: SecretStore,
  description: SecretDescription,
  versionId: string,
): Promise<void> {
  const holder = versionWithStage(description, ROTOR_ABANDONED);
  if (holder === versionId) return;
  await store.updateVersionStage(description.arn, {
    stage: ROTOR_ABANDONED,
    moveToVersionId: versionId,
    ...(holder === undefined ? {} : { removeFromVersionId: holder }),
  });
}

/** Errors raised by ports without a step (the store adapter) are raised again naming the step. */
export function withStep(error: unknown, name: string, request: { readonly token: string }): unknown {
  if (
    (error instanceof RotationError || error instanceof RetryableRotationError) &&
    error.where.step === undefined
  ) {
    const Kind = error.constructor as new (
      reason: string,
      where: RotationError['where'],
      cause?: unknown,
    ) => Error;
    return new Kind(
      error.reason,
      { ...error.where, step: name, versionId: error.where.versionId ?? request.token },
      error.cause,
    );
  }
  return error;
}
