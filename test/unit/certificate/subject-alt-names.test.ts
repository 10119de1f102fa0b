import fc from 'fast-check';
import { InvalidSubjectAltNameError } from '../../../core/rotation/certificate/errors';
import {
  formatSubjectAltNames,
  validateDnsName,
  validateIpAddress,
  validateSubjectAltNames,
} from '../../../core/rotation/certificate/subject-alt-names';

describe('validateDnsName', () => {
  it.each(['api.example.com', 'a.b', 'xn--bcher-kva.example', '*.svc.example.com', 'a-1.b-2.example.io'])(
    'accepts %s',
    (name) => {
      expect(validateDnsName(name)).toBe(name);
    },
  );

  it('lower-cases names', () => {
    expect(validateDnsName('API.Example.COM')).toBe('api.example.com');
  });

  it.each([
    ['', /empty/],
    ['localhost', /at least two labels/],
    ['example.com.', /trailing dot/],
    ['a..example.com', /empty label/],
    ['-bad.example.com', /label "-bad"/],
    ['bad-.example.com', /label "bad-"/],
    ['under_score.example.com', /label "under_score"/],
    ['api.*.example.com', /wildcard is allowed only as the leftmost label/],
    ['*.com', /wildcard needs at least two labels/],
    ['10.0.0.1', /IP address belongs in ipAddresses/],
    [`${'a'.repeat(64)}.example.com`, /1-63/],
    [`${'a.'.repeat(127)}com`, /253/],
    ['spaced name.example.com', /label/],
  ])('rejects %j with a clear reason', (name, reason) => {
    expect(() => validateDnsName(name)).toThrow(InvalidSubjectAltNameError);
    expect(() => validateDnsName(name)).toThrow(reason);
  });

  it('accepts any name made of valid labels', () => {
    const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/);
    fc.assert(
      fc.property(
        fc.array(label, { minLength: 1, maxLength: 4 }),
        fc.stringMatching(/^[a-z]{2,10}$/),
        (labels, tld) => {
          const name = [...labels, tld].join('.');
          expect(validateDnsName(name)).toBe(name);
        },
      ),
    );
  });
});

describe('validateIpAddress', () => {
  it.each(['127.0.0.1', '10.1.2.3', '::1', 'fd00::1', '2001:DB8::1'])('accepts %s', (address) => {
    expect(validateIpAddress(address)).toBe(address.toLowerCase());
  });

  it('writes IPv6 addresses in one canonical form', () => {
    expect(validateIpAddress('2001:0DB8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(validateIpAddress('0:0:0:0:0:0:0:1')).toBe('::1');
  });

  it.each(['256.1.1.1', '1.2.3', 'example.com', '1.2.3.4/24', ''])('rejects %j', (address) => {
    expect(() => validateIpAddress(address)).toThrow(InvalidSubjectAltNameError);
    expect(() => validateIpAddress(address)).toThrow(/Invalid IP address/);
  });
});

describe('validateSubjectAltNames', () => {
  it('de-duplicates and formats as DNS:/IP: entries', () => {
    const names = validateSubjectAltNames({
      dnsNames: ['A.example.com', 'a.example.com'],
      ipAddresses: ['127.0.0.1'],
    });
    expect(formatSubjectAltNames(names)).toEqual(['DNS:a.example.com', 'IP:127.0.0.1']);
  });

  it('requires at least one name', () => {
    expect(() => validateSubjectAltNames({})).toThrow(/at least one DNS name or IP address/);
  });
});
