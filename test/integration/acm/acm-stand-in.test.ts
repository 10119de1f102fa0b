import {
  ACMClient,
  DeleteCertificateCommand,
  DescribeCertificateCommand,
  GetCertificateCommand,
  ImportCertificateCommand,
  ListCertificatesCommand,
  type ImportCertificateCommandInput,
} from '@aws-sdk/client-acm';
import { KeyUsageFlags } from '../../../core/rotation/certificate/x509';
import { startAcmStandIn, type AcmStandIn } from '../../../local/acm';
import { makeCertificate, makeChain, type TestCertificate } from './certificates';
import { CREDENTIALS } from './fixture';

// The ACM stand-in as the real @aws-sdk/client-acm sees it over a socket: imports, re-imports under the same
// ARN, and the validation ACM documents for both.
let acm: AcmStandIn;
let client: ACMClient;
const encode = (text: string) => new TextEncoder().encode(text);

beforeAll(async () => {
  acm = await startAcmStandIn({ region: 'eu-west-1', accountId: '123456789012' });
  client = new ACMClient({
    endpoint: acm.endpoint,
    region: acm.region,
    credentials: CREDENTIALS,
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client?.destroy();
  await acm?.close();
});

function importInput(leaf: TestCertificate, extra: Partial<ImportCertificateCommandInput> = {}) {
  return new ImportCertificateCommand({
    Certificate: encode(leaf.certificatePem),
    PrivateKey: encode(leaf.privateKeyPem),
    ...extra,
  });
}

async function importNew(leaf: TestCertificate, extra: Partial<ImportCertificateCommandInput> = {}) {
  return (await client.send(importInput(leaf, extra))).CertificateArn!;
}

async function errorOf(run: () => Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await run();
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
  throw new Error('expected the call to fail');
}

describe('ImportCertificate of a new certificate', () => {
  it('imports a certificate with its chain and describes it as ACM does', async () => {
    const { ca, leaf } = await makeChain({ commonName: 'api.internal', dnsNames: ['api.internal', 'api'] });
    const arn = await importNew(leaf, { CertificateChain: encode(ca.certificatePem) });
    expect(arn).toMatch(/^arn:aws:acm:eu-west-1:123456789012:certificate\/[0-9a-f-]{36}$/);
    const { Certificate } = await client.send(new DescribeCertificateCommand({ CertificateArn: arn }));
    expect(Certificate).toMatchObject({
      CertificateArn: arn,
      DomainName: 'api.internal',
      SubjectAlternativeNames: ['api.internal', 'api'],
      Subject: 'CN=api.internal',
      Issuer: 'CN=Test CA',
      KeyAlgorithm: 'EC_prime256v1',
      SignatureAlgorithm: 'SHA256WITHECDSA',
      Status: 'ISSUED',
      Type: 'IMPORTED',
      KeyUsages: [{ Name: 'DIGITAL_SIGNATURE' }],
      ExtendedKeyUsages: [{ Name: 'TLS_WEB_SERVER_AUTHENTICATION', OID: '1.3.6.1.5.5.7.3.1' }],
    });
    expect(Certificate!.Serial!.replace(/:/g, '')).toBe(
      leaf.certificate.serialNumber.toLowerCase().padStart(32, '0').slice(-32),
    );
    expect(Certificate!.Serial).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2})+$/);
    expect(Certificate!.NotAfter!.getTime()).toBe(leaf.certificate.notAfter.getTime());
    expect(Certificate!.ImportedAt).toBeInstanceOf(Date);
  });

  it('GetCertificate returns the certificate and the chain it was imported with', async () => {
    const { ca, leaf } = await makeChain();
    const arn = await importNew(leaf, { CertificateChain: encode(ca.certificatePem) });
    const out = await client.send(new GetCertificateCommand({ CertificateArn: arn }));
    expect(out.Certificate!.trim()).toBe(leaf.certificatePem.trim());
    expect(out.CertificateChain!.trim()).toBe(ca.certificatePem.trim());
  });

  it('accepts a self-signed certificate without a chain, and an EC key in SEC1 form', async () => {
    const leaf = await makeCertificate();
    const sec1 = leaf.privateKey.export({ type: 'sec1', format: 'pem' }).toString();
    const arn = await importNew(leaf, { PrivateKey: encode(sec1) });
    expect(
      (await client.send(new GetCertificateCommand({ CertificateArn: arn }))).CertificateChain,
    ).toBeUndefined();
  });

  it('keeps tags given at the first import', async () => {
    const arn = await importNew(await makeCertificate(), { Tags: [{ Key: 'team', Value: 'payments' }] });
    expect(acm.certificate(arn)?.imports).toBe(1);
  });
});

