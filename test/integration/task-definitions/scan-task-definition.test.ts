import { QueryCommand, ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeregisterTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context } from 'aws-lambda';
import { DynamoDbAuditStore } from '../../../adapters/dynamodb-audit-store';
import { verifyChain } from '../../../core/audit/verify';
import { withBase62Crc32Checksum } from '../../../core/scanning/rules/checksums';
import { ALNUM, password, rand } from '../../../core/scanning/rules/sample-kit';
import { startDynalite, type LocalDynamoDb } from '../../../local/dynalite';
import { startEcsStandIn, type EcsStandIn } from '../../../local/ecs';
import { startEventBusStandIn } from '../../../local/events';
import { createTablesFromTemplate } from '../../../local/tables';
import { captureOutput, lambdaContext } from '../../support/lambda-context';
import { registerTaskDefinitionEvent } from '../../unit/scanning/task-definition/cloudtrail-event';
import { ACCOUNT, REGION, environmentOf, logicalId } from '../scan-workflow/local-workflow';
import { synthTaskDefinitionStack, transformed } from './stack';

// The scan-task-definition handler, required in this process with the environment the synthesized template
// gives it, against dynalite (findings and audit tables created from the template), the ECS stand-in (the
// real ECSClient over a socket) and an EventBridge stand-in. Events reach it through the rule's own input
// transformer. Every secret is generated here, at test time.

type Handler = (event: unknown, context: Context) => Promise<any>;

let dynamo: LocalDynamoDb;
let client: DynamoDBClient;
let ecs: EcsStandIn;
let bus: Awaited<ReturnType<typeof startEventBusStandIn>>;
let tables: Map<string, string>;
let template: ReturnType<typeof synthTaskDefinitionStack>;
let handler: Handler;
let transformer: { InputPathsMap: Record<string, string>; InputTemplate: string };
const setEnv: string[] = [];
const secrets: string[] = [];
const outputs: string[] = [];

/** A generated secret, remembered so the last test can look for it everywhere. */
function secret(make: () => string): string {
  const value = make();
  secrets.push(value);
  return value;
}

/** A context whose remaining time is what the sweep budgets against. */
function contextWith(remainingMs: number): Context {
  return { ...lambdaContext('scan-task-definition'), getRemainingTimeInMillis: () => remainingMs };
}

async function invoke(event: unknown, remainingMs = 600_000) {
  const run = await captureOutput(() => handler(event, contextWith(remainingMs)));
  outputs.push(run.output);
  return run;
}

/** Registers a revision in the stand-in and delivers its CloudTrail event as EventBridge would. */
async function register(family: string, environment: Record<string, string>) {
  const env = Object.entries(environment).map(([name, value]) => ({ name, value }));
  const arn = ecs.addTaskDefinition({
    family,
    containerDefinitions: [{ name: 'app', image: `${family}:1`, environment: env }],
  });
  const revision = Number(arn.split(':').pop());
  const run = await invoke(transformed(transformer, registerTaskDefinitionEvent(family, revision, env)));
  return { arn, run };
}

async function findings(): Promise<Record<string, any>[]> {
  const out = await client.send(
    new ScanCommand({
      TableName: tables.get(logicalId(template, 'AWS::DynamoDB::Table', 'ScannerFindings'))!,
    }),
  );
  return (out.Items ?? []).map((i) => unmarshall(i));
}

async function chain(family: string): Promise<Record<string, any>[]> {
  const out = await client.send(
    new QueryCommand({
      TableName: tables.get(logicalId(template, 'AWS::DynamoDB::Table', 'AuditTable'))!,
      KeyConditionExpression: 'subject = :s',
      ExpressionAttributeValues: { ':s': { S: `TASKDEF#${family}` } },
    }),
  );
  return (out.Items ?? []).map((i) => unmarshall(i));
}

