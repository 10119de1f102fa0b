import { isSecretName, isSecretValue } from '../../../../core/scanning/task-definition/secret-names';
import { ALNUM, password, rand } from '../../../../core/scanning/rules/sample-kit';

describe('isSecretName', () => {
  it.each([
    'DB_PASSWORD',
    'PGPASSWORD',
    'MYSQL_ROOT_PASSWORD',
    'SMTP_PASS',
    'JWT_SECRET',
    'STRIPE_SECRET_KEY',
    'AWS_SECRET_ACCESS_KEY',
    'GITHUB_TOKEN',
    'API_KEY',
    'apiKey',
    'dbPassword',
    'PRIVATE_KEY',
    'SIGNING_KEY',
    'CLIENT_SECRET',
    'GOOGLE_APPLICATION_CREDENTIALS_JSON',
    'SECRET_KEY_BASE',
    'REDIS_PASSPHRASE',
  ])('says %s names a secret', (name) => {
    expect(isSecretName(name)).toBe(true);
  });

  it.each([
    'TOKEN_URL',
    'PASSWORD_FILE',
    'DB_SECRET_ARN',
    'API_KEY_ID',
    'PASSWORD_MIN_LENGTH',
    'SECRETS_MANAGER_ENDPOINT',
    'TOKEN_TTL',
    'CACHE_KEY',
    'S3_KEY',
    'PASSWORD_AUTH_ENABLED',
    'TOKENIZERS_PARALLELISM',
    'BYPASS_CACHE',
    'COMPASS_URL',
    'DB_USER',
    'PORT',
    'SECRET_NAME',
  ])('says %s does not', (name) => {
    expect(isSecretName(name)).toBe(false);
  });
});

describe('isSecretValue', () => {
  it('accepts generated passwords and tokens', () => {
    for (let i = 0; i < 20; i++) {
      expect(isSecretValue(password(14))).toBe(true);
      expect(isSecretValue(rand(ALNUM, 24))).toBe(true);
    }
  });

  it.each([
    '',
    '   ',
    '${DB_PASSWORD}',
    '$DB_PASSWORD',
    '{{ resolve:secretsmanager:prod/db }}',
    'changeme',
    '<password>',
    'true',
    'false',
    'yes',
    '5432',
    '3600',
    '30s',
    'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf',
    'arn:aws:ssm:eu-west-1:123456789012:parameter/prod/db/password',
    '/run/secrets/db_password',
    'https://vault.internal/v1/secret',
    'prod/orders/db',
    'xxxxxxxxxxxx',
    'abc',
  ])('rejects %j', (value) => {
    expect(isSecretValue(value)).toBe(false);
  });
});
