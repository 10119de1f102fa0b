/**
 * The port through which the CA signs: the private key stays behind it (in KMS, an HSM, or memory in tests).
 * `sign` receives the whole message (a TBSCertificate or a CertificationRequestInfo) and returns the
 * signature as KMS returns it: DER `ECDSA-Sig-Value` for ECDSA, the raw RSA signature for RSA.
 */
export interface Signer {
  readonly algorithm: SignerAlgorithm;
  /** The public key as DER SubjectPublicKeyInfo. */
  publicKeySpki(): Promise<Uint8Array>;
  sign(data: Uint8Array): Promise<Uint8Array>;
}

/** The signing algorithms a CA signer may use (KMS names). */
export type SignerAlgorithm =
  | 'ECDSA_SHA_256'
  | 'ECDSA_SHA_384'
  | 'RSASSA_PKCS1_V1_5_SHA_256'
  | 'RSASSA_PKCS1_V1_5_SHA_384'
  | 'RSASSA_PKCS1_V1_5_SHA_512'
  | 'RSASSA_PSS_SHA_256'
  | 'RSASSA_PSS_SHA_384'
  | 'RSASSA_PSS_SHA_512';

/** The hash a signer algorithm uses, as Node names it. */
export function signerHash(algorithm: SignerAlgorithm): 'sha256' | 'sha384' | 'sha512' {
  return algorithm.endsWith('256') ? 'sha256' : algorithm.endsWith('384') ? 'sha384' : 'sha512';
}
