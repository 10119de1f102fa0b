import { systemClock, type Clock } from '../clock';
import {
  InvalidSecretError,
  InvalidStepError,
  RotationNotEnabledError,
  StageMismatchError,
  UnknownVersionError,
  VersionExistsError,
  type RotationStep,
} from './errors';
import { randomPasswordRequest, resolvePasswordPolicy, type PasswordPolicy } from './password-policy';
import {
  AWSCURRENT,
  AWSPENDING,
  AWSPREVIOUS,
  ROTOR_ABANDONED,
  silentLog,
  type RotationLog,
  type SecretDescription,
  type SecretStore,
  type SecretVersion,
} from './ports';
import type { Rotator, RotatorContext } from './rotator';
import { labelAbandoned, versionWithStage, withStep } from './stages';

export { abandonRotation, type AbandonResult } from './abandon';

/*
 * The Secrets Manager rotation contract, written once for every kind of secret.
 *
 * Secrets Manager (RotateSecret) or the rotation workflow invokes the same function four times with
 * { SecretId, ClientRequestToken, Step }. Before any step: rotation must be enabled, the token must be a
 * staged version of the secret, and that version must carry AWSPENDING; a version that is already AWSCURRENT
 * means the rotation finished and every step does nothing. Then:
 *   createSecret  puts a new value under the token with AWSPENDING, unless the token's version has one;
 *   setSecret     makes the service accept the pending value, unless it already does;
 *   testSecret    proves the pending value works (read-only);
 *   finishSecret  moves AWSCURRENT to the token's version (Secrets Manager moves AWSPREVIOUS to the old one)
 *                 and takes AWSPENDING off it.
 * A rotation given up half-way (abandon.ts) leaves its pending version labelled ROTOR_ABANDONED: setSecret
 * offers it to the rotator as one more password the service may have, finishSecret clears the label.
 * Each step first checks whether its work is done, so a retry after a crash, or a duplicate invocation,
 * finds it done and succeeds.
 */

/** The names of the steps, in order. */
export const ROTATION_STEPS: readonly RotationStep[] = [
  'createSecret',
  'setSecret',
  'testSecret',
  'finishSecret',
];

/** The event Secrets Manager sends to a rotation function (and the workflow sends to each step). */
export interface RotationEvent {
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  readonly Step: string;
}

/** One step's target: the secret and the rotation token (the pending version id). */
export interface StepRequest {
  readonly secretId: string;
  readonly token: string;
}

/** What the engine needs; everything is passed in so tests run it on in-memory ports. */
export interface RotationDeps {
  readonly store: SecretStore;
  /** The rotator for a secret (by its tags, name...). */
  readonly rotatorFor: (secret: SecretDescription) => Rotator<unknown>;
  /** @default silentLog */
  readonly log?: RotationLog;
  /** @default DEFAULT_PASSWORD_POLICY */
  readonly passwordPolicy?: Partial<PasswordPolicy>;
  /** @default systemClock */
  readonly clock?: Clock;
}

/** Options for callers other than Secrets Manager. */
export interface StepOptions {
  /**
   * createSecret only: accept a token that is not yet a version of the secret and create it. Secrets
   * Manager's RotateSecret always creates the AWSPENDING version before it calls createSecret, so by default
   * an unknown token is an error, as in AWS's templates; the rotation workflow mints its own token.
   * @default false
   */
  readonly acceptNewToken?: boolean;
  /**
   * Refuse secrets whose DescribeSecret says `RotationEnabled: false`. The workflow may rotate secrets
   * without Secrets Manager's own schedule and turn this off.
   * @default true
   */
  readonly requireRotationEnabled?: boolean;
}

/** What a step did. Expected outcomes are values, not errors. */
export type StepOutcome =
  'created' | 'already-created' | 'applied' | 'already-applied' | 'verified' | 'finished' | 'already-current';

/** The result of a step: safe identifiers and the outcome. */
export interface StepResult {
  readonly step: RotationStep;
  readonly secretId: string;
  readonly versionId: string;
  readonly outcome: StepOutcome;
  /** When the step ended (ISO 8601). */
  readonly finishedAt: string;
}

/** Runs the step named in the event. The entry point of a rotation Lambda. */
export async function rotate(
  event: RotationEvent,
  deps: RotationDeps,
  options: StepOptions = {},
): Promise<StepResult> {
  const request = { secretId: event.SecretId, token: event.ClientRequestToken };
  switch (event.Step) {
    case 'createSecret':
      return createSecret(request, deps, options);
    case 'setSecret':
      return setSecret(request, deps, options);
    case 'testSecret':
      return testSecret(request, deps, options);
    case 'finishSecret':
      return finishSecret(request, deps, options);
    default:
      throw new InvalidStepError(`unknown step; expected one of ${ROTATION_STEPS.join(', ')}`, {
        secretId: event.SecretId,
        versionId: event.ClientRequestToken,
        check: 'step-name',
      });
  }
}

