import { createPublicKey } from 'node:crypto';
import {
  ACMPCAClient,
  DescribeCertificateAuthorityCommand,
  GetCertificateAuthorityCertificateCommand,
  GetCertificateCommand,
  IssueCertificateCommand,
  type IssueCertificateCommandInput,
} from '@aws-sdk/client-acm-pca';
import { KeyUsageFlags, X509Certificate } from '../../../core/rotation/certificate/x509';
import { startAcmPcaStandIn, type AcmPcaStandIn } from '../../../local/acm-pca';
import { manualClock, opensslKit, type OpensslKit, pcaClient } from './fixture';
import { makeCertificate } from './certificates';
import { makeCsr } from './csr';

// The ACM PCA stand-in as the real @aws-sdk/client-acm-pca sees it over a socket: issuance per the
// EndEntityCertificate/V1 template, RequestInProgressException while pending, and the documented errors.
const DAY = 86_400_000;
const clock = manualClock();
let pca: AcmPcaStandIn;
let client: ACMPCAClient;
let openssl: OpensslKit;
const encode = (text: string) => new TextEncoder().encode(text);

beforeAll(async () => {
  pca = await startAcmPcaStandIn({ region: 'eu-west-1', issueDelayMs: 2_000, clock });
  client = pcaClient(pca);
  openssl = await opensslKit();
});

afterAll(async () => {
  client?.destroy();
  await pca?.close();
  await openssl?.close();
});

async function issue(overrides: Partial<IssueCertificateCommandInput> = {}): Promise<string> {
  const { csrPem } = await makeCsr('api.internal', { dns: ['api.internal', 'api'], ip: ['10.0.0.5'] });
  const out = await client.send(
    new IssueCertificateCommand({
      CertificateAuthorityArn: pca.certificateAuthorityArn,
      Csr: encode(csrPem),
      SigningAlgorithm: 'SHA256WITHECDSA',
      Validity: { Type: 'DAYS', Value: 30 },
      ...overrides,
    }),
  );
  return out.CertificateArn!;
}

async function getCertificate(certificateArn: string) {
  return client.send(
    new GetCertificateCommand({
      CertificateAuthorityArn: pca.certificateAuthorityArn,
      CertificateArn: certificateArn,
    }),
  );
}

/** Issues and moves the clock past the issuance delay. */
async function issued(overrides: Partial<IssueCertificateCommandInput> = {}) {
  const arn = await issue(overrides);
  clock.advance(2_000);
  return getCertificate(arn);
}

async function errorOf(run: () => Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await run();
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
  throw new Error('expected the call to fail');
}

