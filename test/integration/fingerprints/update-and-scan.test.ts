import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { directorySource } from '../../../adapters/registry/directory';
import { createDetector, DEFAULT_FINGERPRINT_KEY, findingFingerprint } from '../../../core/scanning/detect';
import { scanTarget } from '../../../core/scanning/image/scan';
import { parseTarget } from '../../../core/scanning/image/target';
import { startDynalite, type LocalDynamoDb } from '../../../local/dynalite';
import { startSecretsManagerEmulator, type SecretsManagerEmulator } from '../../../local/secrets-manager';
import { createTablesFromTemplate } from '../../../local/tables';
import { ManagedFingerprints } from '../../../lib/scanning/managed-fingerprints';
import { captureOutput, lambdaContext } from '../../support/lambda-context';
import { NO_BUNDLING } from '../../support/synth';
import { ALNUM, randomOf, rotorPassword } from '../../unit/scanning/managed/fixtures';

// The real update-fingerprints handler over the Secrets Manager emulator and dynalite (the table as the
// construct declares it), then the scan functions' own reader building a detector from what was stored.
let dynamo: LocalDynamoDb;
let client: DynamoDBClient;
let emulator: SecretsManagerEmulator;
let sm: SecretsManagerClient;
let table: string;
let folder: string;
let update: (event: unknown) => Promise<{ result?: any; error?: unknown; output: string }>;
let detectors: typeof import('../../../functions/scan-resolve/managed-wiring').scanDetectors;
const values: string[] = [];
let output = '';

async function tableDump(): Promise<string> {
  return JSON.stringify((await client.send(new ScanCommand({ TableName: table }))).Items);
}

beforeAll(async () => {
  [dynamo, emulator] = await Promise.all([
    startDynalite(),
    startSecretsManagerEmulator({ region: 'eu-west-1' }),
  ]);
  client = dynamo.client();
  const stack = new Stack(new App({ context: NO_BUNDLING }), 'Fp', {
    env: { account: '123456789012', region: 'eu-west-1' },
  });
  new ManagedFingerprints(stack, 'Fingerprints');
  const tables = await createTablesFromTemplate(client, Template.fromStack(stack).toJSON() as never);
  table = [...tables.values()][0]!;
  sm = new SecretsManagerClient({
    endpoint: emulator.endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const keyText = randomOf(ALNUM, 64);
  values.push(keyText);
  const key = await sm.send(
    new CreateSecretCommand({ Name: 'rotor/fingerprint-key', SecretString: keyText }),
  );
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SECRETS_MANAGER: emulator.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    MANAGED_FINGERPRINTS_TABLE_NAME: table,
    ROTOR_FINGERPRINT_KEY_SECRET_ARN: key.ARN,
    LAYER_CACHE_TABLE_NAME: 'layer-cache-not-used-here',
  });
  const { handler } = require('../../../functions/update-fingerprints/handler');
  update = async (event) => {
    const run = await captureOutput(() => handler(event, lambdaContext('update-fingerprints')));
    output += run.output + JSON.stringify(run.result ?? null) + String(run.error ?? '');
    return run;
  };
  detectors = require('../../../functions/scan-resolve/managed-wiring').scanDetectors;
  folder = await mkdtemp(join(tmpdir(), 'rotor-fingerprints-'));
});

afterAll(async () => {
  await emulator?.close();
  await dynamo?.close();
  if (folder) await rm(folder, { recursive: true, force: true });
  for (const name of [
    'AWS_ENDPOINT_URL_SECRETS_MANAGER',
    'AWS_ENDPOINT_URL_DYNAMODB',
    'MANAGED_FINGERPRINTS_TABLE_NAME',
    'ROTOR_FINGERPRINT_KEY_SECRET_ARN',
    'LAYER_CACHE_TABLE_NAME',
  ])
    delete process.env[name];
});

async function createDatabaseSecret(name: string) {
  const first = rotorPassword();
  const second = rotorPassword();
  values.push(first, second);
  const created = await sm.send(
    new CreateSecretCommand({
      Name: name,
      SecretString: JSON.stringify({
        engine: 'postgres',
        host: 'db',
        port: 5432,
        username: 'app',
        password: first,
      }),
      Tags: [{ Key: 'rotor:kind', Value: 'postgres' }],
    }),
  );
  await rotateTo(name, second);
  return { arn: created.ARN!, previous: first, current: second };
}

async function rotateTo(name: string, password: string) {
  await sm.send(
    new PutSecretValueCommand({
      SecretId: name,
      SecretString: JSON.stringify({ engine: 'postgres', host: 'db', port: 5432, username: 'app', password }),
      VersionStages: ['AWSCURRENT'],
    }),
  );
}

