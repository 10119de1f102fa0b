import type { Clock } from '../../clock';
import type { CaRecord } from './ca-record';
import type { CertificateRequest } from './issue';
import type { CertificateSecret } from './secret-format';
import type { Signer } from './signer';

/** ACM Private CA as the certificate rotator sees it (`adapters/acm-pca-issuer.ts` fits). */
export interface PcaIssuerPort {
  issueCertificate(
    request: CertificateRequest,
    options: { profile?: unknown; idempotencyToken?: string },
  ): Promise<CertificateSecret>;
}

/**
 * The ACM certificate a rotated certificate is re-imported into (`adapters/acm-import.ts`). Errors:
 * `AcmRefusedError`, `AcmUnavailableError` (retryable).
 */
export interface AcmImportPort {
  /** The serial of the certificate ACM holds under the ARN (lower-case hex), `undefined` if none is imported. */
  currentSerial(certificateArn: string): Promise<string | undefined>;
  /** ImportCertificate with the existing ARN: the certificate, its private key and chain replace the old. */
  importCertificate(certificateArn: string, certificate: CertificateSecret): Promise<void>;
}

/** The outcome of a TLS handshake check (`adapters/tls-check.ts`'s `tlsHandshake` fits). */
export type HandshakeResult =
  { readonly ok: true } | { readonly ok: false; readonly code?: string; readonly error: string };

/** Serves the pending certificate and connects a client that trusts only `caPem`. */
export type HandshakePort = (pending: CertificateSecret, caPem: string) => Promise<HandshakeResult>;

/** What a certificate rotator is built with: its ways to the issuers, ACM and the network. */
export interface CertificateRotatorPorts {
  /** A Signer over the KMS key a CA record names (`kmsSigner`). Needed for CA-record issuers. */
  readonly signerFor?: (record: CaRecord) => Signer;
  /** An issuer for an ACM Private CA ARN (`acmPcaIssuer`). Needed for ACM PCA issuers. */
  readonly pcaIssuerFor?: (certificateAuthorityArn: string) => PcaIssuerPort;
  /** Needed for secrets with `acmCertificateArn`. */
  readonly acm?: AcmImportPort;
  /** testSecret's end-to-end check. */
  readonly handshake: HandshakePort;
  /** @default systemClock */
  readonly clock?: Clock;
}