describe('IssueCertificate and GetCertificate', () => {
  it('answers RequestInProgressException until the issuance delay has passed, then the certificate and chain', async () => {
    const arn = await issue();
    expect(arn).toMatch(new RegExp(`^${pca.certificateAuthorityArn}/certificate/[0-9a-f]{32}$`));
    expect((await errorOf(() => getCertificate(arn))).name).toBe('RequestInProgressException');
    clock.advance(1_999);
    expect((await errorOf(() => getCertificate(arn))).name).toBe('RequestInProgressException');
    clock.advance(1);
    const out = await getCertificate(arn);
    expect(out.Certificate).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(out.CertificateChain!.trim()).toBe(pca.caCertificatePem.trim());
  });

  it('issues a certificate OpenSSL verifies against the CA, honouring the CSR subject and SANs', async () => {
    const out = await issued();
    expect(await openssl.verify(out.Certificate!, pca.caCertificatePem)).toMatch(/: OK/);
    const text = await openssl.text(out.Certificate!);
    expect(text).toMatch(/Subject: CN\s*=\s*api\.internal/);
    expect(text).toMatch(/DNS:api\.internal, DNS:api, IP Address:10\.0\.0\.5/);
  });

  it('applies the EndEntityCertificate/V1 extensions: CA:FALSE, digitalSignature and keyEncipherment, server and client auth', async () => {
    const text = await openssl.text((await issued()).Certificate!);
    expect(text).toMatch(/Basic Constraints: critical\s+CA:FALSE/);
    expect(text).toMatch(/Key Usage: critical\s+Digital Signature, Key Encipherment/);
    expect(text).toMatch(
      /Extended Key Usage:\s+TLS Web Server Authentication, TLS Web Client Authentication/,
    );
    expect(text).toMatch(/Subject Key Identifier/);
    expect(text).toMatch(/Authority Key Identifier/);
  });

  it('issues server-auth-only certificates under EndEntityServerAuthCertificate/V1', async () => {
    const out = await issued({ TemplateArn: 'arn:aws:acm-pca:::template/EndEntityServerAuthCertificate/V1' });
    const text = await openssl.text(out.Certificate!);
    expect(text).toMatch(/Extended Key Usage:\s+TLS Web Server Authentication\n/);
    expect(text).not.toMatch(/Client Authentication/);
  });

  it('sets notAfter to the validity asked and notBefore an hour before issuance, as ACM PCA does', async () => {
    const start = clock.now().getTime();
    const certificate = new X509Certificate(
      (await issued({ Validity: { Type: 'DAYS', Value: 7 } })).Certificate!,
    );
    expect(certificate.notAfter.getTime()).toBe(Math.floor((start + 7 * DAY) / 1000) * 1000);
    expect(certificate.notBefore.getTime()).toBe(Math.floor((start - 3_600_000) / 1000) * 1000);
  });

  it('honours ValidityNotBefore of type ABSOLUTE, and refuses other types', async () => {
    const start = Math.floor(clock.now().getTime() / 1000) + 600;
    const certificate = new X509Certificate(
      (await issued({ ValidityNotBefore: { Type: 'ABSOLUTE', Value: start } })).Certificate!,
    );
    expect(certificate.notBefore.getTime()).toBe(start * 1000);
    const error = await errorOf(() => issue({ ValidityNotBefore: { Type: 'DAYS', Value: 1 } }));
    expect(error.name).toBe('ValidationException');
  });

  it.each([
    ['ABSOLUTE', 2_000_000_000, () => new Date(2_000_000_000_000)],
    ['END_DATE', 20330518033320, () => new Date(Date.UTC(2033, 4, 18, 3, 33, 20))],
  ] as const)('understands Validity type %s', async (type, value, expected) => {
    const certificate = new X509Certificate(
      (await issued({ Validity: { Type: type, Value: value } })).Certificate!,
    );
    expect(certificate.notAfter.getTime()).toBe(expected().getTime());
  });

  it('understands Validity type MONTHS (calendar months)', async () => {
    const start = clock.now();
    const { notAfter } = new X509Certificate(
      (await issued({ Validity: { Type: 'MONTHS', Value: 2 } })).Certificate!,
    );
    expect(notAfter.getUTCMonth()).toBe((start.getUTCMonth() + 2) % 12);
    expect(notAfter.getUTCDate()).toBeLessThanOrEqual(start.getUTCDate());
    expect(notAfter.getUTCHours()).toBe(start.getUTCHours());
  });

  it('puts the CSR key in the certificate', async () => {
    const { csrPem, publicKey } = await makeCsr('key.internal', { dns: ['key.internal'] });
    const arn = (
      await client.send(
        new IssueCertificateCommand({
          CertificateAuthorityArn: pca.certificateAuthorityArn,
          Csr: encode(csrPem),
          SigningAlgorithm: 'SHA256WITHECDSA',
          Validity: { Type: 'DAYS', Value: 1 },
        }),
      )
    ).CertificateArn!;
    clock.advance(2_000);
    const certificate = new X509Certificate((await getCertificate(arn)).Certificate!);
    const spki = createPublicKey({
      key: Buffer.from(certificate.publicKey.rawData),
      format: 'der',
      type: 'spki',
    });
    expect(spki.equals(publicKey)).toBe(true);
  });

  it('returns the same certificate for the same idempotency token, and a new one for a new token', async () => {
    const before = pca.issuedCount();
    const first = await issue({ IdempotencyToken: 'token-a' });
    const again = await issue({ IdempotencyToken: 'token-a' });
    const other = await issue({ IdempotencyToken: 'token-b' });
    expect(again).toBe(first);
    expect(other).not.toBe(first);
    expect(pca.issuedCount()).toBe(before + 2);
  });

  it('forgets an idempotency token after five minutes', async () => {
    const first = await issue({ IdempotencyToken: 'token-c' });
    clock.advance(5 * 60_000);
    expect(await issue({ IdempotencyToken: 'token-c' })).not.toBe(first);
  });
});

