import { randomBytes } from 'node:crypto';
import type { Clock } from '../../core/clock';
import { randomSerialNumber } from '../../core/rotation/certificate/serial';
import type { X509Certificate } from '../../core/rotation/certificate/x509';
import { AwsServiceError, type Operation } from '../aws-json-server';
import type { StandInCa } from './authority';
import { notAfterFor, parseCsr, signLeaf, signingAlgorithmFor, templateFor } from './issue';

/** The CA's status; only ACTIVE issues (ACM PCA's other states answer InvalidStateException). */
export type CaStatus = 'ACTIVE' | 'DISABLED';

/** The state the operations share: the CA, its issued certificates, idempotency tokens, denials. */
export interface PcaState {
  readonly arn: string;
  readonly accountId: string;
  readonly ca: StandInCa;
  status: CaStatus;
  readonly issueDelayMs: number;
  readonly backdateMinutes: number;
  readonly issued: Map<string, { certificate: X509Certificate; readyAt: number }>;
  /** token -> { certificate ARN, time of first use }: tokens last five minutes, as in AWS. */
  readonly tokens: Map<string, { certificateArn: string; at: number }>;
  readonly denied: Set<string>;
}

const CA_ARN = /^arn:aws[a-z-]*:acm-pca:[a-z0-9-]+:\d{12}:certificate-authority\/[A-Za-z0-9-]+$/;
const CERTIFICATE_ARN =
  /^arn:aws[a-z-]*:acm-pca:[a-z0-9-]+:\d{12}:certificate-authority\/[A-Za-z0-9-]+\/certificate\/[0-9a-f]+$/;
const TOKEN_TTL_MS = 5 * 60_000;

