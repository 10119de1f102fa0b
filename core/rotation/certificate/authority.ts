import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  Name,
  Pkcs10CertificateRequest,
  Pkcs10CertificateRequestGenerator,
  SubjectKeyIdentifierExtension,
  X509Certificate,
  X509CertificateGenerator,
} from './x509';
import {
  CaExpiredError,
  CaKeyMismatchError,
  CaNotYetValidError,
  InvalidProfileError,
  NotACaCertificateError,
} from './errors';
import { randomSerialNumber } from './serial';
import type { Signer } from './signer';
import { signerCrypto } from './signer-crypto';

const DAY_MS = 86_400_000;

/** A CA ready to issue: its signer, its certificate, and the certificates above it (root last). */
export interface CertificateAuthority {
  readonly signer: Signer;
  readonly certificate: X509Certificate;
  /** Issuers above this CA, nearest first; empty for a root. */
  readonly parents: readonly X509Certificate[];
  /** Hex key identifier of the CA's key, for the leaves' authorityKeyIdentifier. */
  readonly keyId: string;
}

/** Options of `rotor ca init` for a self-signed root. */
export interface RootCaOptions {
  /** Subject DN, e.g. `CN=Rotor Root CA, O=Example`. */
  readonly subject: string;
  readonly now: Date;
  /** @default 3650 */
  readonly validityDays?: number;
  /** How many CAs may sit below this one. @default 0 (it issues leaves only) */
  readonly pathLength?: number;
  /** @default a random 128-bit serial */
  readonly serialNumber?: string;
}

/**
 * Creates a self-signed CA certificate whose key is the signer's (KMS) key: basicConstraints CA:true with
 * pathLen, keyUsage keyCertSign and cRLSign, subject and authority key identifiers. The result is public.
 */
export async function createRootCaCertificate(
  signer: Signer,
  options: RootCaOptions,
): Promise<X509Certificate> {
  const shim = signerCrypto(signer);
  const spki = await signer.publicKeySpki();
  const name = parseName(options.subject);
  const ski = await SubjectKeyIdentifierExtension.create(spki, false, shim.crypto);
  return X509CertificateGenerator.create(
    {
      serialNumber: options.serialNumber ?? randomSerialNumber(),
      subject: name,
      issuer: name,
      notBefore: options.now,
      notAfter: new Date(options.now.getTime() + days(options.validityDays ?? 3650, 'validityDays') * DAY_MS),
      publicKey: spki,
      signingKey: shim.privateKey,
      signingAlgorithm: shim.algorithm,
      extensions: caExtensions(options.pathLength ?? 0, ski, new AuthorityKeyIdentifierExtension(ski.keyId)),
    },
    shim.crypto,
  );
}

/** Creates the CSR (PEM) of an intermediate CA whose key is the signer's key, for an existing CA to sign. */
export async function createIntermediateCsr(signer: Signer, options: { subject: string }): Promise<string> {
  const shim = signerCrypto(signer);
  const csr = await Pkcs10CertificateRequestGenerator.create(
    {
      name: parseName(options.subject),
      keys: { privateKey: shim.privateKey, publicKey: shim.publicKey },
      signingAlgorithm: shim.algorithm,
    },
    shim.crypto,
  );
  return csr.toString('pem');
}

/**
 * Signs an intermediate CA's CSR with `parent`. The CSR's signature is checked (proof of possession), the
 * intermediate's pathLen must fit under the parent's, and its validity never outlasts the parent's.
 */
export async function signIntermediateCsr(
  parent: CertificateAuthority,
  csrPem: string,
  options: { now: Date; validityDays?: number; pathLength?: number },
): Promise<X509Certificate> {
  assertCurrentlyValid(parent.certificate, options.now);
  const csr = new Pkcs10CertificateRequest(csrPem);
  if (!(await csr.verify())) {
    throw new InvalidProfileError('The intermediate CSR signature does not verify', {
      context: { subject: csr.subject },
    });
  }
  const pathLength = options.pathLength ?? 0;
  const parentPath = parent.certificate.getExtension(BasicConstraintsExtension)?.pathLength;
  if (parentPath !== undefined && pathLength >= parentPath) {
    throw new InvalidProfileError(
      `The parent CA allows ${parentPath} CA level(s) below it: an intermediate needs pathLength < ${parentPath}`,
      { context: { subject: csr.subject, pathLength } },
    );
  }
  const spki = csr.publicKey.rawData;
  const shim = signerCrypto(parent.signer);
  const ski = await SubjectKeyIdentifierExtension.create(spki, false, shim.crypto);
  const notAfter = Math.min(
    options.now.getTime() + days(options.validityDays ?? 1825, 'validityDays') * DAY_MS,
    parent.certificate.notAfter.getTime(),
  );
  return X509CertificateGenerator.create(
    {
      serialNumber: randomSerialNumber(),
      subject: csr.subjectName,
      issuer: parent.certificate.subjectName,
      notBefore: options.now,
      notAfter: new Date(notAfter),
      publicKey: spki,
      signingKey: shim.privateKey,
      signingAlgorithm: shim.algorithm,
      extensions: caExtensions(pathLength, ski, new AuthorityKeyIdentifierExtension(parent.keyId)),
    },
    shim.crypto,
  );
}

