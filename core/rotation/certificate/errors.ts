import { RotorError, TransientError } from '../../errors';
import { RetryableRotationError, RotationError } from '../errors';

/**
 * Errors of the certificate authority and of certificate secrets. Messages and context name the step, the
 * field, the subject or the serial number; never a private key or any other secret value.
 */

/** The CA certificate's validity window does not contain the time of issuance. */
export class CaExpiredError extends RotorError {}

/** The CA certificate is not valid yet (its notBefore is in the future). */
export class CaNotYetValidError extends RotorError {}

/** The CA certificate's public key is not the signer's (KMS) public key. */
export class CaKeyMismatchError extends RotorError {}

/** The CA certificate is not a CA (no basicConstraints CA:true, or no keyCertSign). */
export class NotACaCertificateError extends RotorError {}

/** A subject alternative name is not a valid DNS name or IP address. */
export class InvalidSubjectAltNameError extends RotorError {}

/** A profile asks for a key that Rotor refuses (RSA below 2048 bits, an unknown curve). */
export class WeakKeyError extends RotorError {}

/** A certificate profile is malformed (a field of the wrong type or out of range). */
export class InvalidProfileError extends RotorError {}

/** The signer (KMS) refused the signature: AccessDenied, a disabled key or a key pending deletion. */
export class SignerDeniedError extends RotorError {}

/** The signer is throttled or briefly unavailable: retry with backoff. */
export class SignerUnavailableError extends TransientError {}

/** A certificate secret is missing fields or holds fields that do not parse. */
export class InvalidCertificateSecretError extends RotorError {}

/** A pending certificate failed testSecret: chain, key pair, validity or SANs. */
export class CertificateVerificationError extends RotorError {}

/** An external issuer (ACM Private CA) did not deliver the certificate within the polling budget. */
export class IssuanceTimeoutError extends TransientError {}

/** ACM refused ImportCertificate or DescribeCertificate (permissions, an unknown or invalid certificate). */
export class AcmRefusedError extends RotorError {}

/** ACM throttled a call or failed internally: retry with backoff. */
export class AcmUnavailableError extends TransientError {}

/** A rotation step could not issue or import: the issuer (KMS, ACM PCA) or ACM refused. Not retryable. */
export class CertificateIssuerRefusedError extends RotationError {}

/** A rotation step met a throttled or briefly unavailable issuer (KMS, ACM PCA) or ACM: retry later. */
export class CertificateIssuerUnavailableError extends RetryableRotationError {}
