import { DeleteItemCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../../lib/app';
import { addDemoSecrets } from '../../../local/demo/demo-stack';
import { startDynalite, type LocalDynamoDb } from '../../../local/dynalite';
import { startEcsStandIn, type EcsStandIn } from '../../../local/ecs';
import { createGeneratedSecrets } from '../../../local/generated-secrets';
import type { LocalHandler } from '../../../local/lambda-runner';
import {
  fixturePassword,
  postgresAccepts,
  startPostgres,
  type PostgresServer,
} from '../../../local/postgres';
import { startSecretsManagerEmulator, type SecretsManagerEmulator } from '../../../local/secrets-manager';
import { runStateMachine, stateMachineDefinition } from '../../../local/state-machine';
import { startStepFunctionsStandIn } from '../../../local/step-functions';
import { runCli } from '../../support/run-cli';
import { createTablesFromTemplate } from '../../../local/tables';
import { DynamoDbAuditStore } from '../../../adapters/dynamodb-audit-store';
import { verifyChain } from '../../../core/audit/verify';
import { captureOutput, lambdaContext } from '../../support/lambda-context';
import { NO_BUNDLING } from '../../support/synth';

// The synthesized rotation workflow, run by aws-local-stepfunctions against the Secrets Manager emulator,
// dynalite (the stack's own tables) and a real PostgreSQL, with the real handlers.
const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
let dynamo: LocalDynamoDb;
let emulator: SecretsManagerEmulator;
let pg: PostgresServer;
let ecs: EcsStandIn;
let sm: SecretsManagerClient;
let tables: Map<string, string>;
let definition: ReturnType<typeof stateMachineDefinition>;
let lambdas: Map<string, LocalHandler>;
let audit: DynamoDbAuditStore;
const published: Array<{ Subject?: string; Message?: string }> = [];
let secretArn: string;
let originalPassword: string;
let output = '';

/** Faults to inject into the rotation function, by step: the error to throw, how many times, and whether after the step ran. */
const faults = new Map<string, { name: string; times: number; after?: boolean }>();
const withFaults =
  (handler: LocalHandler): LocalHandler =>
  async (event) => {
    const step = (event as { Step: string }).Step;
    const fault = faults.get(step);
    if (fault && fault.times > 0) {
      fault.times -= 1;
      if (fault.after) await handler(event);
      throw Object.assign(new Error(`injected ${fault.name} at ${step}`), { name: fault.name });
    }
    return handler(event);
  };

const table = (prefix: string) => [...tables.entries()].find(([id]) => id.startsWith(prefix))![1];
const arnOf = (logicalId: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${logicalId}`;

beforeAll(async () => {
  const { stack } = buildApp({ context: NO_BUNDLING, nag: false });
  addDemoSecrets(stack);
  const template = Template.fromStack(stack).toJSON() as never;
  [dynamo, emulator, pg, ecs] = await Promise.all([
    startDynalite(),
    startSecretsManagerEmulator({ region: REGION, accountId: ACCOUNT }),
    startPostgres(),
    startEcsStandIn({ region: REGION, accountId: ACCOUNT, rolloutDelayMs: 50 }),
  ]);
  tables = await createTablesFromTemplate(dynamo.client(), template);
  const physical = (id: string, attribute?: string) =>
    tables.get(id) ??
    (id.startsWith('Rotation') && attribute === 'Arn'
      ? arnOf(id)
      : attribute
        ? `arn:aws:local:${REGION}:${ACCOUNT}:${id}`
        : id);
  const machineId = Object.keys((template as { Resources: Record<string, { Type: string }> }).Resources).find(
    (id) =>
      id.startsWith('Rotation') &&
      (template as { Resources: Record<string, { Type: string }> }).Resources[id].Type ===
        'AWS::StepFunctions::StateMachine',
  )!;
  definition = stateMachineDefinition(template, machineId, (id, attribute) =>
    attribute === 'Arn' && !tables.has(id) ? arnOf(id) : physical(id, attribute),
  );

  const keySecretId = (
    await createGeneratedSecrets(
      template as never,
      new SecretsManagerClient({ endpoint: emulator.endpoint, region: REGION }),
      (id) => id,
    )
  )[0]!;
  Object.assign(process.env, {
    AWS_REGION: REGION,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: emulator.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_ECS: ecs.endpoint,
    AUDIT_TABLE_NAME: table('AuditTable'),
    LOCK_TABLE_NAME: table('RotationLocks'),
    // A consumer that has not moved in 2 s has failed, for this test (the construct's default is 30 min).
    CONSUMER_TIMEOUT_SECONDS: '2',
    // The fingerprint updater: its table and the key secret the template generates.
    MANAGED_FINGERPRINTS_TABLE_NAME: table('FingerprintsTable'),
    ROTOR_FINGERPRINT_KEY_SECRET_ARN: keySecretId,
  });
  const wrap =
    (handler: (event: unknown, context: unknown) => Promise<unknown>, name: string): LocalHandler =>
    async (event) => {
      const run = await captureOutput(() => handler(event, lambdaContext(name)));
      output += run.output;
      if (run.error) throw run.error;
      return run.result;
    };
  const resources = (
    template as {
      Resources: Record<
        string,
        { Type: string; Properties?: { Environment?: { Variables?: Record<string, unknown> } } }
      >;
    }
  ).Resources;
  const fnId = (service: string) =>
    Object.keys(resources).find(
      (id) =>
        resources[id].Type === 'AWS::Lambda::Function' &&
        resources[id].Properties?.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === service,
    )!;
  lambdas = new Map([
    [
      arnOf(fnId('update-fingerprints')),
      wrap(require('../../../functions/update-fingerprints/handler').handler, 'update-fingerprints'),
    ],
    [
      arnOf(fnId('rotation-control')),
      wrap(require('../../../functions/rotation-control/handler').handler, 'rotation-control'),
    ],
    [
      arnOf(fnId('rotate-database')),
      withFaults(wrap(require('../../../functions/rotate-database/handler').handler, 'rotate-database')),
    ],
  ]);
  audit = new DynamoDbAuditStore(table('AuditTable'), dynamo.client());

  // The demo secret, brought under rotation the way the stack does it: RotateSecret with its function.
  sm = new SecretsManagerClient({ endpoint: emulator.endpoint, region: REGION });
  originalPassword = fixturePassword();
  await pg.sql(`CREATE ROLE orders_app LOGIN PASSWORD '${originalPassword}'`);
  secretArn = (
    await sm.send(
      new CreateSecretCommand({
        Name: 'demo/orders-db',
        SecretString: JSON.stringify({
          engine: 'postgres',
          host: '127.0.0.1',
          port: pg.port,
          username: 'orders_app',
          password: originalPassword,
          dbname: 'postgres',
          ssl: false,
        }),
        Tags: [
          { Key: 'rotor:kind', Value: 'postgres' },
          { Key: 'rotor:strategy', Value: 'single-user' },
        ],
      }),
    )
  ).ARN!;
  // A service that reads the password: the workflow must redeploy it after each rotation.
  const taskDefinition = ecs.addTaskDefinition({
    family: 'orders',
    containerDefinitions: [
      {
        name: 'app',
        image: 'orders',
        secrets: [{ name: 'DB_PASSWORD', valueFrom: `${secretArn}:password::` }],
      },
    ],
  });
  ecs.addService({ cluster: 'prod', serviceName: 'orders-web', taskDefinition, desiredCount: 2 });
  const rotateArn = arnOf(fnId('rotate-database'));
  emulator.registerRotationHandler(rotateArn, async (event) => void (await lambdas.get(rotateArn)!(event)));
  const first = await sm.send(new RotateSecretCommand({ SecretId: secretArn, RotationLambdaARN: rotateArn }));
  expect((await emulator.rotations.waitFor(first.VersionId!)).status).toBe('succeeded');
});

afterAll(async () => {
  await emulator?.rotations.settled();
  await Promise.all([emulator?.close(), dynamo?.close(), pg?.destroy(), ecs?.close()]);
  for (const key of [
    'AWS_ENDPOINT_URL_SECRETS_MANAGER',
    'AWS_ENDPOINT_URL_DYNAMODB',
    'AWS_ENDPOINT_URL_ECS',
    'AUDIT_TABLE_NAME',
    'LOCK_TABLE_NAME',
    'CONSUMER_TIMEOUT_SECONDS',
    'MANAGED_FINGERPRINTS_TABLE_NAME',
    'ROTOR_FINGERPRINT_KEY_SECRET_ARN',
  ])
    delete process.env[key];
});

const run = (input: unknown, executionId: string, waitMs?: number) =>
  runStateMachine(
    definition,
    input,
    { lambdas, publish: (m) => published.push(m) },
    {
      executionId: `arn:aws:states:${REGION}:${ACCOUNT}:execution:rotation:${executionId}`,
      ...(waitMs === undefined ? {} : { waitMs }),
    },
  );

async function currentPassword(): Promise<string> {
  return JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString!)
    .password;
}

async function locksHeld(): Promise<number> {
  return (
    (await dynamo.client().send(new ScanCommand({ TableName: table('RotationLocks') }))).Items?.length ?? 0
  );
}

describe('the rotation workflow, synthesized and run locally', () => {
  it('rotates the secret through every state, audits the outcome and releases the lock', async () => {
    const before = await currentPassword();
    const execution = await run({ secretId: 'demo/orders-db', reason: 'manual' }, 'manual-1');
    expect(execution.status).toBe('SUCCEEDED');
    const states = execution.states.filter(
      (st) => !/^(WaitForConsumers|CheckConsumers|ConsumersMoved\?)$/.test(st),
    );
    expect(states).toEqual([
      'Begin',
      'CreateSecret',
      'SetSecret',
      'TestSecret',
      'FinishSecret',
      'UpdateFingerprints',
      'StartConsumers',
      'Revoke',
      'Revoked?',
      'End',
      'RotateAgain?',
      'Rotated',
    ]);
    expect(execution.states).toContain('CheckConsumers');
    const after = await currentPassword();
    expect(after).not.toBe(before);
    expect(await postgresAccepts(pg.port, 'orders_app', after)).toBe(true);
    expect(await postgresAccepts(pg.port, 'orders_app', before)).toBe(false);
    expect(await locksHeld()).toBe(0);
    const outcomes = await audit.byType('rotation.outcome', { limit: 10 });
    expect(outcomes.items[0]).toMatchObject({
      subject: 'SECRET#demo/orders-db',
      outcome: 'success',
      details: { result: 'rotated', reason: 'manual', kind: 'postgres', consumersRefreshed: ['orders-web'] },
    });
    // The scanner learned the new value's fingerprint (no value stored).
    expect(execution.output).toMatchObject({ fingerprints: { secretId: 'demo/orders-db', records: 2 } });
    const [consumers] = (await audit.byType('rotation.consumers', { limit: 1 })).items;
    expect(consumers).toMatchObject({ details: { result: 'moved', moved: ['orders-web'], failed: [] } });
    const [revoke] = (await audit.byType('rotation.revoke', { limit: 1 })).items;
    expect(revoke).toMatchObject({ details: { result: 'nothing-to-revoke', trigger: 'consumers-moved' } });
    expect(
      (await verifyChain('SECRET#demo/orders-db', audit.chain('SECRET#demo/orders-db'))).broken,
    ).toBeUndefined();
  });

  it('rolls back when the database is down through every retry: AWSCURRENT untouched, audited, notified, unlocked', async () => {
    const before = await currentPassword();
    await pg.stop();
    let execution;
    try {
      execution = await run({ secretId: 'demo/orders-db', reason: 'schedule' }, 'down-1');
    } finally {
      await pg.start();
    }
    expect(execution.status).toBe('FAILED');
    expect(execution.error?.name).toBe('RotationFailed');
    expect(execution.states).toEqual([
      'Begin',
      'CreateSecret',
      'SetSecret',
      'Abandon',
      'EndRolledBack',
      'Notify',
      'RotationFailed',
    ]);
    expect(await currentPassword()).toBe(before);
    expect(await postgresAccepts(pg.port, 'orders_app', before)).toBe(true);
    const described = await sm.send(new DescribeSecretCommand({ SecretId: secretArn }));
    expect(Object.values(described.VersionIdsToStages ?? {}).flat()).not.toContain('AWSPENDING');
    const [outcome] = (await audit.byType('rotation.outcome', { limit: 1 })).items;
    expect(outcome).toMatchObject({
      outcome: 'failure',
      details: { result: 'rolled-back', reason: 'schedule', error: { name: 'DatabaseUnreachableError' } },
    });
    expect(published.at(-1)?.Message).toContain('rolled back; AWSCURRENT is unchanged');
    expect(await locksHeld()).toBe(0);
  });

  it('keeps the previous credential and alarms when a consumer never stabilises: AWSCURRENT new and working', async () => {
    const before = await currentPassword();
    ecs.neverStabilise('orders-web', 'prod');
    const execution = await run({ secretId: 'demo/orders-db', reason: 'schedule' }, 'stuck-1', 200);
    expect(execution.status).toBe('FAILED');
    expect(execution.error?.name).toBe('ConsumerRefreshFailed');
    expect(execution.states).not.toContain('Revoke');
    expect(execution.states.slice(-3)).toEqual([
      'EndConsumersFailed',
      'NotifyConsumers',
      'ConsumersDidNotMove',
    ]);
    const after = await currentPassword();
    expect(after).not.toBe(before);
    expect(await postgresAccepts(pg.port, 'orders_app', after)).toBe(true);
    const [consumers] = (await audit.byType('rotation.consumers', { limit: 1 })).items;
    expect(consumers).toMatchObject({
      outcome: 'failure',
      details: {
        result: 'failed',
        failed: [{ service: 'orders-web', error: { name: 'ConsumerTimeoutError' } }],
      },
    });
    const [outcome] = (await audit.byType('rotation.outcome', { limit: 1 })).items;
    expect(outcome).toMatchObject({ details: { result: 'consumers-failed' } });
    expect(published.at(-1)?.Message).toContain('orders-web did not roll out');
    expect(published.at(-1)?.Message).toContain('NOT revoked');
    expect(await locksHeld()).toBe(0);
    expect(
      (await verifyChain('SECRET#demo/orders-db', audit.chain('SECRET#demo/orders-db'))).broken,
    ).toBeUndefined();
  });

  it('retries setSecret through three transient failures with backoff, then rotates', async () => {
    const before = await currentPassword();
    faults.set('setSecret', { name: 'DatabaseUnreachableError', times: 3 });
    const execution = await run({ secretId: 'demo/orders-db', reason: 'schedule' }, 'flaky-set-1');
    faults.clear();
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.states.filter((st) => st === 'SetSecret')).toHaveLength(1);
    const after = await currentPassword();
    expect(after).not.toBe(before);
    expect(await postgresAccepts(pg.port, 'orders_app', after)).toBe(true);
  });

  it('rolls back when testSecret fails after setSecret changed the password: the database is set back, AWSCURRENT works', async () => {
    const before = await currentPassword();
    // testSecret runs (the new password works) and then reports a rejection: the database holds the pending password.
    faults.set('testSecret', { name: 'CredentialRejectedError', times: 1, after: true });
    const execution = await run({ secretId: 'demo/orders-db', reason: 'schedule' }, 'test-fails-1');
    faults.clear();
    expect(execution.status).toBe('FAILED');
    expect(execution.states.slice(-5)).toEqual([
      'TestSecret',
      'Abandon',
      'EndRolledBack',
      'Notify',
      'RotationFailed',
    ]);
    expect(await currentPassword()).toBe(before);
    expect(await postgresAccepts(pg.port, 'orders_app', before)).toBe(true);
    const described = await sm.send(new DescribeSecretCommand({ SecretId: secretArn }));
    expect(Object.values(described.VersionIdsToStages ?? {}).flat()).toContain('ROTOR_ABANDONED');
    const [outcome] = (await audit.byType('rotation.outcome', { limit: 1 })).items;
    expect(outcome).toMatchObject({
      details: { result: 'rolled-back', restore: 'restored', error: { name: 'CredentialRejectedError' } },
    });
    expect(published.at(-1)).toMatchObject({ Message: expect.stringContaining('works again') });
    expect(await locksHeld()).toBe(0);
  });

  it('recovers on the next run after a rollback', async () => {
    const execution = await run({ secretId: 'demo/orders-db', reason: 'manual' }, 'manual-2');
    expect(execution.status).toBe('SUCCEEDED');
    expect(await postgresAccepts(pg.port, 'orders_app', await currentPassword())).toBe(true);
  });

  it('skips, changing nothing, while another rotation of the secret holds its lock', async () => {
    const before = await currentPassword();
    await dynamo.client().send(
      new PutItemCommand({
        TableName: table('RotationLocks'),
        Item: marshall({
          lockKey: `ROTATION#${secretArn}`,
          owner: 'another-execution',
          expiresAt: Math.floor(Date.now() / 1000) + 600,
        }),
      }),
    );
    const execution = await run({ secretId: 'demo/orders-db', reason: 'schedule' }, 'locked-1');
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.states).toEqual(['Begin', 'Skipped']);
    expect(await currentPassword()).toBe(before);
    // The other rotation ends and releases its lock.
    await dynamo.client().send(
      new DeleteItemCommand({
        TableName: table('RotationLocks'),
        Key: marshall({ lockKey: `ROTATION#${secretArn}` }),
      }),
    );
  });

  it('rotates on `rotor rotate --wait`, the installed command starting the workflow through the Step Functions API', async () => {
    const arn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:RotationWorkflow`;
    const sfn = await startStepFunctionsStandIn({
      machines: new Map([[arn, definition]]),
      services: { lambdas, publish: (m) => published.push(m) },
      region: REGION,
      accountId: ACCOUNT,
    });
    try {
      const before = await currentPassword();
      const { code, stdout, stderr } = await runCli(
        ['rotate', 'demo/orders-db', '--wait', '--workflow', arn, '--json'],
        {
          AWS_ENDPOINT_URL_SFN: sfn.endpoint,
          AWS_REGION: REGION,
        },
      );
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(JSON.parse(stdout)).toMatchObject({ status: 'SUCCEEDED', result: 'rotated' });
      const after = await currentPassword();
      expect(after).not.toBe(before);
      expect(await postgresAccepts(pg.port, 'orders_app', after)).toBe(true);
      const missing = await runCli(['rotate', 'demo/orders-db', '--workflow', `${arn}-nope`], {
        AWS_ENDPOINT_URL_SFN: sfn.endpoint,
        AWS_REGION: REGION,
      });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('StateMachineDoesNotExist');
    } finally {
      await sfn.settled();
      await sfn.close();
    }
  });

  it('never printed a password', async () => {
    expect(output).toContain('rotation step done');
    expect(output).not.toContain(originalPassword);
  });
});
