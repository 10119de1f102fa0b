import { inspect } from 'node:util';
import { ACMClient, ImportCertificateCommand } from '@aws-sdk/client-acm';
import { acmImportPort } from '../../../adapters/acm-import';
import { AcmRefusedError, AcmUnavailableError } from '../../../core/rotation/certificate/errors';
import {
  certificateSecretFrom,
  type CertificateSecret,
} from '../../../core/rotation/certificate/secret-format';
import { Sensitive } from '../../../core/sensitive';
import { startAcmStandIn, type AcmStandIn } from '../../../local/acm';
import { makeChain, makeCertificate, type TestCertificate } from './certificates';
import { CREDENTIALS } from './fixture';

// adapters/acm-import.ts against the ACM stand-in over a socket: the serial ACM holds, re-import under the
// same ARN, and ACM's refusals as AcmRefusedError / AcmUnavailableError without the private key.
let acm: AcmStandIn;
let client: ACMClient;
const encode = (text: string) => new TextEncoder().encode(text);

beforeAll(async () => {
  acm = await startAcmStandIn({ region: 'eu-west-1' });
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

const secretOf = (leaf: TestCertificate, ca: TestCertificate): CertificateSecret =>
  certificateSecretFrom({
    certificatePem: leaf.certificatePem,
    privateKey: Sensitive.of(leaf.privateKeyPem),
    chainPem: ca.certificatePem,
  });

async function firstImport(): Promise<{ arn: string; ca: TestCertificate }> {
  const { ca, leaf } = await makeChain();
  const out = await client.send(
    new ImportCertificateCommand({
      Certificate: encode(leaf.certificatePem),
      PrivateKey: encode(leaf.privateKeyPem),
      CertificateChain: encode(ca.certificatePem),
    }),
  );
  return { arn: out.CertificateArn!, ca };
}

async function failure(run: () => Promise<unknown>): Promise<Error> {
  try {
    await run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('acmImportPort over the stand-in', () => {
  it("reads the serial ACM holds, in the secret's notation", async () => {
    const { arn } = await firstImport();
    const serial = await acmImportPort(client).currentSerial(arn);
    expect(serial).toBe(acm.certificate(arn)!.serialNumber);
    expect(serial).toMatch(/^[0-9a-f]+$/);
  });

  it('re-imports a new EC certificate under the same ARN (SEC1 key) and then reports its serial', async () => {
    const { arn, ca } = await firstImport();
    const leaf = await makeCertificate({ issuer: ca });
    const port = acmImportPort(client);
    await port.importCertificate(arn, secretOf(leaf, ca));
    expect(acm.certificate(arn)).toMatchObject({
      imports: 2,
      serialNumber: leaf.certificate.serialNumber.toLowerCase(),
    });
    expect(await port.currentSerial(arn)).toBe(leaf.certificate.serialNumber.toLowerCase());
  });

  it('re-imports an RSA certificate (PKCS#8 key) over an RSA one', async () => {
    const rsaCa = await makeCertificate({
      commonName: 'RSA CA',
      ca: true,
      rsa: true,
      extendedKeyUsage: null,
    });
    const first = await makeCertificate({ rsa: true, issuer: rsaCa });
    const { CertificateArn } = await client.send(
      new ImportCertificateCommand({
        Certificate: encode(first.certificatePem),
        PrivateKey: encode(first.privateKeyPem),
      }),
    );
    const next = await makeCertificate({ rsa: true, issuer: rsaCa });
    await acmImportPort(client).importCertificate(CertificateArn!, secretOf(next, rsaCa));
    expect(acm.certificate(CertificateArn!)!.serialNumber).toBe(next.certificate.serialNumber.toLowerCase());
  });

  it('AcmRefusedError for an ARN ACM does not hold, naming the ARN and the code', async () => {
    const missing = 'arn:aws:acm:eu-west-1:000000000000:certificate/00000000-0000-0000-0000-000000000000';
    const error = await failure(() => acmImportPort(client).currentSerial(missing));
    expect(error).toBeInstanceOf(AcmRefusedError);
    expect(error.message).toContain(missing);
    expect(error.message).toContain('ResourceNotFoundException');
  });

  it('AcmRefusedError for a re-import ACM validates away, without the private key anywhere in the error', async () => {
    const { arn, ca } = await firstImport();
    const rsa = await makeCertificate({ rsa: true, issuer: ca });
    const error = await failure(() => acmImportPort(client).importCertificate(arn, secretOf(rsa, ca)));
    expect(error).toBeInstanceOf(AcmRefusedError);
    expect(error.message).toContain('ValidationException');
    expect(inspect(error, { depth: 8 })).not.toContain(rsa.privateKeyPem.split('\n')[1]);
  });

  it('AcmRefusedError for AccessDenied; AcmUnavailableError for throttling', async () => {
    const { arn, ca } = await firstImport();
    const leaf = await makeCertificate({ issuer: ca });
    const lift = acm.deny('ImportCertificate');
    const denied = await failure(() => acmImportPort(client).importCertificate(arn, secretOf(leaf, ca)));
    lift();
    expect(denied).toBeInstanceOf(AcmRefusedError);
    acm.faults.throttle(1, ['ImportCertificate']);
    const throttled = await failure(() => acmImportPort(client).importCertificate(arn, secretOf(leaf, ca)));
    expect(throttled).toBeInstanceOf(AcmUnavailableError);
    expect(inspect(throttled, { depth: 8 })).not.toContain(leaf.privateKeyPem.split('\n')[1]);
    await acmImportPort(client).importCertificate(arn, secretOf(leaf, ca));
    expect(acm.certificate(arn)!.serialNumber).toBe(leaf.certificate.serialNumber.toLowerCase());
  });
});
