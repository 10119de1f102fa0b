import { createHash } from 'node:crypto';
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  Pkcs10CertificateRequest,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  X509CertificateGenerator,
  type X509Certificate,
} from '../../core/rotation/certificate/x509';
import { AwsServiceError } from '../aws-json-server';
import type { StandInCa } from './authority';

/** The end-entity templates the stand-in knows, as AWS defines them (key usage and extended key usage). */
export const TEMPLATES = {
  'EndEntityCertificate/V1': ['serverAuth', 'clientAuth'],
  'EndEntityServerAuthCertificate/V1': ['serverAuth'],
  'EndEntityClientAuthCertificate/V1': ['clientAuth'],
} as const;
export type TemplateName = keyof typeof TEMPLATES;

const SIGNING_ALGORITHMS = {
  SHA256WITHECDSA: { keyType: 'EC', hash: 'SHA-256' },
  SHA384WITHECDSA: { keyType: 'EC', hash: 'SHA-384' },
  SHA512WITHECDSA: { keyType: 'EC', hash: 'SHA-512' },
  SHA256WITHRSA: { keyType: 'RSA', hash: 'SHA-256' },
  SHA384WITHRSA: { keyType: 'RSA', hash: 'SHA-384' },
  SHA512WITHRSA: { keyType: 'RSA', hash: 'SHA-512' },
} as const;
type SigningAlgorithmName = keyof typeof SIGNING_ALGORITHMS;

const TEMPLATE_ARN = /^arn:aws[a-z-]*:acm-pca:::template\/(.+)$/;
const DAY_MS = 86_400_000;

/** A parsed and verified CSR. */
export interface VerifiedCsr {
  readonly request: Pkcs10CertificateRequest;
  readonly sha256: string;
}

/**
 * Parses `Csr` (the bytes of a PEM CSR, base64 on the wire) and checks its self-signature: anything else is
 * MalformedCSRException, as ACM PCA answers.
 */
export async function parseCsr(csrField: unknown): Promise<VerifiedCsr> {
  if (typeof csrField !== 'string' || csrField.length === 0) {
    throw new AwsServiceError('ValidationException', 'Csr is required');
  }
  const text = Buffer.from(csrField, 'base64').toString('utf8');
  let request: Pkcs10CertificateRequest;
  try {
    if (!text.includes('-----BEGIN CERTIFICATE REQUEST-----')) throw new Error('not PEM');
    request = new Pkcs10CertificateRequest(text);
  } catch {
    throw new AwsServiceError('MalformedCSRException', 'The certificate signing request is invalid.');
  }
  const valid = await request.verify().catch(() => false);
  if (!valid) {
    throw new AwsServiceError(
      'MalformedCSRException',
      'The certificate signing request signature does not verify.',
    );
  }
  return { request, sha256: createHash('sha256').update(text).digest('hex') };
}

/** `SigningAlgorithm`, checked against the CA's key type (InvalidArgsException when they do not fit). */
export function signingAlgorithmFor(value: unknown, ca: StandInCa): { name: string; hash: string } {
  if (typeof value !== 'string')
    throw new AwsServiceError('ValidationException', 'SigningAlgorithm is required');
  if (!Object.hasOwn(SIGNING_ALGORITHMS, value)) {
    throw new AwsServiceError('ValidationException', `SigningAlgorithm ${value} is not a valid value`);
  }
  const algorithm = SIGNING_ALGORITHMS[value as SigningAlgorithmName];
  if (algorithm.keyType !== ca.keyType) {
    throw new AwsServiceError(
      'InvalidArgsException',
      `The signing algorithm ${value} cannot be used with a CA whose key algorithm is ${ca.keyAlgorithm}.`,
    );
  }
  return { name: ca.keyType === 'EC' ? 'ECDSA' : 'RSASSA-PKCS1-v1_5', hash: algorithm.hash };
}

/** `TemplateArn` (optional: EndEntityCertificate/V1). A template the stand-in lacks is InvalidArgsException. */
export function templateFor(value: unknown): TemplateName {
  if (value === undefined) return 'EndEntityCertificate/V1';
  const match = typeof value === 'string' ? TEMPLATE_ARN.exec(value) : null;
  if (!match) throw new AwsServiceError('InvalidArgsException', 'The template ARN is not valid.');
  if (!Object.hasOwn(TEMPLATES, match[1]!)) {
    throw new AwsServiceError('InvalidArgsException', `The template ${match[1]} is not supported here.`);
  }
  return match[1] as TemplateName;
}

