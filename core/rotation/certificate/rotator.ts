import { systemClock } from '../../clock';
import {
  CredentialRejectedError,
  InvalidSecretError,
  SecretStoreRequestError,
  type RotationErrorContext,
} from '../errors';
import { AWSCURRENT, type SecretDescription } from '../ports';
import type { Rotator, RotatorContext } from '../rotator';
import { loadCertificateAuthority, splitPem } from './authority';
import { caRecordTrustAnchor, parseCaRecord } from './ca-record';
import { issueCertificate, type CertificateRequest } from './issue';
import { parseCertificateProfile } from './profile';
import { renewalDue, type RenewalDecision } from './renewal';
import { asRotationError } from './rotation-errors';
import type { CertificateRotatorPorts } from './rotator-ports';
import {
  commonNameOf,
  issuerReference,
  parseCertificateRotationSecret,
  requestedNames,
  serializeCertificateRotationSecret,
  type CertificateRotationSecret,
} from './rotation-secret';
import type { CertificateSecret } from './secret-format';
import { verifyCertificateSecret } from './verify';

/** The `rotor:kind` tag value of certificate secrets. */
export const CERTIFICATE_KIND = 'certificate';
const KIND_TAG = 'rotor:kind';
const DAY_MS = 86_400_000;

/**
 * The certificate rotator. createSecret issues a new key and certificate for the same subject, SANs and
 * profile (from the CA record's KMS-backed CA, or from ACM Private CA); setSecret re-imports it into ACM
 * when the secret names an `acmCertificateArn` (and does nothing otherwise); testSecret checks the chain,
 * key pair, validity, lifetime and SANs, serves it in a real TLS handshake, and checks ACM holds it.
 * The old certificate stays valid until it expires: there is nothing to revoke.
 */
export function certificateRotator(ports: CertificateRotatorPorts): Rotator<CertificateRotationSecret> {
  const clock = ports.clock ?? systemClock;

  const guarded = async <T>(context: RotatorContext, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw asRotationError(error, whereOf(context));
    }
  };

  /** The CA certificate (PEM) testSecret trusts, and, for a CA record, the CA ready to issue. */
  const caCertificatePem = async (
    secret: CertificateRotationSecret,
    pending: CertificateSecret,
    context: RotatorContext,
  ): Promise<string> => {
    const issuer = issuerReference(secret.issuer);
    if (issuer.type === 'kms-ca') return caRecordTrustAnchor(await readCaRecord(issuer.caSecretId, context));
    // ACM PCA returns the chain up to its root: the root is the anchor.
    const root = splitPem(pending.chain).at(-1);
    if (root === undefined) {
      throw new CredentialRejectedError('the certificate from ACM Private CA came without a chain', {
        ...whereOf(context),
        check: 'certificate-chain',
      });
    }
    return root;
  };

  const issue = async (
    current: CertificateRotationSecret,
    context: RotatorContext,
  ): Promise<CertificateSecret> => {
    const request: CertificateRequest = {
      commonName: commonNameOf(current.subject),
      ...requestedNames(current.subjectAltNames),
    };
    const issuer = issuerReference(current.issuer);
    if (issuer.type === 'acm-pca') {
      const pca = requirePort(ports.pcaIssuerFor, 'pcaIssuerFor', context);
      // The token makes a retried createSecret get the same certificate from ACM PCA.
      return pca(issuer.certificateAuthorityArn).issueCertificate(request, {
        profile: current.profile,
        idempotencyToken: context.versionId.slice(0, 36),
      });
    }
    const record = await readCaRecord(issuer.caSecretId, context);
    const signerFor = requirePort(ports.signerFor, 'signerFor', context);
    const ca = await loadCertificateAuthority(signerFor(record), record.certificate, record.chain);
    return issueCertificate(ca, request, { now: clock.now(), profile: current.profile });
  };

  return {
    kind: CERTIFICATE_KIND,
    parse: (secretString, context) => parseCertificateRotationSecret(secretString.reveal(), whereOf(context)),
    serialize: serializeCertificateRotationSecret,
    generate: (current, context) =>
      guarded(context, async () => {
        const issued = await issue(current, context);
        context.log.info('issued a certificate', {
          serialNumber: issued.serialNumber,
          notAfter: issued.notAfter,
          issuer: issuerReference(current.issuer).type,
        });
        return { ...current, issued };
      }),
    isApplied: (pending, context) =>
      guarded(context, async () => {
        if (pending.acmCertificateArn === undefined) return true;
        const acm = requirePort(ports.acm, 'acm', context);
        const serial = await acm.currentSerial(pending.acmCertificateArn);
        return sameSerial(serial, issuedOf(pending, context).serialNumber);
      }),
    apply: ({ pending }, context) =>
      guarded(context, async () => {
        if (pending.acmCertificateArn === undefined) return;
        const acm = requirePort(ports.acm, 'acm', context);
        await acm.importCertificate(pending.acmCertificateArn, issuedOf(pending, context));
        context.log.info('re-imported the certificate into ACM', {
          acmCertificateArn: pending.acmCertificateArn,
          serialNumber: issuedOf(pending, context).serialNumber,
        });
      }),
    verify: (pending, context) =>
      guarded(context, async () => {
        const issued = issuedOf(pending, context);
        const caPem = await caCertificatePem(pending, issued, context);
        await verifyCertificateSecret(issued, {
          caCertificatePem: caPem,
          now: clock.now(),
          profile: parseCertificateProfile(pending.profile),
          expected: requestedNames(pending.subjectAltNames),
        });
        const handshake = await ports.handshake(issued, caPem);
        if (!handshake.ok) {
          throw new CredentialRejectedError(
            `a TLS client trusting only the CA refused the certificate (${handshake.code ?? 'handshake failed'})`,
            { ...whereOf(context), check: 'tls-handshake' },
          );
        }
        if (pending.acmCertificateArn !== undefined) {
          const serial = await requirePort(ports.acm, 'acm', context).currentSerial(
            pending.acmCertificateArn,
          );
          if (!sameSerial(serial, issued.serialNumber)) {
            throw new CredentialRejectedError('ACM does not hold the pending certificate', {
              ...whereOf(context),
              check: 'acm-serial',
            });
          }
        }
      }),
  };
}

