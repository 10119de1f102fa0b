import { TransientError } from '../../errors';
import {
  CredentialRejectedError,
  InvalidSecretError,
  RetryableRotationError,
  RotationError,
  type RotationErrorContext,
} from '../errors';
import {
  AcmRefusedError,
  CaExpiredError,
  CaKeyMismatchError,
  CaNotYetValidError,
  CertificateIssuerRefusedError,
  CertificateIssuerUnavailableError,
  CertificateVerificationError,
  InvalidCertificateSecretError,
  InvalidProfileError,
  InvalidSubjectAltNameError,
  NotACaCertificateError,
  SignerDeniedError,
  WeakKeyError,
} from './errors';

// Problems of what the secret points at (its CA, profile, names): fixing the configuration fixes them.
const CONFIGURATION: readonly [new (...args: never[]) => Error, string][] = [
  [CaExpiredError, 'ca-expired'],
  [CaNotYetValidError, 'ca-not-yet-valid'],
  [CaKeyMismatchError, 'ca-key-mismatch'],
  [NotACaCertificateError, 'not-a-ca'],
  [InvalidProfileError, 'profile'],
  [WeakKeyError, 'profile-key'],
  [InvalidSubjectAltNameError, 'subject-alt-names'],
  [InvalidCertificateSecretError, 'ca-record'],
];

/**
 * Turns an error of the certificate area into the engine's families: configuration problems become
 * `InvalidSecretError`, failed checks `CredentialRejectedError`, refusals of KMS, ACM PCA or ACM
 * `CertificateIssuerRefusedError`, transient failures `CertificateIssuerUnavailableError` (retryable).
 * The reasons are Rotor's own messages (they name subjects, serials, key ids, never key material).
 */
export function asRotationError(error: unknown, where: RotationErrorContext): unknown {
  if (error instanceof RotationError || error instanceof RetryableRotationError) return error;
  if (!(error instanceof Error)) return error;
  for (const [type, check] of CONFIGURATION) {
    if (error instanceof type) return new InvalidSecretError(error.message, { ...where, check }, error);
  }
  if (error instanceof CertificateVerificationError) {
    const check = `certificate-${String(error.context.check ?? 'check')}`;
    return new CredentialRejectedError(error.message, { ...where, check }, error);
  }
  if (error instanceof SignerDeniedError || error instanceof AcmRefusedError) {
    return new CertificateIssuerRefusedError(error.message, { ...where, check: checkOf(error) }, error);
  }
  if (error instanceof TransientError) {
    return new CertificateIssuerUnavailableError(error.message, { ...where, check: checkOf(error) }, error);
  }
  return error;
}

function checkOf(error: Error): string {
  if (error.name.startsWith('Acm')) return 'acm';
  const context = (error as { context?: Record<string, unknown> }).context ?? {};
  return 'pcaError' in context ? 'acm-pca' : 'signer';
}
