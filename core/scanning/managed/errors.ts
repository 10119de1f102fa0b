import { RotorError, TransientError } from '../../errors';

/** A managed-secret record or value cannot be indexed (names the secret and the field, never the value). */
export class InvalidManagedRecordError extends RotorError {}

/** The fingerprint key secret is missing, empty or too short to trust (never says what it holds). */
export class InvalidFingerprintKeyError extends RotorError {}

/** The fingerprint store or the key secret could not be reached (throttling, 5xx, network): retry later. */
export class FingerprintStoreUnavailableError extends TransientError {}

/** The fingerprint store refused a request (names the operation and the AWS error code). */
export class FingerprintStoreRequestError extends RotorError {}

/** update-fingerprints was invoked with an event that is not `{ "secretId": string }` (names the fields). */
export class InvalidFingerprintRequestError extends RotorError {}