describe('ImportCertificate validation: ValidationException naming the problem, never the key', () => {
  it('refuses a private key that does not match the certificate', async () => {
    const leaf = await makeCertificate();
    const other = await makeCertificate();
    const error = await errorOf(() =>
      client.send(importInput(leaf, { PrivateKey: encode(other.privateKeyPem) })),
    );
    expect(error).toEqual({
      name: 'ValidationException',
      message: expect.stringContaining('does not match'),
    });
    expect(error.message).not.toContain(other.privateKeyPem.split('\n')[1]);
  });

  it('refuses a Certificate field that holds two certificates', async () => {
    const leaf = await makeCertificate();
    const error = await errorOf(() =>
      client.send(importInput(leaf, { Certificate: encode(leaf.certificatePem + leaf.certificatePem) })),
    );
    expect(error).toEqual({ name: 'ValidationException', message: expect.stringContaining('exactly one') });
  });

  it('refuses a certificate that expired or is not valid yet', async () => {
    const day = 86_400_000;
    const expired = await makeCertificate({
      notBefore: new Date(Date.now() - 3 * day),
      notAfter: new Date(Date.now() - day),
    });
    const future = await makeCertificate({
      notBefore: new Date(Date.now() + day),
      notAfter: new Date(Date.now() + 3 * day),
    });
    expect(await errorOf(() => client.send(importInput(expired)))).toEqual({
      name: 'ValidationException',
      message: expect.stringContaining('expired'),
    });
    expect(await errorOf(() => client.send(importInput(future)))).toEqual({
      name: 'ValidationException',
      message: expect.stringContaining('not valid yet'),
    });
  });

  it('refuses a chain that does not hold the issuer, or whose issuer did not sign the certificate', async () => {
    const { leaf } = await makeChain();
    const stranger = await makeCertificate({
      commonName: 'Other CA',
      ca: true,
      keyUsage: KeyUsageFlags.keyCertSign,
    });
    const impostor = await makeCertificate({
      commonName: 'Test CA',
      ca: true,
      keyUsage: KeyUsageFlags.keyCertSign,
    });
    expect(
      (
        await errorOf(() =>
          client.send(importInput(leaf, { CertificateChain: encode(stranger.certificatePem) })),
        )
      ).message,
    ).toContain('issuer');
    expect(
      await errorOf(() =>
        client.send(importInput(leaf, { CertificateChain: encode(impostor.certificatePem) })),
      ),
    ).toEqual({
      name: 'ValidationException',
      message: expect.stringContaining('Could not validate'),
    });
  });

  it('refuses an encrypted private key and a key that is not PEM', async () => {
    const leaf = await makeCertificate();
    const encrypted = leaf.privateKey
      .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: `pass-${Date.now()}` })
      .toString();
    expect(
      (await errorOf(() => client.send(importInput(leaf, { PrivateKey: encode(encrypted) })))).message,
    ).toContain('encrypted');
    expect(
      (await errorOf(() => client.send(importInput(leaf, { PrivateKey: encode('garbage') })))).message,
    ).toContain('PEM');
  });
});

