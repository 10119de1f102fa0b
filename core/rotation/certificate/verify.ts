import { createPrivateKey, createPublicKey } from 'node:crypto';
import { BasicConstraintsExtension, X509Certificate } from './x509';
import { splitPem } from './authority';
import { CertificateVerificationError } from './errors';
import type { CertificateProfile } from './profile';
import { subjectAltNamesOf, type CertificateSecret } from './secret-format';
import { formatSubjectAltNames, validateSubjectAltNames } from './subject-alt-names';

/** Which check of a pending certificate failed. */
export type CertificateCheck =
  'parse' | 'chain' | 'keyPair' | 'validity' | 'lifetime' | 'subjectAltNames' | 'metadata';

/** What testSecret expects of a pending certificate. */
export interface VerifyCertificateOptions {
  /** The trusted CA certificate (PEM): the chain must end in it. */
  readonly caCertificatePem: string;
  readonly now: Date;
  readonly profile: CertificateProfile;
  /** The SANs that were requested. */
  readonly expected: { readonly dnsNames?: readonly string[]; readonly ipAddresses?: readonly string[] };
}

const MAX_CHAIN_DEPTH = 5;

/**
 * testSecret for certificates, without a network: the chain verifies to the trusted CA, the private key
 * belongs to the certificate, the validity window contains now and is no longer than the profile allows,
 * the SANs are those requested, and the metadata fields agree with the certificate. Throws
 * CertificateVerificationError naming the failed check (`context.check`); messages hold no key material.
 */
export async function verifyCertificateSecret(
  secret: CertificateSecret,
  options: VerifyCertificateOptions,
): Promise<void> {
  const context = { serialNumber: secret.serialNumber, subject: secret.subject };
  const fail = (check: CertificateCheck, message: string, cause?: unknown): never => {
    throw new CertificateVerificationError(message, { cause, context: { ...context, check } });
  };

  let leaf: X509Certificate;
  let chain: X509Certificate[];
  let anchor: X509Certificate;
  try {
    leaf = new X509Certificate(secret.certificate);
    chain = splitPem(secret.chain).map((pem) => new X509Certificate(pem));
    anchor = new X509Certificate(options.caCertificatePem);
  } catch (error) {
    return fail('parse', 'The certificate, chain or CA certificate does not parse as X.509', error);
  }

  await verifyChain(leaf, chain, anchor, options.now, fail);

  let keyMatches: boolean;
  try {
    const publicKey = createPublicKey(createPrivateKey(secret.privateKey.reveal()));
    keyMatches = publicKey
      .export({ type: 'spki', format: 'der' })
      .equals(Buffer.from(leaf.publicKey.rawData));
  } catch {
    return fail('keyPair', 'The private key does not parse as PKCS#8');
  }
  if (!keyMatches) fail('keyPair', "The private key does not belong to the certificate's public key");

  const now = options.now.getTime();
  if (now < leaf.notBefore.getTime() || now > leaf.notAfter.getTime()) {
    fail(
      'validity',
      `The certificate is valid from ${leaf.notBefore.toISOString()} to ${leaf.notAfter.toISOString()}, not now`,
    );
  }
  const allowedMs = options.profile.validityDays * 86_400_000 + options.profile.backdateMinutes * 60_000;
  if (leaf.notAfter.getTime() - leaf.notBefore.getTime() > allowedMs) {
    fail('lifetime', `The certificate lives longer than the profile's ${options.profile.validityDays} days`);
  }

  const expected = formatSubjectAltNames(validateSubjectAltNames(options.expected)).sort();
  const actual = subjectAltNamesOf(leaf).sort();
  if (expected.join('\n') !== actual.join('\n')) {
    fail(
      'subjectAltNames',
      `The certificate's SANs [${actual.join(', ')}] are not the requested [${expected.join(', ')}]`,
    );
  }

  if (
    secret.serialNumber !== leaf.serialNumber.toLowerCase() ||
    Date.parse(secret.notAfter) !== leaf.notAfter.getTime() ||
    Date.parse(secret.notBefore) !== leaf.notBefore.getTime()
  ) {
    fail('metadata', 'The serialNumber, notBefore or notAfter fields do not match the certificate');
  }
}

/** Walks from the leaf through the chain to the trusted anchor, checking each signature and CA flag. */
async function verifyChain(
  leaf: X509Certificate,
  chain: readonly X509Certificate[],
  anchor: X509Certificate,
  now: Date,
  fail: (check: CertificateCheck, message: string, cause?: unknown) => never,
): Promise<void> {
  let current = leaf;
  for (let depth = 0; depth <= MAX_CHAIN_DEPTH; depth++) {
    if (current.issuer === anchor.subject && (await signedBy(current, anchor))) {
      if (now < anchor.notBefore || now > anchor.notAfter)
        fail('chain', 'The trusted CA certificate is not valid now');
      return;
    }
    const issuer = chain.find((candidate) => candidate.subject === current.issuer && candidate !== current);
    if (!issuer)
      fail(
        'chain',
        `No certificate in the chain issued "${current.subject}" and it is not signed by the trusted CA`,
      );
    if (!issuer!.getExtension(BasicConstraintsExtension)?.ca)
      fail('chain', `"${issuer!.subject}" in the chain is not a CA`);
    if (!(await signedBy(current, issuer!)))
      fail('chain', `The signature on "${current.subject}" does not verify`);
    if (now < issuer!.notBefore || now > issuer!.notAfter)
      fail('chain', `"${issuer!.subject}" in the chain is not valid now`);
    current = issuer!;
  }
  fail('chain', 'The chain is longer than five certificates');
}

async function signedBy(cert: X509Certificate, issuer: X509Certificate): Promise<boolean> {
  try {
    return await cert.verify({ publicKey: issuer.publicKey, signatureOnly: true });
  } catch {
    return false;
  }
}
