import { generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  Name,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  X509CertificateGenerator,
} from './x509';
import { Sensitive } from '../../sensitive';
import { assertCurrentlyValid, type CertificateAuthority } from './authority';
import { InvalidSubjectAltNameError } from './errors';
import { parseCertificateProfile, type CertificateProfile, type LeafKeySpec } from './profile';
import type { CertificateSecret } from './secret-format';
import { randomSerialNumber } from './serial';
import { signerCrypto } from './signer-crypto';
import { formatSubjectAltNames, validateSubjectAltNames } from './subject-alt-names';

const generateKeyPairAsync = promisify(generateKeyPair);

/** What a leaf certificate is for: its common name and its subject alternative names. */
export interface CertificateRequest {
  readonly commonName: string;
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
}

/** Options of one issuance. */
export interface IssueOptions {
  readonly now: Date;
  /** A parsed profile, or raw configuration to parse. @default the default profile */
  readonly profile?: CertificateProfile | unknown;
  /** @default a random 128-bit serial */
  readonly serialNumber?: string;
}

/**
 * Issues a leaf certificate with a fresh key pair, signed by the CA's signer, as a certificate secret:
 * ECDSA P-256 by default, keyUsage digitalSignature (+ keyEncipherment for RSA), the profile's EKUs, SANs,
 * subject and authority key identifiers, a notBefore backdated by the profile and a notAfter that never
 * outlasts the CA.
 */
export async function issueCertificate(
  ca: CertificateAuthority,
  request: CertificateRequest,
  options: IssueOptions,
): Promise<CertificateSecret> {
  // Parsing is idempotent, so a parsed profile goes through the strength checks again: nothing skips them.
  const profile = parseCertificateProfile(options.profile ?? {});
  const names = validateSubjectAltNames(request);
  const commonName = validateCommonName(request.commonName);
  assertCurrentlyValid(ca.certificate, options.now);

  const keys = await generateLeafKey(profile.key);
  const spki = keys.publicKey.export({ type: 'spki', format: 'der' });
  const now = options.now.getTime();
  const notBefore = Math.max(now - profile.backdateMinutes * 60_000, ca.certificate.notBefore.getTime());
  const notAfter = Math.min(now + profile.validityDays * 86_400_000, ca.certificate.notAfter.getTime());

  const shim = signerCrypto(ca.signer);
  const usages =
    KeyUsageFlags.digitalSignature | (profile.key.type === 'RSA' ? KeyUsageFlags.keyEncipherment : 0);
  const certificate = await X509CertificateGenerator.create(
    {
      serialNumber: options.serialNumber ?? randomSerialNumber(),
      subject: new Name([{ CN: [commonName] }]),
      issuer: ca.certificate.subjectName,
      notBefore: new Date(notBefore),
      notAfter: new Date(notAfter),
      publicKey: spki,
      signingKey: shim.privateKey,
      signingAlgorithm: shim.algorithm,
      extensions: [
        new BasicConstraintsExtension(false, undefined, true),
        new KeyUsagesExtension(usages, true),
        new ExtendedKeyUsageExtension(
          profile.extendedKeyUsage.map((usage) =>
            usage === 'serverAuth' ? ExtendedKeyUsage.serverAuth : ExtendedKeyUsage.clientAuth,
          ),
          false,
        ),
        new SubjectAlternativeNameExtension([
          ...names.dnsNames.map((value) => ({ type: 'dns' as const, value })),
          ...names.ipAddresses.map((value) => ({ type: 'ip' as const, value })),
        ]),
        await SubjectKeyIdentifierExtension.create(spki, false, shim.crypto),
        new AuthorityKeyIdentifierExtension(ca.keyId),
      ],
    },
    shim.crypto,
  );

  return {
    certificate: certificate.toString('pem'),
    privateKey: Sensitive.of(keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()),
    chain: [ca.certificate, ...ca.parents].map((cert) => cert.toString('pem')).join('\n'),
    notBefore: certificate.notBefore.toISOString(),
    notAfter: certificate.notAfter.toISOString(),
    serialNumber: certificate.serialNumber.toLowerCase(),
    subject: certificate.subject,
    subjectAltNames: formatSubjectAltNames(names),
  };
}

/** A fresh key pair for a leaf (Node's crypto; the private key is exported once, into the secret). */
export async function generateLeafKey(
  spec: LeafKeySpec,
): Promise<{ privateKey: KeyObject; publicKey: KeyObject }> {
  return spec.type === 'EC'
    ? generateKeyPairAsync('ec', { namedCurve: spec.curve })
    : generateKeyPairAsync('rsa', { modulusLength: spec.modulusLength, publicExponent: 65537 });
}

function validateCommonName(commonName: string): string {
  if (typeof commonName !== 'string' || commonName.trim().length === 0 || commonName.length > 64) {
    throw new InvalidSubjectAltNameError('The common name must be 1 to 64 characters', {
      context: { field: 'commonName' },
    });
  }
  return commonName;
}
