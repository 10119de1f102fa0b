import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { createConnection } from 'mysql2/promise';
import { verifyChain } from '../../../core/audit/verify';
import { startSecretsManagerEmulator, type SecretsManagerEmulator } from '../../../local/secrets-manager';
import { captureOutput, lambdaContext } from '../../support/lambda-context';
import { startLocalAudit } from '../../support/local-audit';
import { startMariaDb, type MariaDbServer } from '../../support/mariadb';
import { fixturePassword, postgresAccepts, startPostgres, type PostgresServer } from '../../support/postgres';

// Secrets Manager (the emulator) drives the real rotation function through RotateSecret, as AWS does, against
// real PostgreSQL and MariaDB with password authentication enforced; each step lands in the audit trail.
const LAMBDA_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:rotate-database';

let emulator: SecretsManagerEmulator;
let sm: SecretsManagerClient;
let audit: Awaited<ReturnType<typeof startLocalAudit>>;
let pg: PostgresServer;
let maria: MariaDbServer;
let output = '';
const passwordsSeen: string[] = [];

beforeAll(async () => {
  [pg, maria, audit] = await Promise.all([startPostgres(), startMariaDb(), startLocalAudit()]);
  emulator = await startSecretsManagerEmulator({ region: 'us-east-1' });
  sm = new SecretsManagerClient({
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: emulator.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: audit.dynamo.endpoint,
    AUDIT_TABLE_NAME: audit.auditTable,
  });
  const { handler } = require('../../../functions/rotate-database/handler');
  emulator.registerRotationHandler(LAMBDA_ARN, async (event) => {
    const run = await captureOutput(() => handler(event, lambdaContext('rotate-database')));
    output += run.output;
    if (run.error) throw run.error;
  });
});

afterAll(async () => {
  await emulator?.close();
  await Promise.all([pg?.destroy(), maria?.destroy(), audit?.dynamo.close()]);
  for (const key of ['AWS_ENDPOINT_URL_SECRETS_MANAGER', 'AWS_ENDPOINT_URL_DYNAMODB', 'AUDIT_TABLE_NAME'])
    delete process.env[key];
});

async function createManagedSecret(
  name: string,
  value: Record<string, unknown>,
  kind: string,
  strategy = 'single-user',
) {
  passwordsSeen.push(String(value.password));
  const out = await sm.send(
    new CreateSecretCommand({
      Name: name,
      SecretString: JSON.stringify(value),
      Tags: [
        { Key: 'rotor:kind', Value: kind },
        { Key: 'rotor:strategy', Value: strategy },
      ],
    }),
  );
  return out.ARN!;
}

async function rotateAndWait(secretId: string) {
  const out = await sm.send(
    new RotateSecretCommand({
      SecretId: secretId,
      RotationLambdaARN: LAMBDA_ARN,
      RotationRules: { AutomaticallyAfterDays: 30 },
    }),
  );
  const run = await emulator.rotations.waitFor(out.VersionId!);
  expect({
    status: run.status,
    failedStep: run.failedStep,
    error: (run.error as Error | undefined)?.name,
  }).toEqual({ status: 'succeeded', failedStep: undefined, error: undefined });
  return out.VersionId!;
}

async function current(secretId: string, stage = 'AWSCURRENT') {
  const out = await sm.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage }));
  const value = JSON.parse(out.SecretString!);
  passwordsSeen.push(value.password);
  return { versionId: out.VersionId!, value };
}

async function mariaLogin(username: string, password: string): Promise<boolean> {
  try {
    const connection = await createConnection({
      host: '127.0.0.1',
      port: maria.port,
      user: username,
      password,
      connectTimeout: 5000,
    });
    await connection.query('SELECT 1');
    await connection.end();
    return true;
  } catch {
    return false;
  }
}

