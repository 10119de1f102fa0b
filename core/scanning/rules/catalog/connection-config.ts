import type { Rule } from '../rule';
import { base64UserPass } from '../checks';
import { isPlaceholderValue } from '../placeholders';
import { ALNUM, BASE64, HEX, LOWER_DIGITS, b64, password, pick, rand } from '../sample-kit';

/** A URL or connection-string password that is a template or a placeholder is not a leak. */
const notPlaceholder = (secret: string) =>
  !isPlaceholderValue(secret) && !/password|passwd|secret/i.test(secret);
const host = () =>
  pick(['db.internal', `${rand(LOWER_DIGITS, 8)}.rds.amazonaws.com`, '10.0.3.17', 'cache-01.prod']);

/** A Secret's base64 value that decodes to something other than a placeholder (`changeme`, `${PASSWORD}`). */
function kubernetesValue(secret: string): boolean {
  const decoded = Buffer.from(secret, 'base64').toString('latin1');
  if (decoded.length < 6) return false;
  // Binary (keystores, keys) and structured documents (`.dockercfg` JSON) count; a plain value must not be a
  // placeholder (after the user in `user:password`).
  if (!/^[\x20-\x7e\t\r\n]+$/.test(decoded) || /^\s*[{[]/.test(decoded)) return true;
  return !isPlaceholderValue(decoded.slice(decoded.indexOf(':') + 1));
}

/** Connection strings, URLs with credentials, and the credential files of common tools. */
export const CONNECTION_CONFIG_RULES: Rule[] = [
  {
    id: 'database-url-password',
    anchor: { from: 0, to: 0 },
    title: 'Database or broker URL with a password',
    kind: 'connection-string',
    severity: 'critical',
    keywords: ['://'],
    pattern:
      // Starts with the literal `://`, which V8 searches for quickly; a lookbehind then checks the scheme.
      /:\/\/(?<=(?<![A-Za-z0-9+.-])(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|oracle|cockroachdb|clickhouse|nats|kafka|ldaps?|smtps?|ftps?|sftp|ssh|svn|socks5h?|imaps?|pop3s?|mqtts?|wss?|smb|rsync|jdbc:[a-z0-9]{2,20})(?:\+[a-z0-9]{1,20})?:\/\/)[^\s:@/?#'"`<>]{0,128}:([^\s@/'"`<>]{3,256})@[A-Za-z0-9._\-[\]%]{1,253}/i,
    secretGroup: 1,
    validate: notPlaceholder,
    samples: {
      leak: () => [
        `DATABASE_URL=postgres://app:${rand(ALNUM, 20)}@${host()}:5432/orders`,
        `mysql://root:${password(16)}@${host()}/shop`,
        `MONGO_URI="mongodb+srv://svc:${rand(ALNUM, 24)}@cluster0.${rand(LOWER_DIGITS, 5)}.mongodb.net/db?retryWrites=true"`,
        `redis://:${rand(ALNUM, 32)}@${host()}:6379/0`,
        `amqp://worker:${rand(ALNUM, 18)}@rabbit.internal:5672/vhost`,
        `MQTT_URL=mqtts://sensor:${rand(ALNUM, 20)}@broker.internal:8883`,
        `jdbc:mysql://etl:${password(16)}@db.internal:3306/dw`,
        `SQLALCHEMY_DATABASE_URI = "postgresql+psycopg2://etl:${password(18)}@${host()}/dw"`,
      ],
      ignore: [
        'DATABASE_URL=postgres://user:password@localhost:5432/db',
        'postgres://${DB_USER}:${DB_PASSWORD}@${DB_HOST}/app',
        'mysql://root:<password>@localhost/db',
        'mongodb://localhost:27017/test',
        'redis://:changeme@localhost:6379',
        'postgresql://postgres:postgres@localhost/postgres',
        'amqp://guest:guest@localhost:5672/',
      ],
    },
  },
  {
    id: 'url-basic-auth',
    anchor: { from: 0, to: 0 },
    title: 'URL with a username and password',
    kind: 'connection-string',
    severity: 'high',
    keywords: ['http'],
    pattern:
      /(?<![A-Za-z0-9+.-])(https?:\/\/[^\s:@/?#'"`<>]{1,128}:([^\s@/'"`<>$]{6,256})@[A-Za-z0-9._-]{1,253})/i,
    secretGroup: 2,
    validate: (secret, match) =>
      notPlaceholder(secret) &&
      (secret.length >= 12 || /\d/.test(secret)) &&
      !/@(?:[\w-]+\.)*example\.(?:com|org|net)$/i.test(match[1]!),
    samples: {
      leak: () => [
        `git clone https://deploy:${rand(ALNUM, 24)}@git.example-corp.com/team/repo.git`,
        `pip install --index-url https://ci:${rand(ALNUM, 20)}@pypi.internal.net/simple pkg`,
      ],
      ignore: [
        'https://user:password@example.com/',
        'https://username:${TOKEN}@github.com/org/repo',
        'see https://git-scm.com/docs',
      ],
    },
  },
  {
    id: 'ado-connection-string-password',
    title: 'Connection string with a password (ADO.NET, JDBC, ODBC)',
    kind: 'connection-string',
    severity: 'critical',
    keywords: ['password=', 'pwd='],
    pattern:
      /(?:(?<![A-Za-z])(?:Server|Data Source|Host|Address|Addr|Network Address)[ \t]{0,2}=|jdbc:[a-z][a-z0-9]{1,19}:)[^\n]{0,300}?[;?&\s](?:Password|Pwd)=([^;&\s"'<>,)]{3,128})/i,
    secretGroup: 1,
    validate: notPlaceholder,
    samples: {
      leak: () => [
        `"Default": "Server=tcp:${host()},1433;Database=app;User Id=svc;Password=${password(16)};Encrypt=True"`,
        `jdbc:sqlserver://db.internal:1433;databaseName=app;user=sa;password=${rand(ALNUM, 18)}`,
      ],
      ignore: [
        'Server=localhost;Database=app;User Id=sa;Password=<YourStrong@Passw0rd>;',
        'Server=.;Database=x;Password=$(DB_PASSWORD);',
      ],
    },
  },
  {
    // Oracle's URLs carry the credentials before the host (`jdbc:oracle:thin:user/password@host:1521:sid`),
    // where neither the URL rule (no `://`) nor the `password=` rule looks.
    id: 'jdbc-oracle-password',
    anchor: { from: 0, to: 0 },
    title: 'Oracle JDBC URL with a password (user/password@host)',
    kind: 'connection-string',
    severity: 'critical',
    keywords: ['jdbc:oracle:'],
    pattern: /jdbc:oracle:(?:thin|oci8?):[A-Za-z0-9_$#.]{1,128}\/([^@\s"'<>;/]{3,128})@/i,
    secretGroup: 1,
    validate: notPlaceholder,
    samples: {
      leak: () => [
        `spring.datasource.url=jdbc:oracle:thin:scott/${password(16)}@${host()}:1521:orcl`,
        `<property name="url" value="jdbc:oracle:thin:app_user/${rand(ALNUM, 14)}@//${host()}:1521/ORCLPDB1"/>`,
      ],
      ignore: [
        'jdbc:oracle:thin:@db.internal:1521:orcl',
        'jdbc:oracle:thin:@//db.internal:1521/ORCLPDB1',
        'jdbc:oracle:thin:scott/${DB_PASSWORD}@db.internal:1521:orcl',
        'jdbc:oracle:thin:app/<password>@db.internal:1521:orcl',
      ],
    },
  },
  {
    id: 'npmrc-auth-token',
    anchor: { from: 0, to: 0 },
    title: 'npm registry token in .npmrc',
    kind: 'config-file',
    severity: 'critical',
    keywords: ['_authtoken'],
    pattern: /_authToken\s{0,4}=\s{0,4}["']?([^\s"'$]{8,512})/i,
    secretGroup: 1,
    entropy: 3,
    validate: (secret) => !isPlaceholderValue(secret),
    samples: {
      leak: () => [
        `//npm.pkg.github.com/:_authToken=${rand(ALNUM, 40)}`,
        `//registry.internal/:_authToken="${rand(HEX, 8)}-${rand(HEX, 4)}-${rand(HEX, 4)}-${rand(HEX, 4)}-${rand(HEX, 12)}"`,
      ],
      ignore: [
        '//registry.npmjs.org/:_authToken=${NPM_TOKEN}',
        '//registry.npmjs.org/:_authToken=$NPM_TOKEN',
      ],
    },
  },
  {
    id: 'npmrc-auth',
    anchor: { from: -1, to: 0, first: '_: \t\n\r\v\f' },
    title: 'npm registry basic credentials in .npmrc',
    kind: 'config-file',
    severity: 'critical',
    keywords: ['_auth', '_password'],
    pattern:
      /(?:^|[\s:])(_auth|_password)\s{0,4}=\s{0,4}["']?([A-Za-z0-9+/]{8,500}={0,2})(?![A-Za-z0-9+/=])/im,
    secretGroup: 2,
    validate: (secret, match) =>
      match[1] === '_auth' ? base64UserPass(secret, match) : !isPlaceholderValue(secret),
    paths: /(?:^|\/)\.?npmrc$/,
    samples: {
      leak: () => [
        `_auth=${b64(`ci:${rand(ALNUM, 16)}`)}`,
        `//nexus.internal/repository/npm/:_password=${b64(rand(ALNUM, 14))}`,
      ],
      ignore: ['_auth=${NPM_AUTH}'],
    },
  },
  {
    id: 'npm-auth-anywhere',
    anchor: { from: -1, to: 0, first: '_: \t\n\r\v\f"\'' },
    title: 'npm registry basic credentials (outside an .npmrc file)',
    kind: 'config-file',
    severity: 'critical',
    // The same lines copied into Dockerfiles, CI scripts and env files: `_auth` must decode to `user:password`,
    // `_password` must follow a registry URL.
    keywords: ['_auth', '_password'],
    pattern:
      /(?:^|[\s:"'])(_auth|(?<=\/\/[^\s:]{1,200}\/:)_password)\s{0,4}=\s{0,4}["']?([A-Za-z0-9+/]{8,500}={0,2})(?![A-Za-z0-9+/=])/m,
    secretGroup: 2,
    validate: (secret, match) =>
      match[1] === '_auth' ? base64UserPass(secret, match) : !isPlaceholderValue(secret),
    samples: {
      leak: () => [
        `RUN echo "_auth=${b64(`ci:${rand(ALNUM, 16)}`)}" >> ~/.npmrc`,
        `NPMRC: //nexus.internal/repository/npm/:_password=${b64(rand(ALNUM, 14))}`,
      ],
      ignore: ['_auth=${NPM_AUTH}', `_auth=${b64('just-a-word')}`, 'config._auth = token'],
    },
  },
  {
    id: 'pypirc-password',
    title: 'Package index password in .pypirc',
    kind: 'config-file',
    severity: 'critical',
    keywords: ['password'],
    pattern: /^[ \t]*password[ \t]{0,4}[:=][ \t]{0,4}(\S{6,256})[ \t]*$/im,
    secretGroup: 1,
    validate: (secret) => !isPlaceholderValue(secret),
    paths: /(?:^|\/)\.pypirc$/,
    samples: {
      leak: () => [`[pypi]\nusername = deployer\npassword = ${password(18)}`],
      ignore: ['[pypi]\npassword = <your password>'],
    },
  },
  {
    id: 'netrc-password',
    anchor: { from: -1, to: 0, first: 'm \t\n\r\v\f' },
    title: 'Password in a .netrc file',
    kind: 'config-file',
    severity: 'critical',
    keywords: ['machine'],
    pattern:
      /(?:^|\s)machine\s{1,10}[^\s]{1,253}\s{1,10}login\s{1,10}[^\s]{1,256}\s{1,10}password\s{1,10}"?([^\s"]{3,256})/,
    secretGroup: 1,
    validate: (secret) => !isPlaceholderValue(secret),
    samples: {
      leak: () => [
        `machine api.heroku.com\n  login me@corp.example\n  password ${rand(ALNUM, 24)}`,
        `machine git.internal login ci password ${password(16)}`,
      ],
      ignore: ['machine example.com login user password <password>'],
    },
  },
  {
    id: 'docker-config-auth',
    anchor: { from: 0, to: 0 },
    title: 'Registry credentials in a Docker config.json',
    kind: 'config-file',
    severity: 'critical',
    // Also inside a JSON string (`DOCKER_AUTH_CONFIG={\"auths\":...}`), where the quotes are escaped.
    keywords: ['"auth"', '"auth\\"'],
    pattern: /"auth(?:"|\\{1,3}")\s{0,4}:\s{0,4}(?:\\{0,3}")([A-Za-z0-9+/]{8,6000}={0,2})\\{0,3}"/,
    secretGroup: 1,
    // Google registries take `_json_key:` and a service account key (JSON over several lines).
    validate: (secret, match) =>
      /^_json_key(?:_base64)?:/.test(Buffer.from(secret.slice(0, 24), 'base64').toString('latin1')) ||
      (base64UserPass(secret, match) &&
        !isPlaceholderValue(Buffer.from(secret, 'base64').toString('utf8').split(':').slice(1).join(':'))),
    samples: {
      leak: () => [
        `{"auths":{"registry.internal:5000":{"auth":"${b64(`robot:${rand(ALNUM, 24)}`)}"}}}`,
        `{"auths": {"https://gcr.io": {"auth": "${b64(`_json_key:{\n  "type": "service_account",\n  "private_key_id": "${rand(HEX, 40)}"\n}`)}"}}}`,
        `"https://index.docker.io/v1/": {\n  "auth": "${b64(`bob:${password(15)}`)}"\n}`,
        `environment = ["DOCKER_AUTH_CONFIG={\\"auths\\":{\\"registry.internal\\":{\\"auth\\":\\"${b64(`ci:${rand(ALNUM, 20)}`)}\\"}}}"]`,
      ],
      ignore: [`{"auths":{"r":{"auth":"${b64('user:password')}"}}}`, '{"auth": "bearer"}'],
    },
  },
  {
    id: 'kubernetes-secret-data',
    title: 'Base64 value in a Kubernetes Secret manifest',
    kind: 'config-file',
    severity: 'high',
    // Runs only where a manifest says `kind: Secret` (not `ExternalSecret`, `SealedSecret`).
    keywords: ['kind: secret', 'kind: "secret"', "kind: 'secret'", 'kind:secret'],
    // A `data:` entry (after up to three comment lines; plain, quoted or a `|`/`>` block) and `kind: Secret`
    // within 300 characters, either first.
    pattern:
      /(?:\bkind:[ \t]{0,4}["']?Secret["']?[ \t]*\r?\n[\s\S]{0,300}?)?(?<![\w-])data:[ \t]*\r?\n(?:[ \t]{1,12}#[^\n]{0,200}\n){0,3}[ \t]{1,12}[\w.-]{1,100}:[ \t]{0,4}(?:[|>][-+]?[ \t]*\r?\n[ \t]{1,16})?["']?([A-Za-z0-9+/]{12,4000}={0,2})["']?[ \t]*(?:\r?\n|$)(?:[\s\S]{0,300}?\bkind:[ \t]{0,4}["']?Secret\b)?/i,
    secretGroup: 1,
    entropy: 3,
    // One of the optional parts must hold: the kind before or after the data.
    validate: (secret, match) => /kind:/i.test(match[0]) && kubernetesValue(secret),
    samples: {
      leak: () => [
        `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n  password: ${b64(password(18))}\n`,
        `apiVersion: v1\ndata:\n  token: ${b64(rand(ALNUM, 32))}\nkind: Secret\nmetadata:\n  name: api\n`,
        `apiVersion: v1\nkind: Secret\ntype: kubernetes.io/dockercfg\ndata:\n  .dockercfg: |\n    ${b64(`{"auths":{"registry.internal":{"auth":"${b64(`ci:${rand(ALNUM, 20)}`)}"}}}`)}\n`,
      ],
      ignore: [
        `apiVersion: v1\nkind: ConfigMap\ndata:\n  settings: ${b64('{"debug": false, "level": 3}')}\n`,
        `apiVersion: v1\nkind: Secret\ndata:\n  password: ${b64('changeme')}\n`,
        `kind: ExternalSecret\nspec:\n  data:\n    - secretKey: password\n`,
      ],
    },
  },
  {
    id: 'kubeconfig-client-key',
    anchor: { from: -8, to: -7, first: 'cp' },
    title: 'Private key embedded in a kubeconfig',
    kind: 'config-file',
    severity: 'critical',
    keywords: ['key-data'],
    pattern:
      /(?:client-key-data|private-key-data)\s{0,4}:\s{0,4}["']?(LS0tLS1CRUdJTi[A-Za-z0-9+/=]{100,8000})/,
    secretGroup: 1,
    validate: (secret) => /PRIVATE KEY/.test(Buffer.from(secret.slice(0, 80), 'base64').toString('latin1')),
    samples: {
      leak: () => [
        `    client-key-data: ${b64(`${'-'.repeat(5)}BEGIN RSA PRIVATE KEY${'-'.repeat(5)}\n${rand(BASE64, 900)}`)}`,
      ],
      ignore: ['    client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t'],
    },
  },
];
