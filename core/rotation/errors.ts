import { RotorError, TransientError } from '../errors';

/** The four steps of the Secrets Manager rotation contract. */
export type RotationStep = 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';

/**
 * Where a rotation error happened. Only identifiers: the step, the secret id or ARN, the version id (the
 * rotation token, which Secrets Manager logs in CloudTrail anyway) and the name of the check that failed.
 */
export interface RotationErrorContext {
  readonly step?: RotationStep | string;
  readonly secretId: string;
  readonly versionId?: string;
  /** A short kebab-case name of the check that failed (`rotation-enabled`, `pending-login`...). */
  readonly check?: string;
  /** Names of the fields at fault, never their values. */
  readonly fields?: readonly string[];
}

function describeWhere(context: RotationErrorContext): string {
  const step = context.step ?? 'rotation';
  const version = context.versionId === undefined ? '' : ` version ${context.versionId}`;
  return `${step} of secret ${context.secretId}${version}`;
}

function contextRecord(context: RotationErrorContext): Record<string, string | undefined> {
  return {
    step: context.step,
    secretId: context.secretId,
    versionId: context.versionId,
    check: context.check,
    fields: context.fields?.join(','),
  };
}

function message(reason: string, context: RotationErrorContext): string {
  const fields =
    context.fields === undefined || context.fields.length === 0
      ? ''
      : ` (fields: ${context.fields.join(', ')})`;
  const check = context.check === undefined ? '' : ` [check: ${context.check}]`;
  return `${describeWhere(context)}: ${reason}${fields}${check}`;
}

/** A rotation failure that retrying will not fix without a change (configuration, secret, database). */
export class RotationError extends RotorError {
  /** Which step, secret, version and check; safe to log. */
  readonly where: RotationErrorContext;
  /** The message without its location, so the engine can re-raise it with the step filled in. */
  readonly reason: string;

  /** `reason` must be written by Rotor (never a driver's message or a secret value). */
  constructor(reason: string, where: RotationErrorContext, cause?: unknown) {
    super(message(reason, where), { cause, context: contextRecord(where) });
    this.where = where;
    this.reason = reason;
  }
}

/** A rotation failure that may pass on a retry with backoff (throttling, a database that is down or busy). */
export class RetryableRotationError extends TransientError {
  readonly where: RotationErrorContext;
  readonly reason: string;

  constructor(reason: string, where: RotationErrorContext, cause?: unknown) {
    super(message(reason, where), { cause, context: contextRecord(where) });
    this.where = where;
    this.reason = reason;
  }
}

/** The secret has rotation turned off (DescribeSecret says `RotationEnabled: false`). */
export class RotationNotEnabledError extends RotationError {}

/** The rotation token is not a staged version of the secret, or that version holds no value yet. */
export class UnknownVersionError extends RotationError {}

/** The version is not where the contract needs it: not AWSPENDING, or no AWSCURRENT version exists. */
export class StageMismatchError extends RotationError {}

/** The `Step` of the event is none of the four steps. */
export class InvalidStepError extends RotationError {}

/** The secret's JSON is unusable: names the missing or invalid fields, never their values. */
export class InvalidSecretError extends RotationError {}

/** The database refused a login that had to work (the pending credentials in testSecret, current ones...). */
export class CredentialRejectedError extends RotationError {}

/** No known credential (pending, current, previous) logs in: the password changed outside of rotation. */
export class DriftError extends RotationError {}

/** A statement the rotation needs failed in the database (permission denied, unsupported server...). */
export class DatabaseOperationError extends RotationError {}

/** The TLS handshake failed: the server offers no TLS, or its certificate does not verify. */
export class DatabaseTlsError extends RotationError {}

/** The database did not answer in time (down, firewalled, wrong host): retry later. */
export class DatabaseUnreachableError extends RetryableRotationError {}

/** The RDS instance or cluster is not `available` (modifying, rebooting, resetting credentials): retry later. */
export class DatabaseNotAvailableError extends RetryableRotationError {}

/** RDS throttled a call or failed internally: retry later. */
export class RdsUnavailableError extends RetryableRotationError {}

/** RDS refused a call for a reason a retry will not change (permissions, an unknown instance). */
export class RdsRequestError extends RotationError {}

/** Secrets Manager throttled a call or failed internally: retry later. */
export class SecretStoreUnavailableError extends RetryableRotationError {}

/** Secrets Manager refused a call for a reason a retry will not change (permissions, validation). */
export class SecretStoreRequestError extends RotationError {}

/** PutSecretValue found the version already holding a different value (a concurrent createSecret won). */
export class VersionExistsError extends RotationError {}

/** The password policy is invalid (a length out of range, every character class excluded). */
export class InvalidPasswordPolicyError extends RotorError {}