describe('re-import under the same ARN', () => {
  it('keeps the ARN and replaces the certificate and chain', async () => {
    const first = await makeChain();
    const arn = await importNew(first.leaf, { CertificateChain: encode(first.ca.certificatePem) });
    const second = await makeChain({ extendedKeyUsage: ['serverAuth', 'clientAuth'] });
    const out = await client.send(
      importInput(second.leaf, { CertificateArn: arn, CertificateChain: encode(second.ca.certificatePem) }),
    );
    expect(out.CertificateArn).toBe(arn);
    const view = acm.certificate(arn)!;
    expect(view.serialNumber).toBe(second.leaf.certificate.serialNumber.toLowerCase());
    expect(view.imports).toBe(2);
    expect(
      (await client.send(new GetCertificateCommand({ CertificateArn: arn }))).CertificateChain!.trim(),
    ).toBe(second.ca.certificatePem.trim());
  });

  it('refuses a different key algorithm', async () => {
    const arn = await importNew(await makeCertificate());
    const rsa = await makeCertificate({ rsa: true });
    const error = await errorOf(() => client.send(importInput(rsa, { CertificateArn: arn })));
    expect(error).toEqual({ name: 'ValidationException', message: expect.stringContaining('EC_prime256v1') });
  });

  it('refuses removing the server authentication usage, but allows removing client authentication', async () => {
    const arn = await importNew(await makeCertificate({ extendedKeyUsage: ['serverAuth', 'clientAuth'] }));
    await expect(
      client.send(
        importInput(await makeCertificate({ extendedKeyUsage: ['serverAuth'] }), { CertificateArn: arn }),
      ),
    ).resolves.toMatchObject({ CertificateArn: arn });
    const error = await errorOf(async () =>
      client.send(
        importInput(await makeCertificate({ extendedKeyUsage: ['clientAuth'] }), { CertificateArn: arn }),
      ),
    );
    expect(error).toEqual({
      name: 'ValidationException',
      message: expect.stringContaining('TLS_WEB_SERVER_AUTHENTICATION'),
    });
  });

  it('allows dropping keyEncipherment from an ECDSA certificate, not digitalSignature', async () => {
    const both = KeyUsageFlags.digitalSignature | KeyUsageFlags.keyEncipherment;
    const arn = await importNew(await makeCertificate({ keyUsage: both }));
    await expect(
      client.send(importInput(await makeCertificate(), { CertificateArn: arn })),
    ).resolves.toBeDefined();
    const error = await errorOf(async () =>
      client.send(
        importInput(await makeCertificate({ keyUsage: KeyUsageFlags.keyAgreement }), { CertificateArn: arn }),
      ),
    );
    expect(error.message).toContain('DIGITAL_SIGNATURE');
  });

  it('refuses adding Key Usage or Extended Key Usage extensions the previous certificate lacked', async () => {
    const arn = await importNew(await makeCertificate({ keyUsage: null, extendedKeyUsage: null }));
    const error = await errorOf(async () =>
      client.send(importInput(await makeCertificate(), { CertificateArn: arn })),
    );
    expect(error).toEqual({
      name: 'ValidationException',
      message: expect.stringContaining('cannot add Key Usage'),
    });
  });

  it('refuses tags on a re-import', async () => {
    const arn = await importNew(await makeCertificate());
    const error = await errorOf(async () =>
      client.send(
        importInput(await makeCertificate(), { CertificateArn: arn, Tags: [{ Key: 'a', Value: 'b' }] }),
      ),
    );
    expect(error.name).toBe('ValidationException');
  });

  it('ResourceNotFoundException for an ARN that holds no certificate, InvalidArnException for a malformed one', async () => {
    const missing = 'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000';
    const leaf = await makeCertificate();
    expect((await errorOf(() => client.send(importInput(leaf, { CertificateArn: missing })))).name).toBe(
      'ResourceNotFoundException',
    );
    expect(
      (await errorOf(() => client.send(importInput(leaf, { CertificateArn: 'arn:aws:acm:nope' })))).name,
    ).toBe('InvalidArnException');
    expect(
      (await errorOf(() => client.send(new DescribeCertificateCommand({ CertificateArn: missing })))).name,
    ).toBe('ResourceNotFoundException');
  });
});

describe('listing, deleting, denials and faults', () => {
  it('lists only RSA_1024 and RSA_2048 certificates by default, others when asked by key type', async () => {
    const rsaArn = await importNew(await makeCertificate({ rsa: true }));
    const ecArn = await importNew(await makeCertificate());
    const byDefault = (await client.send(new ListCertificatesCommand({}))).CertificateSummaryList!.map(
      (c) => c.CertificateArn,
    );
    expect(byDefault).toContain(rsaArn);
    expect(byDefault).not.toContain(ecArn);
    const ec = await client.send(new ListCertificatesCommand({ Includes: { keyTypes: ['EC_prime256v1'] } }));
    expect(ec.CertificateSummaryList!.map((c) => c.CertificateArn)).toContain(ecArn);
  });

  it('DeleteCertificate removes it', async () => {
    const arn = await importNew(await makeCertificate());
    await client.send(new DeleteCertificateCommand({ CertificateArn: arn }));
    expect(acm.certificate(arn)).toBeUndefined();
  });

  it('AccessDeniedException for a denied operation until lifted; injected throttling', async () => {
    const arn = await importNew(await makeCertificate());
    const lift = acm.deny('ImportCertificate');
    const error = await errorOf(async () =>
      client.send(importInput(await makeCertificate(), { CertificateArn: arn })),
    );
    lift();
    expect(error).toEqual({
      name: 'AccessDeniedException',
      message: expect.stringContaining(`acm:ImportCertificate on resource: ${arn}`),
    });
    acm.faults.throttle(1, ['DescribeCertificate']);
    expect(
      (await errorOf(() => client.send(new DescribeCertificateCommand({ CertificateArn: arn })))).name,
    ).toBe('ThrottlingException');
    await expect(client.send(new DescribeCertificateCommand({ CertificateArn: arn }))).resolves.toBeDefined();
  });
});
