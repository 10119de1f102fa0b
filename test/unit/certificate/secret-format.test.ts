import { generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import { InvalidCertificateSecretError } from '../../../core/rotation/certificate/errors';
import {
  buildCertificateSecret,
  parseCertificateSecret,
  type CertificateSecret,
} from '../../../core/rotation/certificate/secret-format';
import { Sensitive } from '../../../core/sensitive';

// A throwaway key generated per run (never a committed key), and certificate-shaped text: the format
// checks PEM headers, not X.509 contents.
const privateKeyPem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const fakeCert = `-----BEGIN CERTIFICATE-----\nMIIB${'A'.repeat(60)}\n-----END CERTIFICATE-----\n`;

function sample(): CertificateSecret {
  return {
    certificate: fakeCert,
    privateKey: Sensitive.of(privateKeyPem),
    chain: fakeCert,
    notBefore: '2026-01-01T00:00:00.000Z',
    notAfter: '2026-01-31T00:00:00.000Z',
    serialNumber: '4a1b2c3d4e5f60718293a4b5c6d7e8f9',
    subject: 'CN=api.example.com',
    subjectAltNames: ['DNS:api.example.com', 'IP:10.0.0.1'],
  };
}

function thrown(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('certificate secret format', () => {
  it('round-trips through build and parse, with the private key as Sensitive', () => {
    const text = buildCertificateSecret(sample());
    const parsed = parseCertificateSecret(text);
    expect(parsed.privateKey.reveal()).toBe(privateKeyPem);
    expect({ ...parsed, privateKey: undefined }).toEqual({ ...sample(), privateKey: undefined });
    expect(JSON.parse(text)).toHaveProperty('privateKey', privateKeyPem);
  });

  it('never prints the private key when the parsed secret is logged or serialized', () => {
    const parsed = parseCertificateSecret(buildCertificateSecret(sample()));
    expect(inspect(parsed)).not.toContain('PRIVATE KEY');
    expect(JSON.stringify(parsed)).not.toContain('PRIVATE KEY');
    expect(`${parsed.privateKey}`).toBe('[redacted]');
  });

  it('names every missing field', () => {
    const error = thrown(() => parseCertificateSecret(JSON.stringify({ certificate: fakeCert }), 'prod/tls'));
    expect(error).toBeInstanceOf(InvalidCertificateSecretError);
    for (const field of [
      'privateKey',
      'chain',
      'notBefore',
      'notAfter',
      'serialNumber',
      'subject',
      'subjectAltNames',
    ]) {
      expect(error.message).toContain(field);
    }
    expect((error as InvalidCertificateSecretError).context).toMatchObject({ secretId: 'prod/tls' });
  });

  it('names malformed fields without echoing any value, the private key least of all', () => {
    const bad = {
      ...JSON.parse(buildCertificateSecret(sample())),
      certificate: privateKeyPem, // a key pasted in the wrong field
      notAfter: 'next tuesday',
      serialNumber: 'XYZ',
      subjectAltNames: ['mail:someone'],
    };
    const error = thrown(() => parseCertificateSecret(JSON.stringify(bad)));
    expect(error.message).toMatch(/certificate: must be a PEM certificate/);
    expect(error.message).toMatch(/notAfter: must be an ISO 8601 date/);
    expect(error.message).toMatch(/serialNumber/);
    expect(error.message).toMatch(/subjectAltNames\.0/);
    const everything = `${error.message} ${JSON.stringify((error as InvalidCertificateSecretError).context)} ${inspect(error)}`;
    expect(everything).not.toContain('PRIVATE KEY');
    expect(everything).not.toContain(privateKeyPem.split('\n')[1]);
    expect(everything).not.toContain('next tuesday');
  });

  it('rejects a private key that is not PKCS#8 PEM, without printing it', () => {
    const rsaPkcs1 = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs1', format: 'pem' })
      .toString();
    const error = thrown(() =>
      parseCertificateSecret(
        JSON.stringify({ ...JSON.parse(buildCertificateSecret(sample())), privateKey: rsaPkcs1 }),
      ),
    );
    expect(error.message).toMatch(/privateKey: must be a PEM PKCS#8 private key/);
    expect(inspect(error)).not.toContain(rsaPkcs1.split('\n')[1]);
  });

  it('says when the secret is not JSON', () => {
    expect(() => parseCertificateSecret('{not json')).toThrow(/not valid JSON/);
  });
});
