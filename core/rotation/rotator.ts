import type { Sensitive } from '../sensitive';
import type { RotationStep } from './errors';
import type { RotationLog, SecretStore } from './ports';

/** What a rotator gets with each call: where it runs (for its errors and logs) and the engine's services. */
export interface RotatorContext {
  readonly step: RotationStep;
  /** The secret's ARN as DescribeSecret returned it. */
  readonly secretId: string;
  /** The rotation token: the id of the pending version. */
  readonly versionId: string;
  readonly store: SecretStore;
  readonly log: RotationLog;
  /** A new password from GetRandomPassword under the configured policy. */
  newPassword(): Promise<Sensitive<string>>;
}

/**
 * The versions setSecret works with. `previous` and `abandoned` are absent when there is none or it does
 * not parse; `abandoned` is the pending version of a rotation that was given up (its credentials may be
 * live in the service).
 */
export interface AppliedVersions<S> {
  readonly pending: S;
  readonly current: S;
  readonly previous?: S;
  readonly abandoned?: S;
}

/**
 * One kind of secret (a database user, an API key, a certificate): the engine in `contract.ts` runs the
 * four steps and calls these. Adapted from STYLE.md: `parse` gets the context (its errors name the step and
 * secret), `serialize` is added (the engine writes the pending version), and every method gets the context
 * instead of capturing dependencies, so one rotator instance serves every secret of its kind.
 */
export interface Rotator<S> {
  readonly kind: string;
  /** Parses and validates a version's value; throws `InvalidSecretError` naming fields, never values. */
  parse(secretString: Sensitive<string>, context: RotatorContext): S;
  /** The JSON (or text) to store for a version. */
  serialize(secret: S): Sensitive<string>;
  /** createSecret: the pending value, derived from the current one. */
  generate(current: S, context: RotatorContext): Promise<S>;
  /** setSecret's idempotency probe: does the service already accept the pending value? */
  isApplied(pending: S, context: RotatorContext): Promise<boolean>;
  /** setSecret: make the service accept the pending value. */
  apply(versions: AppliedVersions<S>, context: RotatorContext): Promise<void>;
  /** testSecret: prove the pending value works; throws `CredentialRejectedError` when it does not. */
  verify(pending: S, context: RotatorContext): Promise<void>;
  /** Retire a previous credential once consumers have moved (kinds that keep two alive). */
  revoke?(previous: S, context: RotatorContext): Promise<void>;
}
