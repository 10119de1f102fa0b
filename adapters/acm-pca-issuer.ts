import { createPublicKey, randomUUID, X509Certificate } from 'node:crypto';
import {
  GetCertificateCommand,
  IssueCertificateCommand,
  type ACMPCAClient,
  type SigningAlgorithm,
} from '@aws-sdk/client-acm-pca';
import { realSleep, type Sleep } from '../core/clock';
import {
  IssuanceTimeoutError,
  SignerDeniedError,
  SignerUnavailableError,
} from '../core/rotation/certificate/errors';
import type { CertificateRequest } from '../core/rotation/certificate/issue';
import { createLeafCsr } from '../core/rotation/certificate/leaf-csr';
import { parseCertificateProfile } from '../core/rotation/certificate/profile';
import { certificateSecretFrom, type CertificateSecret } from '../core/rotation/certificate/secret-format';

/** Options of the ACM Private CA issuer. */
export interface AcmPcaIssuerOptions {
  readonly client: ACMPCAClient;
  readonly certificateAuthorityArn: string;
  /** Must suit the CA's key (ECDSA for an EC CA, RSA for an RSA CA). @default 'SHA256WITHECDSA' */
  readonly signingAlgorithm?: SigningAlgorithm;
  /** An ACM PCA template (e.g. EndEntityServerAuthCertificate/V1). @default ACM PCA's default (EndEntityCertificate/V1) */
  readonly templateArn?: string;
  /** GetCertificate attempts while the request is in progress. @default 20 */
  readonly maxAttempts?: number;
  /** Wait between attempts. @default 1000 */
  readonly delayMs?: number;
  /** @default realSleep */
  readonly sleep?: Sleep;
}

/** What ACM PCA returned for one CSR. */
export interface AcmPcaIssued {
  readonly certificateArn: string;
  readonly certificatePem: string;
  readonly chainPem: string;
}

/** ACM Private CA as a certificate issuer. */
export interface AcmPcaIssuer {
  /** IssueCertificate with the CSR, then GetCertificate until the certificate is ready (bounded). */
  issueCsr(
    csrPem: string,
    options: { validityDays: number; idempotencyToken?: string; notBefore?: Date },
  ): Promise<AcmPcaIssued>;
  /** A whole leaf: fresh key pair and CSR per the profile, issued by ACM PCA, as a certificate secret. */
  issueCertificate(
    request: CertificateRequest,
    options?: { profile?: unknown; idempotencyToken?: string },
  ): Promise<CertificateSecret>;
}

/**
 * The second issuer, beside the KMS-backed CA: ACM Private CA signs the CSR. ACM PCA issues asynchronously,
 * so GetCertificate answers RequestInProgressException for a while; polling is bounded and ends in
 * IssuanceTimeoutError (retryable: the same idempotency token then returns the same certificate).
 */
