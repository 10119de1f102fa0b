import { isIP } from 'node:net';
import { InvalidSubjectAltNameError } from './errors';

/** Subject alternative names of a leaf certificate, validated and normalized. */
export interface SubjectAltNames {
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * Checks a DNS name for a certificate: lower-cased, at most 253 characters, labels of letters, digits and
 * inner hyphens, at least two labels, a wildcard only as the whole leftmost label (`*.example.com`).
 * Returns the normalized name or throws InvalidSubjectAltNameError saying which rule it breaks.
 */
export function validateDnsName(name: string): string {
  const fail = (why: string): never => {
    throw new InvalidSubjectAltNameError(`Invalid DNS name "${name}" in subjectAltNames: ${why}`, {
      context: { san: name, kind: 'DNS' },
    });
  };
  if (typeof name !== 'string' || name.length === 0) fail('it is empty');
  const normalized = name.toLowerCase();
  if (normalized.length > 253) fail('longer than 253 characters');
  if (normalized.endsWith('.')) fail('a trailing dot is not allowed');
  const labels = normalized.split('.');
  if (labels.length < 2) fail('it needs at least two labels (a bare host name is not allowed)');
  labels.forEach((label, index) => {
    if (label === '*') {
      if (index !== 0) fail('a wildcard is allowed only as the leftmost label');
      if (labels.length < 3) fail('a wildcard needs at least two labels after it');
      return;
    }
    if (label.length === 0) fail('it has an empty label');
    if (!LABEL.test(label)) fail(`label "${label}" must be 1-63 letters, digits or inner hyphens`);
  });
  if (/^[0-9]+$/.test(labels[labels.length - 1]!))
    fail('the last label is numeric (an IP address belongs in ipAddresses)');
  return normalized;
}

/** Checks an IPv4 or IPv6 address; returns it in canonical form (IPv6 compressed and lower-cased, RFC 5952). */
export function validateIpAddress(address: string): string {
  if (typeof address !== 'string' || isIP(address) === 0) {
    throw new InvalidSubjectAltNameError(`Invalid IP address "${address}" in subjectAltNames`, {
      context: { san: String(address), kind: 'IP' },
    });
  }
  return canonicalIp(address);
}

/** One spelling per address, so that `2001:DB8:0::1` and `2001:db8::1` compare equal. */
export function canonicalIp(address: string): string {
  if (isIP(address) !== 6) return address;
  // The WHATWG URL parser serializes IPv6 hosts the RFC 5952 way.
  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
}

/** Validates and de-duplicates the SANs of a request; at least one is required. */
export function validateSubjectAltNames(input: {
  dnsNames?: readonly string[];
  ipAddresses?: readonly string[];
}): SubjectAltNames {
  const dnsNames = [...new Set((input.dnsNames ?? []).map(validateDnsName))];
  const ipAddresses = [...new Set((input.ipAddresses ?? []).map(validateIpAddress))];
  if (dnsNames.length + ipAddresses.length === 0) {
    throw new InvalidSubjectAltNameError(
      'A certificate needs at least one DNS name or IP address in subjectAltNames',
    );
  }
  return { dnsNames, ipAddresses };
}

/** The SANs in the secret format: `DNS:name` and `IP:address`. */
export function formatSubjectAltNames(names: SubjectAltNames): string[] {
  return [...names.dnsNames.map((n) => `DNS:${n}`), ...names.ipAddresses.map((a) => `IP:${a}`)];
}
