/**
 * Filters for values that look like secrets but are documentation, templates or code: the difference between
 * a scanner people keep and one they silence.
 */
import { isIdentifierWord } from './code-shape';

/** Words that mark an example or a template value wherever they appear in it. */
const PLACEHOLDER_WORDS =
  /example|sample|dummy|placeholder|changeme|change[_-]me|replace[_-]?me|your[_-]?(?:own[_-]?)?(?:api|secret|token|key|password|pass|access|client|app|auth)|insert[_-]?(?:your|here)|put[_-]?your|enter[_-]?your|(?<![a-z])fake(?![a-z])|redacted|notreal|not[_-]a[_-]real|xxxx|\*\*\*|\.\.\.|<[^>]*>|lorem|ipsum|foobar|(?<![a-z])(?:todo|fixme|tbd)(?![a-z])|\byour[_-]|[_-]here\b|^my[_-]?(?:api[_-]?)?(?:secret|token|key|password)/i;

/** Whole values that are obviously not secrets. */
const PLACEHOLDER_VALUES = new Set(
  [
    'password',
    'passwd',
    'pass',
    'secret',
    'token',
    'apikey',
    'api_key',
    'api-key',
    'key',
    'value',
    'test',
    'testing',
    'tests',
    'admin',
    'root',
    'user',
    'username',
    'guest',
    'default',
    'null',
    'nil',
    'none',
    'undefined',
    'true',
    'false',
    'yes',
    'no',
    'on',
    'off',
    'empty',
    'blank',
    'required',
    'optional',
    'string',
    'str',
    'bytes',
    'text',
    'any',
    'unknown',
    'object',
    'number',
    'int',
    'boolean',
    'bool',
    'secretstr',
    'secretbytes',
    'credentials',
    'foo',
    'bar',
    'baz',
    'qux',
    'abc',
    'abcd',
    'demo',
    'temp',
    'tmp',
    'mypassword',
    'mysecret',
    'mytoken',
    'secret123',
    'password123',
    'password1',
    'pa55word',
    'p@ssw0rd',
    'p@ssword',
    'passw0rd',
    'letmein',
    'qwerty',
    'hunter2',
    'welcome',
    'welcome1',
    'changeit',
    'admin123',
    'root123',
    'secretpassword',
    'supersecret',
    'topsecret',
    'notasecret',
    'test123',
    'testpassword',
    'testtoken',
    'testsecret',
    'localhost',
    'postgres',
    'mysql',
    'redis',
    'bearer',
    'basic',
    'token_here',
    'secret_here',
    'password_here',
    'api_key_here',
    'function',
    'return',
    'self',
    'this',
  ].map((s) => s.toLowerCase()),
);

/**
 * Example values from specifications that every library quotes in its documentation and tests: OAuth 2.0
 * (RFC 6749), bearer tokens (RFC 6750: `h480djs93hd8`), token revocation (RFC 7009), and OAuth 1.0 (RFC 5849:
 * the client, temporary and token credentials of section 1.2 and the header example of section 3.5.1).
 */
const KNOWN_EXAMPLES = new Set([
  '2YotnFZFEjr1zCsicMWpAA',
  'tGzv3JOkF0XG5Qx2TlKWIA',
  's6BhdRkqt3',
  'gX1fBat3bV',
  'SplxlOBeZQQYbYS6WxSbIA',
  '7Fjfp0ZBr1KtDRbnfVdmIw',
  'mF_9.B5f-4.1JqM',
  'h480djs93hd8',
  '45ghiukldjahdnhzdauz',
  'dpf43f3p2l4k3l03',
  'kd94hf93k423kf44',
  'hh5s93j4hdidpola',
  'hdhd0244k9j7ao03',
  'nnch734d00sl2jdk',
  'pfkkdhi9sl3r4s00',
  'hfdp7dh39dks9884',
  '0685bd9184jfhq22',
  'ad180jjd733klru7',
  // The password of the Insta Demo CA's public test server, in the CMP section of the `openssl.cnf` that
  // every Debian and Ubuntu image ships.
  'pass:insta',
]);