describe('documented errors', () => {
  it('ResourceNotFoundException for a CA that does not exist', async () => {
    const unknown = pca.certificateAuthorityArn.replace(/[0-9a-f]{12}$/, '000000000000');
    expect((await errorOf(() => issue({ CertificateAuthorityArn: unknown }))).name).toBe(
      'ResourceNotFoundException',
    );
    expect((await errorOf(() => getCertificate(`${unknown}/certificate/00`))).name).toBe(
      'ResourceNotFoundException',
    );
  });

  it('InvalidArnException for an ARN that is not a CA ARN', async () => {
    expect(
      (
        await errorOf(() =>
          issue({ CertificateAuthorityArn: 'arn:aws:acm:eu-west-1:000000000000:certificate/x' }),
        )
      ).name,
    ).toBe('InvalidArnException');
  });

  it('ResourceNotFoundException for a certificate the CA never issued', async () => {
    const arn = `${pca.certificateAuthorityArn}/certificate/${'0'.repeat(32)}`;
    expect((await errorOf(() => getCertificate(arn))).name).toBe('ResourceNotFoundException');
  });

  it('MalformedCSRException for bytes that are not a PEM CSR', async () => {
    expect((await errorOf(() => issue({ Csr: encode('not a certificate request') }))).name).toBe(
      'MalformedCSRException',
    );
  });

  it('MalformedCSRException for a CSR whose signature does not verify', async () => {
    const { csrPem } = await makeCsr('tampered.internal');
    const der = Buffer.from(csrPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    der[der.length - 5] = der[der.length - 5]! ^ 0xff; // a byte inside the signature
    const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE REQUEST-----\n`;
    expect((await errorOf(() => issue({ Csr: encode(tampered) }))).name).toBe('MalformedCSRException');
  });

  it('InvalidArgsException for a signing algorithm the CA key cannot use', async () => {
    const error = await errorOf(() => issue({ SigningAlgorithm: 'SHA256WITHRSA' }));
    expect(error.name).toBe('InvalidArgsException');
    expect(error.message).toContain('EC_prime256v1');
  });

  it('InvalidArgsException for a template it does not know', async () => {
    expect((await errorOf(() => issue({ TemplateArn: 'arn:aws:acm-pca:::template/Nope/V1' }))).name).toBe(
      'InvalidArgsException',
    );
  });

  it('ValidationException for a validity beyond the CA certificate', async () => {
    const error = await errorOf(() => issue({ Validity: { Type: 'YEARS', Value: 50 } }));
    expect(error).toEqual({
      name: 'ValidationException',
      message: expect.stringContaining('exceeds the certificate authority validity'),
    });
  });

  it('InvalidStateException while the CA is disabled', async () => {
    pca.setStatus('DISABLED');
    try {
      expect((await errorOf(() => issue())).name).toBe('InvalidStateException');
    } finally {
      pca.setStatus('ACTIVE');
    }
  });

  it('AccessDeniedException for a denied operation, until lifted', async () => {
    const lift = pca.deny('IssueCertificate');
    const error = await errorOf(() => issue());
    lift();
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toContain('acm-pca:IssueCertificate');
    await expect(issue()).resolves.toMatch(/certificate\//);
  });

  it('injected faults: RequestFailedException, throttling, an internal failure of the Nth call', async () => {
    pca.faults.add({
      operations: ['IssueCertificate'],
      times: 1,
      error: { code: 'RequestFailedException', message: 'injected' },
    });
    expect((await errorOf(() => issue())).name).toBe('RequestFailedException');
    pca.faults.throttle(1, ['IssueCertificate']);
    expect((await errorOf(() => issue())).name).toBe('ThrottlingException');
    await expect(issue()).resolves.toMatch(/certificate\//);
    pca.faults.failNth(2, ['IssueCertificate']);
    await expect(issue()).resolves.toMatch(/certificate\//);
    expect((await errorOf(() => issue())).name).toBe('InternalServiceError');
    await expect(issue()).resolves.toMatch(/certificate\//);
  });
});

describe('the CA itself', () => {
  it('GetCertificateAuthorityCertificate returns the CA certificate, a self-signed CA', async () => {
    const out = await client.send(
      new GetCertificateAuthorityCertificateCommand({ CertificateAuthorityArn: pca.certificateAuthorityArn }),
    );
    expect(out.Certificate!.trim()).toBe(pca.caCertificatePem.trim());
    const text = await openssl.text(out.Certificate!);
    expect(text).toMatch(/Basic Constraints: critical\s+CA:TRUE/);
    expect(text).toMatch(/ecdsa-with-SHA256/);
  });

  it('DescribeCertificateAuthority reports an active root CA with its key algorithm', async () => {
    const out = await client.send(
      new DescribeCertificateAuthorityCommand({ CertificateAuthorityArn: pca.certificateAuthorityArn }),
    );
    expect(out.CertificateAuthority).toMatchObject({
      Arn: pca.certificateAuthorityArn,
      Type: 'ROOT',
      Status: 'ACTIVE',
      CertificateAuthorityConfiguration: { KeyAlgorithm: 'EC_prime256v1' },
    });
    expect(out.CertificateAuthority!.NotAfter).toBeInstanceOf(Date);
  });

  it('issues under a CA the test brings (certificate and private key)', async () => {
    const own = await makeCertificate({
      commonName: 'Brought CA',
      ca: true,
      notAfter: new Date(Date.now() + 30 * DAY),
      keyUsage: KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign,
      extendedKeyUsage: null,
    });
    const brought = await startAcmPcaStandIn({
      ca: { certificatePem: own.certificatePem, privateKey: own.privateKey },
    });
    const broughtClient = pcaClient(brought);
    try {
      expect(brought.caCertificatePem.trim()).toBe(own.certificatePem.trim());
      const { csrPem } = await makeCsr('brought.internal', { dns: ['brought.internal'] });
      const { CertificateArn } = await broughtClient.send(
        new IssueCertificateCommand({
          CertificateAuthorityArn: brought.certificateAuthorityArn,
          Csr: encode(csrPem),
          SigningAlgorithm: 'SHA256WITHECDSA',
          Validity: { Type: 'DAYS', Value: 1 },
        }),
      );
      const out = await broughtClient.send(
        new GetCertificateCommand({
          CertificateAuthorityArn: brought.certificateAuthorityArn,
          CertificateArn,
        }),
      );
      expect(await openssl.verify(out.Certificate!, own.certificatePem)).toMatch(/: OK/);
    } finally {
      broughtClient.destroy();
      await brought.close();
    }
  });

  it('an RSA CA signs with SHA256WITHRSA', async () => {
    const rsa = await startAcmPcaStandIn({ keyAlgorithm: 'RSA_2048' });
    const rsaClient = pcaClient(rsa);
    try {
      const { csrPem } = await makeCsr('rsa.internal', { dns: ['rsa.internal'] });
      const { CertificateArn } = await rsaClient.send(
        new IssueCertificateCommand({
          CertificateAuthorityArn: rsa.certificateAuthorityArn,
          Csr: encode(csrPem),
          SigningAlgorithm: 'SHA256WITHRSA',
          Validity: { Type: 'DAYS', Value: 3 },
        }),
      );
      const out = await rsaClient.send(
        new GetCertificateCommand({ CertificateAuthorityArn: rsa.certificateAuthorityArn, CertificateArn }),
      );
      expect(await openssl.verify(out.Certificate!, rsa.caCertificatePem)).toMatch(/: OK/);
      expect(await openssl.text(out.Certificate!)).toMatch(/sha256WithRSAEncryption/);
    } finally {
      rsaClient.destroy();
      await rsa.close();
    }
  });
});
