import { generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import { tlsHandshake } from '../../../adapters/tls-check';
import {
  createRootCaCertificate,
  loadCertificateAuthority,
  type CertificateAuthority,
} from '../../../core/rotation/certificate/authority';
import {
  CaExpiredError,
  CaKeyMismatchError,
  InvalidSubjectAltNameError,
  SignerDeniedError,
  WeakKeyError,
} from '../../../core/rotation/certificate/errors';
import { issueCertificate } from '../../../core/rotation/certificate/issue';
import type { CertificateSecret } from '../../../core/rotation/certificate/secret-format';
import { Sensitive } from '../../../core/sensitive';
import { startKmsCaFixture, type KmsCaFixture } from './kms-ca-fixture';

let fx: KmsCaFixture;
let ca: CertificateAuthority;
let caKeyId: string;
let caPem: string;
let pending: CertificateSecret;

const day = 86_400_000;
const request = {
  commonName: 'payments.internal',
  dnsNames: ['payments.internal.example.com'],
  ipAddresses: ['127.0.0.1'],
};

async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error as Error,
  );
}

beforeAll(async () => {
  fx = await startKmsCaFixture();
  const key = await fx.signingKey('ECC_NIST_P256', 'ECDSA_SHA_256');
  caKeyId = key.keyId;
  const root = await createRootCaCertificate(key.signer, {
    subject: 'CN=Rotor TLS Test CA',
    now: new Date(Date.now() - 3_600_000),
    validityDays: 30,
  });
  caPem = root.toString('pem');
  ca = await loadCertificateAuthority(key.signer, caPem);
  pending = await issueCertificate(ca, request, { now: new Date() });
});

afterAll(async () => {
  await fx?.close();
});

describe('tlsHandshake with the pending certificate', () => {
  it('completes a handshake for the DNS SAN with a client that trusts only the CA', async () => {
    const result = await tlsHandshake(pending, caPem, { servername: 'payments.internal.example.com' });
    expect(result).toMatchObject({ ok: true, servername: 'payments.internal.example.com' });
  });

  it('completes a handshake for the IP SAN (first SAN by default is the DNS name)', async () => {
    await expect(tlsHandshake(pending, caPem, { servername: '127.0.0.1' })).resolves.toMatchObject({
      ok: true,
    });
    await expect(tlsHandshake(pending, caPem)).resolves.toMatchObject({
      ok: true,
      servername: 'payments.internal.example.com',
    });
  });

  it('reports the TLS error when the client trusts another CA', async () => {
    const other = await fx.signingKey('ECC_NIST_P256', 'ECDSA_SHA_256');
    const otherRoot = await createRootCaCertificate(other.signer, {
      subject: 'CN=Someone Else',
      now: new Date(Date.now() - 60_000),
    });
    const result = await tlsHandshake(pending, otherRoot.toString('pem'));
    expect(result.ok).toBe(false);
    expect(result).toMatchObject({
      code: expect.stringMatching(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT|SELF_SIGNED/),
    });
  });

  it('reports a name mismatch for a name that is not among the SANs', async () => {
    const result = await tlsHandshake(pending, caPem, { servername: 'other.example.com' });
    expect(result).toMatchObject({ ok: false, code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });

  it('reports a private key that does not match, without printing it', async () => {
    const wrongKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const result = await tlsHandshake({ ...pending, privateKey: Sensitive.of(wrongKey) }, caPem);
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain(wrongKey.split('\n')[1]);
  });
});

describe('clear errors on bad input', () => {
  it('refuses to issue from an expired CA', async () => {
    const error = await failure(issueCertificate(ca, request, { now: new Date(Date.now() + 31 * day) }));
    expect(error).toBeInstanceOf(CaExpiredError);
    expect(error.message).toMatch(/The CA certificate expired at \d{4}-/);
  });

  it('refuses a CA certificate that does not belong to the KMS key', async () => {
    const other = await fx.signingKey('ECC_NIST_P256', 'ECDSA_SHA_256');
    const error = await failure(loadCertificateAuthority(other.signer, caPem));
    expect(error).toBeInstanceOf(CaKeyMismatchError);
    expect(error.message).toContain("is not the signer's (KMS) public key");
  });

  it('refuses an invalid SAN', async () => {
    const error = await failure(
      issueCertificate(ca, { commonName: 'x', dnsNames: ['bad..example.com'] }, { now: new Date() }),
    );
    expect(error).toBeInstanceOf(InvalidSubjectAltNameError);
    expect(error.message).toContain('Invalid DNS name "bad..example.com"');
    const ip = await failure(
      issueCertificate(ca, { commonName: 'x', ipAddresses: ['10.0.0.300'] }, { now: new Date() }),
    );
    expect(ip.message).toContain('Invalid IP address "10.0.0.300"');
  });

  it('refuses a weak-key profile', async () => {
    const error = await failure(
      issueCertificate(ca, request, {
        now: new Date(),
        profile: { key: { type: 'RSA', modulusLength: 1024 } },
      }),
    );
    expect(error).toBeInstanceOf(WeakKeyError);
  });

  it('reports KMS denying Sign as SignerDeniedError naming the key and the KMS error, never the leaf key', async () => {
    const lift = fx.kms.deny('Sign', caKeyId);
    try {
      const error = await failure(issueCertificate(ca, request, { now: new Date() }));
      expect(error).toBeInstanceOf(SignerDeniedError);
      expect(error.message).toBe(`KMS refused Sign with key ${caKeyId} (AccessDeniedException)`);
      expect((error as SignerDeniedError).context).toMatchObject({
        keyId: caKeyId,
        kmsError: 'AccessDeniedException',
      });
      expect(inspect(error)).not.toContain('PRIVATE KEY');
    } finally {
      lift();
    }
    await expect(issueCertificate(ca, request, { now: new Date() })).resolves.toBeDefined();
  });
});
