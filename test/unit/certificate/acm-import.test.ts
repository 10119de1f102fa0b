import { ACMClient, DescribeCertificateCommand, ImportCertificateCommand } from '@aws-sdk/client-acm';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mockClient } from 'aws-sdk-client-mock';
import { acmImportPort, acmPrivateKeyPem, normalizeSerial } from '../../../adapters/acm-import';
import { AcmRefusedError, AcmUnavailableError } from '../../../core/rotation/certificate/errors';
import { Sensitive } from '../../../core/sensitive';

const acm = mockClient(ACMClient);
const arn = 'arn:aws:acm:eu-west-1:123456789012:certificate/abc';
const acmError = (name: string) => Object.assign(new Error(`${name} from ACM`), { name });
// A key generated at test time; the certificate and chain are stand-in text the adapter passes through.
const pkcs8 = (type: 'ec' | 'rsa') =>
  (type === 'ec'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : generateKeyPairSync('rsa', { modulusLength: 2048 })
  ).privateKey
    .export({ type: 'pkcs8', format: 'pem' })
    .toString();
const certificate = {
  certificate: 'leaf-pem',
  privateKey: Sensitive.of(pkcs8('ec')),
  chain: 'chain-pem',
  notBefore: '2026-01-01T00:00:00.000Z',
  notAfter: '2026-02-01T00:00:00.000Z',
  serialNumber: '4a0b',
  subject: 'CN=a',
  subjectAltNames: ['DNS:a'],
};

beforeEach(() => acm.reset());

describe('acmImportPort', () => {
  it("reads the serial ACM holds as the secret's lower-case hex", async () => {
    acm
      .on(DescribeCertificateCommand, { CertificateArn: arn })
      .resolves({ Certificate: { Serial: '4A:0B' } });
    expect(await acmImportPort(new ACMClient({})).currentSerial(arn)).toBe('4a0b');
  });

  it('answers undefined for an ACM certificate with no certificate imported yet', async () => {
    acm.on(DescribeCertificateCommand).resolves({ Certificate: {} });
    expect(await acmImportPort(new ACMClient({})).currentSerial(arn)).toBeUndefined();
  });

  it('re-imports under the existing ARN with certificate, key and chain', async () => {
    acm.on(ImportCertificateCommand).resolves({ CertificateArn: arn });
    await acmImportPort(new ACMClient({})).importCertificate(arn, certificate);
    const input = acm.commandCalls(ImportCertificateCommand)[0]!.args[0].input;
    const text = (bytes?: Uint8Array) => new TextDecoder().decode(bytes);
    expect(input.CertificateArn).toBe(arn);
    expect(text(input.Certificate)).toBe('leaf-pem');
    expect(text(input.PrivateKey)).toBe(acmPrivateKeyPem(certificate.privateKey.reveal()));
    expect(text(input.CertificateChain)).toBe('chain-pem');
  });

  it('reports refusals and throttling by ACM error code, without the key', async () => {
    acm
      .on(ImportCertificateCommand)
      .rejectsOnce(acmError('AccessDeniedException'))
      .rejectsOnce(acmError('ThrottlingException'));
    const port = acmImportPort(new ACMClient({}));
    const denied = await port.importCertificate(arn, certificate).catch((e: unknown) => e);
    const throttled = await port.importCertificate(arn, certificate).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(AcmRefusedError);
    expect((denied as Error).message).toContain('AccessDeniedException');
    expect((denied as Error).message).not.toContain(certificate.privateKey.reveal().split('\n')[1]);
    expect(throttled).toBeInstanceOf(AcmUnavailableError);
  });

  it('hands ACM an EC key in SEC1 form and an RSA key in PKCS#8 form, the same key either way', () => {
    const ec = pkcs8('ec');
    const rsa = pkcs8('rsa');
    expect(acmPrivateKeyPem(ec)).toMatch(/^-----BEGIN EC PRIVATE/);
    expect(acmPrivateKeyPem(rsa)).toBe(rsa);
    const der = (pem: string) => createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' });
    expect(der(acmPrivateKeyPem(ec)).equals(der(ec))).toBe(true);
  });

  it('normalizes serials written with colons and capitals', () => {
    expect(normalizeSerial('00:AB:cd')).toBe('00abcd');
  });
});
