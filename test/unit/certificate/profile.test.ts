import { InvalidProfileError, WeakKeyError } from '../../../core/rotation/certificate/errors';
import { parseCertificateProfile } from '../../../core/rotation/certificate/profile';

describe('parseCertificateProfile', () => {
  it('defaults to ECDSA P-256, 30 days, a 5 minute backdate and serverAuth', () => {
    expect(parseCertificateProfile()).toEqual({
      key: { type: 'EC', curve: 'P-256' },
      validityDays: 30,
      backdateMinutes: 5,
      extendedKeyUsage: ['serverAuth'],
    });
  });

  it('accepts RSA 2048, 3072 and 4096 and both extended key usages', () => {
    for (const modulusLength of [2048, 3072, 4096]) {
      expect(parseCertificateProfile({ key: { type: 'RSA', modulusLength } }).key).toEqual({
        type: 'RSA',
        modulusLength,
      });
    }
    expect(
      parseCertificateProfile({ extendedKeyUsage: ['serverAuth', 'clientAuth', 'clientAuth'] })
        .extendedKeyUsage,
    ).toEqual(['serverAuth', 'clientAuth']);
  });

  it('is idempotent: a parsed profile parses to itself', () => {
    const parsed = parseCertificateProfile({
      key: { type: 'EC', curve: 'P-384' },
      validityDays: 7,
      renewBeforeDays: 2,
    });
    expect(parseCertificateProfile(parsed)).toEqual(parsed);
  });

  it('refuses RSA keys below 2048 bits as a WeakKeyError naming the field', () => {
    expect(() => parseCertificateProfile({ key: { type: 'RSA', modulusLength: 1024 } })).toThrow(
      WeakKeyError,
    );
    expect(() => parseCertificateProfile({ key: { type: 'RSA', modulusLength: 1024 } })).toThrow(
      /RSA keys of 1024 bits are refused.*key\.modulusLength/,
    );
  });

  it('refuses curves other than P-256 and P-384 as a WeakKeyError', () => {
    for (const curve of ['P-192', 'secp256k1', 'P-521x']) {
      expect(() => parseCertificateProfile({ key: { type: 'EC', curve } })).toThrow(WeakKeyError);
    }
    expect(() => parseCertificateProfile({ key: { type: 'EC', curve: 'P-192' } })).toThrow(
      /Curve P-192 is refused: use P-256 or P-384/,
    );
  });

  it('reports malformed fields as InvalidProfileError with their paths', () => {
    const attempt = (input: unknown) => () => parseCertificateProfile(input);
    expect(attempt({ validityDays: 0 })).toThrow(InvalidProfileError);
    expect(attempt({ validityDays: 0 })).toThrow(/validityDays/);
    expect(attempt({ key: { type: 'DSA' } })).toThrow(/key/);
    expect(attempt({ extendedKeyUsage: ['codeSigning'] })).toThrow(/extendedKeyUsage/);
    expect(attempt({ validityDay: 30 })).toThrow(InvalidProfileError);
    expect(attempt({ key: { type: 'RSA', modulusLength: 2500 } })).toThrow(/2048, 3072 or 4096/);
  });
});