describe('update-fingerprints, then a scan with the stored records', () => {
  let secret: Awaited<ReturnType<typeof createDatabaseSecret>>;

  beforeAll(async () => {
    secret = await createDatabaseSecret('prod/orders-db');
  });

  it('stores a record for AWSCURRENT and AWSPREVIOUS and answers with counts, by the secret name', async () => {
    const run = await update({ secretId: secret.arn });
    expect(run.error).toBeUndefined();
    expect(run.result).toEqual({ secretId: 'prod/orders-db', records: 2, skipped: [] });
  });

  it('makes the scan functions use a cache version naming the new fingerprint set', async () => {
    expect(await detectors.cacheVersion()).toMatch(/^rules-[0-9a-f]{16}\.m1$/);
  });

  it('finds the current and the previous value in a scanned folder, naming the secret and the stage', async () => {
    await mkdir(join(folder, 'app'), { recursive: true });
    await writeFile(join(folder, 'app', '.env'), `DATABASE_PASSWORD=${secret.current}\n`);
    await writeFile(join(folder, 'app', 'old-config.yaml'), `db:\n  password: "${secret.previous}"\n`);
    const detector = await detectors.detectorFor(await detectors.cacheVersion());
    const target = parseTarget(`dir:${folder}`);
    const result = await scanTarget(target, {
      detector,
      source: { kind: 'tree', tree: directorySource(folder) },
    });
    const managed = result.findings
      .filter((f) => f.managedSecret)
      .map((f) => ({ path: f.location.path, ...f.managedSecret }))
      .sort((a, b) => a.path.localeCompare(b.path));
    expect(managed).toEqual([
      { path: 'app/.env', secretId: 'prod/orders-db', stage: 'AWSCURRENT' },
      { path: 'app/old-config.yaml', secretId: 'prod/orders-db', stage: 'AWSPREVIOUS' },
    ]);
    expect(JSON.stringify(result)).not.toMatch(new RegExp(`${secret.current}|${secret.previous}`));
  });

  it("fingerprints findings with the deployment's key, not the public default", async () => {
    const detector = await detectors.detectorFor(await detectors.cacheVersion());
    const [finding] = detector.scanText(`x ${secret.current} y`, { path: 'p' });
    expect(finding?.ruleId).toBe('managed-secret');
    expect(finding!.fingerprint).not.toBe(
      findingFingerprint(DEFAULT_FINGERPRINT_KEY, 'managed-secret', secret.current),
    );
  });

  it('gives the same records and keys as plain options, for a detector built in a worker', async () => {
    const version = await detectors.cacheVersion();
    const text = `x ${secret.current} y`;
    const direct = (await detectors.detectorFor(version)).scanText(text, { path: 'p' });
    const rebuilt = createDetector(await detectors.optionsFor(version)).scanText(text, { path: 'p' });
    expect(rebuilt).toEqual(direct);
    expect(rebuilt[0]?.managedSecret).toEqual({ secretId: 'prod/orders-db', stage: 'AWSCURRENT' });
  });

  it('is idempotent: a second run changes nothing and keeps the set version', async () => {
    const before = await tableDump();
    const run = await update({ secretId: 'prod/orders-db' });
    expect(run.result).toEqual({ secretId: 'prod/orders-db', records: 2, skipped: [] });
    expect(await tableDump()).toBe(before);
    expect(await detectors.cacheVersion()).toMatch(/\.m1$/);
  });

  it('after a rotation, a scan under the new version sees the new value at once, despite the cache', async () => {
    const next = rotorPassword();
    values.push(next);
    await rotateTo('prod/orders-db', next);
    await update({ secretId: 'prod/orders-db' });
    const version = await detectors.cacheVersion();
    expect(version).toMatch(/\.m2$/);
    const detector = await detectors.detectorFor(version);
    const stageOf = (v: string) =>
      detector.scanText(`PASSWORD=${v}`, { path: 'x' }).find((f) => f.managedSecret)?.managedSecret?.stage;
    expect([stageOf(next), stageOf(secret.current), stageOf(secret.previous)]).toEqual([
      'AWSCURRENT',
      'AWSPREVIOUS',
      undefined,
    ]);
  });

  it('refuses an event without a secret id, naming the field', async () => {
    const run = await update({ SecretId: 'wrong-case' });
    expect(run.error).toMatchObject({
      name: 'InvalidFingerprintRequestError',
      message: expect.stringContaining('secretId'),
    });
  });

  it('holds no value in the table, the logs or the outputs', async () => {
    const dump = await tableDump();
    // The key, and every password the secret has had.
    expect(values).toHaveLength(4);
    for (const value of values) {
      expect(dump).not.toContain(value);
      expect(output).not.toContain(value);
    }
    expect(output).toContain('fingerprints updated');
    expect(output).toContain('"records":2');
  });
});
