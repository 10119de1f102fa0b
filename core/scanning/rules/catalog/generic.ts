import type { Rule, SecretCheck } from '../rule';
import { base64UserPass } from '../checks';
import { looksLikeCode } from '../code-shape';
import { shannonEntropy } from '../entropy';
import { isPlaceholderValue } from '../placeholders';
import { ALNUM, BASE64URL, HEX, LOWER_DIGITS, b64, password, pick, rand } from '../sample-kit';

/** What may follow the key word in a name without making it something else (`password_hash`, `token_url`). */
const NAME_SUFFIX_DENY =
  /(?:^|[_.-])(?:ids?|names?|file(?:name)?s?|paths?|dirs?|urls?|uris?|endpoints?|types?|fields?|length|len|size|count|min|max|limit|hash(?:ed)?|salt|digest|checksum|sha\d*|md5|prefix|suffix|headers?|params?|key[_.-]?id|label|prompt|policy|pattern|regexp?|hint|format|expir\w*|ttl|timeout|lifetime|env|vars?|variable|template|placeholder|mode|strategy|provider|store|manager|service|version|arn|refs?|location|source|rotation|enabled|required|visible|validator|rules?|storage|cache|helper|handler|class|spec|schema|input|label|text|message|error|policy|reset|changed?|updated?|created|at|status|state|kind|level|options?|config|settings|props|properties|info|details|attributes|metadata|usage|scopes?|audience|issuer|claims?|response|request|result|errors?|last_used|used|date|time|timestamp|encrypted|hashes|hashers?|encryption|algorithm|method|scheme|complexity|strength|mgr|prompt|dialog|form|widget|input|button|box|page|view|screen|modal|icon|plugin|module|class|impl|factory|builder|callback|fn|func|getter|setter|reader|writer|loader|parser|encoder|decoder|serializer|generator|checker|verifier)$/;
const NAME_WORD_DENY =
  /^(?:tokens$|secrets$|tokeniz|secrets?manager|passwordless|passthrough|passport|passive|passenger|passage|pass(?:ed|es|ing))/i;

/** Paths, file names and URLs are where a secret is kept, not the secret. */
const LOCATION =
  /^(?:\/|\.\.?\/|~\/|[A-Za-z]:\\|file:|https?:\/\/|s3:\/\/|arn:)|\.(?:json|ya?ml|pem|key|crt|cer|p12|pfx|txt|env|ini|conf|cfg|properties|toml|xml|jks)$/i;
/**
 * Whether the name is the last part of a quoted qualified type name (`"AWS::AppSync::ApiKey": "3d104ea0..."`,
 * CloudFormation's resource types, which cfn-lint maps to schema hashes in every Python image that has it).
 */
function inQualifiedTypeName(input: string, nameStart: number): boolean {
  // The keyword may start inside the last part (`"AWS::MSK::BatchScramSecret"`, `"AWS::EC2::EIPAssociation"`).
  return /["'][A-Za-z0-9]+(?:::[A-Za-z0-9]+)*::[A-Za-z0-9]*$/.test(
    input.slice(Math.max(0, nameStart - 80), nameStart),
  );
}

/** Hashes of passwords (bcrypt, argon2, crypt, pbkdf2, LDAP) are not the passwords. */
const PASSWORD_HASH =
  /^(?:(?:pbkdf2_sha(?:1|256)|bcrypt(?:_sha256)?|argon2|scrypt|sha1|md5|crypt)\$|\$(?:2[abxy]?|argon2(?:id|i|d)|[156]|y|gy|7|pbkdf2[-\w]*|scrypt)\$|\{(?:SSHA|SHA|SSHA256|SSHA512|MD5|SMD5|CRYPT|PBKDF2[-\w]*)\}|md5[a-f0-9]{32}$|SCRAM-SHA-256\$)/i;

