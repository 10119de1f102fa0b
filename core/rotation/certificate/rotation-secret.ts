import { z } from 'zod';
import { Sensitive } from '../../sensitive';
import { InvalidSecretError, type RotationErrorContext } from '../errors';
import { InvalidCertificateSecretError } from './errors';
import { buildCertificateSecret, parseCertificateSecret, type CertificateSecret } from './secret-format';

/**
 * The value of a rotated certificate secret: the issued certificate (the fields of `CertificateSecret`) and
 * the non-secret settings that renew it. Before the first issuance the secret may hold the request only
 * (`subject`, `subjectAltNames`, `issuer`, `profile`): the first rotation issues.
 */
export interface CertificateRotationSecret {
  /** The subject DN to issue for, e.g. `CN=api.example.com` (only its CN is used). */
  readonly subject: string;
  /** `DNS:name` and `IP:address` entries to issue for. */
  readonly subjectAltNames: readonly string[];
  /**
   * Who signs: the ARN or name of the secret holding a CA record (`rotor ca init`), or an ACM Private CA ARN
   * (`arn:aws:acm-pca:...`).
   */
  readonly issuer: string;
  /** The certificate profile, as configured (parsed at issuance). @default {} (the default profile) */
  readonly profile: Readonly<Record<string, unknown>>;
  /** An ACM certificate to re-import each new certificate into (same ARN, so its users follow). */
  readonly acmCertificateArn?: string;
  /** The issued certificate and key; absent in a request-only secret. */
  readonly issued?: CertificateSecret;
}

/** Which issuer an `issuer` reference names. */
export type IssuerReference =
  | { readonly type: 'kms-ca'; readonly caSecretId: string }
  | { readonly type: 'acm-pca'; readonly certificateAuthorityArn: string };

const ACM_PCA_ARN = /^arn:aws[a-z-]*:acm-pca:[a-z0-9-]+:\d{12}:certificate-authority\/[A-Za-z0-9-]+$/;
const ACM_CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/;
const ISSUED_FIELDS = [
  'certificate',
  'privateKey',
  'chain',
  'notBefore',
  'notAfter',
  'serialNumber',
] as const;

const SettingsSchema = z.object({
  subject: z.string().regex(/(^|,)\s*CN=[^,]+/),
  subjectAltNames: z.array(z.string().regex(/^(DNS|IP):.+$/)).min(1),
  issuer: z.string().min(1),
  profile: z.record(z.string(), z.unknown()).optional(),
  acmCertificateArn: z.string().regex(ACM_CERTIFICATE_ARN).optional(),
});

/** Tells a CA record secret from an ACM Private CA. */
export function issuerReference(issuer: string): IssuerReference {
  return issuer.startsWith('arn:') && issuer.includes(':acm-pca:')
    ? { type: 'acm-pca', certificateAuthorityArn: issuer }
    : { type: 'kms-ca', caSecretId: issuer };
}

/**
 * Parses a certificate secret's value. Errors are `InvalidSecretError` naming the fields at fault, never
 * their values. The issued fields are all present or all absent (a request-only secret).
 */
export function parseCertificateRotationSecret(
  secretString: string,
  where: RotationErrorContext,
): CertificateRotationSecret {
  let json: unknown;
  try {
    json = JSON.parse(secretString);
  } catch {
    throw new InvalidSecretError('the certificate secret is not valid JSON', { ...where, check: 'json' });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InvalidSecretError('the certificate secret is not a JSON object', { ...where, check: 'json' });
  }
  const record = json as Record<string, unknown>;
  const settings = SettingsSchema.safeParse(record);
  const present = ISSUED_FIELDS.filter((field) => record[field] !== undefined);
  const badSettings = settings.success
    ? []
    : [...new Set(settings.error.issues.map((issue) => String(issue.path[0] ?? '(root)')))];
  if (present.length > 0 && present.length < ISSUED_FIELDS.length) {
    const missing = ISSUED_FIELDS.filter((field) => record[field] === undefined);
    throw new InvalidSecretError('the certificate secret has missing or invalid fields', {
      ...where,
      check: 'certificate-fields',
      fields: [...missing, ...badSettings],
    });
  }
  if (!settings.success) {
    throw new InvalidSecretError('the certificate secret has missing or invalid fields', {
      ...where,
      check: 'certificate-fields',
      fields: badSettings,
    });
  }
  if (settings.data.issuer.includes(':acm-pca:') && !ACM_PCA_ARN.test(settings.data.issuer)) {
    throw new InvalidSecretError('the issuer is not an ACM Private CA ARN', {
      ...where,
      check: 'issuer',
      fields: ['issuer'],
    });
  }
  let issued: CertificateSecret | undefined;
  if (present.length > 0) {
    try {
      issued = parseCertificateSecret(secretString, where.secretId);
    } catch (error) {
      if (!(error instanceof InvalidCertificateSecretError)) throw error;
      const fields = String(error.context.fields ?? 'certificate').split(',');
      throw new InvalidSecretError(
        'the certificate secret has missing or invalid fields',
        { ...where, check: 'certificate-fields', fields },
        error,
      );
    }
  }
  return {
    subject: settings.data.subject,
    subjectAltNames: settings.data.subjectAltNames,
    issuer: settings.data.issuer,
    profile: settings.data.profile ?? {},
    ...(settings.data.acmCertificateArn === undefined
      ? {}
      : { acmCertificateArn: settings.data.acmCertificateArn }),
    ...(issued === undefined ? {} : { issued }),
  };
}

/** The JSON to store (this is where the private key is revealed, to be written as the secret value). */
export function serializeCertificateRotationSecret(secret: CertificateRotationSecret): Sensitive<string> {
  const issued = secret.issued === undefined ? {} : JSON.parse(buildCertificateSecret(secret.issued));
  return Sensitive.of(
    JSON.stringify({
      ...issued,
      subject: secret.subject,
      subjectAltNames: secret.subjectAltNames,
      issuer: secret.issuer,
      profile: secret.profile,
      ...(secret.acmCertificateArn === undefined ? {} : { acmCertificateArn: secret.acmCertificateArn }),
    }),
  );
}

/** The common name in a subject DN (`CN=api.example.com, O=Example` -> `api.example.com`). */
export function commonNameOf(subject: string): string {
  const match = /(?:^|,)\s*CN=([^,]+)/.exec(subject);
  return (match?.[1] ?? '').trim();
}

/** Splits `DNS:`/`IP:` entries into the request's name lists. */
export function requestedNames(subjectAltNames: readonly string[]): {
  dnsNames: string[];
  ipAddresses: string[];
} {
  const value = (entry: string) => entry.slice(entry.indexOf(':') + 1);
  return {
    dnsNames: subjectAltNames.filter((entry) => entry.startsWith('DNS:')).map(value),
    ipAddresses: subjectAltNames.filter((entry) => entry.startsWith('IP:')).map(value),
  };
}
