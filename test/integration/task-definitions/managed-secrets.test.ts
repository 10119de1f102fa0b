import { ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { Context } from 'aws-lambda';
import { Sensitive } from '../../../core/sensitive';
import { findingFingerprint } from '../../../core/scanning/detect';
import { deriveScanKeys } from '../../../core/scanning/managed/keys';
import { AuditTrail } from '../../../lib/audit-trail';
import { ManagedFingerprints } from '../../../lib/scanning/managed-fingerprints';
import { SprawlScanner } from '../../../lib/scanning/scanner';
import { TaskDefinitionScan } from '../../../lib/scanning/task-definition-scan';
import { startDynalite, type LocalDynamoDb } from '../../../local/dynalite';
import { startEcsStandIn, type EcsStandIn } from '../../../local/ecs';
import { startEventBusStandIn } from '../../../local/events';
import { startSecretsManagerEmulator, type SecretsManagerEmulator } from '../../../local/secrets-manager';
import { createTablesFromTemplate } from '../../../local/tables';
import { captureOutput, lambdaContext } from '../../support/lambda-context';
import { NO_BUNDLING } from '../../support/synth';
import { ALNUM, randomOf, rotorPassword } from '../../unit/scanning/managed/fixtures';
import { registerTaskDefinitionEvent } from '../../unit/scanning/task-definition/cloudtrail-event';
import { ACCOUNT, REGION, environmentOf, logicalId } from '../scan-workflow/local-workflow';
import { transformed } from './stack';

// The task definition scan with the managed-secret fingerprint store wired in, as the image scan has it:
// the real update-fingerprints handler stores the records of a rotated secret, a task definition carries
// its current password in plaintext, and the real scan-task-definition handler names the secret, announces
// the leak, and fingerprints the finding with the deployment's key (as the image scan does).

type Handler = (event: unknown, context: Context) => Promise<any>;
type Cfn = { Resources: Record<string, { Type: string; Properties: Record<string, any> }> };
const SECRET = 'prod/orders-db';

let dynamo: LocalDynamoDb;
let client: DynamoDBClient;
let emulator: SecretsManagerEmulator;
let ecs: EcsStandIn;
let bus: Awaited<ReturnType<typeof startEventBusStandIn>>;
let template: Cfn;
let tables: Map<string, string>;
let scanHandler: Handler;
let updateHandler: Handler;
let keyText: string;
const setEnv: string[] = [];
const values: string[] = [];
let output = '';

function synth(): Cfn {
  const stack = new Stack(new App({ context: NO_BUNDLING }), 'TaskDefinitions', {
    env: { account: ACCOUNT, region: REGION },
  });
  const audit = new AuditTrail(stack, 'Audit', { ingestCloudTrail: false });
  const fingerprints = new ManagedFingerprints(stack, 'Fingerprints');
  const scanner = new SprawlScanner(stack, 'Scanner', { audit, fingerprints, rescan: false });
  new TaskDefinitionScan(stack, 'TaskDefinitions', {
    audit,
    findingsTable: scanner.findingsTable,
    fingerprints,
  });
  return Template.fromStack(stack).toJSON() as Cfn;
}

async function run(handler: Handler, event: unknown, name: string): Promise<any> {
  const out = await captureOutput(() =>
    handler(event, { ...lambdaContext(name), getRemainingTimeInMillis: () => 600_000 }),
  );
  output += out.output;
  if (out.error) throw out.error;
  return out.result;
}

async function findings(): Promise<Record<string, any>[]> {
  const name = tables.get(logicalId(template, 'AWS::DynamoDB::Table', 'ScannerFindings'))!;
  return ((await client.send(new ScanCommand({ TableName: name }))).Items ?? []).map((i) => unmarshall(i));
}

beforeAll(async () => {
  template = synth();
  [dynamo, emulator, ecs, bus] = await Promise.all([
    startDynalite(),
    startSecretsManagerEmulator({ region: REGION }),
    startEcsStandIn({ region: REGION, accountId: ACCOUNT }),
    startEventBusStandIn(),
  ]);
  client = dynamo.client();
  tables = await createTablesFromTemplate(client, template as never);
  const sm = new SecretsManagerClient({
    endpoint: emulator.endpoint,
    region: REGION,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  keyText = randomOf(ALNUM, 64);
  values.push(keyText);
  await sm.send(
    new CreateSecretCommand({
      Name: logicalId(template, 'AWS::SecretsManager::Secret', 'FingerprintsKey'),
      SecretString: keyText,
    }),
  );
  const previous = rotorPassword();
  const current = rotorPassword();
  values.push(previous, current);
  const dbSecret = (password: string) =>
    JSON.stringify({ engine: 'postgres', host: 'db.internal', port: 5432, username: 'orders', password });
  await sm.send(
    new CreateSecretCommand({
      Name: SECRET,
      SecretString: dbSecret(previous),
      Tags: [{ Key: 'rotor:kind', Value: 'postgres' }],
    }),
  );
  await sm.send(
    new PutSecretValueCommand({
      SecretId: SECRET,
      SecretString: dbSecret(current),
      VersionStages: ['AWSCURRENT'],
    }),
  );

  const env: Record<string, string> = {};
  for (const prefix of ['TaskDefinitionsFunction', 'FingerprintsUpdater']) {
    Object.assign(env, environmentOf(template, logicalId(template, 'AWS::Lambda::Function', prefix), tables));
  }
  Object.assign(env, {
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: bus.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: emulator.endpoint,
    AWS_ENDPOINT_URL_ECS: ecs.endpoint,
  });
  for (const [k, v] of Object.entries(env)) {
    if (process.env[k] === undefined) setEnv.push(k);
    process.env[k] = v;
  }
  scanHandler = require('../../../functions/scan-task-definition/handler').handler;
  updateHandler = require('../../../functions/update-fingerprints/handler').handler;
  // What the rotation workflow does after finishSecret.
  await run(updateHandler, { secretId: SECRET }, 'update-fingerprints');
});

afterAll(async () => {
  for (const k of setEnv) delete process.env[k];
  await Promise.all([dynamo?.close(), emulator?.close(), ecs?.close(), bus?.close()]);
});

describe('a managed secret in a task definition environment', () => {
  let result: any;

  beforeAll(async () => {
    const environment = [{ name: 'DATABASE_SETTING', value: values[2]! }];
    const arn = ecs.addTaskDefinition({
      family: 'orders',
      containerDefinitions: [{ name: 'app', environment }],
    });
    const rule = logicalId(template, 'AWS::Events::Rule', 'TaskDefinitionsRegisterRule');
    const event = transformed(
      template.Resources[rule]!.Properties.Targets[0].InputTransformer,
      registerTaskDefinitionEvent('orders', 1, environment),
    );
    result = await run(scanHandler, event, 'scan-task-definition');
    expect(result.summary.taskDefinitionArn).toBe(arn);
  });

  it('names the secret and the stage in the stored finding', async () => {
    expect(result.summary).toMatchObject({ findings: 1, newFindings: 1, managedLeaks: 1 });
    const [finding] = await findings();
    expect(finding).toMatchObject({
      ruleId: 'managed-secret',
      severity: 'critical',
      managedSecretId: SECRET,
      managedStage: 'AWSCURRENT',
      variable: 'DATABASE_SETTING',
      remedy: expect.stringContaining(`Rotor-managed secret ${SECRET}`),
    });
  });

  it('fingerprints it with the deployment key, as the image scan does', async () => {
    const [finding] = await findings();
    const key = deriveScanKeys(Sensitive.of(keyText)).findings.reveal();
    expect(finding!.fingerprint).toBe(findingFingerprint(key, 'managed-secret', values[2]!));
  });

  it('tells remediation which managed secret leaked, and where', () => {
    const leaks = bus.events
      .filter((e) => e.DetailType === 'Rotor Managed Secret Leaked')
      .map((e) => JSON.parse(e.Detail!));
    expect(leaks).toEqual([
      expect.objectContaining({
        secretId: SECRET,
        stage: 'AWSCURRENT',
        source: 'ecs-task-definition',
        family: 'orders',
        revision: 1,
        container: 'app',
        variable: 'DATABASE_SETTING',
      }),
    ]);
  });

  it('keeps the values and the key out of the tables, the logs and the events', async () => {
    const everything = JSON.stringify(await findings()) + JSON.stringify(bus.events) + output;
    for (const value of values) expect(everything).not.toContain(value);
  });
});
