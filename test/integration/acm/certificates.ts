import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { randomSerialNumber } from '../../../core/rotation/certificate/serial';
import {
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectAlternativeNameExtension,
  X509CertificateGenerator,
  type X509Certificate,
} from '../../../core/rotation/certificate/x509';

const HOUR = 3_600_000;
const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };

/** A key pair and a certificate for it, generated at test time. */
export interface TestCertificate {
  readonly certificate: X509Certificate;
  readonly certificatePem: string;
  readonly privateKey: KeyObject;
  /** PKCS#8 PEM. */
  readonly privateKeyPem: string;
}

/** What a test certificate looks like; by default an EC P-256 server certificate valid for a day. */
export interface CertificateShape {
  readonly commonName?: string;
  readonly rsa?: boolean;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  /** `null` for no keyUsage extension. @default digitalSignature */
  readonly keyUsage?: number | null;
  /** `null` for no extendedKeyUsage extension. @default ['serverAuth'] */
  readonly extendedKeyUsage?: ('serverAuth' | 'clientAuth')[] | null;
  readonly dnsNames?: string[];
  /** Signs with this CA instead of self-signing. */
  readonly issuer?: TestCertificate;
  readonly ca?: boolean;
}

/** Makes a certificate (self-signed, or signed by `shape.issuer`) and its key. */
export async function makeCertificate(shape: CertificateShape = {}): Promise<TestCertificate> {
  const keys = shape.rsa
    ? generateKeyPairSync('rsa', { modulusLength: 2048 })
    : generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const algorithm = shape.rsa ? RSA : EC;
  const issuer = shape.issuer;
  const signingAlgorithm = issuer ? (issuer.privateKey.asymmetricKeyType === 'rsa' ? RSA : EC) : algorithm;
  const now = Date.now();
  const commonName = shape.commonName ?? 'app.internal';
  const usage = shape.keyUsage === undefined ? KeyUsageFlags.digitalSignature : shape.keyUsage;
  const eku = shape.extendedKeyUsage === undefined ? (['serverAuth'] as const) : shape.extendedKeyUsage;
  const certificate = await X509CertificateGenerator.create({
    serialNumber: randomSerialNumber(),
    subject: `CN=${commonName}`,
    issuer: issuer ? issuer.certificate.subject : `CN=${commonName}`,
    notBefore: shape.notBefore ?? new Date(now - HOUR),
    notAfter: shape.notAfter ?? new Date(now + 24 * HOUR),
    publicKey: keys.publicKey.export({ type: 'spki', format: 'der' }),
    signingKey: (issuer?.privateKey ?? keys.privateKey).toCryptoKey(signingAlgorithm, false, ['sign']),
    signingAlgorithm,
    extensions: [
      new BasicConstraintsExtension(shape.ca ?? false, undefined, true),
      ...(usage === null ? [] : [new KeyUsagesExtension(usage, true)]),
      ...(eku === null
        ? []
        : [
            new ExtendedKeyUsageExtension(
              eku.map((u) =>
                u === 'serverAuth' ? ExtendedKeyUsage.serverAuth : ExtendedKeyUsage.clientAuth,
              ),
            ),
          ]),
      new SubjectAlternativeNameExtension(
        (shape.dnsNames ?? [commonName]).map((value) => ({ type: 'dns' as const, value })),
      ),
    ],
  });
  return {
    certificate,
    certificatePem: certificate.toString('pem'),
    privateKey: keys.privateKey,
    privateKeyPem: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/** A CA and a leaf it signed. */
export async function makeChain(
  leaf: CertificateShape = {},
): Promise<{ ca: TestCertificate; leaf: TestCertificate }> {
  const ca = await makeCertificate({
    commonName: 'Test CA',
    ca: true,
    keyUsage: KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign,
    extendedKeyUsage: null,
  });
  return { ca, leaf: await makeCertificate({ ...leaf, issuer: ca }) };
}