beforeAll(async () => {
  template = synthTaskDefinitionStack();
  [dynamo, ecs, bus] = await Promise.all([
    startDynalite(),
    startEcsStandIn({ region: REGION, accountId: ACCOUNT }),
    startEventBusStandIn(),
  ]);
  client = dynamo.client();
  tables = await createTablesFromTemplate(client, template as never);
  const rule = logicalId(template, 'AWS::Events::Rule', 'TaskDefinitionsRegisterRule');
  transformer = template.Resources[rule]!.Properties.Targets[0].InputTransformer;
  const env = {
    ...environmentOf(
      template,
      logicalId(template, 'AWS::Lambda::Function', 'TaskDefinitionsFunction'),
      tables,
    ),
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: bus.endpoint,
    AWS_ENDPOINT_URL_ECS: ecs.endpoint,
  };
  for (const [k, v] of Object.entries(env)) {
    if (process.env[k] === undefined) setEnv.push(k);
    process.env[k] = v;
  }
  handler = require('../../../functions/scan-task-definition/handler').handler;
});

afterAll(async () => {
  for (const k of setEnv) delete process.env[k];
  await Promise.all([dynamo?.close(), ecs?.close(), bus?.close()]);
});

describe('scan-task-definition on RegisterTaskDefinition', () => {
  it('stores a finding per secret variable, naming the revision, container and variable, with the remedy', async () => {
    const db = secret(() => password(16));
    const token = secret(() => withBase62Crc32Checksum('ghp' + '_', rand(ALNUM, 30)));
    const { arn, run } = await register('orders', {
      DB_PASSWORD: db,
      GIT_SETTING: token,
      PORT: '8080',
      API_KEY: '${API_KEY}',
    });
    expect(run.error).toBeUndefined();
    expect(run.result).toMatchObject({
      kind: 'revision',
      outcome: 'scanned',
      summary: {
        taskDefinitionArn: arn,
        family: 'orders',
        revision: 1,
        variables: 4,
        findings: 2,
        newFindings: 2,
      },
    });
    const stored = (await findings()).filter((f) => f.family === 'orders');
    expect(stored.map((f) => f.variable).sort()).toEqual(['DB_PASSWORD', 'GIT_SETTING']);
    expect(stored.find((f) => f.variable === 'DB_PASSWORD')).toMatchObject({
      source: 'ecs-task-definition',
      occurrence: `${arn}#app/DB_PASSWORD`,
      imageDigest: arn,
      location: 'ecs-task-definition:orders:1#app/DB_PASSWORD',
      container: 'app',
      revision: 1,
      remedy: expect.stringContaining('"valueFrom": "<secret ARN>"'),
      auditedAt: expect.any(String),
    });
    expect(stored.find((f) => f.variable === 'GIT_SETTING')!.ruleId).toMatch(/^github/);
  });

  it('appends a scan.finding record per new finding to the family chain, which verifies', async () => {
    const records = await chain('orders');
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({ eventType: 'scan.finding', actor: 'rotor:scanner' });
    const store = new DynamoDbAuditStore(
      tables.get(logicalId(template, 'AWS::DynamoDB::Table', 'AuditTable'))!,
      client,
    );
    expect((await verifyChain('TASKDEF#orders', store.chain('TASKDEF#orders'))).broken).toBeUndefined();
  });

  it('writes nothing new when the same event is delivered again', async () => {
    const before = (await findings()).length;
    const again = await invoke(transformed(transformer, registerTaskDefinitionEvent('orders', 1, [])));
    expect(again.result).toMatchObject({ summary: { findings: 2, newFindings: 0 } });
    expect(await findings()).toHaveLength(before);
    expect(await chain('orders')).toHaveLength(2);
  });

  it('records the same secret in the next revision under the same fingerprint', async () => {
    const db = secret(() => password(16));
    const first = await register('billing', { DB_PASSWORD: db });
    const second = await register('billing', { DB_PASSWORD: db, LOG_LEVEL: 'info' });
    expect(second.run.result).toMatchObject({ summary: { revision: 2, newFindings: 1 } });
    const stored = (await findings()).filter((f) => f.family === 'billing');
    expect(stored.map((f) => f.occurrence).sort()).toEqual([
      `${first.arn}#app/DB_PASSWORD`,
      `${second.arn}#app/DB_PASSWORD`,
    ]);
    expect(new Set(stored.map((f) => f.fingerprint)).size).toBe(1);
  });

  it('answers not-found for a revision that no longer exists', async () => {
    const run = await invoke(transformed(transformer, registerTaskDefinitionEvent('ghost', 3, [])));
    expect(run.result).toEqual({
      kind: 'revision',
      outcome: 'not-found',
      taskDefinition: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/ghost:3`,
    });
  });
});

describe('the scheduled sweep', () => {
  it('scans the latest ACTIVE revision of every family, through throttling', async () => {
    const old = secret(() => password(15));
    ecs.addTaskDefinition({
      family: 'web',
      containerDefinitions: [{ name: 'app', environment: [{ name: 'OLD_TOKEN', value: old }] }],
    });
    const latest = secret(() => rand(ALNUM, 40));
    const web2 = ecs.addTaskDefinition({
      family: 'web',
      containerDefinitions: [{ name: 'app', environment: [{ name: 'SESSION_SECRET', value: latest }] }],
    });
    // web:3 is deregistered: the sweep's latest ACTIVE revision of web is web:2.
    const web3 = ecs.addTaskDefinition({
      family: 'web',
      containerDefinitions: [{ name: 'app', environment: [] }],
    });
    const sdk = new ECSClient({
      endpoint: ecs.endpoint,
      region: REGION,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    await sdk.send(new DeregisterTaskDefinitionCommand({ taskDefinition: web3 }));
    ecs.faults.throttle(2, ['DescribeTaskDefinition', 'ListTaskDefinitions']);

    const run = await invoke({ sweep: true });
    expect(run.error).toBeUndefined();
    expect(run.result.kind).toBe('sweep');
    expect(run.result.result).toMatchObject({
      families: 3,
      listed: true,
      revisionsScanned: 3,
      failedCount: 0,
      complete: true,
    });
    // orders and billing were scanned on registration: only web:2 is new.
    expect(run.result.result.newFindings).toBe(1);
    const web = (await findings()).filter((f) => f.family === 'web');
    expect(web.map((f) => [f.taskDefinitionArn, f.variable])).toEqual([[web2, 'SESSION_SECRET']]);
  });

  it('reports every family as not reached when the time budget is already spent', async () => {
    const run = await invoke({ sweep: true }, 10_000);
    expect(run.result.result).toMatchObject({
      revisionsScanned: 0,
      complete: false,
      notReachedCount: 3,
      notReached: ['billing', 'orders', 'web'],
    });
    expect(run.output).toContain('task definition sweep incomplete');
  });
});

describe('a request it cannot take', () => {
  it('fails naming the problem, without logging the event that carries the environment', async () => {
    const value = secret(() => password(17));
    const event = registerTaskDefinitionEvent('orders', 9, [{ name: 'DB_PASSWORD', value }]);
    (event.detail as Record<string, unknown>).eventName = 'UpdateService';
    const run = await invoke(event);
    expect(run.error).toMatchObject({
      name: 'InvalidTaskDefinitionScanRequestError',
      message: 'the CloudTrail event is not RegisterTaskDefinition',
    });
    expect(run.output).toContain('InvalidTaskDefinitionScanRequestError');
    expect(JSON.stringify(run.error)).not.toContain(value);
  });
});

describe('secrets stay where they were', () => {
  it('appear in no log line, finding, audit record, result or leak event', async () => {
    const everything = [
      ...outputs,
      JSON.stringify(await findings()),
      JSON.stringify([...(await chain('orders')), ...(await chain('billing')), ...(await chain('web'))]),
      JSON.stringify(bus.events),
    ].join('\n');
    expect(secrets.length).toBeGreaterThanOrEqual(5);
    for (const value of secrets) expect(everything).not.toContain(value);
    expect(outputs.join('')).toContain('task definition scanned');
  });
});