describe('RotateSecret through the rotate-database function', () => {
  it('rotates a PostgreSQL single-user secret: new password logs in, old is refused, stages moved, steps audited', async () => {
    const password = fixturePassword();
    await pg.sql(`CREATE ROLE orders_app LOGIN PASSWORD '${password}'`);
    const arn = await createManagedSecret(
      'prod/orders-db',
      {
        engine: 'postgres',
        host: '127.0.0.1',
        port: pg.port,
        username: 'orders_app',
        password,
        dbname: 'postgres',
        ssl: false,
      },
      'postgres',
    );

    const token = await rotateAndWait(arn);
    const now = await current(arn);
    expect(now.versionId).toBe(token);
    expect(now.value.password).not.toBe(password);
    expect(await postgresAccepts(pg.port, 'orders_app', now.value.password)).toBe(true);
    expect(await postgresAccepts(pg.port, 'orders_app', password)).toBe(false);
    expect((await current(arn, 'AWSPREVIOUS')).value.password).toBe(password);
    const described = await sm.send(new DescribeSecretCommand({ SecretId: arn }));
    expect(described.RotationEnabled).toBe(true);
    expect(
      Object.values(described.VersionIdsToStages ?? {})
        .flat()
        .sort(),
    ).toEqual(['AWSCURRENT', 'AWSPREVIOUS']);

    const page = await audit.store.bySubject('SECRET#prod/orders-db', { order: 'oldest', limit: 10 });
    expect(
      page.items.map((r) => [r.type, (r.details as { step: string }).step, r.outcome, r.versions?.to]),
    ).toEqual(
      ['createSecret', 'setSecret', 'testSecret', 'finishSecret'].map((step) => [
        'rotation.step',
        step,
        'success',
        token,
      ]),
    );
    expect(
      (await verifyChain('SECRET#prod/orders-db', audit.store.chain('SECRET#prod/orders-db'))).broken,
    ).toBeUndefined();
  });

  it('rotates a MariaDB secret with alternating users twice: the previous user keeps working each time', async () => {
    const adminArn = await createManagedSecret(
      'prod/maria-admin',
      {
        engine: 'mariadb',
        host: '127.0.0.1',
        port: maria.port,
        username: maria.admin.username,
        password: maria.admin.password,
        ssl: false,
      },
      'mariadb',
    );
    const password = fixturePassword();
    await maria.sql('CREATE DATABASE IF NOT EXISTS shop');
    await maria.sql(`CREATE USER 'shop'@'127.0.0.1' IDENTIFIED BY '${password}'`);
    await maria.sql(`GRANT SELECT, INSERT ON shop.* TO 'shop'@'127.0.0.1'`);
    const arn = await createManagedSecret(
      'prod/shop-db',
      {
        engine: 'mariadb',
        host: '127.0.0.1',
        port: maria.port,
        username: 'shop',
        password,
        dbname: 'shop',
        masterarn: adminArn,
        ssl: false,
      },
      'mariadb',
      'alternating-users',
    );

    await rotateAndWait(arn);
    const first = await current(arn);
    expect(first.value.username).toBe('shop_clone');
    expect(await mariaLogin('shop_clone', first.value.password)).toBe(true);
    expect(await mariaLogin('shop', password)).toBe(true);

    await rotateAndWait(arn);
    const second = await current(arn);
    expect(second.value.username).toBe('shop');
    expect(second.value.password).not.toBe(password);
    expect(await mariaLogin('shop', second.value.password)).toBe(true);
    expect(await mariaLogin('shop_clone', first.value.password)).toBe(true);
    expect(await mariaLogin('shop', password)).toBe(false);
  });

  it('rides out throttling of every Secrets Manager operation it uses, and completes the rotation', async () => {
    const password = fixturePassword();
    await pg.sql(`CREATE ROLE billing_app LOGIN PASSWORD '${password}'`);
    const arn = await createManagedSecret(
      'prod/billing-db',
      {
        engine: 'postgres',
        host: '127.0.0.1',
        port: pg.port,
        username: 'billing_app',
        password,
        dbname: 'postgres',
        ssl: false,
      },
      'postgres',
    );
    const operations = [
      'DescribeSecret',
      'GetSecretValue',
      'PutSecretValue',
      'UpdateSecretVersionStage',
      'GetRandomPassword',
    ];
    const lifts = operations.map((op) => emulator.faults.throttle(2, [op]));
    try {
      await rotateAndWait(arn);
    } finally {
      lifts.forEach((lift) => lift());
    }
    const now = await current(arn);
    expect(await postgresAccepts(pg.port, 'billing_app', now.value.password)).toBe(true);
    expect(await postgresAccepts(pg.port, 'billing_app', password)).toBe(false);
  });

  it('logged every step without any password, old or new', () => {
    expect(output).toContain('rotation step done');
    for (const password of passwordsSeen) expect(output).not.toContain(password);
  });
});
