import { randomBytes } from 'node:crypto';
import { ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { StateMachine } from 'aws-local-stepfunctions';
import { AuditTrail } from '../../../lib/audit-trail';
import { ManagedFingerprints } from '../../../lib/scanning/managed-fingerprints';
import { SprawlScanner } from '../../../lib/scanning/scanner';
import { startAwsJsonServer, type RunningServer } from '../../../local/aws-json-server';
import { startDynalite, type LocalDynamoDb } from '../../../local/dynalite';
import { startSecretsManagerEmulator, type SecretsManagerEmulator } from '../../../local/secrets-manager';
import { createTablesFromTemplate } from '../../../local/tables';
import { captureOutput, lambdaContext } from '../../support/lambda-context';
import { pushImage, startRegistry, type RunningRegistry } from '../../support/registry';
import { NO_BUNDLING } from '../../support/synth';
import { ImageStore } from '../../unit/scanning/image/support/image-builder';
import { ALNUM, randomOf, rotorPassword } from '../../unit/scanning/managed/fixtures';
import { ACCOUNT, REGION, definitionOf, environmentOf, logicalId } from '../scan-workflow/local-workflow';

// The synthesized scan workflow with the fingerprint store wired in, run locally end to end: the real
// update-fingerprints handler stores the records of a rotated secret, an image carrying its current and
// previous passwords is pushed to a real registry, and the real scan functions name the secret and the stage.
type Handler = (event: unknown, context: unknown) => Promise<unknown>;
type Cfn = { Resources: Record<string, { Type: string; Properties: Record<string, any> }> };
const REPOSITORY = 'shop/orders';
const SECRET = 'prod/orders-db';

let registry: RunningRegistry;
let dynamo: LocalDynamoDb;
let client: DynamoDBClient;
let emulator: SecretsManagerEmulator;
let sm: SecretsManagerClient;
let bus: RunningServer;
const busEvents: Record<string, any>[] = [];
let template: Cfn;
let tables: Map<string, string>;
let asl: ConstructorParameters<typeof StateMachine>[0];
let handlers: Record<'Resolve' | 'ScanLayer' | 'Merge' | 'Update', Handler>;
const setEnv: string[] = [];
const values: string[] = [];
let output = '';

function synth(): Cfn {
  const stack = new Stack(new App({ context: NO_BUNDLING }), 'Scanning', {
    env: { account: ACCOUNT, region: REGION },
  });
  const audit = new AuditTrail(stack, 'Audit', { ingestCloudTrail: false });
  const fingerprints = new ManagedFingerprints(stack, 'Fingerprints');
  new SprawlScanner(stack, 'Scanner', { audit, fingerprints, rescan: false });
  return Template.fromStack(stack).toJSON() as Cfn;
}

const dbSecret = (password: string) =>
  JSON.stringify({ engine: 'postgres', host: 'db.internal', port: 5432, username: 'orders', password });

async function rotateTo(password: string) {
  values.push(password);
  await sm.send(
    new PutSecretValueCommand({
      SecretId: SECRET,
      SecretString: dbSecret(password),
      VersionStages: ['AWSCURRENT'],
    }),
  );
}

async function run<T>(name: keyof typeof handlers, event: unknown): Promise<T> {
  const out = await captureOutput(() => handlers[name](event, lambdaContext(name)));
  output += out.output;
  if (out.error) throw out.error;
  return out.result as T;
}

async function scan(digest: string): Promise<Record<string, any>> {
  const machine = new StateMachine(asl, { validationOptions: { checkArn: false } });
  const input = { registry: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`, repository: REPOSITORY, digest };
  const execution = machine.run(input as never, {
    overrides: {
      taskResourceLocalHandlers: {
        Resolve: (payload) => run('Resolve', payload),
        ScanLayer: (payload) => run('ScanLayer', payload),
        Merge: (payload) => run('Merge', payload),
        RecordFailure: async (failure) => {
          busEvents.push({ DetailType: 'Rotor Scan Failed', failure });
          return {};
        },
      },
      retryIntervalOverrides: { Resolve: 0, ScanLayer: 0, Merge: 0, RecordFailure: 0 },
    },
    context: {
      Execution: {
        Id: `arn:aws:states:${REGION}:${ACCOUNT}:execution:ScanWorkflow:${randomBytes(4).toString('hex')}`,
        Input: input as never,
      },
    },
  });
  return (await execution.result) as Record<string, any>;
}

async function tableItems(prefix: string): Promise<Record<string, unknown>[]> {
  const name = tables.get(logicalId(template, 'AWS::DynamoDB::Table', prefix))!;
  return ((await client.send(new ScanCommand({ TableName: name }))).Items ?? []).map((i) => unmarshall(i));
}

beforeAll(async () => {
  template = synth();
  [registry, dynamo, emulator] = await Promise.all([
    startRegistry(),
    startDynalite(),
    startSecretsManagerEmulator({ region: REGION }),
  ]);
  client = dynamo.client();
  tables = await createTablesFromTemplate(client, template as never);
  sm = new SecretsManagerClient({
    endpoint: emulator.endpoint,
    region: REGION,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  bus = await startAwsJsonServer({
    targetPrefix: 'AWSEvents',
    operations: {
      PutEvents: (input) => {
        const entries = (input.Entries as Record<string, unknown>[]) ?? [];
        busEvents.push(...entries);
        return { FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `ev-${i}` })) };
      },
    },
  });
  // The key secret as deployment would make it, under the name the template's Ref resolves to locally.
  const keyText = randomOf(ALNUM, 64);
  values.push(keyText);
  const keyId = logicalId(template, 'AWS::SecretsManager::Secret', 'FingerprintsKey');
  await sm.send(new CreateSecretCommand({ Name: keyId, SecretString: keyText }));

  asl = definitionOf(
    template,
    logicalId(template, 'AWS::StepFunctions::StateMachine', 'ScannerScanWorkflow'),
    tables,
  );
  const env: Record<string, string> = {};
  for (const prefix of [
    'ScannerResolveFunction',
    'ScannerScanLayerFunction',
    'ScannerMergeFunction',
    'FingerprintsUpdater',
  ]) {
    Object.assign(env, environmentOf(template, logicalId(template, 'AWS::Lambda::Function', prefix), tables));
  }
  Object.assign(env, {
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: bus.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: emulator.endpoint,
    ROTOR_REGISTRY_ENDPOINT: registry.url,
  });
  for (const [k, v] of Object.entries(env)) {
    if (process.env[k] === undefined) setEnv.push(k);
    process.env[k] = v;
  }
  handlers = {
    Resolve: require('../../../functions/scan-resolve/handler').handler,
    ScanLayer: require('../../../functions/scan-layer/handler').handler,
    Merge: require('../../../functions/scan-merge/handler').handler,
    Update: require('../../../functions/update-fingerprints/handler').handler,
  };
});

afterAll(async () => {
  for (const k of setEnv) delete process.env[k];
  await Promise.all([registry?.stop(), dynamo?.close(), bus?.close(), emulator?.close()]);
});

describe('a managed secret leaked into a pushed image', () => {
  let previous: string;
  let current: string;
  let digest: string;
  let first: Record<string, any>;

  beforeAll(async () => {
    previous = rotorPassword();
    current = rotorPassword();
    values.push(previous);
    await sm.send(
      new CreateSecretCommand({
        Name: SECRET,
        SecretString: dbSecret(previous),
        Tags: [{ Key: 'rotor:kind', Value: 'postgres' }],
      }),
    );
    await rotateTo(current);
    // What the rotation workflow does after finishSecret.
    expect(await run('Update', { secretId: SECRET })).toEqual({ secretId: SECRET, records: 2, skipped: [] });

    const store = new ImageStore();
    const layer = await store.layer([
      { path: 'app/', type: 'directory' },
      { path: 'app/settings.ini', content: `[db]\npassword = ${current}\n` },
      { path: 'app/legacy.json', content: `{"db_pass": "${previous}"}\n` },
    ]);
    const manifest = store.manifest(store.config([layer], { Env: ['PATH=/usr/bin'] }), [layer]);
    await pushImage(registry.url, REPOSITORY, 'v1', store, manifest);
    digest = manifest.digest;
    first = await scan(digest);
  });

  it('scans under a cache version that names the fingerprint set', () => {
    expect(first.resolve.rulesetVersion).toMatch(/^rules-[0-9a-f]{16}\.m1$/);
  });

  it('stores findings that name the secret and the stage of each value', async () => {
    const managed = (await tableItems('ScannerFindings'))
      .filter((f) => f.managedSecretId)
      .map((f) => ({ path: f.path, secretId: f.managedSecretId, stage: f.managedStage }))
      .sort((a, b) => String(a.path).localeCompare(String(b.path)));
    expect(managed).toEqual([
      { path: 'app/legacy.json', secretId: SECRET, stage: 'AWSPREVIOUS' },
      { path: 'app/settings.ini', secretId: SECRET, stage: 'AWSCURRENT' },
    ]);
  });

  it('tells remediation which managed secret leaked', () => {
    const leaks = busEvents
      .filter((e) => e.DetailType === 'Rotor Managed Secret Leaked')
      .map((e) => JSON.parse(e.Detail));
    expect(leaks.map((l) => `${l.secretId} ${l.stage}`).sort()).toEqual([
      `${SECRET} AWSCURRENT`,
      `${SECRET} AWSPREVIOUS`,
    ]);
  });

  it('scans the cached layer again after a rotation changed the records', async () => {
    await rotateTo(rotorPassword());
    await run('Update', { secretId: SECRET });
    const again = await scan(digest);
    expect(again.resolve.rulesetVersion).toMatch(/\.m2$/);
    expect(again.resolve).toMatchObject({ layersCached: 0 });
    expect(again.resolve.layers).toHaveLength(1);
  });

  it('keeps every value and the key out of the tables, the logs and the events', async () => {
    const everything =
      JSON.stringify(await tableItems('Fingerprints')) +
      JSON.stringify(await tableItems('ScannerFindings')) +
      JSON.stringify(busEvents) +
      output;
    expect(values).toHaveLength(4);
    for (const value of values) expect(everything).not.toContain(value);
  });
});
