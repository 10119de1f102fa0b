import { kmsSigner } from '../../../adapters/kms-signer';
import { parseCertificateProfile } from '../../../core/rotation/certificate/profile';
import {
  createIntermediateCsr,
  createRootCaCertificate,
  loadCertificateAuthority,
  signIntermediateCsr,
  type CertificateAuthority,
} from '../../../core/rotation/certificate/authority';
import { issueCertificate } from '../../../core/rotation/certificate/issue';
import {
  buildCertificateSecret,
  parseCertificateSecret,
} from '../../../core/rotation/certificate/secret-format';
import { verifyCertificateSecret } from '../../../core/rotation/certificate/verify';
import { startKmsCaFixture, type KmsCaFixture } from './kms-ca-fixture';

let fx: KmsCaFixture;
let ecCa: CertificateAuthority;
let ecCaPath: string;

const request = {
  commonName: 'api.internal.example.com',
  dnsNames: ['api.internal.example.com', '*.api.internal.example.com'],
  ipAddresses: ['127.0.0.1'],
};

/** The text of one extension block in `openssl x509 -text` output (the lines under its header). */
function extension(text: string, header: string): string {
  const lines = text.split('\n');
  const at = lines.findIndex((line) => line.includes(header));
  if (at < 0) return '';
  return [lines[at], lines[at + 1]].join('\n');
}

beforeAll(async () => {
  fx = await startKmsCaFixture();
  const { signer } = await fx.signingKey('ECC_NIST_P256', 'ECDSA_SHA_256');
  const root = await createRootCaCertificate(signer, {
    subject: 'CN=Rotor Test Root CA, O=Rotor',
    now: new Date(Date.now() - 3_600_000),
  });
  ecCa = await loadCertificateAuthority(signer, root.toString('pem'));
  ecCaPath = await fx.write('ec-ca.pem', root.toString('pem'));
});

afterAll(async () => {
  await fx?.close();
});

describe('rotor ca init on KMS', () => {
  it('makes a CA certificate that OpenSSL reads as a CA with the right extensions', async () => {
    const { stdout } = await fx.openssl('x509', '-in', ecCaPath, '-noout', '-text');
    expect(stdout).toContain('Signature Algorithm: ecdsa-with-SHA256');
    expect(stdout).toContain('Subject: CN = Rotor Test Root CA, O = Rotor');
    expect(extension(stdout, 'X509v3 Basic Constraints')).toMatch(/critical\s+CA:TRUE, pathlen:0/);
    expect(extension(stdout, 'X509v3 Key Usage')).toMatch(/critical\s+Certificate Sign, CRL Sign/);
    const ski = extension(stdout, 'X509v3 Subject Key Identifier').split('\n')[1]!.trim();
    expect(ski).toMatch(/^([0-9A-F]{2}:){19}[0-9A-F]{2}$/);
    expect(extension(stdout, 'X509v3 Authority Key Identifier')).toContain(ski);
    // Self-signed: OpenSSL checks the KMS signature against the certificate's own key.
    await expect(fx.openssl('verify', '-CAfile', ecCaPath, ecCaPath)).resolves.toMatchObject({
      stdout: expect.stringContaining(': OK'),
    });
  });
});

