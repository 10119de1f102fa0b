import { randomUUID } from 'node:crypto';
import { createRootCaCertificate } from '../../../core/rotation/certificate/authority';
import { buildCaRecord, createCaRecord } from '../../../core/rotation/certificate/ca-record';
import {
  AcmUnavailableError,
  CertificateIssuerRefusedError,
  CertificateIssuerUnavailableError,
  SignerDeniedError,
} from '../../../core/rotation/certificate/errors';
import {
  certificateRenewalDue,
  certificateRotator,
  certificateRotatorFor,
} from '../../../core/rotation/certificate/rotator';
import { serializeCertificateRotationSecret } from '../../../core/rotation/certificate/rotation-secret';
import type { CertificateSecret } from '../../../core/rotation/certificate/secret-format';
import type { Signer } from '../../../core/rotation/certificate/signer';
import { createSecret, rotate, ROTATION_STEPS, type RotationDeps } from '../../../core/rotation/contract';
import { CredentialRejectedError, InvalidSecretError } from '../../../core/rotation/errors';
import { AWSCURRENT, AWSPENDING } from '../../../core/rotation/ports';
import { Sensitive } from '../../../core/sensitive';
import { memorySigner } from './memory-signer';
import { ACM_ARN, certificateRotationFixture, type CertificateRotationFixture } from './rotation-fixture';

const DAY = 86_400_000;

async function rotateAll(fx: CertificateRotationFixture, deps?: Partial<RotationDeps>): Promise<string> {
  const token = fx.store.startRotation(fx.secretId);
  for (const step of ROTATION_STEPS) {
    await rotate(
      { Step: step, SecretId: fx.secretId, ClientRequestToken: token },
      { store: fx.store, rotatorFor: () => fx.rotator, ...deps },
    );
  }
  return token;
}

async function failedCreate(fx: CertificateRotationFixture): Promise<unknown> {
  const before = fx.store.valueAt(fx.secretId, AWSCURRENT);
  const token = fx.store.startRotation(fx.secretId);
  const error = await createSecret(
    { secretId: fx.secretId, token },
    { store: fx.store, rotatorFor: () => fx.rotator },
  ).catch((e: unknown) => e);
  expect(fx.store.valueAt(fx.secretId, AWSCURRENT)).toBe(before);
  expect(fx.store.valueAt(fx.secretId, AWSPENDING)).toBeUndefined();
  return error;
}

async function replaceCaRecord(
  fx: CertificateRotationFixture,
  signer: Signer,
  now: Date,
  validityDays: number,
) {
  const cert = await createRootCaCertificate(signer, { subject: 'CN=Rotor Unit Test CA', now, validityDays });
  const record = createCaRecord({
    certificate: cert,
    keyId: 'memory-key',
    signingAlgorithm: signer.algorithm,
  });
  await fx.store.putValue(fx.caSecretId, {
    token: randomUUID(),
    secretString: Sensitive.of(buildCaRecord(record)),
    stages: [AWSCURRENT],
  });
}

