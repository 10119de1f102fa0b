import { z } from 'zod';
import { splitPem } from './authority';
import { InvalidCertificateSecretError } from './errors';
import type { SignerAlgorithm } from './signer';
import type { X509Certificate } from './x509';

/**
 * What `rotor ca init` stores about a CA (public data only: the key stays in KMS): its certificate, the
 * certificates above it, and which KMS key and algorithm sign for it. A certificate rotator reads this to
 * build its Signer and `loadCertificateAuthority`.
 */
export interface CaRecord {
  /** The CA certificate, PEM. */
  readonly certificate: string;
  /** The certificates above it (nearest first, root last), PEM; empty for a root. */
  readonly chain: string;
  /** The KMS key id, key ARN or alias of the CA key. */
  readonly keyId: string;
  readonly signingAlgorithm: SignerAlgorithm;
  /** ISO 8601, for alarms on the CA's own expiry. */
  readonly notAfter: string;
  readonly subject: string;
}

const ALGORITHMS = [
  'ECDSA_SHA_256',
  'ECDSA_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
] as const;

const CaRecordSchema = z.object({
  certificate: z.string().startsWith('-----BEGIN CERTIFICATE-----'),
  chain: z.string(),
  keyId: z.string().min(1),
  signingAlgorithm: z.enum(ALGORITHMS),
  notAfter: z.string().refine((value) => !Number.isNaN(Date.parse(value))),
  subject: z.string().min(1),
});

/** The record of a CA certificate made by `createRootCaCertificate` or `signIntermediateCsr`. */
export function createCaRecord(input: {
  certificate: X509Certificate;
  parents?: readonly X509Certificate[];
  keyId: string;
  signingAlgorithm: SignerAlgorithm;
}): CaRecord {
  return {
    certificate: input.certificate.toString('pem'),
    chain: (input.parents ?? []).map((cert) => cert.toString('pem')).join('\n'),
    keyId: input.keyId,
    signingAlgorithm: input.signingAlgorithm,
    notAfter: input.certificate.notAfter.toISOString(),
    subject: input.certificate.subject,
  };
}

/** Parses a stored CA record; errors name the fields that are wrong. */
export function parseCaRecord(text: string, secretId?: string): CaRecord {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InvalidCertificateSecretError('The CA record is not valid JSON', { context: { secretId } });
  }
  const result = CaRecordSchema.safeParse(json);
  if (!result.success) {
    const fields = [...new Set(result.error.issues.map((issue) => String(issue.path[0] ?? '(root)')))].join(
      ',',
    );
    throw new InvalidCertificateSecretError(`The CA record has missing or invalid fields: ${fields}`, {
      context: { secretId, fields },
    });
  }
  return result.data;
}

/** The JSON to store. */
export function buildCaRecord(record: CaRecord): string {
  return JSON.stringify(record);
}

/**
 * The certificate a TLS client of the CA's leaves trusts: the root at the end of the record's chain, or the
 * CA certificate itself when it is the root (clients do not accept a chain that ends in an intermediate).
 */
export function caRecordTrustAnchor(record: CaRecord): string {
  return splitPem(record.chain).at(-1) ?? record.certificate;
}
