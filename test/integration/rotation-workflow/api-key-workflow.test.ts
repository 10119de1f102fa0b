import {
  CreateSecretCommand,
  GetSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { Duration } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { DynamoDbAuditStore } from '../../../adapters/dynamodb-audit-store';
import { verifyChain } from '../../../core/audit/verify';
import { AuditTrail } from '../../../lib/audit-trail';
import { ApiKeyRotation } from '../../../lib/rotation/api-key-rotation';
import { RotationWorkflow } from '../../../lib/rotation/rotation-workflow';
import { startDynalite, type LocalDynamoDb } from '../../../local/dynalite';
import { startEcsStandIn, type EcsStandIn } from '../../../local/ecs';
import { startSecretsManagerEmulator, type SecretsManagerEmulator } from '../../../local/secrets-manager';
import { fakeSaasProviderConfig, startFakeSaas, type FakeSaas } from '../../support/fake-saas';
import { LOCAL_ACCOUNT, LOCAL_REGION, localStack } from '../../support/local-workflow';
import { bareStack } from '../../support/synth';

// The synthesized rotation workflow rotating API keys of a fake SaaS that enforces them, with an ECS
// service reading the key: the previous key is revoked only once the service moved, after the grace
// period on a schedule, at once for remediation, and never while a consumer is stuck on it.
const GRACE_SECONDS = 2;
let dynamo: LocalDynamoDb;
let emulator: SecretsManagerEmulator;
let ecs: EcsStandIn;
let sm: SecretsManagerClient;
let local: Awaited<ReturnType<typeof localStack>>;
let workflow: ReturnType<Awaited<ReturnType<typeof localStack>>['definition']>;
let audit: DynamoDbAuditStore;
let rotateArn: string;
const saasInstances: FakeSaas[] = [];
const published: string[] = [];

beforeAll(async () => {
  const stack = bareStack();
  const trail = new AuditTrail(stack, 'Audit', { ingestCloudTrail: false });
  const rotation = new RotationWorkflow(stack, 'Rotation', {
    audit: trail,
    revokeGracePeriod: Duration.seconds(GRACE_SECONDS),
  });
  new ApiKeyRotation(stack, 'BillingKey', {
    secret: new secretsmanager.Secret(stack, 'Key'),
    adminCredentialSecret: new secretsmanager.Secret(stack, 'Admin'),
    audit: trail,
    workflow: rotation,
  });
  [dynamo, emulator, ecs] = await Promise.all([
    startDynalite(),
    startSecretsManagerEmulator({ region: LOCAL_REGION, accountId: LOCAL_ACCOUNT }),
    startEcsStandIn({ region: LOCAL_REGION, accountId: LOCAL_ACCOUNT, rolloutDelayMs: 50 }),
  ]);
  local = await localStack(stack, dynamo.client());
  Object.assign(process.env, {
    AWS_REGION: LOCAL_REGION,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: emulator.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_ECS: ecs.endpoint,
    AUDIT_TABLE_NAME: local.table('AuditTable'),
    LOCK_TABLE_NAME: local.table('RotationLocks'),
    CONSUMER_TIMEOUT_SECONDS: '2',
  });
  local.load('rotation-control');
  rotateArn = local.load('rotate-api-key');
  workflow = local.definition('Rotation');
  audit = new DynamoDbAuditStore(local.table('AuditTable'), dynamo.client());
  sm = new SecretsManagerClient({ endpoint: emulator.endpoint, region: LOCAL_REGION });
  emulator.registerRotationHandler(
    rotateArn,
    async (event) => void (await local.lambdas.get(rotateArn)!(event)),
  );
});

afterAll(async () => {
  await emulator?.rotations.settled();
  await Promise.all([
    emulator?.close(),
    dynamo?.close(),
    ecs?.close(),
    ...saasInstances.map((s) => s.close()),
  ]);
  for (const key of [
    'AWS_ENDPOINT_URL_SECRETS_MANAGER',
    'AWS_ENDPOINT_URL_DYNAMODB',
    'AWS_ENDPOINT_URL_ECS',
    'AUDIT_TABLE_NAME',
    'LOCK_TABLE_NAME',
    'CONSUMER_TIMEOUT_SECONDS',
  ])
    delete process.env[key];
});

/** A SaaS, its admin and configuration secrets, the key secret (rotation attached) and a service reading it. */
async function keySecret(name: string) {
  const saas = await startFakeSaas({ keyLimit: 3 });
  saasInstances.push(saas);
  const adminArn = (
    await sm.send(new CreateSecretCommand({ Name: `${name}-admin`, SecretString: saas.adminToken }))
  ).ARN!;
  const configArn = (
    await sm.send(
      new CreateSecretCommand({
        Name: `${name}-config`,
        SecretString: JSON.stringify(fakeSaasProviderConfig(saas.url)),
      }),
    )
  ).ARN!;
  const seeded = saas.seedKey(name);
  const arn = (
    await sm.send(
      new CreateSecretCommand({
        Name: name,
        SecretString: JSON.stringify({
          provider: 'fake-saas',
          keyId: seeded.id,
          apiKey: seeded.key,
          name,
          adminArn,
          providerConfigArn: configArn,
        }),
        Tags: [{ Key: 'rotor:kind', Value: 'api-key' }],
      }),
    )
  ).ARN!;
  // Bring it under rotation as Secrets Manager does: RotateSecret with the function rotates once now.
  const first = await sm.send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: rotateArn }));
  expect((await emulator.rotations.waitFor(first.VersionId!)).status).toBe('succeeded');
  const taskDefinition = ecs.addTaskDefinition({
    family: name,
    containerDefinitions: [
      { name: 'app', image: name, secrets: [{ name: 'API_KEY', valueFrom: `${arn}:apiKey::` }] },
    ],
  });
  ecs.addService({ cluster: 'billing', serviceName: name, taskDefinition, desiredCount: 1 });
  return { arn, saas, key: await currentKey(arn) };
}

