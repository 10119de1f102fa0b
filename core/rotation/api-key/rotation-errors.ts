import {
  CredentialRejectedError,
  InvalidSecretError,
  RetryableRotationError,
  RotationError,
  type RotationErrorContext,
} from '../errors';
import {
  InvalidApiKeySecretError,
  InvalidProviderConfigError,
  KeyProviderError,
  KeyRejectedError,
  ProviderUnavailableError,
} from './errors';

/**
 * The key provider refused or botched a rotation call in a way a retry will not fix (a key limit only the
 * current key fills, a refused admin credential, an unusable answer, a pending key deleted out of band).
 */
export class KeyProviderRefusedError extends RotationError {}

/** The key provider throttled, failed (5xx) or did not answer: the step may pass when retried later. */
export class KeyProviderUnavailableError extends RetryableRotationError {}

/**
 * Translates an API key error into the engine's families, so the engine, Step Functions `Retry`/`Catch`
 * and the audit trail see rotation errors: a bad secret or provider configuration is `InvalidSecretError`,
 * a rejected key `CredentialRejectedError`, an unavailable provider `KeyProviderUnavailableError`
 * (retryable), any other provider failure `KeyProviderRefusedError`. Other errors pass through.
 * The reason is the key error's own message, which Rotor wrote and which names no key.
 */
export function toRotationError(error: unknown, where: RotationErrorContext): unknown {
  if (error instanceof RotationError || error instanceof RetryableRotationError) return error;
  if (error instanceof InvalidApiKeySecretError) {
    const fields = error.where.field?.split(',').filter((field) => field !== '');
    return new InvalidSecretError(
      error.message,
      { ...where, check: 'api-key-secret', ...(fields === undefined ? {} : { fields }) },
      error,
    );
  }
  if (error instanceof InvalidProviderConfigError) {
    return new InvalidSecretError(error.message, { ...where, check: 'provider-config' }, error);
  }
  if (error instanceof KeyRejectedError) {
    return new CredentialRejectedError(error.message, { ...where, check: 'pending-key' }, error);
  }
  if (error instanceof ProviderUnavailableError) {
    return new KeyProviderUnavailableError(error.message, { ...where, check: 'provider-available' }, error);
  }
  if (error instanceof KeyProviderError) {
    return new KeyProviderRefusedError(error.message, { ...where, check: 'provider-request' }, error);
  }
  return error;
}

/** Runs `work`, translating its API key errors with `toRotationError`. */
export async function asRotationStep<T>(where: RotationErrorContext, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toRotationError(error, where);
  }
}
