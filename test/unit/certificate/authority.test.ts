import { generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import {
  CaExpiredError,
  CaKeyMismatchError,
  CaNotYetValidError,
  CertificateVerificationError,
  InvalidSubjectAltNameError,
  NotACaCertificateError,
  WeakKeyError,
} from '../../../core/rotation/certificate/errors';
import {
  BasicConstraintsExtension,
  Pkcs10CertificateRequest,
  SubjectKeyIdentifierExtension,
  AuthorityKeyIdentifierExtension,
  X509Certificate,
} from '../../../core/rotation/certificate/x509';
import {
  createIntermediateCsr,
  createRootCaCertificate,
  loadCertificateAuthority,
  signIntermediateCsr,
  type CertificateAuthority,
} from '../../../core/rotation/certificate/authority';
import { issueCertificate } from '../../../core/rotation/certificate/issue';
import { parseCertificateProfile } from '../../../core/rotation/certificate/profile';
import { derToRaw } from '../../../core/rotation/certificate/signer-crypto';
import { verifyCertificateSecret } from '../../../core/rotation/certificate/verify';
import { Sensitive } from '../../../core/sensitive';
import { memorySigner } from './memory-signer';

const day = 86_400_000;
const start = new Date('2026-03-01T12:00:00Z');
const later = new Date(start.getTime() + 10 * day);
const request = { commonName: 'api.example.com', dnsNames: ['api.example.com'], ipAddresses: ['10.0.0.7'] };

let signer: ReturnType<typeof memorySigner>;
let ca: CertificateAuthority;

beforeAll(async () => {
  signer = memorySigner('ECDSA_SHA_256');
  const root = await createRootCaCertificate(signer, {
    subject: 'CN=Unit Root CA, O=Rotor',
    now: start,
    validityDays: 365,
  });
  ca = await loadCertificateAuthority(signer, root.toString('pem'));
});

describe('createRootCaCertificate', () => {
  it('makes a self-signed CA with basic constraints, key usage and matching key identifiers', async () => {
    const cert = ca.certificate;
    expect(await cert.isSelfSigned()).toBe(true);
    expect(cert.getExtension(BasicConstraintsExtension)).toMatchObject({
      ca: true,
      pathLength: 0,
      critical: true,
    });
    const ski = cert.getExtension(SubjectKeyIdentifierExtension)!.keyId;
    expect(cert.getExtension(AuthorityKeyIdentifierExtension)!.keyId).toBe(ski);
    expect(cert.notAfter.getTime() - cert.notBefore.getTime()).toBe(365 * day);
  });

  it('signs with RSA signers too (PKCS#1 v1.5 and PSS)', async () => {
    for (const algorithm of ['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PSS_SHA_256'] as const) {
      const rsa = memorySigner(algorithm);
      const root = await createRootCaCertificate(rsa, { subject: 'CN=RSA Root', now: start });
      expect(await root.verify({ signatureOnly: true })).toBe(true);
    }
  });
});

describe('intermediate CA', () => {
  it('makes a CSR through the signer that the root signs into a CA certificate under it', async () => {
    const rootSigner = memorySigner('ECDSA_SHA_384');
    const root = await createRootCaCertificate(rootSigner, { subject: 'CN=Root', now: start, pathLength: 1 });
    const parent = await loadCertificateAuthority(rootSigner, root.toString('pem'));
    const subSigner = memorySigner('ECDSA_SHA_256');
    const csrPem = await createIntermediateCsr(subSigner, { subject: 'CN=Issuing CA, O=Rotor' });
    expect(await new Pkcs10CertificateRequest(csrPem).verify()).toBe(true);
    const sub = await signIntermediateCsr(parent, csrPem, { now: start, validityDays: 100 });
    expect(sub.issuer).toBe('CN=Root');
    expect(sub.getExtension(BasicConstraintsExtension)).toMatchObject({ ca: true, pathLength: 0 });
    expect(await sub.verify({ publicKey: root.publicKey, signatureOnly: true })).toBe(true);
    const issuing = await loadCertificateAuthority(subSigner, sub.toString('pem'), root.toString('pem'));
    const leaf = await issueCertificate(issuing, request, { now: later });
    await expect(
      verifyCertificateSecret(leaf, {
        caCertificatePem: root.toString('pem'),
        now: later,
        profile: parseCertificateProfile(),
        expected: request,
      }),
    ).resolves.toBeUndefined();
  });

  it('refuses an intermediate when the parent allows no CA below it', async () => {
    const csrPem = await createIntermediateCsr(memorySigner(), { subject: 'CN=Too Deep' });
    await expect(signIntermediateCsr(ca, csrPem, { now: start })).rejects.toThrow(
      /pathLength < 0|allows 0 CA/,
    );
  });
});

describe('loadCertificateAuthority', () => {
  it('refuses a CA certificate whose key is not the signer key', async () => {
    await expect(loadCertificateAuthority(memorySigner(), ca.certificate.toString('pem'))).rejects.toThrow(
      CaKeyMismatchError,
    );
  });

  it('refuses a leaf certificate as a CA', async () => {
    const leaf = await issueCertificate(ca, request, { now: later });
    await expect(loadCertificateAuthority(signer, leaf.certificate)).rejects.toThrow(NotACaCertificateError);
  });
});

describe('issueCertificate', () => {
  it('issues a leaf with the requested names, a backdated notBefore and the profile lifetime', async () => {
    const secret = await issueCertificate(ca, request, { now: later });
    const cert = new X509Certificate(secret.certificate);
    expect(cert.subject).toBe('CN=api.example.com');
    expect(secret.subjectAltNames).toEqual(['DNS:api.example.com', 'IP:10.0.0.7']);
    expect(cert.notBefore.getTime()).toBe(later.getTime() - 5 * 60_000);
    expect(cert.notAfter.getTime()).toBe(later.getTime() + 30 * day);
    expect(secret.serialNumber).toMatch(/^[0-9a-f]{32}$/);
    expect(await cert.verify({ publicKey: ca.certificate.publicKey, signatureOnly: true })).toBe(true);
    expect(secret.chain.trim()).toBe(ca.certificate.toString('pem').trim());
  });

  it('never issues past the CA notAfter', async () => {
    const nearEnd = new Date(ca.certificate.notAfter.getTime() - 2 * day);
    const secret = await issueCertificate(ca, request, { now: nearEnd });
    expect(Date.parse(secret.notAfter)).toBe(ca.certificate.notAfter.getTime());
  });

  it('refuses an expired or not yet valid CA', async () => {
    await expect(
      issueCertificate(ca, request, { now: new Date(ca.certificate.notAfter.getTime() + 1000) }),
    ).rejects.toThrow(CaExpiredError);
    await expect(issueCertificate(ca, request, { now: new Date(start.getTime() - day) })).rejects.toThrow(
      CaNotYetValidError,
    );
  });

  it('refuses an invalid SAN and a weak key before asking the signer', async () => {
    const before = signer.calls;
    await expect(
      issueCertificate(ca, { commonName: 'x', dnsNames: ['bad_name.example.com'] }, { now: later }),
    ).rejects.toThrow(InvalidSubjectAltNameError);
    await expect(
      issueCertificate(ca, request, { now: later, profile: { key: { type: 'RSA', modulusLength: 1024 } } }),
    ).rejects.toThrow(WeakKeyError);
    expect(signer.calls).toBe(before);
  });
});

describe('verifyCertificateSecret', () => {
  const profile = parseCertificateProfile();
  const options = () => ({
    caCertificatePem: ca.certificate.toString('pem'),
    now: later,
    profile,
    expected: request,
  });
  const check = async (promise: Promise<unknown>) => {
    const error = (await promise.then(
      () => undefined,
      (e: unknown) => e,
    )) as CertificateVerificationError;
    expect(error).toBeInstanceOf(CertificateVerificationError);
    return error;
  };

  it('accepts a certificate that the CA issued for the requested names', async () => {
    const secret = await issueCertificate(ca, request, { now: later });
    await expect(verifyCertificateSecret(secret, options())).resolves.toBeUndefined();
  });

  it('rejects a private key of another certificate without printing either key', async () => {
    const secret = await issueCertificate(ca, request, { now: later });
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const error = await check(
      verifyCertificateSecret({ ...secret, privateKey: Sensitive.of(other) }, options()),
    );
    expect(error.context.check).toBe('keyPair');
    const printed = `${error.message} ${inspect(error)} ${JSON.stringify(error.context)}`;
    expect(printed).not.toContain('PRIVATE KEY');
    expect(printed).not.toContain(other.split('\n')[1]);
    expect(printed).not.toContain(secret.privateKey.reveal().split('\n')[1]);
  });

  it('rejects a chain that does not lead to the trusted CA', async () => {
    const stranger = memorySigner();
    const otherRoot = await createRootCaCertificate(stranger, {
      subject: 'CN=Unit Root CA, O=Rotor',
      now: start,
    });
    const otherCa = await loadCertificateAuthority(stranger, otherRoot.toString('pem'));
    const secret = await issueCertificate(otherCa, request, { now: later });
    expect((await check(verifyCertificateSecret(secret, options()))).context.check).toBe('chain');
  });

  it('rejects SANs other than those requested', async () => {
    const secret = await issueCertificate(
      ca,
      { commonName: 'api.example.com', dnsNames: ['api.example.com'] },
      { now: later },
    );
    const error = await check(verifyCertificateSecret(secret, options()));
    expect(error.context.check).toBe('subjectAltNames');
    expect(error.message).toContain('IP:10.0.0.7');
  });

  it('rejects a certificate outside its validity window or longer than the profile allows', async () => {
    const secret = await issueCertificate(ca, request, { now: later });
    const expired = await check(
      verifyCertificateSecret(secret, { ...options(), now: new Date(later.getTime() + 31 * day) }),
    );
    expect(expired.context.check).toBe('validity');
    const long = await issueCertificate(ca, request, { now: later, profile: { validityDays: 90 } });
    expect((await check(verifyCertificateSecret(long, options()))).context.check).toBe('lifetime');
  });

  it('rejects metadata fields that disagree with the certificate', async () => {
    const secret = await issueCertificate(ca, request, { now: later });
    const error = await check(verifyCertificateSecret({ ...secret, serialNumber: '01' }, options()));
    expect(error.context.check).toBe('metadata');
  });
});

describe('derToRaw', () => {
  it('pads short integers and strips sign bytes to fixed-width r||s', () => {
    const der = Uint8Array.from([0x30, 0x07, 0x02, 0x01, 0x05, 0x02, 0x02, 0x00, 0x80]);
    const raw = derToRaw(der, 4);
    expect(Array.from(raw)).toEqual([0, 0, 0, 5, 0, 0, 0, 0x80]);
  });

  it('rejects malformed input', () => {
    expect(() => derToRaw(Uint8Array.from([0x31, 0x00]), 32)).toThrow(/malformed ECDSA signature/);
  });
});

describe('IPv6 subject alternative names', () => {
  it('issues and verifies an IPv6 SAN written in any case and compression', async () => {
    const v6 = {
      commonName: 'v6.example.com',
      dnsNames: ['v6.example.com'],
      ipAddresses: ['2001:DB8::1', '::1'],
    };
    const secret = await issueCertificate(ca, v6, { now: later });
    expect(secret.subjectAltNames).toEqual(['DNS:v6.example.com', 'IP:2001:db8::1', 'IP:::1']);
    await expect(
      verifyCertificateSecret(secret, {
        caCertificatePem: ca.certificate.toString('pem'),
        now: later,
        profile: parseCertificateProfile(),
        expected: { dnsNames: ['v6.example.com'], ipAddresses: ['2001:db8:0:0:0:0:0:1', '0:0:0:0:0:0:0:1'] },
      }),
    ).resolves.toBeUndefined();
  });
});

describe('CA record', () => {
  it('round-trips the public data of a CA and names missing fields', async () => {
    const { createCaRecord, buildCaRecord, parseCaRecord } =
      await import('../../../core/rotation/certificate/ca-record');
    const record = createCaRecord({
      certificate: ca.certificate,
      keyId: 'alias/rotor-ca',
      signingAlgorithm: 'ECDSA_SHA_256',
    });
    expect(parseCaRecord(buildCaRecord(record))).toEqual(record);
    expect(record).toMatchObject({
      chain: '',
      subject: 'CN=Unit Root CA, O=Rotor',
      notAfter: ca.certificate.notAfter.toISOString(),
    });
    expect(() =>
      parseCaRecord(JSON.stringify({ ...record, keyId: undefined, signingAlgorithm: 'MD5' })),
    ).toThrow(
      /missing or invalid fields: keyId,signingAlgorithm|missing or invalid fields: signingAlgorithm,keyId/,
    );
  });
});
