import {
  CancelRotateSecretCommand,
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { Template } from 'aws-cdk-lib/assertions';
import { DynamoDbAuditStore } from '../../../adapters/dynamodb-audit-store';
import { secretSubject } from '../../../core/audit/event';
import { verifyChain } from '../../../core/audit/verify';
import { AuditTrail } from '../../../lib/audit-trail';
import { RotationSweep } from '../../../lib/rotation/rotation-sweep';
import { RotationWorkflow } from '../../../lib/rotation/rotation-workflow';
import { startDynalite, type LocalDynamoDb } from '../../../local/dynalite';
import { startEcsStandIn, type EcsStandIn } from '../../../local/ecs';
import type { LocalHandler } from '../../../local/lambda-runner';
import {
  fixturePassword,
  postgresAccepts,
  startPostgres,
  type PostgresServer,
} from '../../../local/postgres';
import { startSecretsManagerEmulator, type SecretsManagerEmulator } from '../../../local/secrets-manager';
import { runStateMachine, stateMachineDefinition, type LocalExecution } from '../../../local/state-machine';
import { createTablesFromTemplate } from '../../../local/tables';
import { lambdaContext } from '../../support/lambda-context';
import { bareStack } from '../../support/synth';

// The synthesized sweep, run by aws-local-stepfunctions: its Map starts the synthesized rotation workflow
// (startExecution.sync:2, run locally as a nested execution) for 200 overdue PostgreSQL secrets with the
// real handlers, against the Secrets Manager emulator, dynalite and a real PostgreSQL.
const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
const DAY = 86_400_000;
const FLEET = 200;
const CAP = 10;
/** Due secrets per round of the Map: 200 take three rounds (80, 80, 40), so the loop and its cursor run too. */
const BATCH = 80;
const ROTATE_DATABASE = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:rotate-database`;

let dynamo: LocalDynamoDb;
let emulator: SecretsManagerEmulator;
let pg: PostgresServer;
let ecs: EcsStandIn;
let sm: SecretsManagerClient;
let audit: DynamoDbAuditStore;
let services: Parameters<typeof runStateMachine>[2];
let sweepDefinition: ReturnType<typeof stateMachineDefinition>;
const passwords = new Map<string, string>();
/** The emulator's clock: 40 days ago while the fleet is created, now afterwards. */
let emulatorNow = Date.now() - 40 * DAY;
const inFlight = { now: 0, max: 0, started: 0 };

const user = (i: number) => `sweep_u${i}`;
const secretName = (i: number) => `sweep/db-${String(i).padStart(3, '0')}`;

beforeAll(async () => {
  const stack = bareStack();
  const auditTrail = new AuditTrail(stack, 'Audit', {});
  const workflow = new RotationWorkflow(stack, 'Rotation', { audit: auditTrail });
  new RotationSweep(stack, 'Sweep', { audit: auditTrail, workflow, maxConcurrency: CAP, batchSize: BATCH });
  const template = Template.fromStack(stack).toJSON() as {
    Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  };

  [dynamo, emulator, pg, ecs] = await Promise.all([
    startDynalite(),
    startSecretsManagerEmulator({
      region: REGION,
      accountId: ACCOUNT,
      clock: { now: () => new Date(emulatorNow) },
    }),
    startPostgres(),
    startEcsStandIn({ region: REGION, accountId: ACCOUNT, rolloutDelayMs: 20 }),
  ]);
  const tables = await createTablesFromTemplate(dynamo.client(), template as never);
  const table = (prefix: string) => [...tables.entries()].find(([id]) => id.startsWith(prefix))![1];
  const ids = Object.keys(template.Resources);
  const machineArn = (id: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${id}`;
  const physical = (id: string, attribute?: string) => {
    const type = template.Resources[id]?.Type;
    if (tables.has(id)) return tables.get(id)!;
    if (type === 'AWS::Lambda::Function') return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${id}`;
    if (type === 'AWS::StepFunctions::StateMachine') return machineArn(id);
    return attribute ? `arn:aws:local:${REGION}:${ACCOUNT}:${id}` : id;
  };
  const machineId = (prefix: string) =>
    ids.find(
      (id) => id.startsWith(prefix) && template.Resources[id].Type === 'AWS::StepFunctions::StateMachine',
    )!;
  sweepDefinition = stateMachineDefinition(template as never, machineId('Sweep'), physical);
  const workflowDefinition = stateMachineDefinition(template as never, machineId('Rotation'), physical);
  const fnId = (service: string) =>
    ids.find(
      (id) =>
        template.Resources[id].Type === 'AWS::Lambda::Function' &&
        (template.Resources[id].Properties?.Environment as { Variables?: Record<string, string> })?.Variables
          ?.POWERTOOLS_SERVICE_NAME === service,
    )!;

  Object.assign(process.env, {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: emulator.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_ECS: ecs.endpoint,
    AUDIT_TABLE_NAME: table('AuditTable'),
    LOCK_TABLE_NAME: table('RotationLocks'),
    POWERTOOLS_METRICS_DISABLED: 'true',
    SWEEP_BATCH_SIZE: String(BATCH),
  });
  const wrap =
    (module: string, name: string): LocalHandler =>
    async (event) =>
      (require(module) as { handler: (e: unknown, c: unknown) => Promise<unknown> }).handler(
        event,
        lambdaContext(name),
      );
  services = {
    lambdas: new Map([
      [
        physical(fnId('rotation-control')),
        wrap('../../../functions/rotation-control/handler', 'rotation-control'),
      ],
      [physical(fnId('rotation-sweep')), wrap('../../../functions/rotation-sweep/handler', 'rotation-sweep')],
      [ROTATE_DATABASE, wrap('../../../functions/rotate-database/handler', 'rotate-database')],
    ]),
    stateMachines: new Map([[machineArn(machineId('Rotation')), workflowDefinition]]),
    publish: () => undefined,
    onNestedExecution: ({ phase }) => {
      if (phase === 'start') {
        inFlight.started++;
        inFlight.now++;
        inFlight.max = Math.max(inFlight.max, inFlight.now);
      } else {
        inFlight.now--;
      }
    },
  };
  audit = new DynamoDbAuditStore(table('AuditTable'), dynamo.client());

  // The fleet, created 40 days ago with a 30-day interval and never rotated since: all overdue.
  sm = new SecretsManagerClient({
    endpoint: emulator.endpoint,
    region: REGION,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  emulator.registerRotationHandler(ROTATE_DATABASE, async () => undefined);
  const statements: string[] = [];
  for (let i = 0; i < FLEET; i++) {
    passwords.set(secretName(i), fixturePassword());
    statements.push(`CREATE ROLE ${user(i)} LOGIN PASSWORD '${passwords.get(secretName(i))}'`);
  }
  await pg.sql(statements.join(';\n'));
  const create = (name: string, tags: Record<string, string>, i = 0) =>
    sm.send(
      new CreateSecretCommand({
        Name: name,
        SecretString: JSON.stringify({
          engine: 'postgres',
          host: '127.0.0.1',
          port: pg.port,
          username: user(i),
          password: passwords.get(name) ?? fixturePassword(),
          dbname: 'postgres',
          ssl: false,
        }),
        Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
  const managed = { 'rotor:kind': 'postgres', 'rotor:strategy': 'single-user', 'rotor:interval-days': '30' };
  const attach = (name: string) =>
    sm.send(
      new RotateSecretCommand({
        SecretId: name,
        RotationLambdaARN: ROTATE_DATABASE,
        RotateImmediately: false,
      }),
    );
  for (let i = 0; i < FLEET; i += 20) {
    await Promise.all(
      Array.from({ length: 20 }, async (_, k) => {
        await create(secretName(i + k), managed, i + k);
        await attach(secretName(i + k));
      }),
    );
  }
  // And the secrets the sweep must leave alone, each for its own reason.
  await create('sweep/paused', managed);
  await attach('sweep/paused');
  await sm.send(new CancelRotateSecretCommand({ SecretId: 'sweep/paused' }));
  await create('sweep/orphan', managed);
  await create('sweep/retired', managed);
  await attach('sweep/retired');
  await create('sweep/legacy', { ...managed, 'rotor:kind': 'oracle' });
  await create('sweep/native', { 'rotor:kind': 'postgres' });
  await attach('sweep/native');
  await create('unmanaged/thing', {});
  await emulator.rotations.settled();
  emulatorNow = Date.now();
  await sm.send(new DeleteSecretCommand({ SecretId: 'sweep/retired', RecoveryWindowInDays: 7 }));
  await create('sweep/fresh', managed);
  await attach('sweep/fresh');
  await emulator.rotations.settled();
}, 300_000);

afterAll(async () => {
  await emulator?.rotations.settled();
  await Promise.all([emulator?.close(), dynamo?.close(), pg?.destroy(), ecs?.close()]);
  for (const key of [
    'AWS_ENDPOINT_URL_SECRETS_MANAGER',
    'AWS_ENDPOINT_URL_DYNAMODB',
    'AWS_ENDPOINT_URL_ECS',
    'AUDIT_TABLE_NAME',
    'LOCK_TABLE_NAME',
    'SWEEP_BATCH_SIZE',
  ])
    delete process.env[key];
});

async function currentPassword(name: string): Promise<string> {
  return JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString!).password;
}

describe('the rotation sweep, synthesized and run locally', () => {
  let execution: LocalExecution;
  let printed = '';

  // 200 rotations of about 25 calls each, all in this one process (about 80 s on a loaded 2-core machine),
  // and a first run compiles every handler too: more than the default two minutes.
  beforeAll(async () => {
    // One capture around the whole run: the handlers run concurrently, so per-call captures would overlap.
    const chunks: string[] = [];
    const capture = (chunk: string | Uint8Array) => {
      chunks.push(String(chunk));
      return true;
    };
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
    try {
      execution = await runStateMachine(sweepDefinition, {}, services, {
        executionId: `arn:aws:states:${REGION}:${ACCOUNT}:execution:sweep:daily-1`,
      });
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
    printed = chunks.join('');
  }, 600_000);

  it('rotates all 200 overdue secrets in one run, in rounds of at most the batch size', async () => {
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.states.filter((s) => s === 'Plan')).toHaveLength(3);
    expect(execution.output).toMatchObject({
      // The rounds before tagged what they rotated (rotor:rotated-at): only the last 40 are still due.
      plan: { batch: 3, more: false, dueTotal: FLEET - 2 * BATCH, overdue: FLEET - 2 * BATCH },
      summary: { started: FLEET - 2 * BATCH, rotated: FLEET - 2 * BATCH, lockHeld: 0, failed: 0 },
    });
    // Twenty logins at a time: PostgreSQL allows 100 connections.
    const rotated: string[] = [];
    for (let i = 0; i < FLEET; i += 20) {
      const checks = await Promise.all(
        Array.from({ length: 20 }, async (_, k) => {
          const name = secretName(i + k);
          const now = await currentPassword(name);
          return now !== passwords.get(name) && (await postgresAccepts(pg.port, user(i + k), now))
            ? name
            : undefined;
        }),
      );
      rotated.push(...checks.filter((name): name is string => name !== undefined));
    }
    expect(rotated).toHaveLength(FLEET);
  });

  it('never had more than the cap of workflow executions in flight, and did run them side by side', () => {
    expect(inFlight.started).toBe(FLEET);
    expect(inFlight.max).toBeLessThanOrEqual(CAP);
    expect(inFlight.max).toBeGreaterThan(1);
  });

  it('leaves every audit chain intact: each secret’s and the sweep’s own', async () => {
    const subjects = [
      ...Array.from({ length: FLEET }, (_, i) => secretSubject(secretName(i))),
      'SYSTEM#rotation-sweep',
    ];
    const results = await Promise.all(subjects.map((s) => verifyChain(s, audit.chain(s))));
    expect(results.filter((r) => r.broken !== undefined)).toEqual([]);
    const outcomes = await audit.byType('rotation.outcome', { limit: 500 });
    expect(outcomes.items.filter((r) => r.outcome === 'success')).toHaveLength(FLEET);
  });

  it('records what it skipped and why', async () => {
    const records = [];
    for await (const record of audit.chain('SYSTEM#rotation-sweep')) records.push(record);
    const details = records.map((r) => r.details as Record<string, unknown>);
    expect(details.map((d) => [d.phase, d.batch])).toEqual([
      ['plan', 1],
      ['summary', 1],
      ['plan', 2],
      ['summary', 2],
      ['plan', 3],
      ['summary', 3],
    ]);
    const [plan] = details;
    expect(plan).toMatchObject({
      phase: 'plan',
      listed: FLEET + 6,
      due: FLEET,
      skippedByReason: {
        'rotation-disabled': 1,
        'no-rotation-function': 1,
        'pending-deletion': 1,
        'unknown-kind': 1,
        'no-interval': 1,
        'not-due': 1,
      },
    });
    expect(plan.skipped).toEqual([
      { secret: 'sweep/legacy', reason: 'unknown-kind' },
      { secret: 'sweep/native', reason: 'no-interval' },
      { secret: 'sweep/orphan', reason: 'no-rotation-function' },
      { secret: 'sweep/paused', reason: 'rotation-disabled' },
      { secret: 'sweep/retired', reason: 'pending-deletion' },
      { secret: 'sweep/fresh', reason: 'not-due', until: expect.any(String) },
    ]);
    const summaries = details.filter((d) => d.phase === 'summary');
    expect(summaries.map((d) => [d.started, d.rotated, d.failed])).toEqual([
      [BATCH, BATCH, 0],
      [BATCH, BATCH, 0],
      [FLEET - 2 * BATCH, FLEET - 2 * BATCH, 0],
    ]);
  });

  it('never printed a password', () => {
    expect(printed).toContain('sweep planned');
    for (const password of passwords.values()) expect(printed).not.toContain(password);
  });

  // Last: it appends to the sweep's chain, which the tests above read.
  it('finds nothing due on a second run the same day: the workflow recorded each rotation on its secret', async () => {
    const quiet = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    let again;
    try {
      again = await runStateMachine(sweepDefinition, {}, services, {
        executionId: `arn:aws:states:${REGION}:${ACCOUNT}:execution:sweep:daily-2`,
      });
    } finally {
      quiet.mockRestore();
    }
    expect(again.status).toBe('SUCCEEDED');
    expect(again.output).toMatchObject({ plan: { batch: 1, dueTotal: 0, overdue: 0 } });
  });
});