/** createSecret: stores a new value under the token with AWSPENDING unless that version already has one. */
export async function createSecret(
  request: StepRequest,
  deps: RotationDeps,
  options: StepOptions = {},
): Promise<StepResult> {
  return runStep('createSecret', request, deps, options, async (step) => {
    if (step.alreadyCurrent) return 'already-current';
    const current = await readRequired(step, { stage: AWSCURRENT }, 'current');
    const currentSecret = step.rotator.parse(current.secretString, step.context);
    const existing = await step.store.getValue(step.secretId, { versionId: step.token, stage: AWSPENDING });
    if (existing !== undefined) {
      step.rotator.parse(existing.secretString, step.context);
      step.log.info('createSecret: the pending version already has a value', step.fields);
      return 'already-created';
    }
    await keepLeftoverPending(step);
    const pending = await step.rotator.generate(currentSecret, step.context);
    try {
      await step.store.putValue(step.secretId, {
        token: step.token,
        secretString: step.rotator.serialize(pending),
        stages: [AWSPENDING],
      });
    } catch (error) {
      // A concurrent createSecret for the same token stored its value first: that value is the pending one.
      if (error instanceof VersionExistsError) {
        step.log.info('createSecret: a concurrent invocation created the pending version', step.fields);
        return 'already-created';
      }
      throw error;
    }
    step.log.info('createSecret: stored the pending version', step.fields);
    return 'created';
  });
}

/** setSecret: makes the service accept the pending value, unless it already does. */
export async function setSecret(
  request: StepRequest,
  deps: RotationDeps,
  options: StepOptions = {},
): Promise<StepResult> {
  return runStep('setSecret', request, deps, options, async (step) => {
    if (step.alreadyCurrent) return 'already-current';
    const pending = step.rotator.parse((await readPending(step)).secretString, step.context);
    if (await step.rotator.isApplied(pending, step.context)) {
      step.log.info('setSecret: the service already accepts the pending version', step.fields);
      return 'already-applied';
    }
    const current = step.rotator.parse(
      (await readRequired(step, { stage: AWSCURRENT }, 'current')).secretString,
      step.context,
    );
    const previous = await readOptional(step, AWSPREVIOUS);
    const abandoned = await readOptional(step, ROTOR_ABANDONED);
    await step.rotator.apply(
      {
        pending,
        current,
        ...(previous === undefined ? {} : { previous }),
        ...(abandoned === undefined ? {} : { abandoned }),
      },
      step.context,
    );
    step.log.info('setSecret: the service now accepts the pending version', step.fields);
    return 'applied';
  });
}

/** testSecret: proves the pending value works. Changes nothing. */
export async function testSecret(
  request: StepRequest,
  deps: RotationDeps,
  options: StepOptions = {},
): Promise<StepResult> {
  return runStep('testSecret', request, deps, options, async (step) => {
    if (step.alreadyCurrent) return 'already-current';
    const pending = step.rotator.parse((await readPending(step)).secretString, step.context);
    await step.rotator.verify(pending, step.context);
    step.log.info('testSecret: the pending version works', step.fields);
    return 'verified';
  });
}

/** finishSecret: moves AWSCURRENT to the token's version and takes AWSPENDING off it. */
export async function finishSecret(
  request: StepRequest,
  deps: RotationDeps,
  options: StepOptions = {},
): Promise<StepResult> {
  return runStep('finishSecret', request, deps, options, async (step) => {
    if (!step.alreadyCurrent) {
      const holder = versionWithStage(step.description, AWSCURRENT);
      await step.store.updateVersionStage(step.secretId, {
        stage: AWSCURRENT,
        moveToVersionId: step.token,
        ...(holder === undefined ? {} : { removeFromVersionId: holder }),
      });
      step.log.info('finishSecret: moved AWSCURRENT to the pending version', {
        ...step.fields,
        previousVersionId: holder,
      });
    }
    // Also on a retry after a crash between the two calls: leave no AWSPENDING on the current version.
    const stages = step.alreadyCurrent
      ? (step.description.versionIdsToStages[step.token] ?? [])
      : [AWSPENDING];
    if (stages.includes(AWSPENDING)) {
      await step.store.updateVersionStage(step.secretId, {
        stage: AWSPENDING,
        removeFromVersionId: step.token,
      });
    }
    if (step.alreadyCurrent) return 'already-current';
    // This rotation succeeded, so a given-up one before it is history. (Not on the already-current path:
    // there the label may belong to a newer rotation that was given up.)
    const abandoned = versionWithStage(step.description, ROTOR_ABANDONED);
    if (abandoned !== undefined) {
      await step.store.updateVersionStage(step.secretId, {
        stage: ROTOR_ABANDONED,
        removeFromVersionId: abandoned,
      });
    }
    return 'finished';
  });
}

/**
 * createSecret for a new token while an earlier rotation's AWSPENDING version (with a value) still exists:
 * putting the new version moves AWSPENDING away, so keep the old one reachable as ROTOR_ABANDONED.
 */