/**
 * A `rotatorFor` for the engine: the certificate rotator for secrets tagged `rotor:kind=certificate`;
 * `InvalidSecretError` naming the tag otherwise.
 */
export function certificateRotatorFor(
  ports: CertificateRotatorPorts,
): (secret: SecretDescription) => Rotator<CertificateRotationSecret> {
  const rotator = certificateRotator(ports);
  return (secret) => {
    if (secret.tags[KIND_TAG] !== CERTIFICATE_KIND) {
      throw new InvalidSecretError(`the ${KIND_TAG} tag is not ${CERTIFICATE_KIND}`, {
        secretId: secret.arn,
        check: KIND_TAG,
      });
    }
    return rotator;
  };
}

/**
 * Whether a certificate secret's value is due for renewal (for the schedule or a sweep): at two thirds of
 * the lifetime, or the profile's `renewBeforeDays` before notAfter, minus a per-serial jitter. A
 * request-only secret (nothing issued yet) is due now. Throws `InvalidSecretError` for a value that does not
 * parse.
 */
export function certificateRenewalDue(
  secretValue: string,
  now: Date,
  secretId = 'certificate',
): RenewalDecision {
  const secret = parseCertificateRotationSecret(secretValue, { secretId, check: 'renewal' });
  if (secret.issued === undefined) return { dueAt: now, due: true };
  const renewBeforeDays = secret.profile.renewBeforeDays;
  return renewalDue(secret.issued, now, {
    ...(typeof renewBeforeDays === 'number' ? { renewBeforeMs: renewBeforeDays * DAY_MS } : {}),
  });
}

async function readCaRecord(caSecretId: string, context: RotatorContext) {
  let version;
  try {
    version = await context.store.getValue(caSecretId, { stage: AWSCURRENT });
  } catch (error) {
    if (!(error instanceof SecretStoreRequestError)) throw error;
    throw new InvalidSecretError(
      `the CA record secret ${caSecretId} cannot be read (${error.where.check ?? 'refused'})`,
      { ...whereOf(context), check: 'ca-record', fields: ['issuer'] },
      error,
    );
  }
  if (version === undefined) {
    throw new InvalidSecretError(`the CA record secret ${caSecretId} has no AWSCURRENT value`, {
      ...whereOf(context),
      check: 'ca-record',
      fields: ['issuer'],
    });
  }
  return parseCaRecord(version.secretString.reveal(), caSecretId);
}

function issuedOf(secret: CertificateRotationSecret, context: RotatorContext): CertificateSecret {
  if (secret.issued === undefined) {
    throw new InvalidSecretError('the pending version holds no certificate', {
      ...whereOf(context),
      check: 'certificate-fields',
      fields: ['certificate'],
    });
  }
  return secret.issued;
}

function requirePort<T>(port: T | undefined, name: string, context: RotatorContext): T {
  if (port === undefined) {
    throw new InvalidSecretError(`the secret needs the ${name} port, which this function was not given`, {
      ...whereOf(context),
      check: name,
    });
  }
  return port;
}

/** Serials compared as numbers: ACM may keep a leading zero byte that the secret does not, or the reverse. */
function sameSerial(a: string | undefined, b: string): boolean {
  const strip = (serial: string) => serial.toLowerCase().replace(/^0+(?=.)/, '');
  return a !== undefined && strip(a) === strip(b);
}

function whereOf(context: RotatorContext): RotationErrorContext {
  return { step: context.step, secretId: context.secretId, versionId: context.versionId };
}
