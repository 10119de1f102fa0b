import { randomUUID } from 'node:crypto';
import type { Clock } from '../../core/clock';
import { AwsServiceError, type Operation } from '../aws-json-server';
import { checkReimport, extendedKeyUsageEntries, validateImport, type ImportedMaterial } from './material';

/** One certificate ACM holds: the material of its latest import, and when that was. */
export interface StoredCertificate {
  readonly arn: string;
  material: ImportedMaterial;
  importedAt: Date;
  imports: number;
  readonly tags: readonly { Key: string; Value?: string }[];
}

/** What the operations share. */
export interface AcmState {
  readonly region: string;
  readonly accountId: string;
  readonly certificates: Map<string, StoredCertificate>;
  readonly denied: Set<string>;
}

const CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/;
/** ListCertificates without `Includes.keyTypes` returns these only (AWS's documented default). */
const DEFAULT_KEY_TYPES = ['RSA_1024', 'RSA_2048'];

/** The ACM operations the stand-in answers. */
export function acmOperations(state: AcmState, clock: Clock): Record<string, Operation> {
  const deny = (operation: string, resource = '*'): void => {
    if (!state.denied.has(operation)) return;
    throw new AwsServiceError(
      'AccessDeniedException',
      `User: arn:aws:iam::${state.accountId}:user/rotor-local is not authorized to perform: ` +
        `acm:${operation} on resource: ${resource}`,
    );
  };
  const arnOf = (value: unknown): string => {
    if (typeof value !== 'string')
      throw new AwsServiceError('ValidationException', 'CertificateArn is required');
    if (!CERTIFICATE_ARN.test(value) || !value.includes(`:acm:${state.region}:${state.accountId}:`)) {
      throw new AwsServiceError('InvalidArnException', `String '${value}' is not a valid ARN.`);
    }
    return value;
  };
  const stored = (operation: string, value: unknown): StoredCertificate => {
    const arn = arnOf(value);
    deny(operation, arn);
    const certificate = state.certificates.get(arn);
    if (!certificate) {
      throw new AwsServiceError('ResourceNotFoundException', `Could not find certificate ${arn}.`);
    }
    return certificate;
  };
  const status = (certificate: StoredCertificate) =>
    clock.now() > certificate.material.certificate.notAfter ? 'EXPIRED' : 'ISSUED';
  const seconds = (date: Date) => date.getTime() / 1000;

  return {
    ImportCertificate: async (input) => {
      const now = clock.now();
      if (input.CertificateArn !== undefined) {
        const existing = stored('ImportCertificate', input.CertificateArn);
        if (input.Tags !== undefined) {
          throw new AwsServiceError(
            'ValidationException',
            'Tags cannot be applied when reimporting a certificate.',
          );
        }
        const material = await validateImport(input, now);
        checkReimport(existing.material, material);
        existing.material = material;
        existing.importedAt = now;
        existing.imports++;
        return { CertificateArn: existing.arn };
      }
      deny('ImportCertificate');
      const material = await validateImport(input, now);
      const arn = `arn:aws:acm:${state.region}:${state.accountId}:certificate/${randomUUID()}`;
      state.certificates.set(arn, {
        arn,
        material,
        importedAt: now,
        imports: 1,
        tags: parseTags(input.Tags),
      });
      return { CertificateArn: arn };
    },

    DescribeCertificate: (input) => {
      const certificate = stored('DescribeCertificate', input.CertificateArn);
      const { material } = certificate;
      const cert = material.certificate;
      return {
        Certificate: {
          CertificateArn: certificate.arn,
          DomainName: material.domainName,
          SubjectAlternativeNames: [...material.subjectAlternativeNames],
          Serial: colonHex(cert.serialNumber),
          Subject: cert.subject,
          Issuer: cert.issuer,
          ImportedAt: seconds(certificate.importedAt),
          NotBefore: seconds(cert.notBefore),
          NotAfter: seconds(cert.notAfter),
          KeyAlgorithm: material.keyAlgorithm,
          SignatureAlgorithm: signatureAlgorithmName(cert.signatureAlgorithm),
          Status: status(certificate),
          Type: 'IMPORTED',
          InUseBy: [],
          KeyUsages: (material.keyUsages ?? []).map((Name) => ({ Name })),
          ExtendedKeyUsages: extendedKeyUsageEntries(material.extendedKeyUsages),
          RenewalEligibility: 'INELIGIBLE',
          Options: { CertificateTransparencyLoggingPreference: 'ENABLED' },
        },
      };
    },

    GetCertificate: (input) => {
      const { material } = stored('GetCertificate', input.CertificateArn);
      return {
        Certificate: material.certificatePem,
        ...(material.chainPem ? { CertificateChain: material.chainPem } : {}),
      };
    },

    ListCertificates: (input) => {
      deny('ListCertificates');
      const statuses = Array.isArray(input.CertificateStatuses) ? input.CertificateStatuses : undefined;
      const includes = input.Includes as { keyTypes?: unknown } | undefined;
      const keyTypes = Array.isArray(includes?.keyTypes) ? includes.keyTypes : DEFAULT_KEY_TYPES;
      const summaries = [...state.certificates.values()]
        .filter((certificate) => !statuses || statuses.includes(status(certificate)))
        .filter((certificate) => keyTypes.includes(certificate.material.keyAlgorithm))
        .map((certificate) => ({
          CertificateArn: certificate.arn,
          DomainName: certificate.material.domainName,
          SubjectAlternativeNameSummaries: [...certificate.material.subjectAlternativeNames],
          Status: status(certificate),
          Type: 'IMPORTED',
          KeyAlgorithm: certificate.material.keyAlgorithm,
          InUse: false,
          ImportedAt: seconds(certificate.importedAt),
          NotBefore: seconds(certificate.material.certificate.notBefore),
          NotAfter: seconds(certificate.material.certificate.notAfter),
        }));
      return { CertificateSummaryList: summaries };
    },

    DeleteCertificate: (input) => {
      const certificate = stored('DeleteCertificate', input.CertificateArn);
      state.certificates.delete(certificate.arn);
      return {};
    },

    ListTagsForCertificate: (input) => ({
      Tags: [...stored('ListTagsForCertificate', input.CertificateArn).tags],
    }),
  };
}

function parseTags(value: unknown): { Key: string; Value?: string }[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new AwsServiceError('ValidationException', 'Tags must be a list');
  return value.map((tag: { Key?: unknown; Value?: unknown }) => {
    if (typeof tag?.Key !== 'string' || tag.Key.length === 0) {
      throw new AwsServiceError('InvalidTagException', 'A tag key must be a non-empty string');
    }
    return typeof tag.Value === 'string' ? { Key: tag.Key, Value: tag.Value } : { Key: tag.Key };
  });
}

/** ACM writes serials as lower-case hex bytes separated by colons. */
function colonHex(serial: string): string {
  const hex = serial.toLowerCase();
  const even = hex.length % 2 === 0 ? hex : `0${hex}`;
  return even.match(/../g)!.join(':');
}

/** ACM's signature algorithm names (SHA256WITHECDSA, SHA256WITHRSA, ...). */
function signatureAlgorithmName(algorithm: { name?: string; hash?: unknown }): string {
  const hash =
    typeof algorithm.hash === 'object' && algorithm.hash !== null
      ? (algorithm.hash as { name?: string }).name
      : algorithm.hash;
  const digest = String(hash ?? 'SHA-256').replace('-', '');
  return algorithm.name === 'ECDSA' ? `${digest}WITHECDSA` : `${digest}WITHRSA`;
}