async function keepLeftoverPending(step: StepState): Promise<void> {
  const leftover = versionWithStage(step.description, AWSPENDING);
  if (leftover === undefined || leftover === step.token) return;
  if ((step.description.versionIdsToStages[leftover] ?? []).includes(AWSCURRENT)) return;
  if ((await step.store.getValue(step.secretId, { versionId: leftover })) === undefined) return;
  await labelAbandoned(step.store, step.description, leftover);
  step.log.warn('createSecret: kept the pending version of an earlier rotation as ROTOR_ABANDONED', {
    ...step.fields,
    abandonedVersionId: leftover,
  });
}

/** Everything one step works with, after the contract's checks passed. */
interface StepState {
  readonly name: RotationStep;
  readonly secretId: string;
  readonly token: string;
  readonly description: SecretDescription;
  readonly alreadyCurrent: boolean;
  readonly store: SecretStore;
  readonly rotator: Rotator<unknown>;
  readonly context: RotatorContext;
  readonly log: RotationLog;
  readonly fields: Record<string, string>;
}

async function runStep(
  name: RotationStep,
  request: StepRequest,
  deps: RotationDeps,
  options: StepOptions,
  body: (step: StepState) => Promise<StepOutcome>,
): Promise<StepResult> {
  const log = deps.log ?? silentLog;
  const clock = deps.clock ?? systemClock;
  try {
    const description = await deps.store.describe(request.secretId);
    const alreadyCurrent = checkStages(name, request, description, options);
    const secretId = description.arn;
    const fields = { step: name, secretId, versionId: request.token };
    if (alreadyCurrent) log.info(`${name}: the version is already AWSCURRENT; nothing to do`, fields);
    const policy = resolvePasswordPolicy(deps.passwordPolicy);
    const context: RotatorContext = {
      step: name,
      secretId,
      versionId: request.token,
      store: deps.store,
      log,
      newPassword: () => deps.store.getRandomPassword(randomPasswordRequest(policy)),
    };
    const rotator = deps.rotatorFor(description);
    const step: StepState = {
      name,
      secretId,
      token: request.token,
      description,
      alreadyCurrent,
      store: deps.store,
      rotator,
      context,
      log,
      fields,
    };
    const outcome = await body(step);
    return { step: name, secretId, versionId: request.token, outcome, finishedAt: clock.now().toISOString() };
  } catch (error) {
    throw withStep(error, name, request);
  }
}

/** The contract's checks before any step. Returns whether the token's version is already AWSCURRENT. */
function checkStages(
  name: RotationStep,
  request: StepRequest,
  description: SecretDescription,
  options: StepOptions,
): boolean {
  const where = { step: name, secretId: description.arn, versionId: request.token };
  if ((options.requireRotationEnabled ?? true) && description.rotationEnabled === false) {
    throw new RotationNotEnabledError('rotation is not enabled for this secret', {
      ...where,
      check: 'rotation-enabled',
    });
  }
  const stages = description.versionIdsToStages[request.token];
  if (stages === undefined) {
    if (name === 'createSecret' && options.acceptNewToken === true) return false;
    throw new UnknownVersionError('the rotation token is not a staged version of the secret', {
      ...where,
      check: 'version-exists',
    });
  }
  if (stages.includes(AWSCURRENT)) return true;
  if (!stages.includes(AWSPENDING)) {
    throw new StageMismatchError('the version is not staged AWSPENDING', {
      ...where,
      check: 'version-pending',
    });
  }
  return false;
}

async function readRequired(
  step: StepState,
  selector: { stage: string },
  role: string,
): Promise<SecretVersion> {
  const version = await step.store.getValue(step.secretId, selector);
  if (version === undefined) {
    throw new StageMismatchError(`the secret has no ${selector.stage} version with a value`, {
      step: step.name,
      secretId: step.secretId,
      versionId: step.token,
      check: `${role}-exists`,
    });
  }
  return version;
}

async function readPending(step: StepState): Promise<SecretVersion> {
  const version = await step.store.getValue(step.secretId, { versionId: step.token, stage: AWSPENDING });
  if (version === undefined) {
    throw new UnknownVersionError('the pending version has no value yet (createSecret has not run)', {
      step: step.name,
      secretId: step.secretId,
      versionId: step.token,
      check: 'pending-value',
    });
  }
  return version;
}

/** The version at `stage` when it exists and parses; a broken old version must not block a rotation. */
async function readOptional(step: StepState, stage: string): Promise<unknown> {
  const version = await step.store.getValue(step.secretId, { stage });
  if (version === undefined) return undefined;
  try {
    return step.rotator.parse(version.secretString, step.context);
  } catch (error) {
    if (!(error instanceof InvalidSecretError)) throw error;
    step.log.warn(`setSecret: ignoring the ${stage} version, which does not parse`, {
      ...step.fields,
      check: error.where.check,
    });
    return undefined;
  }
}
