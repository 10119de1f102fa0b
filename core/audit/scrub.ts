/**
 * A second net for free text that reaches the audit trail (error messages from drivers and SDKs): it
 * censors what looks like a credential and bounds the length. The first net is that Rotor's own errors
 * never carry a secret value.
 */
const MAX_LENGTH = 512;

const RULES: ReadonlyArray<[RegExp, string]> = [
  // key=value and key: value where the key names a secret
  [
    /\b([\w-]{0,32}(?:password|passwd|pwd|secret|token|api[_-]?key|credential|auth)[\w-]{0,32}\s*[=:]\s*)("[^"]{0,256}"|'[^']{0,256}'|[^\s,;&]{1,256})/gi,
    '$1[redacted]',
  ],
  // credentials in URLs: scheme://user:password@host
  [/\b([a-z][a-z0-9+.-]{1,20}:\/\/[^\s:/@]{1,128}:)[^\s@/]{1,256}@/gi, '$1[redacted]@'],
  // PEM blocks
  [/-----BEGIN [A-Z ]{1,40}-----[\s\S]{0,8192}?-----END [A-Z ]{1,40}-----/g, '[redacted PEM block]'],
  // long runs of token characters: keys, hashes, passwords
  [/[A-Za-z0-9+/=_\-.~!@#$%^&*]{24,}/g, '[redacted]'],
];

export function scrubText(text: string): string {
  let out = text.length > 4 * MAX_LENGTH ? text.slice(0, 4 * MAX_LENGTH) : text;
  for (const [pattern, replacement] of RULES) out = out.replace(pattern, replacement);
  return out.length > MAX_LENGTH ? `${out.slice(0, MAX_LENGTH - 1)}…` : out;
}
