import { InvalidSecretError } from '../../../core/rotation/errors';
import {
  commonNameOf,
  issuerReference,
  parseCertificateRotationSecret,
  requestedNames,
  serializeCertificateRotationSecret,
} from '../../../core/rotation/certificate/rotation-secret';
import { certificateRotationFixture } from './rotation-fixture';

const where = { secretId: 'app/tls', step: 'createSecret' };
const request = { subject: 'CN=api.internal', subjectAltNames: ['DNS:api.internal'], issuer: 'rotor/ca' };

function refusal(value: unknown): InvalidSecretError {
  try {
    parseCertificateRotationSecret(typeof value === 'string' ? value : JSON.stringify(value), where);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidSecretError);
    return error as InvalidSecretError;
  }
  throw new Error('expected the value to be refused');
}

describe('parseCertificateRotationSecret', () => {
  it('accepts a request-only secret and fills the default profile', () => {
    expect(parseCertificateRotationSecret(JSON.stringify(request), where)).toEqual({
      ...request,
      profile: {},
    });
  });

  it('round-trips an issued secret through serialize', async () => {
    const fx = await certificateRotationFixture();
    const value = fx.store.valueAt(fx.secretId, 'AWSCURRENT')!;
    const parsed = parseCertificateRotationSecret(value, where);
    expect(parsed.issued?.serialNumber).toMatch(/^[0-9a-f]+$/);
    expect(JSON.parse(serializeCertificateRotationSecret(parsed).reveal())).toEqual(JSON.parse(value));
  });

  it('names the issued fields missing when only some are present, without echoing values', () => {
    const secretLooking = `not-a-key-${Date.now()}`;
    const error = refusal({ ...request, certificate: secretLooking });
    expect(error.where.fields).toEqual(['privateKey', 'chain', 'notBefore', 'notAfter', 'serialNumber']);
    expect(`${error.message} ${JSON.stringify(error.context)}`).not.toContain(secretLooking);
  });

  it('names missing settings, refuses non-JSON and a malformed ACM PCA or ACM ARN', () => {
    expect(refusal({ subjectAltNames: [] }).where.fields).toEqual(['subject', 'subjectAltNames', 'issuer']);
    expect(refusal('not json').where.check).toBe('json');
    expect(refusal({ ...request, issuer: 'arn:aws:acm-pca:eu-west-1:1:nope' }).where.fields).toEqual([
      'issuer',
    ]);
    expect(refusal({ ...request, acmCertificateArn: 'arn:aws:acm:x' }).where.fields).toEqual([
      'acmCertificateArn',
    ]);
  });
});

describe('issuer references and names', () => {
  it('tells an ACM Private CA ARN from a CA record secret', () => {
    const arn = 'arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/1234';
    expect(issuerReference(arn)).toEqual({ type: 'acm-pca', certificateAuthorityArn: arn });
    expect(issuerReference('rotor/ca')).toEqual({ type: 'kms-ca', caSecretId: 'rotor/ca' });
    expect(issuerReference('arn:aws:secretsmanager:eu-west-1:1:secret:rotor/ca-abc')).toMatchObject({
      type: 'kms-ca',
    });
  });

  it('reads the CN of a subject and splits SANs into request lists', () => {
    expect(commonNameOf('O=Example, CN=api.internal, C=FR')).toBe('api.internal');
    expect(requestedNames(['DNS:a.example', 'IP:10.0.0.1', 'DNS:b.example'])).toEqual({
      dnsNames: ['a.example', 'b.example'],
      ipAddresses: ['10.0.0.1'],
    });
  });
});