/**
 * Loads a CA from its certificate (and the certificates above it) and checks that it can issue: it is a
 * CA, and its public key is the signer's (CaKeyMismatchError otherwise, which catches a secret pointing at
 * the wrong KMS key before anything is signed).
 */
export async function loadCertificateAuthority(
  signer: Signer,
  certificatePem: string,
  parentsPem = '',
): Promise<CertificateAuthority> {
  const certificate = new X509Certificate(certificatePem);
  const constraints = certificate.getExtension(BasicConstraintsExtension);
  const usage = certificate.getExtension(KeyUsagesExtension);
  if (!constraints?.ca || (usage && !(usage.usages & KeyUsageFlags.keyCertSign))) {
    throw new NotACaCertificateError(
      'The CA certificate is not a CA (basicConstraints CA:true and keyCertSign are required)',
      {
        context: { subject: certificate.subject, serialNumber: certificate.serialNumber },
      },
    );
  }
  const signerSpki = Buffer.from(await signer.publicKeySpki());
  if (!signerSpki.equals(Buffer.from(certificate.publicKey.rawData))) {
    throw new CaKeyMismatchError("The CA certificate's public key is not the signer's (KMS) public key", {
      context: { subject: certificate.subject, serialNumber: certificate.serialNumber },
    });
  }
  const keyId =
    certificate.getExtension(SubjectKeyIdentifierExtension)?.keyId ??
    (await SubjectKeyIdentifierExtension.create(certificate.publicKey.rawData)).keyId;
  return { signer, certificate, parents: splitPem(parentsPem).map((pem) => new X509Certificate(pem)), keyId };
}

/** CaExpiredError or CaNotYetValidError unless `now` is inside the certificate's validity window. */
export function assertCurrentlyValid(certificate: X509Certificate, now: Date): void {
  const context = {
    subject: certificate.subject,
    notBefore: certificate.notBefore.toISOString(),
    notAfter: certificate.notAfter.toISOString(),
  };
  if (now.getTime() > certificate.notAfter.getTime()) {
    throw new CaExpiredError(`The CA certificate expired at ${context.notAfter}`, { context });
  }
  if (now.getTime() < certificate.notBefore.getTime()) {
    throw new CaNotYetValidError(`The CA certificate is not valid before ${context.notBefore}`, { context });
  }
}

/** The PEM blocks of a bundle, each with its trailing newline. */
export function splitPem(bundle: string): string[] {
  return bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

function caExtensions(
  pathLength: number,
  ski: SubjectKeyIdentifierExtension,
  aki: AuthorityKeyIdentifierExtension,
): (
  | BasicConstraintsExtension
  | KeyUsagesExtension
  | SubjectKeyIdentifierExtension
  | AuthorityKeyIdentifierExtension
)[] {
  if (!Number.isInteger(pathLength) || pathLength < 0) {
    throw new InvalidProfileError('pathLength must be a non-negative integer', { context: { pathLength } });
  }
  return [
    new BasicConstraintsExtension(true, pathLength, true),
    new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
    ski,
    aki,
  ];
}

function parseName(subject: string): Name {
  try {
    const name = new Name(subject);
    if (name.toJSON().length === 0) throw new Error('empty');
    return name;
  } catch (error) {
    throw new InvalidProfileError(
      'The subject is not a distinguished name such as "CN=Rotor Root CA, O=Example"',
      {
        cause: error,
      },
    );
  }
}

function days(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidProfileError(`${field} must be a positive whole number of days`, { context: { field } });
  }
  return value;
}