describe('issuing leaf certificates through KMS', () => {
  it('issues an ECDSA P-256 server certificate that openssl verify accepts, with every extension', async () => {
    const secret = await issueCertificate(ecCa, request, { now: new Date() });
    const leafPath = await fx.write('ec-leaf.pem', secret.certificate);
    const verified = await fx.openssl('verify', '-CAfile', ecCaPath, '-purpose', 'sslserver', leafPath);
    expect(verified.stdout.trim()).toBe(`${leafPath}: OK`);

    const { stdout } = await fx.openssl('x509', '-in', leafPath, '-noout', '-text');
    expect(stdout).toContain('Subject: CN = api.internal.example.com');
    expect(stdout).toContain('Public-Key: (256 bit)');
    expect(extension(stdout, 'X509v3 Subject Alternative Name')).toContain(
      'DNS:api.internal.example.com, DNS:*.api.internal.example.com, IP Address:127.0.0.1',
    );
    expect(extension(stdout, 'X509v3 Key Usage')).toMatch(/critical\s+Digital Signature\s*$/);
    expect(extension(stdout, 'X509v3 Extended Key Usage')).toContain('TLS Web Server Authentication');
    expect(extension(stdout, 'X509v3 Basic Constraints')).toMatch(/critical\s+CA:FALSE/);
    const caText = (await fx.openssl('x509', '-in', ecCaPath, '-noout', '-text')).stdout;
    const caSki = extension(caText, 'X509v3 Subject Key Identifier').split('\n')[1]!.trim();
    expect(extension(stdout, 'X509v3 Authority Key Identifier')).toContain(caSki);
    expect(extension(stdout, 'X509v3 Subject Key Identifier').split('\n')[1]!.trim()).not.toBe(caSki);

    const serial = (await fx.openssl('x509', '-in', leafPath, '-noout', '-serial')).stdout.trim();
    expect(serial).toBe(`serial=${secret.serialNumber.toUpperCase()}`);

    const keyPath = await fx.write('ec-leaf.key', secret.privateKey.reveal());
    const keyPub = (await fx.openssl('pkey', '-in', keyPath, '-pubout')).stdout;
    const certPub = (await fx.openssl('x509', '-in', leafPath, '-noout', '-pubkey')).stdout;
    expect(keyPub).toBe(certPub);

    await expect(
      verifyCertificateSecret(parseCertificateSecret(buildCertificateSecret(secret)), {
        caCertificatePem: ecCa.certificate.toString('pem'),
        now: new Date(),
        profile: parseCertificateProfile(),
        expected: request,
      }),
    ).resolves.toBeUndefined();
  });

  it('issues RSA leaves (keyEncipherment, clientAuth) from an RSA 3072 CA signing with PKCS#1 v1.5 and PSS', async () => {
    for (const algorithm of ['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PSS_SHA_256'] as const) {
      const { signer } = await fx.signingKey('RSA_3072', algorithm);
      const root = await createRootCaCertificate(signer, {
        subject: `CN=Rotor RSA CA ${algorithm}`,
        now: new Date(Date.now() - 3_600_000),
        pathLength: 0,
      });
      const ca = await loadCertificateAuthority(signer, root.toString('pem'));
      const profile = {
        key: { type: 'RSA', modulusLength: 2048 },
        extendedKeyUsage: ['serverAuth', 'clientAuth'],
        validityDays: 7,
      };
      const secret = await issueCertificate(
        ca,
        { commonName: 'worker', dnsNames: ['worker.svc.cluster.local'] },
        { now: new Date(), profile },
      );
      const caPath = await fx.write(`rsa-ca-${algorithm}.pem`, root.toString('pem'));
      const leafPath = await fx.write(`rsa-leaf-${algorithm}.pem`, secret.certificate);
      const verified = await fx.openssl('verify', '-CAfile', caPath, leafPath);
      expect(verified.stdout.trim()).toBe(`${leafPath}: OK`);
      const { stdout } = await fx.openssl('x509', '-in', leafPath, '-noout', '-text');
      expect(stdout).toContain(algorithm.includes('PSS') ? 'rsassaPss' : 'sha256WithRSAEncryption');
      expect(stdout).toContain('Public-Key: (2048 bit)');
      expect(extension(stdout, 'X509v3 Key Usage')).toMatch(/critical\s+Digital Signature, Key Encipherment/);
      expect(extension(stdout, 'X509v3 Extended Key Usage')).toContain(
        'TLS Web Server Authentication, TLS Web Client Authentication',
      );
      expect(extension(stdout, 'X509v3 Subject Alternative Name')).toContain('DNS:worker.svc.cluster.local');
      expect(Date.parse(secret.notAfter) - Date.parse(secret.notBefore)).toBe(7 * 86_400_000 + 5 * 60_000);
    }
  });

  it('signs with MessageType RAW as well as DIGEST', async () => {
    const { keyId } = await fx.signingKey('ECC_NIST_P256', 'ECDSA_SHA_256');
    const signer = kmsSigner({ client: fx.client, keyId, messageType: 'RAW' });
    const root = await createRootCaCertificate(signer, {
      subject: 'CN=Rotor RAW CA',
      now: new Date(Date.now() - 3_600_000),
    });
    const ca = await loadCertificateAuthority(signer, root.toString('pem'));
    const secret = await issueCertificate(
      ca,
      { commonName: 'raw', dnsNames: ['raw.example.com'] },
      { now: new Date() },
    );
    const caPath = await fx.write('raw-ca.pem', root.toString('pem'));
    const leafPath = await fx.write('raw-leaf.pem', secret.certificate);
    expect((await fx.openssl('verify', '-CAfile', caPath, leafPath)).stdout.trim()).toBe(`${leafPath}: OK`);
  });

  it('issues through an intermediate CA whose key is another KMS key, verified by OpenSSL as a chain', async () => {
    const rootKey = await fx.signingKey('ECC_NIST_P384', 'ECDSA_SHA_384');
    const now = new Date(Date.now() - 60_000);
    const root = await createRootCaCertificate(rootKey.signer, {
      subject: 'CN=Rotor P-384 Root',
      now,
      pathLength: 1,
    });
    const parent = await loadCertificateAuthority(rootKey.signer, root.toString('pem'));
    const subKey = await fx.signingKey('ECC_NIST_P256', 'ECDSA_SHA_256');
    const csr = await createIntermediateCsr(subKey.signer, { subject: 'CN=Rotor Issuing CA' });
    const csrPath = await fx.write('intermediate.csr', csr);
    await expect(fx.openssl('req', '-in', csrPath, '-noout', '-verify')).resolves.toBeDefined();
    const intermediate = await signIntermediateCsr(parent, csr, { now, validityDays: 365 });
    const issuing = await loadCertificateAuthority(
      subKey.signer,
      intermediate.toString('pem'),
      root.toString('pem'),
    );
    const secret = await issueCertificate(
      issuing,
      { commonName: 'db.example.com', dnsNames: ['db.example.com'] },
      { now: new Date() },
    );

    const rootPath = await fx.write('p384-root.pem', root.toString('pem'));
    const chainPath = await fx.write('p384-chain.pem', secret.chain);
    const leafPath = await fx.write('p384-leaf.pem', secret.certificate);
    const verified = await fx.openssl('verify', '-CAfile', rootPath, '-untrusted', chainPath, leafPath);
    expect(verified.stdout.trim()).toBe(`${leafPath}: OK`);
    const interText = (
      await fx.openssl(
        'x509',
        '-in',
        await fx.write('inter.pem', intermediate.toString('pem')),
        '-noout',
        '-text',
      )
    ).stdout;
    expect(interText).toContain('Signature Algorithm: ecdsa-with-SHA384');
    expect(extension(interText, 'X509v3 Basic Constraints')).toMatch(/CA:TRUE, pathlen:0/);
    await expect(
      verifyCertificateSecret(secret, {
        caCertificatePem: root.toString('pem'),
        now: new Date(),
        profile: parseCertificateProfile(),
        expected: { dnsNames: ['db.example.com'] },
      }),
    ).resolves.toBeUndefined();
  });
});
