import { RotorError, TransientError } from '../../errors';

/**
 * Where a key provider error happened: only identifiers. `keyId` is an access key id or a provider's key id
 * (not secret: AWS shows access key ids in CloudTrail and consoles); never the key itself.
 */
export interface KeyErrorContext {
  /** The provider's name (`aws-iam`, or the name of an HTTP provider configuration). */
  readonly provider: string;
  /** The operation that failed (`createKey`, `testKey`, `CreateAccessKey`, `create`...). */
  readonly operation?: string;
  readonly keyId?: string;
  /** The provider's error code or HTTP status, when it gave one. */
  readonly code?: string;
  /** A JSON path or field names at fault, never their values. */
  readonly field?: string;
  /** Seconds the provider asked us to wait (429 Retry-After). */
  readonly retryAfterSeconds?: number;
}

function where(context: KeyErrorContext): string {
  const operation = context.operation === undefined ? '' : ` ${context.operation}`;
  const key = context.keyId === undefined ? '' : ` (key ${context.keyId})`;
  return `${context.provider}${operation}${key}`;
}

function record(context: KeyErrorContext): Record<string, string | number | undefined> {
  return { ...context };
}

/** Base of the API key errors: the message starts with provider, operation and key id. */
export class KeyProviderError extends RotorError {
  readonly where: KeyErrorContext;

  /** `reason` is written by Rotor: never a provider's response body or a key value. */
  constructor(reason: string, context: KeyErrorContext, cause?: unknown) {
    super(`${where(context)}: ${reason}`, { cause, context: record(context) });
    this.where = context;
  }
}

/** The provider refuses a new key: the user or account already holds as many keys as it may. */
export class KeyLimitError extends KeyProviderError {}

/** The provider does not accept a key (a test request answered 401/403, STS refused the credentials). */
export class KeyRejectedError extends KeyProviderError {}

/** The key does not exist at the provider (deleted out of band, or never created). */
export class KeyNotFoundError extends KeyProviderError {}

/** The provider answered something unusable: not JSON, too large, a redirect, a field missing at a path. */
export class ProviderResponseError extends KeyProviderError {}

/** The provider refused a request for a reason a retry will not change (permissions, validation, 4xx). */
export class ProviderRequestError extends KeyProviderError {}

/** The secret's JSON is unusable: names the fields at fault, never their values. */
export class InvalidApiKeySecretError extends KeyProviderError {}

/** A provider configuration is invalid (an http:// URL that is not loopback, an unknown placeholder...). */
export class InvalidProviderConfigError extends KeyProviderError {}

/** A rotation step would retire a key that must stay (the current key, the pending key). */
export class UnsafeRevocationError extends KeyProviderError {}

/**
 * The provider did not answer in time, throttled us or failed internally (429, 5xx, a network error):
 * retrying later with backoff is the right answer.
 */
export class ProviderUnavailableError extends TransientError {
  readonly where: KeyErrorContext;

  constructor(reason: string, context: KeyErrorContext, cause?: unknown) {
    super(`${where(context)}: ${reason}`, { cause, context: record(context) });
    this.where = context;
  }
}
