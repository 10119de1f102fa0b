/**
 * A labeled corpus generated at test time: secret-bearing texts in the syntaxes secrets really appear in
 * (env files, YAML, JSON, code, shell, Dockerfiles, URLs), and benign texts built to trip a scanner
 * (placeholders, hashes, UUIDs, base64 blobs, minified code, lockfiles, env lookups, documentation examples).
 * Every credential-shaped value is generated here; none is a literal.
 */
import { withBase62Crc32Checksum } from '../../../../core/scanning/rules';
import {
  ALNUM,
  BASE32,
  BASE64,
  BASE64URL,
  DIGITS,
  HEX,
  LOWER_DIGITS,
  b64,
  b64url,
  password,
  pemBlock,
  pick,
  rand,
  randInt,
} from '../../../../core/scanning/rules/sample-kit';

export interface LabeledText {
  readonly text: string;
  readonly secret: boolean;
  readonly kind: string;
}

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';

/** `name = value` in one of the syntaxes config and code use. */
function assign(name: string, value: string): string {
  const camel = name.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  return pick([
    `${name}=${value}`,
    `export ${name}="${value}"`,
    `${name.toLowerCase()}: ${value}`,
    `  ${name.toLowerCase()}: "${value}"`,
    `"${camel}": "${value}",`,
    `${camel} = "${value}"`,
    `const ${camel} = '${value}';`,
    `ENV ${name}=${value}`,
    `${name.toLowerCase()} = "${value}"`,
    `    - ${name}=${value}`,
    `os.environ.setdefault("${name}", "${value}")`
      .replace('os.environ.setdefault("', '')
      .replace('", "', '="')
      .replace(/"\)$/, '"'),
  ]);
}

const uuid = () => [8, 4, 4, 4, 12].map((n) => rand(HEX, n)).join('-');
const humanPassword = () =>
  pick([
    () => password(10 + Math.floor(randInt(10))),
    () =>
      `${pick(['Summer', 'Winter', 'Blue', 'Tiger', 'Coffee', 'Rocket'])}${rand(DIGITS, 4)}${pick(['!', '#', '$', '@', '%'])}${rand(LOWER, 3)}`,
    () => rand(ALNUM, 16 + Math.floor(randInt(16))),
    () => `${rand(LOWER, 5)}-${rand(LOWER, 5)}-${rand(LOWER, 5)}-${rand(DIGITS, 2)}`,
  ])();
const host = () =>
  pick([
    'db.prod.internal',
    `${rand(LOWER_DIGITS, 10)}.us-east-1.rds.amazonaws.com`,
    '10.12.0.5',
    'mongo-0.mongo',
  ]);

/** Generators of texts that hold a secret. */
const SECRETS: Record<string, () => string> = {
  'aws-key-id': () =>
    assign(pick(['AWS_ACCESS_KEY_ID', 'ACCESS_KEY']), pick(['AK' + 'IA', 'AS' + 'IA']) + rand(BASE32, 16)),
  'aws-secret': () =>
    assign(pick(['AWS_SECRET_ACCESS_KEY', 'aws_secret_access_key', 'SECRET_ACCESS_KEY']), rand(BASE64, 40)),
  'aws-pair': () =>
    `aws configure set aws_access_key_id ${'AK' + 'IA'}${rand(BASE32, 16)} && aws configure set aws_secret_access_key ${rand(BASE64, 40)}`,
  'github-classic': () =>
    assign(
      pick(['GITHUB_TOKEN', 'GH_TOKEN', 'TOKEN']),
      withBase62Crc32Checksum(pick(['ghp_', 'gho_', 'ghs_']), rand(ALNUM, 30)),
    ),
  'github-url': () =>
    `git remote add origin https://${withBase62Crc32Checksum('ghp_', rand(ALNUM, 30))}@github.com/acme/app.git`,
  'github-fine': () => assign('GITHUB_PAT', `github_pat_${rand(ALNUM, 22)}_${rand(ALNUM, 59)}`),
  gitlab: () => assign('GITLAB_TOKEN', `glpat-${rand(BASE64URL, 20)}`),
  'slack-bot': () =>
    assign('SLACK_BOT_TOKEN', `xo${'xb'}-${rand(DIGITS, 11)}-${rand(DIGITS, 13)}-${rand(ALNUM, 24)}`),
  'slack-webhook': () =>
    `curl -X POST -d @msg.json https://hooks.slack.com/services/T${rand(UPPER + DIGITS, 10)}/B${rand(UPPER + DIGITS, 10)}/${rand(ALNUM, 24)}`,
  stripe: () => assign('STRIPE_SECRET_KEY', `${pick(['sk', 'rk'])}_live_${rand(ALNUM, pick([24, 99]))}`),
  sendgrid: () => assign('SENDGRID_API_KEY', `SG.${rand(BASE64URL, 22)}.${rand(BASE64URL, 43)}`),
  twilio: () => assign('TWILIO_AUTH_TOKEN', rand(HEX, 32)),
  openai: () => assign('OPENAI_API_KEY', `sk-proj-${rand(BASE64URL, 74)}T3BlbkFJ${rand(BASE64URL, 74)}`),
  anthropic: () => assign('ANTHROPIC_API_KEY', `sk-ant-api03-${rand(BASE64URL, 93)}AA`),
  npm: () => `//registry.npmjs.org/:_authToken=${withBase62Crc32Checksum('npm_', rand(ALNUM, 30))}`,
  'npm-private': () => `//npm.internal.acme.io/:_authToken=${uuid()}`,
  pypi: () => assign('TWINE_PASSWORD', `pypi-AgEIcHlwaS5vcmc${rand(BASE64URL, 120)}`),
  dockerhub: () => assign('DOCKERHUB_TOKEN', `dckr_pat_${rand(BASE64URL, 27)}`),
  'docker-config': () =>
    `{"auths": {"${pick(['ghcr.io', 'registry.acme.io', '123456789012.dkr.ecr.us-east-1.amazonaws.com'])}": {"auth": "${b64(`${pick(['ci', 'deploy', 'AWS'])}:${rand(ALNUM, 32)}`)}"}}}`,
  'gcp-key': () => assign('GOOGLE_MAPS_API_KEY', `AIza${rand(BASE64URL, 35)}`),
  'azure-storage': () =>
    `AZURE_STORAGE_CONNECTION_STRING="DefaultEndpointsProtocol=https;AccountName=${rand(LOWER_DIGITS, 10)};AccountKey=${rand(BASE64, 86)}==;EndpointSuffix=core.windows.net"`,
  jwt: () =>
    `Authorization: Bearer ${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64url(JSON.stringify({ sub: rand(ALNUM, 12), role: 'admin', exp: 1999999999 }))}.${rand(BASE64URL, 43)}`,
  'private-key': () =>
    pemBlock(
      pick(['RSA PRIVATE KEY', 'PRIVATE KEY', 'EC PRIVATE KEY', 'OPENSSH PRIVATE KEY']),
      pick([200, 1200, 1700]),
    ),
  'db-url': () =>
    assign(
      pick(['DATABASE_URL', 'DB_URL', 'MONGO_URI', 'REDIS_URL']),
      `${pick(['postgres', 'postgresql', 'mysql', 'mongodb+srv', 'redis', 'amqp'])}://${pick(['app', 'svc_orders', 'admin', ''])}:${rand(ALNUM, 12 + Math.floor(randInt(12)))}@${host()}:${pick(['5432', '3306', '6379'])}/${rand(LOWER, 6)}`,
    ),
  'generic-password': () =>
    assign(
      pick([
        'DB_PASSWORD',
        'MYSQL_ROOT_PASSWORD',
        'PASSWORD',
        'SMTP_PASS',
        'ADMIN_PASSWORD',
        'REDIS_PASSWORD',
        'KEYSTORE_PASSPHRASE',
      ]),
      humanPassword(),
    ),
  'generic-token': () =>
    assign(
      pick([
        'API_KEY',
        'API_TOKEN',
        'AUTH_TOKEN',
        'CLIENT_SECRET',
        'SECRET_KEY',
        'APP_SECRET',
        'JWT_SECRET',
        'ENCRYPTION_KEY',
        'WEBHOOK_SECRET',
      ]),
      pick([rand(ALNUM, 32), rand(HEX, 64), rand(BASE64URL, 43), uuid()]),
    ),
  'basic-auth': () =>
    `curl -H "Authorization: Basic ${b64(`${pick(['admin', 'ci', 'svc'])}:${humanPassword()}`)}" https://api.acme.io/v1/jobs`,
  netrc: () =>
    `machine ${pick(['github.com', 'api.heroku.com', 'nexus.acme.io'])} login ${pick(['ci', 'bot'])} password ${rand(ALNUM, 28)}`,
  'cli-password': () =>
    `RUN ${pick(['docker login -u ci --password', 'vault login -method=userpass username=ci password=', 'helm repo add acme https://charts.acme.io --username ci --password'])} ${humanPassword()}`.replace(
      '= ',
      '=',
    ),
  heroku: () => assign('HEROKU_API_KEY', uuid()),
  digitalocean: () => assign('DIGITALOCEAN_ACCESS_TOKEN', `dop_v1_${rand(HEX, 64)}`),
  vault: () => assign('VAULT_TOKEN', `hvs.${rand(BASE64URL, 95)}`),
  terraform: () => `  token = "${rand(ALNUM, 14)}.atlasv1.${rand(BASE64URL, 67)}"`,
  datadog: () => assign('DD_API_KEY', rand(HEX, 32)),
  newrelic: () => assign('NEW_RELIC_API_KEY', `NRAK-${rand(UPPER + DIGITS, 27)}`),
  mailgun: () => assign('MAILGUN_API_KEY', `key-${rand(HEX, 32)}`),
  mailchimp: () => assign('MAILCHIMP_KEY', `${rand(HEX, 32)}-us${pick(['6', '14', '21'])}`),
  shopify: () => assign('SHOPIFY_ADMIN_TOKEN', `shpat_${rand(HEX, 32)}`),
  linear: () => assign('LINEAR_API_KEY', `lin_api_${rand(ALNUM, 40)}`),
  telegram: () =>
    assign('TELEGRAM_TOKEN', `${rand('123456789', 1)}${rand(DIGITS, 9)}:AA${rand(BASE64URL, 33)}`),
  discord: () => `https://discord.com/api/webhooks/${rand(DIGITS, 19)}/${rand(BASE64URL, 68)}`,
  'azure-ad': () => assign('AZURE_CLIENT_SECRET', `${rand(ALNUM, 3)}8Q~${rand(ALNUM + '_~.-', 34)}`),
  'gcp-sa': () =>
    `"private_key": "${pemBlock('PRIVATE KEY', 1600).replace(/\n/g, '\\n')}",\n"client_email": "ci@p-${rand(LOWER_DIGITS, 6)}.iam.gserviceaccount.com",`,
  'sentry-legacy': () =>
    assign('SENTRY_DSN', `https://${rand(HEX, 32)}:${rand(HEX, 32)}@sentry.acme.io/${rand(DIGITS, 3)}`),
  // Syntaxes and shapes learned from other scanners' corpora (issue 5's evaluation), written in our words.
  'typed-declaration': () =>
    pick([
      `var deployToken string = "${rand(ALNUM, 32)}"`,
      `let apiToken: string = '${rand(BASE64URL, 40)}';`,
      `$authToken .= "${rand(HEX, 40)}";`,
    ]),
  'make-assignment': () =>
    `${pick(['REGISTRY_TOKEN', 'CI_API_TOKEN', 'UPLOAD_SECRET'])} ${pick(['?=', '::=', ':::=', ':='])} ${rand(ALNUM, 36)}`,
  'xml-multiline': () => `<accessToken>\n    ${rand(BASE64URL, 40)}\n</accessToken>`,
  'token-with-equals': () =>
    `${pick(['OKTA_TOKEN', 'SSO_CLIENT_SECRET'])}=${rand(ALNUM, 14)}=${rand(ALNUM, 20)}`,
  'vendor-key-name': () =>
    pick([
      `AZURE_OPENAI_KEY=${rand(HEX, 32)}`,
      `  "mapsKey": "${rand(BASE64URL, 39)}",`,
      `cosmos_key: ${rand(LOWER_DIGITS, 48)}`,
      `AZURE_DEVOPS_PAT=${rand(LOWER_DIGITS, 52)}`,
    ]),
  'joined-upper-pass': () => `${pick(['SMTPPASS', 'ACRPWD', 'LDAPPASS'])}=${humanPassword()}`,
  'github-no-checksum': () => `githubToken := "${pick(['ghp_', 'gho_', 'ghs_'])}${rand(LOWER_DIGITS, 36)}"`,
  'slack-legacy': () => assign('SLACK_TOKEN', `xo${'xb'}-${rand(DIGITS, 12)}-${rand(ALNUM, 24)}`),
  'stripe-test': () => assign('STRIPE_KEY', `${pick(['sk', 'rk'])}_test_${rand(ALNUM, 32)}`),
  'azure-storage-key': () =>
    pick([
      `    private const string storageAccountKey = "${rand(BASE64, 86)}==";`,
      `  - account_name: media\n    account_key: '${rand(BASE64, 86)}=='`,
    ]),
  'k8s-secret': () =>
    `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${rand(LOWER, 6)}\ntype: Opaque\ndata:\n  ${pick(['password', 'token', 'api-key'])}: ${b64(humanPassword())}\n`,
  'prefixed-saas': () =>
    pick([
      `PLANETSCALE_TOKEN=pscale_tkn_${rand(BASE64URL, 43)}`,
      `DOPPLER_TOKEN=dp.pt.${rand(ALNUM, 43)}`,
      `DATABRICKS_TOKEN=dapi${rand(HEX, 32)}`,
      `GRAFANA_API_KEY=eyJrIjoi${rand(ALNUM, 90)}`,
      `TWITTER_BEARER_TOKEN=${'A'.repeat(22)}${rand(ALNUM, 90)}`,
      `PULUMI_ACCESS_TOKEN=pul-${rand(HEX, 40)}`,
    ]),
  'workflow-webhook': () =>
    `TEAMS_WEBHOOK_URL=https://prod-${rand(DIGITS, 2)}.northeurope.logic.azure.com:443/workflows/${rand(HEX, 32)}/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${rand(BASE64URL, 43)}`,
  'broker-url': () =>
    `${pick(['MQTT_URL', 'BROKER_URL'])}=${pick(['mqtts', 'ssh', 'imaps'])}://svc:${rand(ALNUM, 20)}@${host()}:8883`,
  'curl-continued': () =>
    `curl -X PUT https://nexus.acme.io/repository/raw/a.tgz \\\n  --upload-file a.tgz \\\n  -u deploy:${humanPassword()}`,
};

const digest = () => rand(HEX, 64);
const gitSha = () => rand(HEX, 40);

/** Generators of texts with nothing to report, built to look like they might. */
const BENIGN: Record<string, () => string> = {
  'doc-aws-example': () =>
    pick([
      `aws_access_key_id = ${'AKIA'}IOSFODNN7EXAMPLE`,
      `aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCY${'EXAMPLEKEY'}`,
      `export AWS_ACCESS_KEY_ID=${'AKIA'}I44QH8DHBEXAMPLE`,
    ]),
  placeholder: () =>
    assign(
      pick(['DB_PASSWORD', 'API_KEY', 'SECRET_KEY', 'TOKEN', 'CLIENT_SECRET', 'PASSWORD']),
      pick([
        'changeme',
        '<password>',
        '${DB_PASSWORD}',
        '$API_KEY',
        '{{ secret }}',
        '%s',
        'your-api-key-here',
        'xxxxxxxxxxxxxxxx',
        '********',
        'example',
        'dummy',
        'test',
        'password',
        'REPLACE_ME',
        'TODO',
        '<YOUR_TOKEN>',
        '${{ secrets.API_KEY }}',
        'null',
        'none',
        '""',
      ]),
    ),
  'env-lookup': () =>
    pick([
      `password = os.environ["${pick(['DB_PASSWORD', 'PGPASSWORD'])}"]`,
      `const apiKey = process.env.${pick(['API_KEY', 'STRIPE_KEY'])};`,
      `token := os.Getenv("GITHUB_TOKEN")`,
      `secret_key = os.getenv("SECRET_KEY", default=None)`,
      `let password = std::env::var("DB_PASSWORD").unwrap();`,
      `String password = System.getenv("DB_PASSWORD");`,
      `api_key = settings.STRIPE_API_KEY`,
      `password: \${{ secrets.DB_PASSWORD }}`,
      `token = config.get("auth", "token")`,
    ]),
  'type-annotation': () =>
    pick([
      'password: string;',
      'token: str',
      'apiKey?: string',
      'secret: Option<String>,',
      'password: SecretStr = Field(...)',
      'def login(username: str, password: str) -> Token:',
      'private String password;',
      'func auth(token string) error {',
    ]),
  sha256: () =>
    pick([
      `sha256:${digest()}`,
      `"digest": "sha256:${digest()}",`,
      `${digest()}  app.tar.gz`,
      `checksum: ${digest()}`,
    ]),
  'git-sha': () =>
    pick([
      `commit ${gitSha()}`,
      `"resolved": "git+https://github.com/acme/lib.git#${gitSha()}"`,
      `Merge: ${gitSha().slice(0, 7)} ${gitSha().slice(0, 7)}`,
      `revision: ${gitSha()}`,
    ]),
  uuid: () =>
    pick([
      `"id": "${uuid()}",`,
      `request_id=${uuid()}`,
      `INSERT INTO users VALUES ('${uuid()}', 'alice');`,
      `traceId: ${uuid()}`,
    ]),
  'lockfile-integrity': () => `      "integrity": "sha512-${rand(BASE64, 86)}==",`,
  'go-sum': () =>
    `github.com/${rand(LOWER, 6)}/${rand(LOWER, 5)} v1.${rand(DIGITS, 1)}.0 h1:${rand(BASE64, 43)}=`,
  'base64-image': () => `background: url(data:image/png;base64,iVBORw0KGgo${rand(BASE64, 200)});`,
  'minified-js': () =>
    `!function(e,t){"use strict";var n=${rand('abcdef', 1)}.${rand(LOWER, 4)}(function(r){return r.${rand(LOWER, 6)}||t[${rand(DIGITS, 2)}]},e);n.key="${rand(LOWER, 5)}";n.token=e.t}(window,{});`,
  'ui-text': () =>
    pick([
      '<label for="password">Enter your password</label>',
      '<input type="password" name="password" autocomplete="current-password">',
      'msgid "Forgot your password?"',
      '"passwordHint": "At least 12 characters",',
      'error: "invalid token"',
      'Please provide your API key in the settings page.',
    ]),
  sql: () =>
    pick([
      'password VARCHAR(255) NOT NULL,',
      'ALTER TABLE users ADD COLUMN password_hash TEXT;',
      'SELECT id, token_expires_at FROM sessions WHERE user_id = $1;',
      'CREATE INDEX idx_api_key_id ON keys (api_key_id);',
    ]),
  'password-hash': () =>
    pick([
      `password_hash: "$2b$12$${rand(BASE64URL.replace('-', '.'), 53)}"`,
      `"password": "$argon2id$v=19$m=65536,t=3,p=4$${rand(BASE64, 22)}$${rand(BASE64, 43)}"`,
      `hashed_password = "pbkdf2_sha256$260000$${rand(ALNUM, 22)}$${rand(BASE64, 44)}"`,
    ]),
  'k8s-ref': () =>
    pick([
      '        secretKeyRef:',
      '          name: db-credentials',
      '          key: password',
      'valueFrom:',
      '  password: !Ref DbPassword',
      '  MasterUserPassword: !Sub "{{resolve:secretsmanager:${DbSecret}:SecretString:password}}"',
    ]),
  'terraform-ref': () =>
    pick([
      '  password = var.db_password',
      '  master_password = random_password.db.result',
      '  token    = data.vault_generic_secret.ci.data["token"]',
      '  secret_string = jsonencode({ password = random_password.pw.result })',
    ]),
  'test-fixture': () =>
    assign(
      pick(['password', 'TEST_PASSWORD', 'token', 'secret']),
      pick([
        'test',
        'testpassword',
        'password123',
        'secret',
        'foobar',
        'hunter2',
        'letmein',
        'admin',
        'P@ssw0rd',
      ]),
    ),
  'url-no-creds': () =>
    pick([
      `https://github.com/acme/${rand(LOWER, 8)}/blob/${gitSha()}/README.md`,
      `postgres://localhost:5432/${rand(LOWER, 6)}`,
      `redis://cache:6379/0`,
      `https://cdn.acme.io/assets/app.${rand(HEX, 20)}.js`,
      `mongodb://mongo-0.mongo,mongo-1.mongo/?replicaSet=rs0`,
    ]),
  'url-placeholder-creds': () =>
    pick([
      'postgres://user:password@localhost:5432/db',
      'mysql://root:root@127.0.0.1/test',
      'amqp://guest:guest@rabbitmq:5672',
      'postgresql://postgres:postgres@db/postgres',
      'https://username:password@example.com',
      'redis://:${REDIS_PASSWORD}@redis:6379',
    ]),
  'log-line': () =>
    `${new Date(1700000000000 + Math.floor(randInt(1e9))).toISOString()} INFO request_id=${uuid()} user=${rand(LOWER, 6)} token_len=32 status=200`,
  'version-ids': () =>
    pick([
      `"version": "${rand('123456789', 1)}.${rand(DIGITS, 2)}.${rand(DIGITS, 1)}",`,
      `image: nginx@sha256:${digest()}`,
      `FROM node:22-alpine@sha256:${digest()}`,
      `ETag: "${rand(HEX, 32)}"`,
    ]),
  'public-key': () =>
    pick([
      `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${rand(BASE64, 43)} ci@build`,
      `${'-'.repeat(5)}BEGIN PUBLIC KEY${'-'.repeat(5)}`,
      `${'-'.repeat(5)}BEGIN CERTIFICATE${'-'.repeat(5)}`,
    ]),
  'fake-tokens': () =>
    pick([
      `ghp_${'x'.repeat(36)}`,
      `GITHUB_TOKEN=ghp_${rand(ALNUM, 30)}ABCDEF`,
      `sk_live_${'0'.repeat(24)}`,
      `xox${'b'}-your-token-here`,
      `AIza${'X'.repeat(35)}`,
      `npm_${'1234567890'.repeat(3)}123456`,
    ]),
  'jwt-doc': () =>
    `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url('{"sub":"1234567890","name":"John Doe","iat":1516239022}')}.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c`,
  'code-identifiers': () =>
    pick([
      'const tokenizer = new Tokenizer(vocab);',
      'if (password !== confirmPassword) throw new Error("mismatch");',
      'passwordField.setText("");',
      'tokens = text.split()',
      'self.secret_manager = SecretManager(region)',
      'max_tokens: 4096,',
      'const secretName = `${stage}/db`;',
      'TOKEN_TTL_SECONDS = 3600',
    ]),
  'typed-examples': () =>
    pick([
      `GOOGLE_API_KEY=AIza${'Sy'}abcdefghijklmnopqrstuvwxyz1234567`,
      `const snykToken = "12345678-ABCD-ABCD-ABCD-1234567890AB";`,
      `SONAR_TOKEN=${'sq'}p_0123456789abcdef0123456789abcdef01234567`,
    ]),
  'public-values': () =>
    pick([
      `publicToken = "${rand(ALNUM, 43)}"`,
      `const publishableKey = "${pick(['pk', 'sb'])}_live_${rand(ALNUM, 24)}";`,
      `PUBLIC_KEY=${rand(BASE64, 44)}`,
    ]),
  'lookup-keys': () =>
    pick([
      `primaryKey=${rand(ALNUM, 30)}`,
      `partition_key: "${rand(ALNUM, 20)}"`,
      `idempotencyKey: "${uuid()}"`,
      'cache_key = "user-profile-2024-06-01"',
      'i18nKey: "settings.account.deleteButtonLabel"',
      'KMS_KEY=alias/orders-prod-encryption',
    ]),
  'artifact-coordinates': () =>
    pick([
      'notes            = "Maven - io.jsonwebtoken:jjwt-jackson-0.11.2"',
      '"tokenizers": "0.15.2",',
      'keyVaultToStoreSecrets: kv-orders-prod-0042',
    ]),
  'k8s-non-secret': () =>
    pick([
      `apiVersion: v1\nkind: ConfigMap\ndata:\n  settings: ${b64('{"debug": false, "level": 3}')}\n`,
      `apiVersion: v1\nkind: Secret\ndata:\n  password: ${b64('changeme')}\n`,
      'kind: ExternalSecret\nspec:\n  data:\n    - secretKey: password\n      remoteRef:\n        key: prod/db',
    ]),
  'jwt-doc-new': () =>
    `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url('{"msg":"hello hacker, there\'s nothing for you here"}')}.${rand(BASE64URL, 43)}`,
  'word-token-names': () =>
    pick([
      `xo${'xb'}-your-bot-token-here`,
      'BYPASS=internal-proxy-01',
      'compass = "north-north-west"',
      `snake_case_name = some_helper_value_2`,
    ]),
  'random-ids': () =>
    pick([
      `"messageId": "${rand(ALNUM, 20)}"`,
      `correlation=${rand(HEX, 16)}`,
      `"etag": "W/\\"${rand(HEX, 24)}\\""`,
      `"nonce": "${rand(BASE64URL, 22)}"`,
    ]),
};

/** `n` texts of each label, generated round-robin over the kinds. */
export function buildCorpus(secretCount = 330, benignCount = 330): LabeledText[] {
  const out: LabeledText[] = [];
  const secretKinds = Object.keys(SECRETS);
  for (let i = 0; i < secretCount; i++) {
    const kind = secretKinds[i % secretKinds.length]!;
    out.push({ text: SECRETS[kind]!(), secret: true, kind });
  }
  const benignKinds = Object.keys(BENIGN);
  for (let i = 0; i < benignCount; i++) {
    const kind = benignKinds[i % benignKinds.length]!;
    out.push({ text: BENIGN[kind]!(), secret: false, kind });
  }
  return out;
}
