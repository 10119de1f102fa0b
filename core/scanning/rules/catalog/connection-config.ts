import type { Rule } from '../rule';
import { base64UserPass } from '../checks';
import { isPlaceholderValue } from '../placeholders';
import { ALNUM, BASE64, HEX, LOWER_DIGITS, b64, password, pick, rand } from '../sample-kit';

/** A URL or connection-string password that is a template or a placeholder is not a leak. */
const notPlaceholder = (secret: string) =>
  !isPlaceholderValue(secret) && !/password|passwd|secret/i.test(secret);
const host = () =>
  pick(['db.internal', `${rand(LOWER_DIGITS, 8)}.rds.amazonaws.com`, '10.0.3.17', 'cache-01.prod']);

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
      /:\/\/(?<=(?<![A-Za-z0-9+.-])(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|oracle|cockroachdb|clickhouse|nats|kafka|ldaps?|smtps?|ftps?|sftp)(?:\+[a-z0-9]{1,20})?:\/\/)[^\s:@/?#'"`<>]{0,128}:([^\s@/'"`<>]{3,256})@[A-Za-z0-9._\-[\]%]{1,253}/i,
    secretGroup: 1,
    validate: notPlaceholder,
    samples: {
      leak: () => [
        `DATABASE_URL=postgres://app:${rand(ALNUM, 20)}@${host()}:5432/orders`,
        `mysql://root:${password(16)}@${host()}/shop`,
        `MONGO_URI="mongodb+srv://svc:${rand(ALNUM, 24)}@cluster0.${rand(LOWER_DIGITS, 5)}.mongodb.net/db?retryWrites=true"`,
        `redis://:${rand(ALNUM, 32)}@${host()}:6379/0`,
        `amqp://worker:${rand(ALNUM, 18)}@rabbit.internal:5672/vhost`,
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
      /(?:(?<![A-Za-z])(?:Server|Data Source|Host|Address|Addr|Network Address)[ \t]{0,2}=|jdbc:[a-z]{2,20}:)[^\n]{0,300}?[;?&\s](?:Password|Pwd)=([^;&\s"'<>,)]{3,128})/i,
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
    keywords: ['"auth"'],
    pattern: /"auth"\s{0,4}:\s{0,4}"([A-Za-z0-9+/]{8,1000}={0,2})"/,
    secretGroup: 1,
    validate: (secret, match) =>
      base64UserPass(secret, match) &&
      !isPlaceholderValue(Buffer.from(secret, 'base64').toString('utf8').split(':').slice(1).join(':')),
    samples: {
      leak: () => [
        `{"auths":{"registry.internal:5000":{"auth":"${b64(`robot:${rand(ALNUM, 24)}`)}"}}}`,
        `"https://index.docker.io/v1/": {\n  "auth": "${b64(`bob:${password(15)}`)}"\n}`,
      ],
      ignore: [`{"auths":{"r":{"auth":"${b64('user:password')}"}}}`, '{"auth": "bearer"}'],
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
