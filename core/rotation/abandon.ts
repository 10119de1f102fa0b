import { UnknownVersionError } from './errors';
import type { RotationDeps, StepRequest } from './contract';
import { AWSCURRENT, AWSPENDING, silentLog } from './ports';
import { labelAbandoned, withStep } from './stages';

/** What `abandonRotation` did. */
export interface AbandonResult {
  readonly secretId: string;
  readonly versionId: string;
  readonly outcome: 'abandoned' | 'already-current' | 'not-pending';
}

/**
 * Gives up a rotation without touching AWSCURRENT: takes AWSPENDING off the token's version and, when it
 * holds a value, labels it ROTOR_ABANDONED so that the next rotation's setSecret can still log in with it
 * (single user: setSecret may already have set that password in the database). Use it to roll back a
 * failed rotation instead of only removing AWSPENDING.
 */
export async function abandonRotation(request: StepRequest, deps: RotationDeps): Promise<AbandonResult> {
  const log = deps.log ?? silentLog;
  try {
    const description = await deps.store.describe(request.secretId);
    const result = (outcome: AbandonResult['outcome']) => ({
      secretId: description.arn,
      versionId: request.token,
      outcome,
    });
    const stages = description.versionIdsToStages[request.token];
    if (stages === undefined) {
      throw new UnknownVersionError('the rotation token is not a staged version of the secret', {
        step: 'abandonRotation',
        secretId: description.arn,
        versionId: request.token,
        check: 'version-exists',
      });
    }
    if (stages.includes(AWSCURRENT)) return result('already-current');
    if (!stages.includes(AWSPENDING)) return result('not-pending');
    const value = await deps.store.getValue(description.arn, { versionId: request.token });
    if (value !== undefined) await labelAbandoned(deps.store, description, request.token);
    await deps.store.updateVersionStage(description.arn, {
      stage: AWSPENDING,
      removeFromVersionId: request.token,
    });
    log.warn('abandonRotation: gave up the pending version; AWSCURRENT is unchanged', {
      secretId: description.arn,
      versionId: request.token,
    });
    return result('abandoned');
  } catch (error) {
    throw withStep(error, 'abandonRotation', request);
  }
}
