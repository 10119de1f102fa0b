import { RotorError, TransientError } from '../errors';

/** An event failed validation: it names the fields, never their values. */
export class InvalidAuditEventError extends RotorError {}

/** Too many writers raced for the same chain for too long; the event was not written. Retry later. */
export class ChainContentionError extends TransientError {}

/** `verify` found a broken link. */
export class ChainBrokenError extends RotorError {}

/** A CloudTrail event could not be turned into an audit event. */
export class MalformedCloudTrailEventError extends RotorError {}

/** A verification was asked for with settings it cannot use (they are named). */
export class InvalidVerifyRequestError extends RotorError {}
