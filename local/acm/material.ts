import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import {
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectAlternativeNameExtension,
  X509Certificate,
} from '../../core/rotation/certificate/x509';
import { AwsServiceError } from '../aws-json-server';

/**
 * Checks the material of an ImportCertificate call as ACM documents it: PEM everywhere, exactly one
 * certificate, an unencrypted private key of at most 5 KB that matches the certificate, a supported key
 * algorithm, a validity window that contains now, a non-empty issuer, and a chain (when given) in which the
 * certificate's issuer is found and whose key verifies the certificate's signature. Every failure is a
 * ValidationException whose message names the field, never its content.
 */

/** ACM's key algorithm names, by what Node reports. */
const RSA_SIZES = new Set([1024, 2048, 3072, 4096]);
const EC_CURVES: Record<string, string> = {
  prime256v1: 'EC_prime256v1',
  secp384r1: 'EC_secp384r1',
  secp521r1: 'EC_secp521r1',
};
const MAX_PRIVATE_KEY_BYTES = 5_120;
// Built from parts so that no source line looks like a private key header.
const PEM_PRIVATE_KEY = new RegExp(`-----BEGIN [A-Z ]*${'PRIVATE'} KEY-----`);
const CERTIFICATE_PEM = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Key usage names as DescribeCertificate spells them, with their flag. */
const KEY_USAGE_NAMES: readonly [string, number][] = [
  ['DIGITAL_SIGNATURE', KeyUsageFlags.digitalSignature],
  ['NON_REPUDIATION', KeyUsageFlags.nonRepudiation],
  ['KEY_ENCIPHERMENT', KeyUsageFlags.keyEncipherment],
  ['DATA_ENCIPHERMENT', KeyUsageFlags.dataEncipherment],
  ['KEY_AGREEMENT', KeyUsageFlags.keyAgreement],
  ['CERTIFICATE_SIGNING', KeyUsageFlags.keyCertSign],
  ['CRL_SIGNING', KeyUsageFlags.cRLSign],
  ['ENCIPHER_ONLY', KeyUsageFlags.encipherOnly],
  ['DECIPHER_ONLY', KeyUsageFlags.decipherOnly],
];
/** Extended key usage names as DescribeCertificate spells them, by OID. */
const EXTENDED_KEY_USAGE_NAMES: Record<string, string> = {
  '1.3.6.1.5.5.7.3.1': 'TLS_WEB_SERVER_AUTHENTICATION',
  '1.3.6.1.5.5.7.3.2': 'TLS_WEB_CLIENT_AUTHENTICATION',
  '1.3.6.1.5.5.7.3.3': 'CODE_SIGNING',
  '1.3.6.1.5.5.7.3.4': 'EMAIL_PROTECTION',
  '1.3.6.1.5.5.7.3.8': 'TIME_STAMPING',
  '1.3.6.1.5.5.7.3.9': 'OCSP_SIGNING',
};

/** What ACM keeps of an imported certificate (never the private key: nothing ACM returns contains it). */
export interface ImportedMaterial {
  readonly certificate: X509Certificate;
  readonly certificatePem: string;
  readonly chainPem?: string;
  readonly keyAlgorithm: string;
  /** `undefined` when the certificate has no keyUsage extension. */
  readonly keyUsages?: readonly string[];
  /** OIDs; `undefined` when the certificate has no extendedKeyUsage extension. */
  readonly extendedKeyUsages?: readonly string[];
  readonly domainName: string;
  readonly subjectAlternativeNames: readonly string[];
}

const invalid = (message: string) => new AwsServiceError('ValidationException', message);

/** Decodes a blob field (base64 of PEM bytes on the wire). */
function blobText(value: unknown, field: string, required: boolean): string | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value.length === 0) throw invalid(`${field} is required`);
  return Buffer.from(value, 'base64').toString('utf8');
}

