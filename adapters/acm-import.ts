import { createPrivateKey } from 'node:crypto';
import { DescribeCertificateCommand, ImportCertificateCommand, type ACMClient } from '@aws-sdk/client-acm';
import { AcmRefusedError, AcmUnavailableError } from '../core/rotation/certificate/errors';
import type { AcmImportPort } from '../core/rotation/certificate/rotator-ports';

const TRANSIENT = new Set([
  'ThrottlingException',
  'RequestInProgressException',
  'InternalFailure',
  'ServiceUnavailable',
]);

/**
 * The certificate rotator's ACM port over `@aws-sdk/client-acm`: DescribeCertificate for the serial ACM
 * holds, ImportCertificate with the existing `CertificateArn` (so load balancers and distributions using it
 * follow). Errors name the ARN and the ACM error code only.
 */
export function acmImportPort(client: ACMClient): AcmImportPort {
  const translate = (operation: string, certificateArn: string, error: unknown): Error => {
    const code = (error as { name?: string }).name ?? 'Error';
    const context = { certificateArn, operation, acmError: code };
    return TRANSIENT.has(code) || (error as { $retryable?: unknown }).$retryable
      ? new AcmUnavailableError(`ACM ${operation} of ${certificateArn} failed transiently (${code})`, {
          cause: error,
          context,
        })
      : new AcmRefusedError(`ACM refused ${operation} of ${certificateArn} (${code})`, {
          cause: error,
          context,
        });
  };

  return {
    async currentSerial(certificateArn) {
      try {
        const answer = await client.send(new DescribeCertificateCommand({ CertificateArn: certificateArn }));
        const serial = answer.Certificate?.Serial;
        return serial ? normalizeSerial(serial) : undefined;
      } catch (error) {
        throw translate('DescribeCertificate', certificateArn, error);
      }
    },
    async importCertificate(certificateArn, certificate) {
      const encode = (text: string) => new TextEncoder().encode(text);
      try {
        await client.send(
          new ImportCertificateCommand({
            CertificateArn: certificateArn,
            Certificate: encode(certificate.certificate),
            PrivateKey: encode(acmPrivateKeyPem(certificate.privateKey.reveal())),
            ...(certificate.chain.trim() === '' ? {} : { CertificateChain: encode(certificate.chain) }),
          }),
        );
      } catch (error) {
        throw translate('ImportCertificate', certificateArn, error);
      }
    },
  };
}

/** ACM writes serials as colon-separated hex (`0a:1b:...`); the secret has lower-case hex without them. */
export function normalizeSerial(serial: string): string {
  return serial.replace(/[^0-9a-fA-F]/g, '').toLowerCase();
}

/**
 * The private key as ACM's import format documents it: PKCS#8 (`PRIVATE KEY`) for RSA, SEC1
 * (`EC PRIVATE KEY`) for elliptic curves. The secret holds PKCS#8 for both.
 */
export function acmPrivateKeyPem(pkcs8Pem: string): string {
  const key = createPrivateKey(pkcs8Pem);
  return key.asymmetricKeyType === 'ec'
    ? key.export({ type: 'sec1', format: 'pem' }).toString()
    : key.export({ type: 'pkcs8', format: 'pem' }).toString();
}