export function acmPcaIssuer(options: AcmPcaIssuerOptions): AcmPcaIssuer {
  const sleep = options.sleep ?? realSleep;
  const maxAttempts = options.maxAttempts ?? 20;
  const delayMs = options.delayMs ?? 1000;
  const context = { certificateAuthorityArn: options.certificateAuthorityArn };

  const translate = (operation: string, error: unknown): Error => {
    const code = (error as { name?: string }).name ?? 'Error';
    if (
      code === 'AccessDeniedException' ||
      code === 'InvalidStateException' ||
      code === 'ResourceNotFoundException' ||
      // The request itself was refused (a CSR or an algorithm the CA cannot sign): retrying changes nothing.
      code === 'MalformedCSRException' ||
      code === 'InvalidArgsException' ||
      code === 'InvalidArnException' ||
      code === 'ValidationException'
    ) {
      return new SignerDeniedError(`ACM PCA refused ${operation} (${code})`, {
        cause: error,
        context: { ...context, pcaError: code },
      });
    }
    if (
      code === 'ThrottlingException' ||
      code === 'LimitExceededException' ||
      // ACM PCA documents RequestFailedException as "try again".
      code === 'RequestFailedException' ||
      code === 'InternalFailure' ||
      code === 'ServiceUnavailable'
    ) {
      return new SignerUnavailableError(`ACM PCA ${operation} failed transiently (${code})`, {
        cause: error,
        context: { ...context, pcaError: code },
      });
    }
    return error instanceof Error ? error : new Error(String(error));
  };

  const issueCsr: AcmPcaIssuer['issueCsr'] = async (csrPem, issue) => {
    let certificateArn: string;
    try {
      const answer = await options.client.send(
        new IssueCertificateCommand({
          CertificateAuthorityArn: options.certificateAuthorityArn,
          Csr: new TextEncoder().encode(csrPem),
          SigningAlgorithm: options.signingAlgorithm ?? 'SHA256WITHECDSA',
          Validity: { Type: 'DAYS', Value: issue.validityDays },
          // ACM PCA backdates notBefore by 60 minutes unless told; the profile's backdate is what testSecret allows.
          ...(issue.notBefore
            ? { ValidityNotBefore: { Type: 'ABSOLUTE', Value: Math.floor(issue.notBefore.getTime() / 1000) } }
            : {}),
          ...(options.templateArn ? { TemplateArn: options.templateArn } : {}),
          ...(issue.idempotencyToken ? { IdempotencyToken: issue.idempotencyToken } : {}),
        }),
      );
      if (!answer.CertificateArn) throw new Error('ACM PCA IssueCertificate returned no CertificateArn');
      certificateArn = answer.CertificateArn;
    } catch (error) {
      throw translate('IssueCertificate', error);
    }
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      try {
        const answer = await options.client.send(
          new GetCertificateCommand({
            CertificateAuthorityArn: options.certificateAuthorityArn,
            CertificateArn: certificateArn,
          }),
        );
        if (!answer.Certificate) throw new Error('ACM PCA GetCertificate returned no certificate');
        return {
          certificateArn,
          certificatePem: answer.Certificate,
          chainPem: answer.CertificateChain ?? '',
        };
      } catch (error) {
        if ((error as { name?: string }).name !== 'RequestInProgressException')
          throw translate('GetCertificate', error);
        if (attempt < maxAttempts) await sleep(delayMs);
      }
    }
    throw new IssuanceTimeoutError(`ACM PCA did not issue the certificate after ${maxAttempts} attempts`, {
      context: { ...context, certificateArn },
    });
  };

  return {
    issueCsr,
    async issueCertificate(request, issue = {}) {
      const profile = parseCertificateProfile(issue.profile ?? {});
      const leaf = await createLeafCsr(request, profile);
      const issued = await issueCsr(leaf.csrPem, {
        validityDays: profile.validityDays,
        notBefore: new Date(Date.now() - profile.backdateMinutes * 60_000),
        // Each call makes a new key and CSR: a token reused across calls (a retried createSecret) would make
        // ACM PCA answer with the first CSR's certificate. The SDK's own retries reuse this one input.
        idempotencyToken: randomUUID(),
      });
      assertSameKey(issued.certificatePem, leaf.privateKey.reveal(), context);
      return certificateSecretFrom({
        certificatePem: issued.certificatePem,
        privateKey: leaf.privateKey,
        chainPem: issued.chainPem,
      });
    },
  };
}

/** The certificate ACM PCA returned must be for the key this call generated. */
function assertSameKey(certificatePem: string, privateKeyPem: string, context: Record<string, string>): void {
  const spki = (key: ReturnType<typeof createPublicKey>) => key.export({ type: 'spki', format: 'der' });
  const issuedKey = new X509Certificate(certificatePem).publicKey;
  if (!spki(issuedKey).equals(spki(createPublicKey(privateKeyPem)))) {
    throw new SignerDeniedError(
      'ACM PCA returned a certificate for another key than the one in the request',
      {
        context,
      },
    );
  }
}