function nameAllowed(name: string, keywordPart: RegExp): boolean {
  if (NAME_WORD_DENY.test(name)) return false;
  // camelCase to snake_case, so `passwordHash` and `password_hash` are judged alike.
  const suffix = name
    .replace(keywordPart, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();
  return suffix === '' || !NAME_SUFFIX_DENY.test(suffix);
}

/** A value with a vendor's prefix is judged by that vendor's rule (its checksum, its length), not by entropy. */
const VENDOR_PREFIX =
  /^(?:gh[pousr]_|github_pat_|glpat-|gl(?:ptt|dt|rt)-|npm_|pypi-|dckr_pat_|xox[bpaers]-|xapp-|[sr]k_live_|sk_test_|AKIA|ASIA|AIza|sk-ant-|sk-proj-|hv[sb]\.|dop_v1_|SG\.|shp(?:at|ca|pa|ss)_|lin_api_|NRAK-|ATATT3|ATBB|sq0(?:atp|csp)-|eyJ)/;

const VERSION = String.raw`(?:[\^~]|[<>]=?|=)?v?\d{1,9}(?:\.(?:\d{1,9}|[xX*])){1,2}(?:[-+][0-9A-Za-z.-]{1,40})?`;
const VERSION_RANGE = new RegExp(`^${VERSION}(?:\\s{0,3}(?:\\|\\||-|\\s)\\s{0,3}${VERSION}){0,4}$`);

/** Base64 of a placeholder (`Y2hhbmdlbWU=` is `changeme`), as Kubernetes Secrets and Docker configs hold them. */
function encodesPlaceholder(value: string): boolean {
  if (value.length < 8 || value.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return false;
  const decoded = Buffer.from(value, 'base64').toString('latin1');
  // Printable text that is a placeholder, or that talks about the secret (`not my real password`).
  return (
    /^[\x20-\x7e]+$/.test(decoded) &&
    (isPlaceholderValue(decoded.slice(decoded.indexOf(':') + 1)) ||
      /\b(?:password|passwd|secret)\b/i.test(decoded))
  );
}

/**
 * The filters of the generic rules. `assignment`: the value follows a name in code or config. `shell`: the value
 * is a command-line argument, where a bare word is not an expression (`curl -u dev:yqDVtkqPECriaLRi`).
 */
function genericValueCheck(
  minEntropy: number,
  keywordPart: RegExp,
  assignment = false,
  shell = false,
): SecretCheck {
  return (secret, match) => {
    // Every check below only rejects and has no side effect, so their order does not change the answer: the
    // cheap ones that reject most candidates in code (`token = req.headers`, `secret = build(...)`) go first.
    const valueAt = match.index + match[0].lastIndexOf(secret);
    const quoted = /["'`]/.test(match.input.charAt(valueAt - 1));
    // Unquoted in code, a value is an expression: `credentials: noop`, `token = e.token`, `pass = !x`.
    // Identifier-shaped values count only with a digit in them (env files: `API_KEY=f00b4r...`).
    if (!quoted && !shell && looksLikeCode(secret)) return false;
    // `token = build(...)`, `secret = table[...]`: the value is code, not a literal.
    const next = match.input.charAt(match.index + match[0].length);
    if (next === '(' || next === '[') return false;
    // C++ and Rust scopes (`tokens_ = std::make_shared<...>`) and comparisons between words (`pass:
    // decided_mask==0`) are code. Base64 padding ends a segment: a separator follows it (`t1.G==.Ian...`).
    if (!quoted && (secret.includes('::') || /\w[=!]=\w/.test(secret))) return false;
    if (!nameAllowed(match[1] ?? '', keywordPart) || inQualifiedTypeName(match.input, match.index))
      return false;
    const first = match.input.charAt(match.index);
    const previous = match.input.charAt(match.index - 1);
    if (
      /^(?:pass|pwd)(?!word|wd|phrase)/i.test(match[1] ?? '') &&
      /[a-z]/i.test(previous) &&
      !(/[a-z]/.test(previous) && /[A-Z]/.test(first)) &&
      // An upper-case env name joins words without a separator (`ACRPWD`, `SMTPPASS`), but not `BYPASS`.
      !(
        /[A-Z]/.test(previous) &&
        /[A-Z]/.test(first) &&
        !/(?:^|[^A-Z])(?:BY|COM|ENCOM|SUR|TRES|OVER|UNDER|IM)$/.test(
          match.input.slice(Math.max(0, match.index - 8), match.index),
        )
      )
    ) {
      return false;
    }
    if (isPlaceholderValue(secret) || LOCATION.test(secret) || PASSWORD_HASH.test(secret)) return false;
    if (VENDOR_PREFIX.test(secret) || encodesPlaceholder(secret)) return false;
    // `"left-pad-password": "^3.1.2"`: a dependency's version range in package.json is not a password; nor is
    // an artifact with its version (`io.jsonwebtoken:jjwt-jackson-0.11.2`).
    if (VERSION_RANGE.test(secret) || /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*-v?\d+(?:\.\d+){1,3}$/.test(secret))
      return false;
    // The comma form counts only in calls that set or default a value: `define('X', '...')`, `getenv("X", "...")`.
    const name = match[1] ?? '';
    const between = match[0].slice(match[0].indexOf(name) + name.length, match[0].lastIndexOf(secret));
    if (/^\\?["']\s{0,2},\s{0,4}\\?["'`]?$/.test(between)) {
      const call = match.input.slice(Math.max(0, match.index - 64), match.index);
      if (
        !/(?:define|setenv|putenv|setdefault|setProperty|set_?env|put|set|add|fetch|get|getenv|getOrDefault|getenvOrDefault|getenv_or_default)\(\s{0,2}["'][\w.-]{0,40}$/i.test(
          call,
        )
      )
        return false;
    }
    // `hashed_password = ...`, `salt_secret = ...`, `publicToken = ...`: the identifier's start says what the
    // value is (a public or publishable key is meant to be seen).
    const before = match.input.slice(Math.max(0, match.index - 24), match.index);
    if (/(?:hash(?:ed)?|salt|digest|encrypted|checksum|public|publishable)[_.-]?$/i.test(before))
      return false;
    // A reStructuredText field in a docstring (`:type credentials: :py:class:...`, `:param token: ...`).
    if (
      /:(?:type|param|parameter|arg|argument|key|keyword|var|ivar|cvar|vartype|raises?|returns?|rtype)\s+$/.test(
        before,
      )
    )
      return false;
    const after = match.input.slice(valueAt + secret.length, valueAt + secret.length + 8);
    // `Passphrase: Uint8Array | undefined`, a template literal `${...}`, a value that names itself.
    if (/^\s{0,2}\|/.test(after) || (secret.endsWith('$') && after.startsWith('{'))) return false;
    if (/password|passwd|secret|token|api[_-]?key|credential|private[_-]?key|access[_-]?key/i.test(secret))
      return false;
    const keyword = (keywordPart.exec(match[1] ?? '')?.[0] ?? '').toLowerCase().replace(/[_.-]/g, '');
    if (keyword.length >= 3 && secret.toLowerCase().replace(/[_.-]/g, '').includes(keyword)) return false;
    // `"?NonNullExpression"`, `"+encoded+"`: grammar symbols and string concatenation.
    if (/^\?[A-Za-z]+$/.test(secret) || /^\+[A-Za-z_$]/.test(secret)) return false;
    // A query string's first pair (`SAS_TOKEN=st=2025-03-04...&se=...`) is parameters, not a token.
    if (!quoted && /^[A-Za-z_]{1,20}=/.test(secret) && match.input.charAt(valueAt + secret.length) === '&')
      return false;
    // `a = b = c` chains in minified code (`token=e.token=t`): what precedes the `=` is code. A token with `=`
    // inside (`w60oj_fe=al9q...`) is not. Values in other scripts (translations) are not credentials.
    if (!quoted) {
      const eq = /[A-Za-z_$][\w$.]*=[A-Za-z_$]/.exec(secret);
      const lhs = secret.slice(0, secret.indexOf('='));
      // Minified names are short or dotted (`n=r`, `e.token=t`); a token's first part is neither.
      if (eq && (lhs.includes('.') || lhs.length <= 10) && looksLikeCode(lhs)) return false;
    }
    if (/[^\t\x20-\x7e]/.test(secret)) return false;
    // Documentation: JSDoc example blocks (` * `) and badge URLs.
    const near = match.input.slice(Math.max(0, match.index - 200), match.index);
    const linePrefix = near.slice(near.lastIndexOf('\n') + 1);
    const wholeLine = linePrefix.length < near.length || match.index <= 200;
    if ((wholeLine && /^\s*\*\s/.test(linePrefix)) || /badge/i.test(linePrefix)) return false;
    // A short word of letters is a setting or a translation (`passwd: compat`, `"password": "Passwort"`).
    const bare = secret.replace(/[.,;:!?]+$/, '');
    if (bare.length < 12 && /^(?:\p{Lu}?\p{Ll}+|\p{Lu}+)$/u.test(bare)) return false;
    // Prose, not an assignment: `password: Optional. The user's password.`
    if (assignment && !quoted && /^ +[A-Za-z]{2,}/.test(after)) return false;
    // Pagination and request tokens are not credentials: `nextToken`, `<clientToken>`, `page_token`; nor are
    // the AWS API tokens the SDKs' models do not mark sensitive, which fill botocore's examples in every image
    // with the AWS CLI (`"ChangeToken": "abcd12f2-..."` of WAF, Auto Scaling's `LifecycleActionToken`, KMS's
    // `GrantToken`, WAF's `LockToken`, CloudWatch Logs' `nextSequenceToken` and `nextForwardToken`, Lake
    // Formation's `WorkUnitToken`, Firewall Manager's `PolicyUpdateToken`).
    const ident = (
      match.input.slice(Math.max(0, match.index - 24), match.index) + (match[1] ?? '')
    ).toLowerCase();
    if (
      /(?:(?:next|prev(?:ious)?)[a-z]{0,12}|page|continuation|client|idempotency|sync|cursor|pagination|request|resume|csrf|xsrf|change|lifecycle[_.-]?action|grant|lock|sequence|work[_.-]?unit|update)[_.-]?token/.test(
        ident,
      )
    ) {
      return false;
    }
    if (/^\d+$/.test(secret) && secret.length < 20) return false;
    // An entropy floor that shorter values can reach: log2(length) bounds the entropy of a short string, and
    // log2(10) one of digits (a long random number under a secret's name is still a secret).
    const floor = Math.min(/^\d{24,}$/.test(secret) ? 2.9 : minEntropy, Math.log2(secret.length) - 0.7);
    return shannonEntropy(secret) >= floor;
  };
}

// After the name: its closing quote or bracket (maybe JSON-escaped), maybe a declared string type (Go's
// `var token string =`, TypeScript's `token: string =`), then `=`, `:`, `:=`, `=>`, `||=`, `??=`, make's `?=`,
// `::=`, `:::=`, PHP's `.=`; or a quoted name, a comma and a quoted value, as in `define('DB_PASSWORD', '...')`
// and `env.put("TOKEN", "...")`.
const STRING_TYPE = String.raw`(?:[ \t]{1,4}(?:string|String|str)|[ \t]{0,2}:[ \t]{0,2}(?:string|String|str)\??)`;
const SEPARATOR = String.raw`(?:(?:\\?["'\]]){0,2}${STRING_TYPE}?[ \t]{0,4}(?:=>|:{1,3}=|\|\|=|\?\??=|\.=|=(?![=~])|:(?!:))|\\?["'][ \t]{0,2},(?=[ \t]{0,4}\\?["'\`]))[ \t]{0,4}(?:\\?["'\`])?`;
const VALUE = String.raw`([^\s"'\`,;&<>(){}\[\]\\]{MIN,200})`;

// Bare `pass`/`pwd` must start a word: `DB_PASS`, `smtpPass` yes; `compass`, `bypass` no (checked in validate).
const PASSWORD_WORD = String.raw`(?:pass(?:word|wd|phrase)|pass|pwd)`;
const PASSWORD_KEY = /^(?:pass(?:word|wd|phrase)|pass|pwd)/i;
const SECRET_WORD = String.raw`(?:secret|token|api[_.-]?key|apikey|access[_.-]?key|auth[_.-]?key|private[_.-]?key|app[_.-]?key|signing[_.-]?key|encryption[_.-]?key|master[_.-]?key|client[_.-]?key|credentials?)`;
const SECRET_KEY =
  /^(?:secret|token|api[_.-]?key|apikey|access[_.-]?key|auth[_.-]?key|private[_.-]?key|app[_.-]?key|signing[_.-]?key|encryption[_.-]?key|master[_.-]?key|client[_.-]?key|credentials?)/i;

function assignment(word: string, min: number): RegExp {
  return new RegExp(`(${word}[A-Za-z0-9_.-]{0,24})${SEPARATOR}${VALUE.replace('MIN', String(min))}`, 'i');
}

/** Names whose `...key` is an identifier, a lookup or a public value, not a credential. */
const KEY_NAME_DENY =
  /(?:^|[_.-]|[a-z](?=[A-Z]))(?:primary|foreign|sort|partition|range|hash|cache|map|dict|index|unique|composite|item|object|row|column|group|lookup|public|pub|publishable|kms|s3|bucket|idempotency|dedup(?:lication)?|routing|shard|natural|surrogate|ref|react|list|table|field|attr(?:ibute)?|prop(?:erty)?|config|setting|i18n|translation|message|label|cursor|page|next|sequence|order|entry|record|event|metric|tag|hot|short(?:cut)?|keyboard|press|down|up|left|right|enter|escape|tab|shift|ctrl|alt|meta|foo|bar|test|example|sample|dummy|fake|mock|ssh|gpg|pgp|rsa|ecdsa|ed25519|file|path|name|id|type|kind|storage|query|search|filter|local|global|redis|memcache|session|state|store|context|data|value|primary|secondary|parent|child|node|edge|root|leaf|version|build|release|locale|lang|language|theme|style|color|font|icon|image|media|asset|resource|route|url|uri|link|host|region|zone|account|tenant|org|project|env|environment|stage|feature|flag|toggle|experiment|variant|cohort|segment|analytics|tracking|ga|gtm|pixel|recaptcha|site|hcaptcha|turnstile|license|registration|activation|serial|product)(?:[_.-]?)key$/i;

/** The checks of `generic-key-assignment`: a credential-shaped value (letters and digits, high entropy) under a name that is not a lookup. */
const keyAssignmentCheck: SecretCheck = (secret, match) => {
  const name = match[1] ?? '';
  // `pat` only as its own word: `ADO_PAT`, `githubPat`, not `compat`.
  if (/pat$/i.test(name) && !/(?:^|[_.-])pat$/i.test(name) && !/[a-z0-9]Pat$/.test(name)) return false;
  if (
    KEY_NAME_DENY.test(name) ||
    NAME_SUFFIX_DENY.test(
      name
        .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
        .toLowerCase()
        .replace(/_?key$/, ''),
    )
  )
    return false;
  if (!/[0-9]/.test(secret) || !/[A-Za-z]/.test(secret)) return false;
  // The match starts at the name's last three letters (`key`, `pat`); the name is read by a lookbehind.
  if (inQualifiedTypeName(match.input, match.index + 3 - name.length)) return false;
  const quoted = match[2] !== '';
  if (!quoted && looksLikeCode(secret)) return false;
  // `pkey = _lib.X509_get_pubkey(x509)`, `key = keys[0]`: a call or an index is code.
  const next = match.input.charAt(match.index + match[0].length);
  if (next === '(' || next === '[') return false;
  // A member that names a kind of key, or a value that names itself, is a name: `private_key:
  // ed25519.Ed25519PrivateKey`, `RegEnumKey = win32api.RegEnumKey`. (Only after a dot: vendors prefix keys
  // with these words, `secret_...`, `key-...`.)
  const flat = (text: string) => text.toLowerCase().replace(/[_.-]/g, '');
  const member = secret.includes('.') ? secret.slice(secret.lastIndexOf('.') + 1) : '';
  if (
    /key|token|secret|passw|credential/i.test(member) ||
    (name.length >= 6 && flat(secret).includes(flat(name)))
  )
    return false;
  if (
    isPlaceholderValue(secret) ||
    LOCATION.test(secret) ||
    PASSWORD_HASH.test(secret) ||
    VENDOR_PREFIX.test(secret)
  )
    return false;
  if (VERSION_RANGE.test(secret) || /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*-v?\d+(?:\.\d+){1,3}$/.test(secret))
    return false;
  // Words joined by `.`, `-`, `_` (`settings.account.label`, `user-profile-2024`) are names, not keys; base64url
  // (`pah_FR3_WgvWgFtyyfREzN1Z8Gx4AcCy8`) has long runs between its separators.
  // A long part counts as a name when it is camelCase words (`fs.s3.enableServerSideEncryption`).
  if (
    /^[A-Za-z]+(?:[._-][A-Za-z0-9]+)+$/.test(secret) &&
    /[._-][A-Za-z]{3,}/.test(secret) &&
    secret.split(/[._-]/).every((part) => part.length <= 16 || /^[a-z]+(?:[A-Z][a-z]+)+$/.test(part))
  )
    return false;
  if (/^\.|\.$/.test(secret)) return false;
  const before = match.input.slice(Math.max(0, match.index - 64), match.index);
  if (/(?:hash(?:ed)?|salt|digest|checksum|public|publishable)[_.-]?[A-Za-z0-9]{0,40}$/i.test(before))
    return false;
  // Hex carries at most 4 bits a character, so its floor is lower.
  const floor = /^[0-9a-f]+$/i.test(secret) ? 3 : 3.5;
  return shannonEntropy(secret) >= Math.min(floor, Math.log2(secret.length) - 0.5);
};

const uuid = () => [8, 4, 4, 4, 12].map((n) => rand(HEX, n)).join('-');
const secretValue = () =>
  pick([rand(ALNUM, 32), rand(HEX, 40), rand(BASE64URL, 43), `${rand(ALNUM, 8)}-${rand(ALNUM, 16)}`]);

/** Generic assignments, headers and flags: the rules of last resort, with an entropy floor and strong filtering. */
export const GENERIC_RULES: Rule[] = [
  {
    id: 'generic-password-assignment',
    anchor: { from: 0, to: 0 },
    title: 'Password in an assignment',
    kind: 'generic',
    severity: 'high',
    keywords: ['pass', 'pwd'],
    pattern: assignment(PASSWORD_WORD, 6),
    secretGroup: 2,
    validate: genericValueCheck(2.5, PASSWORD_KEY, true),
    samples: {
      leak: () => [
        `DB_PASSWORD=${password(14)}`,
        `  password: "${password(16)}"`,
        `"password": "${password(12)}",`,
        `spring.datasource.password=${password(15)}`,
        `export PGPASSWORD='${password(18)}'`,
        `db_pass = "${password(13)}"`,
        `const adminPassword = "${password(14)}";`,
        `ENV MYSQL_ROOT_PASSWORD=${password(20)}`,
        `$password = '${password(12)}';`,
        `"passwd" => "${password(14)}",`,
      ],
      ignore: [
        'password = os.environ["DB_PASSWORD"]',
        'password: string;',
        'password = ${DB_PASSWORD}',
        'PASSWORD=$DB_PASSWORD',
        'password: {{ .Values.password }}',
        'password = "%s" % pw',
        'password = "changeme"',
        'DB_PASSWORD=password',
        'password: "<password>"',
        '"left-pad-password": "^3.1.2",',
        '"bcrypt-password": ">=5.0.1 <6.0.0",',
        'password = "********"',
        'password="xxxxxxxx"',
        'password: example-password',
        'password = "test"',
        'PASSWORD_MIN_LENGTH=12',
        'password_hash = "$2b$12$' + rand(BASE64URL, 53).replace(/-/g, '.') + '"',
        'const password = process.env.DB_PASSWORD;',
        'password = getpass.getpass()',
        'password: ${{ secrets.DB_PASSWORD }}',
        'password = "abcdefgh"',
        'passwordField: "password"',
        "      $pass = '-anonymous@'",
        '    "AWS::EC2::EIPAssociation": "a267820d6250f189",',
        '                # First pass: decided_mask==0, every element participates.',
        'using GraphPassEntry = std::pair<GraphPass, GraphPassNameType>;',
        'passwd="anonymous@domain.org"',
        "  password: '" + Buffer.from('not my real password').toString('base64') + "',",
        'exports.id_pkcs9_at_unstructuredAddress = exports.id_pkcs9_at_challengePassword = exports.id_pkcs9_at_counterSignature = exports.x = void 0;',
        'compass = "northwest"',
        'password: !Ref DbPassword',
        'password = settings.DATABASE_PASSWORD',
        'password: your-password-here',
      ],
    },
  },
  {
    id: 'generic-secret-assignment',
    anchor: { from: 0, to: 0 },
    title: 'Secret, token or API key in an assignment',
    kind: 'generic',
    severity: 'high',
    // The words a match starts with (`api_key` starts with `api`): one sticky try at each.
    keywords: [
      'secret',
      'token',
      'api',
      'access',
      'auth',
      'private',
      'app',
      'signing',
      'encryption',
      'master',
      'client',
      'credential',
    ],
    pattern: assignment(SECRET_WORD, 10),
    secretGroup: 2,
    validate: genericValueCheck(3.2, SECRET_KEY, true),
    samples: {
      leak: () => [
        `API_KEY=${secretValue()}`,
        `SECRET_KEY_BASE=${rand(HEX, 64)}`,
        `  client_secret: "${secretValue()}"`,
        `"apiKey": "${secretValue()}",`,
        `access_token = '${secretValue()}'`,
        `JWT_SECRET=${rand(ALNUM, 40)}`,
        `app.config["SECRET_KEY"] = "${rand(ALNUM, 32)}"`,
        `ENCRYPTION_KEY: ${rand(BASE64URL, 43)}`,
        `auth_token := "${rand(HEX, 32)}"`,
        `static final String API_TOKEN = "${secretValue()}";`,
      ],
      ignore: [
        'api_key = os.getenv("API_KEY")',
        'API_KEY=your-api-key-here',
        'token: ${GITHUB_TOKEN}',
        'secret_name: prod/orders/db',
        'token_type: bearer',
        'api_key_id = 12345',
        'private_key_path = "/etc/ssl/private/server.key"',
        'tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")',
        'SECRET_KEY = env("DJANGO_SECRET_KEY")',
        'token = response.json()["token"]',
        'apiKey: process.env.API_KEY,',
        'token: <your-token>',
        'secret: "{{ vault_secret }}"',
        'API_KEY=xxxxxxxxxxxxxxxxxxxxxxxx',
        'access_key = "AKIA************"',
        'credentials: include',
        'secretKeyRef:',
        'token_url = "https://oauth2.googleapis.com/token"',
        'max_tokens = 4096',
        'api_key = "sk-..."',
        'TOKEN_EXPIRY_SECONDS=3600',
        'secret = "1234567890"',
        '          "ChangeToken": "abcd12f2-46da-4fdb-b8d5-fbd4c466928f",',
        '          "LifecycleActionToken": "bcd2f1b8-9a78-44d3-8a7a-4dd07d7cf635",',
        '    :type credentials: :py:class:`~botocore.credentials.Credentials`',
        '    :param token: :class:`TokenProvider` that refreshes it',
        '            oauth_token="ad180jjd733klru7",',
        '    http://www.example.com/path?access_token=h480djs93hd8',
        'secret = pass:insta # can be used for both client and server side',
        '    "AWS::AppSync::ApiKey": "3d104ea0be48564b",',
        '    "AWS::SecretsManager::Secret": "c8a7e2f90b1d4e6a",',
        '    "AWS::MSK::BatchScramSecret": "ff03a1b2c4d5e6f7",',
        '    tokens_ = std::make_shared<std::vector<std::weak_ptr<KernelToken>>>();',
        '                "LockToken":"0674c84b-0304-47fe-8728-c6bff46af8fc",',
        '    "nextForwardToken": "f/31961209122447488583055879464742346735121166569214640130",',
        '            "PolicyUpdateToken": "1:p+2RpKR4wPFx7mcrL1UOQQ==",',
        '      "nextSequenceToken": "49542672486831074009579604567656788214806863282469607346"',
        '                "passphrase": "AB1C2defGHijkLMNo3PqQRstUvwxyzaBCDEfghh4ijklMN5opqrStuVWxyzAbCDEfghIJ"',
      ],
    },
  },
  {
    id: 'generic-key-assignment',
    anchor: { from: 0, to: 0 },
    title: 'Vendor key or personal access token in an assignment (`AZURE_OPENAI_KEY=...`, `ADO_PAT: ...`)',
    kind: 'generic',
    severity: 'medium',
    // `key`/`pat` and what may follow it in an assignment (not `keyboard`, `keys`, `path`): fewer sticky tries.
    keywords: [
      'key=',
      'key:',
      'key"',
      "key'",
      'key ',
      'key\t',
      'key]',
      'pat=',
      'pat:',
      'pat"',
      "pat'",
      'pat ',
    ],
    // Starts at `key`/`pat`; the separator is checked first (most tries stop there), then a lookbehind reads the
    // name before it. A quoted value must close with its quote.
    pattern:
      /(?:key|pat)["'\]]?[ \t]{0,4}(?:=>|:=|=(?![=~])|:(?!:))(?<=(?<![A-Za-z0-9_.$-])([A-Za-z][A-Za-z0-9_.-]{1,40}(?:key|pat))["'\]]?[ \t]{0,4}(?:=>|:=|=|:))[ \t]{0,4}(["'`]?)([A-Za-z0-9+/_=.-]{16,200})\2(?![A-Za-z0-9+/_=.-])/i,
    secretGroup: 3,
    validate: keyAssignmentCheck,
    samples: {
      leak: () => [
        `AZURE_OPENAI_KEY=${rand(HEX, 32)}`,
        `  "stripeKey": "${rand(ALNUM, 32)}",`,
        `azure_key: ${rand(LOWER_DIGITS, 52)}`,
        `const mapsKey = '${rand(ALNUM, 39)}';`,
        `AZURE_DEVOPS_PAT=${rand(LOWER_DIGITS, 52)}`,
        `  githubPat: "${rand(ALNUM, 40)}"`,
      ],
      ignore: [
        `primaryKey=${rand(ALNUM, 30)}`,
        `partition_key: "${rand(ALNUM, 20)}"`,
        'PUBLIC_KEY=MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE',
        'cache_key = "user-profile-2024-06-01"',
        'ssh_key: /home/ci/.ssh/id_ed25519',
        'KMS_KEY=alias/orders-prod-encryption',
        'S3_KEY=exports/2024/06/orders-0001.csv',
        `idempotencyKey: "${uuid()}"`,
        'sortKey: "createdAtTimestamp"',
        'i18nKey: "settings.account.deleteButtonLabel"',
        "EMRFS_SSE_KEY = 'fs.s3.enableServerSideEncryption'",
        '        pkey._pkey = _lib.X509_REQ_get_pubkey(self._req)',
        '        self, private_key: ed25519.Ed25519PrivateKey, f_priv: _FragList',
        '    RegEnumKey = win32api.RegEnumKey',
        '    "AWS::ApiGateway::UsagePlanKey": "30b6e1d4a8c2f7e9",',
        `compat = "${rand(ALNUM, 20)}1"`,
      ],
    },
  },
  {
    id: 'basic-auth-header',
    anchor: { from: -24, to: -5, first: 'aA' },
    priority: 1,
    title: 'HTTP Basic credentials',
    kind: 'generic',
    severity: 'high',
    keywords: ['basic'],
    pattern:
      /(?:Authorization|auth)["']?\s{0,4}[:=]\s{0,4}["']?Basic\s{1,4}([A-Za-z0-9+/]{8,500}={0,2})(?![A-Za-z0-9+/=])/i,
    secretGroup: 1,
    // RFC 6749's example client credentials appear in every OAuth library's docs.
    validate: (secret, match) =>
      base64UserPass(secret, match) &&
      !/^s6BhdRkqt3:/.test(Buffer.from(secret, 'base64').toString('utf8')) &&
      !isPlaceholderValue(Buffer.from(secret, 'base64').toString('utf8').split(':').slice(1).join(':')),
    samples: {
      leak: () => [`curl -H "Authorization: Basic ${b64(`admin:${password(14)}`)}" https://api.internal/`],
      ignore: [`Authorization: Basic ${b64('user:password')}`, 'Authorization: Basic ${CREDS}'],
    },
  },
  {
    id: 'bearer-token-header',
    anchor: { from: -24, to: -14, first: 'aA' },
    priority: 1,
    title: 'Bearer token in an Authorization header',
    kind: 'generic',
    severity: 'medium',
    keywords: ['bearer'],
    pattern:
      /Authorization["']?\s{0,4}[:=]\s{0,4}["']?Bearer\s{1,4}([A-Za-z0-9._~+/-]{20,1000}={0,2})(?![A-Za-z0-9._~+/=-])/i,
    secretGroup: 1,
    entropy: 3.5,
    validate: (secret) => !isPlaceholderValue(secret),
    samples: {
      leak: () => [`curl -H 'Authorization: Bearer ${rand(ALNUM, 40)}' https://api.internal/v1/items`],
      ignore: [
        'Authorization: Bearer $TOKEN',
        'Authorization: Bearer <token>',
        'Authorization: Bearer YOUR_ACCESS_TOKEN_HERE',
      ],
    },
  },
  {
    id: 'authorization-header-token',
    anchor: { from: 0, to: 0 },
    priority: 1,
    title: 'Token in an Authorization header (Token, Api-Token or no scheme)',
    kind: 'generic',
    severity: 'medium',
    keywords: ['authorization'],
    // Basic and Bearer have their own rules (a decode check, a longer floor); this covers the other schemes.
    // Not SigV4 (`AWS4-HMAC-SHA256 Credential=..., Signature=...`: a signature of one request that expires in
    // minutes, everywhere in SDK fixtures and logs) nor Digest (a response hash, no reusable secret).
    pattern:
      /(?<![A-Za-z0-9_])Authorization["']?[ \t]{0,4}[:=][ \t]{0,4}["']?(?!Basic\b|Bearer\b|AWS4-HMAC-SHA256\b|Digest\b)(?:(?:Token|Api-Token|ApiKey|Api-Key|Key|SSWS|Bot|token)[ \t]{1,4})?([A-Za-z0-9._~+/-]{16,1000}={0,2})(?![A-Za-z0-9._~+/=-])/i,
    secretGroup: 1,
    validate: (secret) =>
      /[0-9]/.test(secret) &&
      /[A-Za-z]/.test(secret) &&
      !isPlaceholderValue(secret) &&
      !VENDOR_PREFIX.test(secret) &&
      shannonEntropy(secret) >= 3.2,
    samples: {
      leak: () => [
        `curl -H "Authorization: Token ${rand(HEX, 40)}" https://api.internal/v1/items`,
        `curl --header 'Authorization:  ${uuid()}' https://api.internal/`,
        `headers = {"Authorization": "Api-Token ${rand(ALNUM, 32)}"}`,
        `curl -H 'X-Authorization: ${rand(ALNUM, 32)}' https://api.internal/`,
      ],
      ignore: [
        'Authorization: Token <token>',
        'Authorization: Token ${API_TOKEN}',
        'authorization: tokenAuthenticationProviderFactory',
        `authorization: "AWS4-HMAC-SHA256 Credential=${'AKID'}EXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'5d672d79c15b13162d9279b0855cfba'}6789a8edb4c82c400e06b5924a6f2b5d7"`,
        'Authorization: Digest username="Mufasa", realm="http-auth@example.org", response="8ca523f5e9506fed4657c9700eebdbec"',
        // Part of a longer name, not the header: cfn-lint's map of CloudFormation types to schema hashes.
        '    "AWS::Redshift::EndpointAuthorization": "e7c2a9d4f1b08e36",',
      ],
    },
  },
  {
    id: 'cli-password-flag',
    anchor: { from: 0, to: 0 },
    priority: 1,
    title: 'Password or token on a command line',
    kind: 'generic',
    severity: 'high',
    keywords: ['--pass', '--token', '--api-key', '--apikey', '--secret', '--client-secret', '--auth-token'],
    pattern:
      /(?<![A-Za-z0-9-])(--(?:password|passwd|pass|token|api-key|apikey|secret|client-secret|auth-token))(?:=|\s{1,3})["']?([^\s"'`;&|<>$(){}-][^\s"'`;&|<>$(){}]{5,199})/i,
    secretGroup: 2,
    validate: genericValueCheck(
      2.5,
      /^--(?:password|passwd|pass|token|api-key|apikey|secret|client-secret|auth-token)/i,
    ),
    samples: {
      leak: () => [
        `docker login --username ci --password ${password(16)} registry.internal`,
        `vault login --token=${rand(ALNUM, 26)}`,
      ],
      ignore: [
        'docker login --password-stdin',
        'mysql --password=$MYSQL_PWD',
        '--password <password>',
        '--token ${{ secrets.TOKEN }}',
      ],
    },
  },
  {
    id: 'docker-login-password',
    anchor: { from: -17, to: -6, first: 'dpbsh' },
    title: 'Password passed to docker login -p',
    kind: 'generic',
    severity: 'high',
    priority: 1,
    keywords: ['login'],
    pattern:
      /(?:docker|podman|buildah|skopeo|helm registry)[ \t]{1,4}login[^\n|;&]{0,120}?[ \t]-p[ \t]{1,3}["']?([^\s"'`$-][^\s"'`]{5,199})/,
    secretGroup: 1,
    validate: genericValueCheck(2.5, /^$/, false, true),
    samples: {
      leak: () => [`docker login -u ci -p ${password(16)} registry.internal:5000`],
      ignore: ['docker login -u ci -p $REGISTRY_PASSWORD registry', 'docker login -u ci --password-stdin'],
    },
  },
  {
    id: 'mysql-inline-password',
    anchor: { from: 0, to: 0 },
    priority: 1,
    title: 'MySQL client password on the command line',
    kind: 'generic',
    severity: 'high',
    keywords: ['mysql', 'mariadb'],
    pattern:
      /(?:mysql|mysqldump|mysqladmin|mariadb|mariadb-dump)\s[^\n|;&]{0,100}?(?<=\s)-p([^\s"'`;&|<>$(){}-][^\s"'`;&|<>$(){}]{3,127})/,
    secretGroup: 1,
    validate: genericValueCheck(2.5, /^$/, false, true),
    samples: {
      leak: () => [`RUN mysql -u root -p${password(14)} -e "CREATE DATABASE app"`],
      ignore: ['mysql -u root -p -e "select 1"', 'mysql -uroot -p$MYSQL_ROOT_PASSWORD'],
    },
  },
  {
    id: 'env-name-value-secret',
    anchor: { from: 0, to: 0 },
    title: 'Secret in a name/value environment entry (ECS, Kubernetes, CloudFormation)',
    kind: 'generic',
    severity: 'high',
    priority: 1,
    keywords: ['name'],
    pattern:
      /name["']?\s{0,4}:\s{0,4}["']?([A-Za-z0-9_.-]{0,40}(?:PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)[A-Za-z0-9_.-]{0,20})["']?\s{0,4},?\s{0,40}["']?value["']?\s{0,4}:\s{0,4}["']?([^\s"'`,;&<>(){}[\]\\]{6,200})/i,
    secretGroup: 2,
    validate: genericValueCheck(
      2.5,
      /^[A-Za-z0-9_.-]{0,40}?(?:PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)/i,
    ),
    samples: {
      leak: () => [
        `{"name": "DB_PASSWORD", "value": "${password(16)}"}`,
        `        - name: API_TOKEN\n          value: "${rand(ALNUM, 32)}"`,
        `      Environment:\n        - Name: STRIPE_SECRET\n          Value: ${rand(ALNUM, 28)}`,
      ],
      ignore: [
        `- name: DB_PASSWORD\n  valueFrom:\n    secretKeyRef:\n      name: db\n      key: password`,
        '{"name": "DB_PASSWORD_SECRET_ARN", "value": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db"}',
        `- name: API_TOKEN\n  value: "\${API_TOKEN}"`,
      ],
    },
  },
  {
    id: 'dockerfile-env-secret',
    anchor: { from: 0, to: 0 },
    title: 'Secret in a Dockerfile ENV or ARG (space form)',
    kind: 'generic',
    severity: 'high',
    priority: 1,
    // Every match starts with `ENV`/`ARG` (a lookbehind then checks the line start): the anchor's keywords.
    keywords: ['env', 'arg'],
    pattern:
      /(?:ENV|ARG|env|arg)(?<=^[ \t]{0,20}(?:ENV|ARG|env|arg))[ \t]+([A-Za-z0-9_]{0,40}(?:PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY)[A-Za-z0-9_]{0,20})[ \t]+["']?([^\s"'=$][^\s"']{5,199})["']?[ \t]*$/m,
    secretGroup: 2,
    validate: genericValueCheck(
      2.5,
      /^[A-Za-z0-9_]{0,40}?(?:PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY)/i,
    ),
    samples: {
      leak: () => [`ENV DB_PASSWORD ${password(15)}`],
      ignore: ['ENV DB_PASSWORD_FILE /run/secrets/db', 'ARG NPM_TOKEN'],
    },
  },
  {
    id: 'curl-user-password',
    anchor: { from: 0, to: 0 },
    title: 'Password in a curl --user argument',
    kind: 'generic',
    severity: 'high',
    priority: 1,
    keywords: ['curl'],
    pattern:
      // Arguments may continue on the next line after a `\`.
      /curl(?=[ \t])(?:[^\n\\]|\\[^\n]|\\\r?\n){0,300}?[ \t](?:-u|--user)[ \t]{0,3}["']?[^\s:"'$]{0,64}:["']?([^\s"'$][^\s"']{3,127})/,
    secretGroup: 1,
    validate: genericValueCheck(2.5, /^$/, false, true),
    samples: {
      leak: () => [
        `curl -sf -u admin:${password(14)} https://nexus.internal/service/rest/v1/status`,
        `curl -X POST https://search.internal:9200/_bulk \\\n  -H 'Content-Type: application/json' \\\n  -u elastic:${rand(ALNUM, 16)}`,
        `curl --user deploy:'${password(16)}' -X PATCH https://api.internal/v1/items`,
      ],
      ignore: ['curl -u "$USER:$PASS" https://x', 'curl -u user:password https://x'],
    },
  },
  {
    id: 'pgpass-password',
    title: 'Password in a .pgpass file',
    kind: 'config-file',
    severity: 'critical',
    keywords: [':'],
    pattern: /^[^:\s#]{1,253}:(?:\d{1,5}|\*):[^:\s]{1,63}:[^:\s]{1,63}:([^\s]{3,256})$/m,
    secretGroup: 1,
    validate: (secret) => !isPlaceholderValue(secret),
    paths: /(?:^|\/)\.pgpass$/,
    samples: {
      leak: () => [`db.internal:5432:orders:app:${password(18)}`],
      ignore: ['localhost:5432:*:postgres:postgres'],
    },
  },
  {
    id: 'sshpass-password',
    anchor: { from: 0, to: 0 },
    title: 'Password passed to sshpass',
    kind: 'generic',
    severity: 'high',
    priority: 1,
    keywords: ['sshpass'],
    pattern: /sshpass[ \t]{1,4}-p[ \t]{0,3}["']?([^\s"'`$-][^\s"'`]{3,127})/,
    secretGroup: 1,
    validate: genericValueCheck(2.5, /^$/, false, true),
    samples: {
      leak: () => [`sshpass -p '${password(14)}' ssh deploy@10.0.0.4 uptime`],
      ignore: ['sshpass -p "$SSHPASS" ssh x', 'sshpass -e ssh host'],
    },
  },
  {
    id: 'xml-secret-element',
    anchor: { from: -26, to: -1, first: '<' },
    priority: 1,
    title: 'Password or secret in an XML element',
    kind: 'generic',
    severity: 'high',
    keywords: ['pass', 'secret', 'token', 'key'],
    pattern:
      /<((?:[A-Za-z]{0,20}[:_.-]?)?(?:password|passwd|secret|token|api[_.-]?key|apikey)[A-Za-z_.-]{0,20})>\s{0,40}([^<\s]{6,200})\s{0,40}<\/\1>/i,
    secretGroup: 2,
    validate: genericValueCheck(
      2.5,
      /^[A-Za-z]{0,20}[:_.-]?(?:password|passwd|secret|token|api[_.-]?key|apikey)/i,
    ),
    samples: {
      leak: () => [`<password>${password(14)}</password>`, `<apiToken>${rand(ALNUM, 32)}</apiToken>`],
      ignore: [
        '<password>${db.password}</password>',
        '<password>changeme</password>',
        '<token>{{token}}</token>',
      ],
    },
  },
  {
    id: 'appsetting-secret',
    anchor: { from: 0, to: 0 },
    priority: 1,
    title: 'Password or secret in a key/value setting (.NET appSettings)',
    kind: 'generic',
    severity: 'high',
    keywords: ['key="'],
    pattern:
      /key="([^"]{0,40}(?:password|passwd|secret|token|apikey|api[_.-]key)[^"]{0,20})"\s{1,4}value="([^"]{6,200})"/i,
    secretGroup: 2,
    validate: genericValueCheck(2.5, /^[^"]{0,40}?(?:password|passwd|secret|token|apikey|api[_.-]key)/i),
    samples: {
      leak: () => [`<add key="SmtpPassword" value="${password(14)}" />`],
      ignore: ['<add key="ApiToken" value="" />', '<add key="Password" value="$(Password)" />'],
    },
  },
];