/** Validates the ImportCertificate fields at `now`. */
export async function validateImport(input: Record<string, unknown>, now: Date): Promise<ImportedMaterial> {
  const certificateText = blobText(input.Certificate, 'Certificate', true)!;
  const keyText = blobText(input.PrivateKey, 'PrivateKey', true)!;
  const chainText = blobText(input.CertificateChain, 'CertificateChain', false);

  const certificates = certificateText.match(CERTIFICATE_PEM) ?? [];
  if (certificates.length !== 1) {
    throw invalid(
      `The certificate field must contain exactly one PEM certificate (found ${certificates.length}).`,
    );
  }
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certificates[0]!);
  } catch {
    throw invalid('The certificate field does not hold a valid X.509 certificate.');
  }

  const privateKey = parsePrivateKey(keyText);
  const keyAlgorithm = keyAlgorithmOf(privateKey);
  const certificateKey = createPublicKey({
    key: Buffer.from(certificate.publicKey.rawData),
    format: 'der',
    type: 'spki',
  });
  if (!createPublicKey(privateKey).equals(certificateKey)) {
    throw invalid('The private key does not match the public key in the certificate.');
  }
  if (certificate.issuer.trim() === '') throw invalid('The certificate issuer field must not be empty.');
  if (now < certificate.notBefore)
    throw invalid('The certificate is not valid yet (its NotBefore is in the future).');
  if (now > certificate.notAfter) throw invalid('The certificate has expired (its NotAfter is in the past).');

  let chainPem: string | undefined;
  if (chainText !== undefined) {
    const chain = (chainText.match(CERTIFICATE_PEM) ?? []).map((pem) => {
      try {
        return new X509Certificate(pem);
      } catch {
        throw invalid('The certificate chain holds a certificate that does not parse.');
      }
    });
    if (chain.length === 0) throw invalid('The certificate chain must hold PEM certificates.');
    const issuer = chain.find((candidate) => candidate.subject === certificate.issuer);
    if (!issuer)
      throw invalid("The certificate's issuer is not the subject of any certificate in the chain.");
    const signed = await certificate
      .verify({ publicKey: issuer.publicKey, signatureOnly: true })
      .catch(() => false);
    if (!signed) throw invalid('Could not validate the certificate with the certificate chain.');
    chainPem = chain.map((cert) => cert.toString('pem')).join('\n');
  }

  const keyUsage = certificate.getExtension(KeyUsagesExtension);
  const extendedKeyUsage = certificate.getExtension(ExtendedKeyUsageExtension);
  const sans = certificate.getExtension(SubjectAlternativeNameExtension);
  const dnsNames = sans?.names.items.filter((name) => name.type === 'dns').map((name) => name.value) ?? [];
  const commonName = /(?:^|,\s*)CN=([^,]+)/.exec(certificate.subject)?.[1];
  return {
    certificate,
    certificatePem: certificate.toString('pem'),
    chainPem,
    keyAlgorithm,
    keyUsages: keyUsage
      ? KEY_USAGE_NAMES.filter(([, flag]) => (keyUsage.usages & flag) !== 0).map(([name]) => name)
      : undefined,
    extendedKeyUsages: extendedKeyUsage ? extendedKeyUsage.usages.map(String) : undefined,
    domainName: commonName ?? dnsNames[0] ?? '',
    subjectAlternativeNames: dnsNames,
  };
}

/**
 * Re-import rules (ACM User Guide, "Reimport a certificate"): the key algorithm stays; key usages and extended
 * key usages present before may not be removed (except keyEncipherment on ECDSA certificates and client
 * authentication) nor added where the previous certificate had none.
 */
export function checkReimport(previous: ImportedMaterial, next: ImportedMaterial): void {
  if (previous.keyAlgorithm !== next.keyAlgorithm) {
    throw invalid(
      `The key algorithm of a reimported certificate must stay ${previous.keyAlgorithm} (got ${next.keyAlgorithm}).`,
    );
  }
  const ec = next.keyAlgorithm.startsWith('EC_');
  compareUsages('Key Usage', previous.keyUsages, next.keyUsages, ec ? ['KEY_ENCIPHERMENT'] : []);
  compareUsages('Extended Key Usage', previous.extendedKeyUsages, next.extendedKeyUsages, [
    '1.3.6.1.5.5.7.3.2',
  ]);
}

function compareUsages(
  label: string,
  before: readonly string[] | undefined,
  after: readonly string[] | undefined,
  removable: readonly string[],
): void {
  if (before === undefined) {
    if (after !== undefined)
      throw invalid(`A reimported certificate cannot add ${label} extensions the previous one lacked.`);
    return;
  }
  const missing = before.filter((usage) => !removable.includes(usage) && !(after ?? []).includes(usage));
  if (missing.length > 0) {
    const names = missing.map((usage) => EXTENDED_KEY_USAGE_NAMES[usage] ?? usage);
    throw invalid(`A reimported certificate cannot remove ${label} values: ${names.join(', ')}.`);
  }
}

/** DescribeCertificate's `ExtendedKeyUsages` entries. */
export function extendedKeyUsageEntries(
  oids: readonly string[] | undefined,
): { Name: string; OID: string }[] {
  return (oids ?? []).map((oid) => ({ Name: EXTENDED_KEY_USAGE_NAMES[oid] ?? 'CUSTOM', OID: oid }));
}

function parsePrivateKey(text: string): KeyObject {
  if (Buffer.byteLength(text) > MAX_PRIVATE_KEY_BYTES)
    throw invalid('The private key must be at most 5120 bytes.');
  if (!PEM_PRIVATE_KEY.test(text)) throw invalid('The private key must be PEM-encoded.');
  if (/ENCRYPTED/.test(text)) throw invalid('The private key must not be encrypted.');
  try {
    return createPrivateKey(text);
  } catch {
    throw invalid('The private key is not supported or does not parse.');
  }
}

function keyAlgorithmOf(key: KeyObject): string {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa' && RSA_SIZES.has(details.modulusLength ?? 0)) {
    return `RSA_${details.modulusLength}`;
  }
  if (key.asymmetricKeyType === 'ec' && EC_CURVES[details.namedCurve ?? ''])
    return EC_CURVES[details.namedCurve!]!;
  throw invalid('The private key algorithm is not supported (RSA 1024-4096 or EC P-256/P-384/P-521).');
}
