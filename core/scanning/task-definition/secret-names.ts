import { isPlaceholderValue } from '../rules/placeholders';

/** The rule id of a variable whose name says secret and whose value is not a placeholder. */
export const SECRET_NAME_RULE_ID = 'ecs-environment-secret-name';
/** Its title, for people. */
export const SECRET_NAME_RULE_TITLE = 'Secret in a plaintext ECS environment variable';

/** Words of a variable name that say its value is a secret on their own. */
const SECRET_WORDS = new Set([
  'PASSWORD',
  'PASSWORDS',
  'PASSWD',
  'PASS',
  'PWD',
  'PASSPHRASE',
  'SECRET',
  'SECRETS',
  'TOKEN',
  'TOKENS',
  'CREDENTIAL',
  'CREDENTIALS',
  'CREDS',
  'APIKEY',
  'PRIVATEKEY',
  'SECRETKEY',
  'ACCESSKEY',
]);
const GLUED_SECRET_WORD = /^[A-Z0-9]{1,12}(?:PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|APIKEY)$/;
/** Words that make `<word>_KEY` a secret: `API_KEY`, `PRIVATE_KEY`, `SIGNING_KEY`... (a bare `KEY` is not). */
const KEY_QUALIFIERS = new Set([
  'API',
  'PRIVATE',
  'SECRET',
  'ACCESS',
  'AUTH',
  'SIGNING',
  'ENCRYPTION',
  'MASTER',
  'CLIENT',
  'APP',
  'LICENSE',
  'HMAC',
  'SESSION',
  'WEBHOOK',
  'JWT',
]);
/**
 * Words after the secret word that make the variable something else: where a secret is kept (`_ARN`,
 * `_FILE`, `_PATH`, `_NAME`), an identifier (`_ID`), or a setting about it (`_LENGTH`, `_TTL`, `_ENABLED`).
 */
const NOT_A_VALUE = new Set([
  'ID',
  'IDS',
  'NAME',
  'NAMES',
  'ARN',
  'ARNS',
  'FILE',
  'FILES',
  'PATH',
  'DIR',
  'URL',
  'URI',
  'ENDPOINT',
  'HOST',
  'PORT',
  'REGION',
  'TYPE',
  'KIND',
  'LENGTH',
  'LEN',
  'SIZE',
  'MIN',
  'MAX',
  'LIMIT',
  'COUNT',
  'TTL',
  'EXPIRY',
  'EXPIRES',
  'EXPIRATION',
  'LIFETIME',
  'TIMEOUT',
  'SECONDS',
  'MINUTES',
  'HOURS',
  'DAYS',
  'HEADER',
  'ENABLED',
  'DISABLED',
  'REQUIRED',
  'MODE',
  'VERSION',
  'PREFIX',
  'SUFFIX',
  'FORMAT',
  'ALGORITHM',
  'HASH',
  'FIELD',
  'PARAM',
  'PARAMETER',
  'USER',
  'USERNAME',
  'LOCATION',
  'BUCKET',
  'TABLE',
  'QUEUE',
  'TOPIC',
  'POLICY',
  'ROTATION',
  'SCOPE',
  'SCOPES',
  'PROVIDER',
  'MANAGER',
  'STORE',
  'SOURCE',
  'AUDIENCE',
  'ISSUER',
  'REF',
  'KEYID',
]);

/** `dbPassword`, `db-password`, `DB.PASSWORD` -> `['DB', 'PASSWORD']`. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter((w) => w !== '');
}

/**
 * Whether a variable's name says its value is a secret: `DB_PASSWORD`, `STRIPE_SECRET_KEY`, `GITHUB_TOKEN`,
 * `apiKey`; not `TOKEN_URL`, `PASSWORD_FILE`, `DB_SECRET_ARN`, `API_KEY_ID`, `PASSWORD_MIN_LENGTH`.
 */
export function isSecretName(name: string): boolean {
  const w = words(name);
  let last = -1;
  for (let i = 0; i < w.length; i++) {
    const word = w[i]!;
    // `PGPASSWORD`, `GHTOKEN`: a secret word glued to a prefix counts too.
    if (SECRET_WORDS.has(word) || GLUED_SECRET_WORD.test(word)) last = i;
    else if (word === 'KEY' && i > 0 && KEY_QUALIFIERS.has(w[i - 1]!)) last = i;
  }
  if (last === -1) return false;
  return !w.slice(last + 1).some((word) => NOT_A_VALUE.has(word));
}

/** How much of a value the filters look at. */
const MAX_JUDGED_CHARS = 512;

/** Where a secret is kept, not the secret: an ARN, a URL without credentials, a path, a file name. */
const REFERENCE =
  /^(?:arn:|ssm:|secretsmanager:|https?:\/\/[^@/\s]+(?:\/|$)|s3:\/\/|file:|\/|\.\.?\/|~\/)|\.(?:json|ya?ml|pem|key|crt|p12|pfx|txt|env|ini|conf)$/i;
/** A name in a hierarchy (`prod/orders/db`): how secrets are named in Secrets Manager and Parameter Store. */
const HIERARCHICAL_NAME = /^[A-Za-z][A-Za-z_.-]*\d{0,2}(?:\/[A-Za-z][A-Za-z_.-]*\d{0,2})+$/;

/**
 * Whether a value under a secret-sounding name is worth a finding: not empty, not a placeholder
 * (`changeme`, `${VAR}`, `<password>`), not a boolean or a number (ports, counts, durations), not a
 * reference to where the secret is kept.
 */
export function isSecretValue(value: string): boolean {
  // The placeholder filters were written for short values; a long one (ECS allows kilobytes) is judged by
  // its head, so their cost stays bounded whatever the value (a PEM key or a JSON document is long).
  const v = value.trim().slice(0, MAX_JUDGED_CHARS);
  if (v.length < 4) return false;
  if (isPlaceholderValue(v)) return false;
  if (/^(?:true|false|yes|no|on|off|enabled|disabled)$/i.test(v)) return false;
  // Numbers, durations and sizes: `5432`, `3600`, `1.5`, `30s`, `15m`, `512Mi`. A long digit run can be a PIN or key.
  if (/^-?\d{1,19}(?:\.\d+)?(?:ms|s|m|h|d|ki|mi|gi|kb|mb|gb)?$/i.test(v)) return false;
  if (REFERENCE.test(v) || HIERARCHICAL_NAME.test(v)) return false;
  return true;
}