async function currentKey(secretId: string): Promise<string> {
  const out = await sm.send(new GetSecretValueCommand({ SecretId: secretId }));
  return (JSON.parse(out.SecretString!) as { apiKey: string }).apiKey;
}

const run = (input: Record<string, unknown>, name: string) =>
  local.run(workflow, input, name, { publish: (m) => published.push(m.Message ?? '') });

async function revocations(name: string) {
  const records = [];
  for await (const record of audit.chain(`SECRET#${name}`))
    if (record.type === 'rotation.revoke') records.push(record);
  expect((await verifyChain(`SECRET#${name}`, audit.chain(`SECRET#${name}`))).broken).toBeUndefined();
  return records.map((r) => r.details as { result: string; trigger: string; detail?: string });
}

describe('API keys through the rotation workflow', () => {
  it('on schedule: redeploys the consumer, waits out the grace period, then revokes the previous key', async () => {
    const { arn, saas, key: before } = await keySecret('billing-scheduled');
    const started = Date.now();
    const execution = await run({ secretId: arn, reason: 'schedule' }, 'scheduled-1');
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.states).toContain('WaitForGracePeriod');
    expect(Date.now() - started).toBeGreaterThanOrEqual(GRACE_SECONDS * 1000 - 100);
    const after = await currentKey(arn);
    expect(await saas.authenticate(after)).toBe(200);
    expect(await saas.authenticate(before)).toBe(401);
    expect(await revocations('billing-scheduled')).toEqual([
      {
        result: 'deferred',
        trigger: 'consumers-moved',
        detail: 'grace-period',
        executionId: expect.any(String),
      },
      { result: 'revoked', trigger: 'consumers-moved', detail: 'deleted', executionId: expect.any(String) },
    ]);
  });

  it('for remediation: revokes the leaked previous key as soon as the consumer moved, with no grace period', async () => {
    const { arn, saas, key: leaked } = await keySecret('billing-leaked');
    const fingerprint = 'c'.repeat(64);
    const execution = await run(
      { secretId: arn, reason: 'remediation', findingFingerprint: fingerprint, leakedStage: 'AWSCURRENT' },
      'remediation-1',
    );
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.states).not.toContain('WaitForGracePeriod');
    expect(await saas.authenticate(leaked)).toBe(401);
    expect(await saas.authenticate(await currentKey(arn))).toBe(200);
    const chain = [];
    for await (const record of audit.chain('SECRET#billing-leaked')) chain.push(record);
    expect(chain.map((r) => r.type)).toEqual([
      // The first rotation, by Secrets Manager.
      'rotation.step',
      'rotation.step',
      'rotation.step',
      'rotation.step',
      'remediation',
      'rotation.step',
      'rotation.step',
      'rotation.step',
      'rotation.step',
      'rotation.consumers',
      'rotation.revoke',
      'rotation.outcome',
    ]);
    expect(chain[4]!.details).toMatchObject({ action: 'rotation-started', findingFingerprint: fingerprint });
    expect(chain.at(-2)!.details).toMatchObject({ result: 'revoked', trigger: 'remediation' });
    expect(chain.at(-1)!.details).toMatchObject({
      result: 'rotated',
      reason: 'remediation',
      findingFingerprint: fingerprint,
    });
  });

  it('keeps the previous key working when the consumer never moves, and says so', async () => {
    const { arn, saas, key: before } = await keySecret('billing-stuck');
    ecs.neverStabilise('billing-stuck', 'billing');
    const execution = await run(
      { secretId: arn, reason: 'remediation', findingFingerprint: 'd'.repeat(64) },
      'stuck-1',
    );
    expect(execution.status).toBe('FAILED');
    expect(execution.error?.name).toBe('ConsumerRefreshFailed');
    expect(await saas.authenticate(before)).toBe(200);
    expect(await saas.authenticate(await currentKey(arn))).toBe(200);
    expect(await revocations('billing-stuck')).toEqual([]);
    expect(published.at(-1)).toContain('billing-stuck did not roll out');
  });

  it('never printed a key', async () => {
    const printed = local.output();
    expect(printed).toContain('previous credential');
    for (const saas of saasInstances)
      for (const key of saas.allKeysEverIssued()) expect(printed).not.toContain(key);
  });
});