/** Template and interpolation syntax: `${VAR}`, `$VAR`, `{{ var }}`, `%s`, `%(name)s`, `#{x}`, `<%= x %>`. */
const TEMPLATE =
  /^\$\{|^\$\(|^\$[A-Za-z_]|\{\{|\}\}|^%[sdv]$|%\([a-z_]+\)[sd]|^#\{|<%|%>|^@[A-Za-z_]+@$|^__[A-Z0-9_]+__$|^\{[A-Za-z_][A-Za-z0-9_]*\}$|^\[[A-Za-z_ ]+\]$/;

/** Reads from the environment or configuration instead of a value. */
const ENV_LOOKUP =
  /^(?:os\.environ|os\.getenv|process\.env|import\.meta\.env|env\(|env\[|getenv\(|system\.getenv|environment\.getenvironmentvariable|config\.|settings\.|secrets\.|vars\.|var\.|local\.|data\.|self\.|this\.|params\.|args\.|props\.|options\.|opts\.|ctx\.|context\.|request\.|req\.|input\.|viper\.|dotenv|std::env|env::var|\(?await )/i;

/** Type annotations and declarations: `password: string`, `token: Option<String>`, `secret: SecretStr`. */
const TYPE_NAME =
  /^(?:string|str|bytes|int|number|boolean|bool|any|unknown|object|secretstr|secretbytes|sensitive|option|optional|nullable|maybe|array|list|vec|char|byte|text|varchar|uuid|char\[\]|byte\[\]|u?int(?:8|16|32|64)(?:clamped)?array|buffer|arraybuffer|blob|date|record|map|set|promise|partial|readonly|required|pick|omit)(?:<[^>]*>|\[[^\]]*\]|\?)?[,;)]?$/i;

/** True for values made of one repeated character or one repeated short unit (`abababab`, `121212`). */
export function isRepetitive(value: string): boolean {
  if (value.length < 4) return true;
  for (let unit = 1; unit <= Math.min(16, value.length / 2); unit++) {
    if (value.length < unit * 2) break;
    let same = true;
    for (let i = unit; i < value.length; i++) {
      if (value.charCodeAt(i) !== value.charCodeAt(i % unit)) {
        same = false;
        break;
      }
    }
    if (same) return true;
  }
  return false;
}

/** True for runs like `abcdefgh`, `12345678`, `zyxwvu`: each character one more (or less) than the previous. */
export function isSequential(value: string): boolean {
  if (value.length < 4) return false;
  const step = value.charCodeAt(1) - value.charCodeAt(0);
  if (step !== 1 && step !== -1) return false;
  for (let i = 2; i < value.length; i++)
    if (value.charCodeAt(i) - value.charCodeAt(i - 1) !== step) return false;
  return true;
}

/** True when a long run of one character (`xxxxxxxx`, `00000000`) fills most of the value. */
export function hasFillerRun(value: string, run = 8): boolean {
  let count = 1;
  for (let i = 1; i < value.length; i++) {
    count = value.charCodeAt(i) === value.charCodeAt(i - 1) ? count + 1 : 1;
    if (count >= run) return true;
  }
  return false;
}

/**
 * True when the value holds a run like `abcdefgh`, `12345678` or `defGHijkLMNo` (letters in either case: AWS's
 * typed examples), never seen in a generated token.
 */
export function hasSequentialRun(value: string, run = 8): boolean {
  const fold = (c: number) => (c >= 65 && c <= 90 ? c + 32 : c);
  let up = 1;
  let down = 1;
  for (let i = 1; i < value.length; i++) {
    const d = fold(value.charCodeAt(i)) - fold(value.charCodeAt(i - 1));
    up = d === 1 ? up + 1 : 1;
    down = d === -1 ? down + 1 : 1;
    if (up >= run || down >= run) return true;
  }
  return false;
}

/** The light filter applied to every rule: documentation markers and filler. */
export function isObviousPlaceholder(secret: string): boolean {
  return (
    /EXAMPLE|example|SAMPLE|sample|PLACEHOLDER|placeholder|DUMMY|dummy|REDACTED|redacted|XXXXXX|xxxxxx|\*\*\*\*/.test(
      secret,
    ) ||
    isRepetitive(secret) ||
    isSequential(secret) ||
    hasFillerRun(secret) ||
    // Long values only: a person's password may end in `12345678`; a generated token of 20 or more never does.
    (secret.length >= 20 && hasSequentialRun(secret))
  );
}

/** The strict filter of generic assignment rules: everything above plus templates, env lookups, types, words. */
export function isPlaceholderValue(value: string): boolean {
  const v = value.trim();
  if (v.length === 0) return true;
  const lower = v.toLowerCase();
  if (PLACEHOLDER_VALUES.has(lower)) return true;
  if (isObviousPlaceholder(v) || PLACEHOLDER_WORDS.test(v)) return true;
  if (TEMPLATE.test(v) || ENV_LOOKUP.test(v) || TYPE_NAME.test(v)) return true;
  // A call, an index or a member access in code: `getPassword()`, `cfg["token"]`, `settings.DB_PASSWORD`.
  if (/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*(?:\(|\[)/.test(v)) return true;
  if (/^(?:[A-Za-z_$][\w$]*\.){1,6}[A-Za-z_$][\w$]*$/.test(v) && !/\d/.test(v)) return true;
  // A word made only of letters with a lowercase-then-uppercase shape is a variable name (`dbPassword`).
  if (
    /^[a-z]+(?:[A-Z][a-z]+)+\d?$/.test(v) ||
    // snake_case of words (`db_password_2`), not a lowercase token that holds an `_` (`h1kz7f_ox8y2o`).
    (/^_?[a-z][a-z0-9]*(?:_[a-z0-9]+)+$/.test(v) && v.split('_').every((part) => isIdentifierWord(part))) ||
    /^[A-Z]+(?:_[A-Z]+)+\d?$/.test(v)
  )
    return true;
  // Words joined by `-` (`always-impersonate`), choices (`true|false`), type names (`_RSAPrivateKey`).
  if (/^[a-z]+\d*(?:-[a-z]+\d*)+$/.test(v) || /^\w+(?:\|\w+)+$/.test(v)) return true;
  if (/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(v) || /^0x[0-9a-f]+$/i.test(v)) return true;
  if (/^_{0,2}(?:[A-Z][a-z]{2,}|[A-Z]{2,}(?=[A-Z][a-z]{2}))+(?:Id|Ok|Io)?$/.test(v)) return true;
  // Dates, versions, OIDs and addresses: `2016-09-19T22:18:03Z`, `1.2.840.113549`, `10.0.0.1`.
  if (/^\d{4}-\d{2}-\d{2}/.test(v) || /^v?\d+(?:\.\d+)+$/.test(v)) return true;
  if (KNOWN_EXAMPLES.has(v)) return true;
  // Anonymous FTP's password is by convention an e-mail address (`anonymous@`, `-anonymous@host`).
  if (/^-?anonymous@/i.test(v)) return true;
  // Masked values: all asterisks, bullets, or hashes.
  if (/^[*•#?_.-]+$/.test(v)) return true;
  return false;
}
