import fc from 'fast-check';
import { notAfterFor, templateFor } from '../../../local/acm-pca/issue';

// The ACM PCA stand-in's reading of Validity and TemplateArn, as the API reference defines them.
const issuedAt = new Date(Date.UTC(2026, 0, 31, 12, 0, 0));

describe('notAfterFor', () => {
  it('adds days, months and years to the time of issuance, clamping to the end of a shorter month', () => {
    expect(notAfterFor({ Type: 'DAYS', Value: 90 }, issuedAt)).toEqual(new Date(Date.UTC(2026, 4, 1, 12)));
    expect(notAfterFor({ Type: 'MONTHS', Value: 1 }, issuedAt)).toEqual(new Date(Date.UTC(2026, 1, 28, 12)));
    expect(notAfterFor({ Type: 'YEARS', Value: 2 }, issuedAt)).toEqual(new Date(Date.UTC(2028, 0, 31, 12)));
  });

  it('reads ABSOLUTE as seconds since the epoch', () => {
    expect(notAfterFor({ Type: 'ABSOLUTE', Value: 2524608000 }, issuedAt)).toEqual(
      new Date(Date.UTC(2050, 0, 1)),
    );
  });

  it('reads END_DATE as UTCTime (YY of 50 or more is 19YY) or GeneralizedTime', () => {
    expect(notAfterFor({ Type: 'END_DATE', Value: 491231235959 }, issuedAt)).toEqual(
      new Date(Date.UTC(2049, 11, 31, 23, 59, 59)),
    );
    expect(notAfterFor({ Type: 'END_DATE', Value: 500101000000 }, issuedAt)).toEqual(
      new Date(Date.UTC(1950, 0, 1)),
    );
    expect(notAfterFor({ Type: 'END_DATE', Value: 20491231235959 }, issuedAt)).toEqual(
      new Date(Date.UTC(2049, 11, 31, 23, 59, 59)),
    );
  });

  it('refuses missing, non-integer, non-positive values and unknown types with ValidationException', () => {
    for (const validity of [
      undefined,
      {},
      { Type: 'DAYS', Value: 0 },
      { Type: 'DAYS', Value: 1.5 },
      { Type: 'WEEKS', Value: 1 },
    ]) {
      expect(() => notAfterFor(validity, issuedAt)).toThrow(
        expect.objectContaining({ code: 'ValidationException' }),
      );
    }
  });

  it('ends DAYS validities exactly that many days later, whatever the count', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 36_500 }), (days) => {
        expect(notAfterFor({ Type: 'DAYS', Value: days }, issuedAt).getTime() - issuedAt.getTime()).toBe(
          days * 86_400_000,
        );
      }),
    );
  });
});

describe('templateFor', () => {
  it('defaults to EndEntityCertificate/V1 and reads template ARNs', () => {
    expect(templateFor(undefined)).toBe('EndEntityCertificate/V1');
    expect(templateFor('arn:aws:acm-pca:::template/EndEntityServerAuthCertificate/V1')).toBe(
      'EndEntityServerAuthCertificate/V1',
    );
  });

  it('refuses other templates and malformed ARNs with InvalidArgsException', () => {
    for (const arn of ['arn:aws:acm-pca:::template/RootCACertificate/V1', 'EndEntityCertificate/V1', 7]) {
      expect(() => templateFor(arn)).toThrow(expect.objectContaining({ code: 'InvalidArgsException' }));
    }
  });
});