describe('certificate rotator', () => {
  it('issues a new key and certificate for the same names, re-imports it and keeps the settings', async () => {
    const fx = await certificateRotationFixture();
    const before = JSON.parse(fx.store.valueAt(fx.secretId, AWSCURRENT)!);
    await rotateAll(fx);
    const after = JSON.parse(fx.store.valueAt(fx.secretId, AWSCURRENT)!);
    expect(after.serialNumber).not.toBe(before.serialNumber);
    expect(after.privateKey).not.toBe(before.privateKey);
    expect(after).toMatchObject({
      subjectAltNames: before.subjectAltNames,
      issuer: before.issuer,
      profile: before.profile,
      acmCertificateArn: ACM_ARN,
    });
    expect(fx.acm.imports).toEqual([{ arn: ACM_ARN, serialNumber: after.serialNumber }]);
  });

  it('skips ACM entirely when the secret names no ACM certificate', async () => {
    const fx = await certificateRotationFixture({ acm: false });
    fx.acm.fail = () => new Error('ACM must not be called');
    await rotateAll(fx);
    expect(JSON.parse(fx.store.valueAt(fx.secretId, AWSCURRENT)!).acmCertificateArn).toBeUndefined();
  });

  it('issues the first certificate of a request-only secret', async () => {
    const fx = await certificateRotationFixture({ acm: false });
    const request = {
      subject: 'CN=new.internal',
      subjectAltNames: ['DNS:new.internal'],
      issuer: fx.caSecretId,
    };
    const secretId = fx.store.create('app/new', JSON.stringify(request), {
      tags: { 'rotor:kind': 'certificate' },
    });
    const token = fx.store.startRotation(secretId);
    for (const step of ROTATION_STEPS)
      await rotate(
        { Step: step, SecretId: secretId, ClientRequestToken: token },
        { store: fx.store, rotatorFor: () => fx.rotator },
      );
    const issued = JSON.parse(fx.store.valueAt(secretId, AWSCURRENT)!);
    expect(issued.subjectAltNames).toEqual(['DNS:new.internal']);
    expect(issued.serialNumber).toMatch(/^[0-9a-f]+$/);
  });

  it('refuses the pending certificate when the TLS handshake fails, naming the check', async () => {
    const fx = await certificateRotationFixture({ acm: false });
    fx.handshake = { ok: false, code: 'ERR_TLS_CERT_ALTNAME_INVALID', error: 'altname' };
    const error = await rotateAll(fx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialRejectedError);
    expect((error as CredentialRejectedError).where.check).toBe('tls-handshake');
    expect((error as Error).message).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('keeps AWSCURRENT when the CA has expired', async () => {
    const fx = await certificateRotationFixture();
    await replaceCaRecord(fx, fx.signer, new Date(Date.now() - 40 * DAY), 30);
    const error = await failedCreate(fx);
    expect(error).toBeInstanceOf(InvalidSecretError);
    expect((error as InvalidSecretError).where.check).toBe('ca-expired');
  });

  it('keeps AWSCURRENT when the CA certificate is not for the KMS key', async () => {
    const fx = await certificateRotationFixture();
    await replaceCaRecord(fx, memorySigner(), new Date(Date.now() - DAY), 30);
    const error = await failedCreate(fx);
    expect(error).toBeInstanceOf(InvalidSecretError);
    expect((error as InvalidSecretError).where.check).toBe('ca-key-mismatch');
  });

  it('keeps AWSCURRENT when KMS refuses to sign', async () => {
    const fx = await certificateRotationFixture();
    const denied: Signer = {
      algorithm: fx.signer.algorithm,
      publicKeySpki: () => fx.signer.publicKeySpki(),
      sign: async () => {
        throw new SignerDeniedError('KMS refused Sign with key memory-key (AccessDeniedException)');
      },
    };
    const rotator = certificateRotator({ ...fx.ports, signerFor: () => denied });
    Object.assign(fx, { rotator });
    const error = await failedCreate(fx);
    expect(error).toBeInstanceOf(CertificateIssuerRefusedError);
    expect((error as Error).message).toContain('AccessDeniedException');
  });

  it('keeps AWSCURRENT when the CA record secret is missing, naming the issuer field', async () => {
    const fx = await certificateRotationFixture();
    const current = fx.rotator.parse(Sensitive.of(fx.store.valueAt(fx.secretId, AWSCURRENT)!), {} as never);
    fx.store.overwrite(
      fx.secretId,
      fx.store.versionWith(fx.secretId, AWSCURRENT)!,
      serializeCertificateRotationSecret({ ...current, issuer: 'rotor/ca/missing' }).reveal(),
    );
    const error = await failedCreate(fx);
    expect(error).toBeInstanceOf(InvalidSecretError);
    expect((error as Error).message).toMatch(/issuer/);
  });

  it('fails retryably when ACM is throttling', async () => {
    const fx = await certificateRotationFixture();
    fx.acm.fail = () =>
      new AcmUnavailableError('ACM DescribeCertificate failed transiently (ThrottlingException)');
    const error = await rotateAll(fx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CertificateIssuerUnavailableError);
    expect((error as CertificateIssuerUnavailableError).retryable).toBe(true);
  });

  it('issues through ACM Private CA for a PCA issuer, with the rotation token as idempotency token', async () => {
    const fx = await certificateRotationFixture({ acm: false });
    const pcaArn =
      'arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/11111111-2222-3333-4444-555555555555';
    const calls: { arn: string; token?: string }[] = [];
    // The "PCA" is the fixture's CA: what it issues must chain to its root, the last certificate of the chain.
    const viaCa = await certificateRotationFixture({ acm: false });
    const rotator = certificateRotator({
      ...fx.ports,
      pcaIssuerFor: (arn) => ({
        issueCertificate: async (_request, options) => {
          calls.push({ arn, token: options.idempotencyToken });
          const pending = await viaCa.rotator.generate(
            viaCa.rotator.parse(Sensitive.of(viaCa.store.valueAt(viaCa.secretId, AWSCURRENT)!), {} as never),
            {
              step: 'createSecret',
              secretId: viaCa.secretId,
              versionId: 'v',
              store: viaCa.store,
              log: { info: () => undefined, warn: () => undefined },
              newPassword: async () => Sensitive.of(''),
            },
          );
          return pending.issued as CertificateSecret;
        },
      }),
    });
    const current = rotator.parse(Sensitive.of(fx.store.valueAt(fx.secretId, AWSCURRENT)!), {} as never);
    fx.store.overwrite(
      fx.secretId,
      fx.store.versionWith(fx.secretId, AWSCURRENT)!,
      serializeCertificateRotationSecret({ ...current, issuer: pcaArn }).reveal(),
    );
    Object.assign(fx, { rotator });
    const token = await rotateAll(fx);
    expect(calls).toEqual([{ arn: pcaArn, token }]);
  });
});

describe('certificateRotatorFor', () => {
  it('refuses a secret whose rotor:kind tag is not certificate', async () => {
    const fx = await certificateRotationFixture();
    const rotatorFor = certificateRotatorFor(fx.ports);
    const description = await fx.store.describe(fx.secretId);
    expect(rotatorFor(description).kind).toBe('certificate');
    expect(() => rotatorFor({ ...description, tags: { 'rotor:kind': 'postgres' } })).toThrow(
      InvalidSecretError,
    );
  });
});

describe('certificateRenewalDue', () => {
  it('is not due right after issuance, and due after two thirds of the lifetime', async () => {
    const fx = await certificateRotationFixture();
    const value = fx.store.valueAt(fx.secretId, AWSCURRENT)!;
    const { notBefore, notAfter } = JSON.parse(value);
    const lifetime = Date.parse(notAfter) - Date.parse(notBefore);
    expect(certificateRenewalDue(value, new Date()).due).toBe(false);
    expect(certificateRenewalDue(value, new Date(Date.parse(notBefore) + (lifetime * 2) / 3 + 1)).due).toBe(
      true,
    );
  });

  it('follows the profile renewBeforeDays', async () => {
    const fx = await certificateRotationFixture();
    const secret = JSON.parse(fx.store.valueAt(fx.secretId, AWSCURRENT)!);
    const value = JSON.stringify({ ...secret, profile: { ...secret.profile, renewBeforeDays: 1 } });
    const decision = certificateRenewalDue(value, new Date());
    expect(decision.dueAt.getTime()).toBeGreaterThan(Date.parse(secret.notAfter) - 1.5 * DAY);
    expect(decision.dueAt.getTime()).toBeLessThanOrEqual(Date.parse(secret.notAfter) - DAY);
  });

  it('is due at once for a request-only secret', () => {
    const value = JSON.stringify({ subject: 'CN=a', subjectAltNames: ['DNS:a'], issuer: 'rotor/ca' });
    expect(certificateRenewalDue(value, new Date()).due).toBe(true);
  });
});
