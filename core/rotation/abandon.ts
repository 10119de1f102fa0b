import { InvalidSecretError, UnknownVersionError } from './errors';
import type { RotationDeps, StepRequest } from './contract';
import {
  AWSCURRENT,
  AWSPENDING,
  AWSPREVIOUS,
  silentLog,
  type SecretDescription,
  type SecretVersion,
} from './ports';
import type { Rotator, RotatorContext } from './rotator';
import { labelAbandoned, withStep } from './stages';

/**
 * Whether AWSCURRENT works again after the give-up: `not-needed` (the service never left it), `restored`
 * (setSecret had applied the pending value; the service was set back to AWSCURRENT's), `failed` (it could
 * not be set back now: the next rotation's setSecret logs in with the abandoned value and moves on).
 */
export type RestoreOutcome = 'not-needed' | 'restored' | 'failed';

/** What `abandonRotation` did. */
export interface AbandonResult {
  readonly secretId: string;
  readonly versionId: string;
  readonly outcome: 'abandoned' | 'already-current' | 'not-pending';
  /** Only for `abandoned`; `not-needed` otherwise. */
  readonly restore: RestoreOutcome;
  /** The error class when the restore failed. */
  readonly restoreError?: string;
}

/**
 * Gives up a rotation without touching AWSCURRENT: takes AWSPENDING off the token's version and, when it
 * holds a value, labels it ROTOR_ABANDONED so that the next rotation's setSecret can still log in with it
 * (single user: setSecret may already have set that password in the database). Use it to roll back a
 * failed rotation instead of only removing AWSPENDING.
 *
 * Then it makes AWSCURRENT work again: with a single user, setSecret may already have set the pending
 * password, so the service is set back to AWSCURRENT's value (logging in with the abandoned one). A restore
 * that fails (the database is down) does not fail the give-up: it is reported, and the next rotation
 * recovers through the ROTOR_ABANDONED version.
 */
export async function abandonRotation(request: StepRequest, deps: RotationDeps): Promise<AbandonResult> {
  const log = deps.log ?? silentLog;
  try {
    const description = await deps.store.describe(request.secretId);
    const result = (
      outcome: AbandonResult['outcome'],
      restore: RestoreOutcome = 'not-needed',
      restoreError?: string,
    ): AbandonResult => ({
      secretId: description.arn,
      versionId: request.token,
      outcome,
      restore,
      ...(restoreError ? { restoreError } : {}),
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
    try {
      const restore = await restoreCurrent(description, request.token, value, deps);
      if (restore === 'restored') {
        log.warn('abandonRotation: the service had the pending value; set it back to AWSCURRENT', {
          secretId: description.arn,
          versionId: request.token,
        });
      }
      return result('abandoned', restore);
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      log.warn('abandonRotation: could not set the service back to AWSCURRENT; the next rotation will', {
        secretId: description.arn,
        versionId: request.token,
        error: name,
      });
      return result('abandoned', 'failed', name);
    }
  } catch (error) {
    throw withStep(error, 'abandonRotation', request);
  }
}

/** Sets the service back to AWSCURRENT's value when it no longer accepts it. */
async function restoreCurrent(
  description: SecretDescription,
  token: string,
  pendingValue: SecretVersion | undefined,
  deps: RotationDeps,
): Promise<RestoreOutcome> {
  const rotator: Rotator<unknown> = deps.rotatorFor(description);
  const context: RotatorContext = {
    step: 'setSecret',
    secretId: description.arn,
    versionId: token,
    store: deps.store,
    log: deps.log ?? silentLog,
    newPassword: () => Promise.reject(new Error('restoring AWSCURRENT generates no value')),
  };
  const currentVersion = await deps.store.getValue(description.arn, { stage: AWSCURRENT });
  if (currentVersion === undefined) return 'not-needed';
  const current = rotator.parse(currentVersion.secretString, context);
  if (await rotator.isApplied(current, context)) return 'not-needed';
  const parsed = (version: SecretVersion | undefined) => {
    if (version === undefined) return undefined;
    try {
      return rotator.parse(version.secretString, context);
    } catch (error) {
      if (error instanceof InvalidSecretError) return undefined;
      throw error;
    }
  };
  const abandoned = parsed(pendingValue);
  const previous = parsed(await deps.store.getValue(description.arn, { stage: AWSPREVIOUS }));
  // AWSCURRENT's value becomes the one to apply; the abandoned value is how to log in.
  await rotator.apply(
    {
      pending: current,
      current,
      ...(previous === undefined ? {} : { previous }),
      ...(abandoned === undefined ? {} : { abandoned }),
    },
    context,
  );
  return 'restored';
}
