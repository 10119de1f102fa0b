import type { Rule } from '../rule';
import { jwtShape } from '../checks';
import { BASE64, BASE64URL, b64url, pemBlock, rand } from '../sample-kit';

const dashes = '-'.repeat(5);

/** Private keys (PEM, OpenSSH, PGP, PuTTY) and JSON Web Tokens. */
export const KEY_TOKEN_RULES: Rule[] = [
  {
    id: 'private-key-pem',
    anchor: { from: -26, to: -11, first: '-' },
    title: 'Private key (PEM or OpenSSH)',
    kind: 'private-key',
    severity: 'critical',
    keywords: ['private key-----'],
    // The whole block, multi-line; a body stops at the next `-----`. `\\` and `n` admit keys embedded in JSON strings with escaped newlines.
    pattern:
      /-{5}BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |ED25519 |SSH2 ENCRYPTED |)PRIVATE KEY)-{5}(?:[A-Za-z0-9+/=\s:,.\\]|-(?!-{4})){40,8000}-{5}END \1-{5}/,
    secretGroup: 0,
    samples: {
      leak: () => [
        pemBlock('RSA PRIVATE KEY', 1600),
        pemBlock('PRIVATE KEY', 1200),
        pemBlock('EC PRIVATE KEY', 160),
        pemBlock('OPENSSH PRIVATE KEY', 400),
        pemBlock('ENCRYPTED PRIVATE KEY', 1700),
        pemBlock(
          'RSA PRIVATE KEY',
          1600,
          'Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,' + rand('0123456789ABCDEF', 32) + '\n\n',
        ),
        pemBlock('DSA PRIVATE KEY', 900),
        `{"key": "${pemBlock('PRIVATE KEY', 800).replace(/\n/g, '\\n')}"}`,
      ],
      ignore: [
        `${dashes}BEGIN PUBLIC KEY${dashes}\n${rand(BASE64, 300)}\n${dashes}END PUBLIC KEY${dashes}`,
        `${dashes}BEGIN CERTIFICATE${dashes}\n${rand(BASE64, 300)}\n${dashes}END CERTIFICATE${dashes}`,
        `${dashes}BEGIN RSA PRIVATE KEY${dashes}\n...\n${dashes}END RSA PRIVATE KEY${dashes}`,
        `const header = '${dashes}BEGIN PRIVATE KEY${dashes}';`,
      ],
    },
  },
  {
    id: 'private-key-pem-truncated',
    anchor: { from: -21, to: -11, first: '-' },
    title: 'Private key (PEM header and body, end not found)',
    kind: 'private-key',
    severity: 'high',
    priority: 2,
    keywords: ['private key-----'],
    // A key cut short (or longer than the detector's match limit) is still a leak: header plus a body line.
    pattern:
      /-{5}BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |)PRIVATE KEY)-{5}(?:\s|\\n|\\r){1,4}([A-Za-z0-9+/]{60,76}={0,2})(?=\s|\\n|\\r|"|'|$)/,
    secretGroup: 0,
    samples: {
      leak: () => [
        pemBlock('RSA PRIVATE KEY', 1600).split('\n').slice(0, 4).join('\n'),
        `"${pemBlock('PRIVATE KEY', 64)}"`.split('\n').slice(0, 2).join('\\n') + '"',
      ],
      ignore: [`${dashes}BEGIN RSA PRIVATE KEY${dashes}\nMII...\n`],
    },
  },
  {
    id: 'pgp-private-key',
    anchor: { from: -11, to: -11 },
    title: 'PGP private key block',
    kind: 'private-key',
    severity: 'critical',
    keywords: ['pgp private key block'],
    pattern:
      /-{5}BEGIN PGP PRIVATE KEY BLOCK-{5}(?:[A-Za-z0-9+/=\s:,.()@<>\\]|-(?!-{4})){40,8000}-{5}END PGP PRIVATE KEY BLOCK-{5}/,
    secretGroup: 0,
    samples: {
      leak: () => [pemBlock('PGP PRIVATE KEY BLOCK', 2400, 'Version: GnuPG v2\n\n')],
      ignore: [
        `${dashes}BEGIN PGP PUBLIC KEY BLOCK${dashes}\n${rand(BASE64, 300)}\n${dashes}END PGP PUBLIC KEY BLOCK${dashes}`,
      ],
    },
  },
  {
    id: 'putty-private-key',
    anchor: { from: 0, to: 0 },
    title: 'PuTTY private key',
    kind: 'private-key',
    severity: 'critical',
    keywords: ['putty-user-key-file-'],
    pattern:
      /PuTTY-User-Key-File-[23]: [^\r\n]{1,100}\r?\n[\s\S]{0,3000}?Private-Lines: \d{1,3}\r?\n([A-Za-z0-9+/=\r\n]{40,4000})/,
    secretGroup: 1,
    entropy: 4,
    samples: {
      leak: () => [
        `PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: k\nPublic-Lines: 2\n${rand(BASE64, 64)}\n${rand(BASE64, 16)}\nPrivate-Lines: 1\n${rand(BASE64, 44)}\nPrivate-MAC: ${rand('0123456789abcdef', 64)}`,
      ],
      ignore: ['PuTTY-User-Key-File-3: ssh-ed25519'],
    },
  },
  {
    id: 'jwt',
    anchor: { from: 0, to: 0 },
    title: 'JSON Web Token',
    kind: 'jwt',
    severity: 'medium',
    keywords: ['eyj'],
    pattern:
      /(?<![A-Za-z0-9_-])(eyJ[A-Za-z0-9_-]{10,2000}\.[A-Za-z0-9_-]{10,4000}\.(?:[A-Za-z0-9_-]{16,1000})?)(?![A-Za-z0-9_-])/,
    secretGroup: 1,
    validate: jwtShape,
    samples: {
      leak: () => [
        `Authorization: Bearer ${jwt()}`,
        `export ID_TOKEN=${jwt()}`,
        `{"access_token":"${jwt()}","token_type":"Bearer"}`,
        `String unsigned = "${b64url('{"alg":"none"}')}.${b64url(JSON.stringify({ sub: rand(BASE64URL, 10), admin: true }))}.";`,
      ],
      ignore: [
        // The jwt.io documentation example.
        `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url('{"sub":"1234567890","name":"John Doe","iat":1516239022}')}.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c`,
        // An AWS SDK documentation example: its claims say EXAMPLE.
        `${b64url('{"alg":"RS256","kid":"abc"}')}.${b64url('{"sub":"730448f2","sts:audit_context":"EXAMPLEAUDITCONTEXT","exp":1900000000}')}.${rand(BASE64URL, 86)}`,
        // A signed algorithm without its signature is a fragment, not a token.
        `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url('{"sub":"svc-orders"}')}.`,
        // Not a JWT: the header does not decode to a JSON object with alg.
        `eyJub3RoaW5nIjp0cnVlfQ.${rand(BASE64URL, 30)}.${rand(BASE64URL, 43)}`,
      ],
    },
  },
];

function jwt(): string {
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: rand(BASE64URL, 12) }));
  const payload = b64url(
    JSON.stringify({ sub: rand(BASE64URL, 10), iss: 'https://auth.internal', exp: 1900000000 }),
  );
  return `${header}.${payload}.${rand(BASE64URL, 86)}`;
}