/** The notAfter that `Validity` asks for, from the time of issuance. */
export function notAfterFor(validity: unknown, issuedAt: Date): Date {
  if (typeof validity !== 'object' || validity === null) {
    throw new AwsServiceError('ValidationException', 'Validity is required');
  }
  const { Value: value, Type: type } = validity as { Value?: unknown; Type?: unknown };
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new AwsServiceError('ValidationException', 'Validity.Value must be a positive integer');
  }
  const start = issuedAt.getTime();
  switch (type) {
    case 'DAYS':
      return new Date(start + value * DAY_MS);
    case 'MONTHS':
    case 'YEARS':
      return addMonths(issuedAt, type === 'YEARS' ? 12 * value : value);
    case 'ABSOLUTE':
      return new Date(value * 1000);
    case 'END_DATE':
      return parseEndDate(String(value));
    default:
      throw new AwsServiceError('ValidationException', `Validity.Type ${String(type)} is not a valid value`);
  }
}

/** Calendar months, the day clamped to the end of a shorter month (Jan 31 + 1 month = Feb 28 or 29). */
function addMonths(from: Date, months: number): Date {
  const end = new Date(from);
  end.setUTCDate(1);
  end.setUTCMonth(end.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth() + 1, 0)).getUTCDate();
  end.setUTCDate(Math.min(from.getUTCDate(), lastDay));
  return end;
}

/** END_DATE: UTCTime (YYMMDDHHMMSS, YY >= 50 is 19YY) or GeneralizedTime (YYYYMMDDHHMMSS). */
function parseEndDate(text: string): Date {
  const match = /^(\d{2}|\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text);
  if (!match)
    throw new AwsServiceError(
      'ValidationException',
      'Validity END_DATE must be YYMMDDHHMMSS or YYYYMMDDHHMMSS',
    );
  const [, y, mo, d, h, mi, s] = match;
  const year = y!.length === 2 ? (Number(y) >= 50 ? 1900 : 2000) + Number(y) : Number(y);
  return new Date(Date.UTC(year, Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
}

/** Everything one issuance needs. */
export interface LeafParameters {
  readonly ca: StandInCa;
  readonly csr: Pkcs10CertificateRequest;
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly signingAlgorithm: { name: string; hash: string };
  readonly template: TemplateName;
}

/**
 * Signs the end-entity certificate as the template defines it: the CSR's subject and subject alternative
 * names passed through, basicConstraints CA:false (critical), keyUsage digitalSignature + keyEncipherment
 * (critical), the template's extended key usages, subject and authority key identifiers. Other CSR
 * extensions are not copied (as ACM PCA's non-passthrough templates do).
 */
export async function signLeaf(parameters: LeafParameters): Promise<X509Certificate> {
  const { ca, csr } = parameters;
  const sans = csr.extensions.find(
    (extension): extension is SubjectAlternativeNameExtension =>
      extension instanceof SubjectAlternativeNameExtension,
  );
  const usages = TEMPLATES[parameters.template].map((usage) =>
    usage === 'serverAuth' ? ExtendedKeyUsage.serverAuth : ExtendedKeyUsage.clientAuth,
  );
  const caKeyId = ca.certificate.getExtension(SubjectKeyIdentifierExtension)?.keyId;
  return X509CertificateGenerator.create({
    serialNumber: parameters.serialNumber,
    subject: csr.subjectName,
    issuer: ca.certificate.subjectName,
    notBefore: parameters.notBefore,
    notAfter: parameters.notAfter,
    publicKey: csr.publicKey.rawData,
    signingKey: ca.signingKey,
    signingAlgorithm: parameters.signingAlgorithm,
    extensions: [
      new BasicConstraintsExtension(false, undefined, true),
      new KeyUsagesExtension(KeyUsageFlags.digitalSignature | KeyUsageFlags.keyEncipherment, true),
      new ExtendedKeyUsageExtension(usages, false),
      ...(sans ? [new SubjectAlternativeNameExtension(sans.names.toJSON(), false)] : []),
      await SubjectKeyIdentifierExtension.create(csr.publicKey.rawData),
      ...(caKeyId ? [new AuthorityKeyIdentifierExtension(caKeyId)] : []),
    ],
  });
}