/** The ACM PCA operations the stand-in answers. */
export function pcaOperations(state: PcaState, clock: Clock): Record<string, Operation> {
  /** Checks the CA ARN (format, existence) and the test's denials. */
  const caFor = (operation: string, input: Record<string, unknown>): void => {
    const arn = input.CertificateAuthorityArn;
    if (typeof arn !== 'string') {
      throw new AwsServiceError('ValidationException', 'CertificateAuthorityArn is required');
    }
    if (!CA_ARN.test(arn)) throw new AwsServiceError('InvalidArnException', `${arn} is not a valid ARN.`);
    if (arn !== state.arn) {
      throw new AwsServiceError('ResourceNotFoundException', `Could not find certificate authority ${arn}.`);
    }
    if (state.denied.has(operation)) {
      throw new AwsServiceError(
        'AccessDeniedException',
        `User: arn:aws:iam::${state.accountId}:user/rotor-local is not authorized to perform: ` +
          `acm-pca:${operation} on resource: ${arn}`,
      );
    }
  };

  const caPem = () => state.ca.certificate.toString('pem');

  return {
    IssueCertificate: async (input) => {
      caFor('IssueCertificate', input);
      const now = clock.now();
      const token = optionalToken(input.IdempotencyToken);
      const previous = token === undefined ? undefined : state.tokens.get(token);
      if (previous && now.getTime() - previous.at < TOKEN_TTL_MS) {
        // AWS: the same token within five minutes is the same request, whatever else was sent.
        return { CertificateArn: previous.certificateArn };
      }
      if (state.status !== 'ACTIVE') {
        throw new AwsServiceError(
          'InvalidStateException',
          `The certificate authority ${state.arn} is not in a valid state for issuing certificates (${state.status}).`,
        );
      }
      const signingAlgorithm = signingAlgorithmFor(input.SigningAlgorithm, state.ca);
      const template = templateFor(input.TemplateArn);
      const notAfter = notAfterFor(input.Validity, now);
      if (notAfter.getTime() <= now.getTime()) {
        throw new AwsServiceError('ValidationException', 'The certificate validity must end in the future.');
      }
      if (notAfter.getTime() > state.ca.certificate.notAfter.getTime()) {
        throw new AwsServiceError(
          'ValidationException',
          'The certificate validity specified exceeds the certificate authority validity.',
        );
      }
      if (input.ApiPassthrough !== undefined) {
        throw new AwsServiceError(
          'InvalidArgsException',
          'ApiPassthrough is not supported by this stand-in.',
        );
      }
      const csr = await parseCsr(input.Csr);
      const notBefore =
        input.ValidityNotBefore === undefined
          ? new Date(
              Math.max(
                now.getTime() - state.backdateMinutes * 60_000,
                state.ca.certificate.notBefore.getTime(),
              ),
            )
          : explicitNotBefore(input.ValidityNotBefore, state.ca, notAfter);
      const certificate = await signLeaf({
        ca: state.ca,
        csr: csr.request,
        serialNumber: randomSerialNumber(),
        notBefore,
        notAfter,
        signingAlgorithm,
        template,
      });
      const certificateArn = `${state.arn}/certificate/${randomBytes(16).toString('hex')}`;
      state.issued.set(certificateArn, { certificate, readyAt: now.getTime() + state.issueDelayMs });
      if (token !== undefined) state.tokens.set(token, { certificateArn, at: now.getTime() });
      return { CertificateArn: certificateArn };
    },

    GetCertificate: (input) => {
      caFor('GetCertificate', input);
      const arn = input.CertificateArn;
      if (typeof arn !== 'string')
        throw new AwsServiceError('ValidationException', 'CertificateArn is required');
      if (!CERTIFICATE_ARN.test(arn)) {
        throw new AwsServiceError('InvalidArnException', `${arn} is not a valid ARN.`);
      }
      const issued = state.issued.get(arn);
      if (!issued)
        throw new AwsServiceError('ResourceNotFoundException', `Could not find certificate ${arn}.`);
      if (clock.now().getTime() < issued.readyAt) {
        throw new AwsServiceError(
          'RequestInProgressException',
          'The request to issue the certificate is still in progress.',
        );
      }
      return { Certificate: issued.certificate.toString('pem'), CertificateChain: caPem() };
    },

    // A root CA: its certificate, and no chain above it.
    GetCertificateAuthorityCertificate: (input) => {
      caFor('GetCertificateAuthorityCertificate', input);
      return { Certificate: caPem() };
    },

    DescribeCertificateAuthority: (input) => {
      caFor('DescribeCertificateAuthority', input);
      return {
        CertificateAuthority: {
          Arn: state.arn,
          OwnerAccount: state.accountId,
          Type: 'ROOT',
          Status: state.status,
          Serial: state.ca.certificate.serialNumber,
          NotBefore: state.ca.certificate.notBefore.getTime() / 1000,
          NotAfter: state.ca.certificate.notAfter.getTime() / 1000,
          KeyStorageSecurityStandard: 'FIPS_140_2_LEVEL_3_OR_HIGHER',
          UsageMode: 'GENERAL_PURPOSE',
          CertificateAuthorityConfiguration: {
            KeyAlgorithm: state.ca.keyAlgorithm,
            SigningAlgorithm: state.ca.keyType === 'EC' ? 'SHA256WITHECDSA' : 'SHA256WITHRSA',
            Subject: { CommonName: commonName(state.ca.certificate.subject) },
          },
        },
      };
    },
  };
}

/** `ValidityNotBefore`: an ABSOLUTE time (seconds since the epoch) inside the CA's and before notAfter. */
function explicitNotBefore(value: unknown, ca: StandInCa, notAfter: Date): Date {
  const { Type: type, Value: seconds } = (value ?? {}) as { Type?: unknown; Value?: unknown };
  if (type !== 'ABSOLUTE' || typeof seconds !== 'number' || !Number.isInteger(seconds)) {
    throw new AwsServiceError('ValidationException', 'ValidityNotBefore must be of type ABSOLUTE');
  }
  const notBefore = new Date(seconds * 1000);
  if (notBefore < ca.certificate.notBefore || notBefore >= notAfter) {
    throw new AwsServiceError(
      'ValidationException',
      'ValidityNotBefore must fall within the CA validity and before the certificate notAfter.',
    );
  }
  return notBefore;
}

function optionalToken(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^[\w!#$%&'()*+,./:;<=>?@[\]^`{|}~ -]{1,36}$/.test(value)) {
    throw new AwsServiceError('ValidationException', 'IdempotencyToken must be 1 to 36 printable characters');
  }
  return value;
}

function commonName(subject: string): string {
  return /(?:^|,\s*)CN=([^,]+)/.exec(subject)?.[1] ?? subject;
}
