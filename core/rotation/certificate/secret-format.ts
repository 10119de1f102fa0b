import { X509Certificate, SubjectAlternativeNameExtension } from './x509';
import { z } from 'zod';
import { Sensitive } from '../../sensitive';
import { InvalidCertificateSecretError } from './errors';
import { canonicalIp } from './subject-alt-names';

/**
 * The secret a certificate rotation writes: PEM `certificate`, `privateKey` (PKCS#8) and `chain` (the CA
 * chain), with `notBefore`, `notAfter`, `serialNumber`, `subject` and `subjectAltNames` alongside so that
 * scheduling a renewal needs no PEM parsing. In memory the private key is a `Sensitive`.
 */
export interface CertificateSecret {
  /** The leaf certificate, PEM. */
  readonly certificate: string;
  /** The leaf's private key, PEM PKCS#8. */
  readonly privateKey: Sensitive<string>;
  /** The CA chain, PEM, issuing CA first and root last. */
  readonly chain: string;
  /** ISO 8601. */
  readonly notBefore: string;
  /** ISO 8601. */
  readonly notAfter: string;
  /** Lower-case hex, no separators. */
  readonly serialNumber: string;
  /** The subject DN, e.g. `CN=api.example.com`. */
  readonly subject: string;
  /** `DNS:name` and `IP:address` entries. */
  readonly subjectAltNames: readonly string[];
}

// Built from parts so that no line of source looks like a private key header.
const PRIVATE_KEY_HEADER = `-----BEGIN ${'PRIVATE KEY'}-----`;
const CERTIFICATE_HEADER = '-----BEGIN CERTIFICATE-----';

const isoDate = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'must be an ISO 8601 date');

const SecretSchema = z.object({
  certificate: z
    .string()
    .refine((v) => v.trimStart().startsWith(CERTIFICATE_HEADER), 'must be a PEM certificate'),
  privateKey: z
    .string()
    .refine((v) => v.trimStart().startsWith(PRIVATE_KEY_HEADER), 'must be a PEM PKCS#8 private key'),
  chain: z
    .string()
    .refine((v) => v.trimStart().startsWith(CERTIFICATE_HEADER), 'must be one or more PEM certificates'),
  notBefore: isoDate,
  notAfter: isoDate,
  serialNumber: z.string().regex(/^[0-9a-f]+$/, 'must be lower-case hex'),
  subject: z.string().min(1),
  subjectAltNames: z.array(z.string().regex(/^(DNS|IP):.+$/, 'must be DNS:<name> or IP:<address>')),
});

/**
 * Parses a secret string. Errors name the fields that are wrong, never their values: zod's messages are
 * replaced by ours so that no input is echoed.
 */
export function parseCertificateSecret(secretString: string, secretId?: string): CertificateSecret {
  let json: unknown;
  try {
    json = JSON.parse(secretString);
  } catch {
    throw new InvalidCertificateSecretError('The certificate secret is not valid JSON', {
      context: { secretId },
    });
  }
  const result = SecretSchema.safeParse(json);
  if (!result.success) {
    const fields = [...new Set(result.error.issues.map((issue) => String(issue.path[0] ?? '(root)')))];
    const reasons = result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${describe(issue)}`,
    );
    throw new InvalidCertificateSecretError(
      `The certificate secret has invalid fields: ${reasons.join('; ')}`,
      {
        context: { secretId, fields: fields.join(',') },
      },
    );
  }
  const { privateKey, ...rest } = result.data;
  return { ...rest, privateKey: Sensitive.of(privateKey) };
}

/** A message for an issue that cannot contain the value (zod's may quote it). */
function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') return `expected ${issue.expected}`;
  if (issue.code === 'custom') return issue.message;
  if (issue.code === 'invalid_format')
    return issue.message.includes('hex') ? 'must be lower-case hex' : 'has the wrong format';
  if (issue.code === 'too_small') return 'must not be empty';
  return 'is invalid';
}

/** The JSON to store (this is where the private key is revealed, to be written as the secret value). */
export function buildCertificateSecret(secret: CertificateSecret): string {
  return JSON.stringify({
    certificate: secret.certificate,
    privateKey: secret.privateKey.reveal(),
    chain: secret.chain,
    notBefore: secret.notBefore,
    notAfter: secret.notAfter,
    serialNumber: secret.serialNumber,
    subject: secret.subject,
    subjectAltNames: secret.subjectAltNames,
  });
}

/** Fills the metadata fields from the certificate itself (for certificates issued elsewhere, e.g. ACM PCA). */
export function certificateSecretFrom(parts: {
  certificatePem: string;
  privateKey: Sensitive<string>;
  chainPem: string;
}): CertificateSecret {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(parts.certificatePem);
  } catch (error) {
    throw new InvalidCertificateSecretError('The certificate field does not parse as an X.509 certificate', {
      cause: error,
    });
  }
  return {
    certificate: cert.toString('pem'),
    privateKey: parts.privateKey,
    chain: parts.chainPem.trim(),
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    serialNumber: cert.serialNumber.toLowerCase(),
    subject: cert.subject,
    subjectAltNames: subjectAltNamesOf(cert),
  };
}

/** The SANs of a certificate in the secret's `DNS:`/`IP:` notation. */
export function subjectAltNamesOf(cert: X509Certificate): string[] {
  const extension = cert.getExtension(SubjectAlternativeNameExtension);
  if (!extension) return [];
  return extension.names.items.flatMap((name) => {
    if (name.type === 'dns') return [`DNS:${name.value.toLowerCase()}`];
    if (name.type === 'ip') return [`IP:${canonicalIp(name.value)}`];
    return [];
  });
}
