import { inspect } from 'node:util';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { httpApiKeyProvider, parseHttpProviderConfig } from '../../../adapters/http-api-key-provider';
import { secretsManagerStore } from '../../../adapters/secrets-store';
import { revokePreviousKey } from '../../../core/rotation/api-key/revoke-previous-key';
import type { ApiKeyProviderRegistry } from '../../../core/rotation/api-key/registry';
import { startSecretsManagerEmulator, type SecretsManagerEmulator } from '../../../local/secrets-manager';
import {
  fakeSaasProviderConfig,
  startFakeSaas,
  type FakeSaas,
  type SaasFault,
} from '../../support/fake-saas';
import { captureOutput, lambdaContext } from '../../support/lambda-context';

// Secrets Manager (the emulator) drives the real rotate-api-key function through RotateSecret against a
// fake SaaS that enforces its keys: the admin credential and the provider configuration live in their own
// secrets, as in production. Crashes and provider faults are injected around and inside each step.
const LAMBDA_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:rotate-api-key';
const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
type Step = (typeof STEPS)[number];

let emulator: SecretsManagerEmulator;
let sm: SecretsManagerClient;
/** The SaaS of the test under way; each test gets its own, since the fake's key list is not per owner. */
let saas: FakeSaas;
const allSaas: FakeSaas[] = [];
let output = '';
let invoke: (event: { SecretId: string; ClientRequestToken: string; Step: Step }) => Promise<void>;
const errors: unknown[] = [];
/** What the next invocation of a step does besides running the handler. */
const hooks = new Map<Step, { crash?: 'before' | 'after'; before?: () => void }>();

beforeAll(async () => {
  emulator = await startSecretsManagerEmulator({ region: 'us-east-1' });
  sm = new SecretsManagerClient({
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: emulator.endpoint,
  });
  delete process.env.AUDIT_TABLE_NAME;
  const { handler } = require('../../../functions/rotate-api-key/handler');
  invoke = async (event) => {
    const run = await captureOutput(() => handler(event, lambdaContext('rotate-api-key')));
    output += run.output;
    if (run.error) {
      errors.push(run.error);
      throw run.error;
    }
  };
  emulator.registerRotationHandler(LAMBDA_ARN, async (event) => {
    const hook = hooks.get(event.Step);
    hooks.delete(event.Step);
    hook?.before?.();
    if (hook?.crash === 'before') throw new Error(`crash before ${event.Step}`);
    await invoke(event);
    if (hook?.crash === 'after') throw new Error(`crash after ${event.Step}`);
  });
});

afterAll(async () => {
  await emulator?.close();
  await Promise.all(allSaas.map((instance) => instance.close()));
  delete process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
});

afterEach(() => {
  hooks.clear();
  saas?.behave();
});

/** A fresh SaaS with its admin and configuration secrets, and an API key secret whose key it issued. */
async function createKeySecret(name: string): Promise<string> {
  saas = await startFakeSaas({ keyLimit: 2 });
  allSaas.push(saas);
  const adminArn = (
    await sm.send(new CreateSecretCommand({ Name: `${name}-admin`, SecretString: saas.adminToken }))
  ).ARN!;
  const configArn = (
    await sm.send(
      new CreateSecretCommand({
        Name: `${name}-config`,
        SecretString: JSON.stringify(fakeSaasProviderConfig(saas.url, 2)),
      }),
    )
  ).ARN!;
  const seeded = saas.seedKey(name);
  const value = {
    provider: 'fake-saas',
    keyId: seeded.id,
    apiKey: seeded.key,
    name,
    adminArn,
    providerConfigArn: configArn,
  };
  const out = await sm.send(
    new CreateSecretCommand({
      Name: name,
      SecretString: JSON.stringify(value),
      Tags: [{ Key: 'rotor:kind', Value: 'api-key' }],
    }),
  );
  return out.ARN!;
}

async function rotate(secretId: string, token?: string) {
  const out = await sm.send(
    new RotateSecretCommand({
      SecretId: secretId,
      RotationLambdaARN: LAMBDA_ARN,
      RotationRules: { AutomaticallyAfterDays: 30 },
      ...(token === undefined ? {} : { ClientRequestToken: token }),
    }),
  );
  const run = await emulator.rotations.waitFor(out.VersionId!);
  return { token: out.VersionId!, run, errorName: (run.error as Error | undefined)?.name };
}

async function keyAt(secretId: string, stage = 'AWSCURRENT') {
  const out = await sm.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage }));
  return {
    versionId: out.VersionId!,
    ...(JSON.parse(out.SecretString!) as { keyId: string; apiKey: string }),
  };
}

const registry: () => ApiKeyProviderRegistry = () => ({
  http: (config, adminCredential) => httpApiKeyProvider(parseHttpProviderConfig(config), { adminCredential }),
});

describe('rotate-api-key through RotateSecret against a SaaS that enforces keys', () => {
  it('rotates: the new key works, the previous key works until revoked, then gets 401', async () => {
    const secretId = await createKeySecret('orders-api-key');
    const before = await keyAt(secretId);
    const { token, run } = await rotate(secretId);
    expect(run.status).toBe('succeeded');
    const current = await keyAt(secretId);
    expect(current.versionId).toBe(token);
    expect(current.keyId).not.toBe(before.keyId);
    expect(await saas.authenticate(current.apiKey)).toBe(200);
    expect(await saas.authenticate(before.apiKey)).toBe(200);
    expect((await keyAt(secretId, 'AWSPREVIOUS')).keyId).toBe(before.keyId);

    const deps = { store: secretsManagerStore(sm), providers: registry() };
    const waiting = await revokePreviousKey(secretId, deps, {
      trigger: 'consumers-moved',
      gracePeriodMs: 60_000,
    });
    expect(waiting).toMatchObject({ outcome: 'deferred', reason: 'consumers-not-moved' });
    expect(await saas.authenticate(before.apiKey)).toBe(200);
    const revoked = await revokePreviousKey(secretId, deps, {
      trigger: 'consumers-moved',
      consumersMovedAt: new Date(Date.now() - 120_000),
      gracePeriodMs: 60_000,
    });
    expect(revoked).toEqual({ outcome: 'deleted', previousKeyId: before.keyId });
    expect(await saas.authenticate(before.apiKey)).toBe(401);
    expect(await saas.authenticate(current.apiKey)).toBe(200);
  });

  describe.each(STEPS)('a crash at %s', (step) => {
    it.each(['before', 'after'] as const)(
      'fails the run when it crashes %s the step; the same token completes and AWSCURRENT keeps working',
      async (when) => {
        const secretId = await createKeySecret(`crash-${step}-${when}`.toLowerCase());
        const before = await keyAt(secretId);
        hooks.set(step, { crash: when });
        const first = await rotate(secretId);
        expect({ status: first.run.status, failedStep: first.run.failedStep }).toEqual({
          status: 'failed',
          failedStep: step,
        });
        if (step !== 'finishSecret' || when === 'before') {
          expect((await keyAt(secretId)).keyId).toBe(before.keyId);
        }
        expect(await saas.authenticate(before.apiKey)).toBe(200);

        if (step === 'finishSecret' && when === 'after') {
          // The token is AWSCURRENT now, so RotateSecret refuses it; Secrets Manager's own retry of the
          // step reaches the function directly, which finds the work done.
          await invoke({ SecretId: secretId, ClientRequestToken: first.token, Step: 'finishSecret' });
        } else {
          const retried = await rotate(secretId, first.token);
          expect(retried.run.status).toBe('succeeded');
        }
        const current = await keyAt(secretId);
        expect(current.versionId).toBe(first.token);
        expect(await saas.authenticate(current.apiKey)).toBe(200);
        expect(await saas.authenticate(before.apiKey)).toBe(200);
        // One new key for the rotation, however many times its steps ran.
        expect(saas.keys().filter((key) => key.name === `crash-${step}-${when}`.toLowerCase())).toHaveLength(
          2,
        );
      },
    );
  });

  const faults: [Step, SaasFault, string][] = [
    ['createSecret', { route: 'create', kind: 'status', status: 503 }, 'KeyProviderUnavailableError'],
    ['createSecret', { route: 'create', kind: 'malformed-json' }, 'KeyProviderRefusedError'],
    [
      'createSecret',
      { route: 'list', kind: 'rate-limit', retryAfterSeconds: 600, times: 5 },
      'KeyProviderUnavailableError',
    ],
    ['setSecret', { route: 'list', kind: 'status', status: 500, times: 5 }, 'KeyProviderUnavailableError'],
    ['setSecret', { route: 'list', kind: 'missing-field' }, 'KeyProviderRefusedError'],
    ['testSecret', { route: 'test', kind: 'status', status: 502, times: 10 }, 'KeyProviderUnavailableError'],
    ['testSecret', { route: 'test', kind: 'redirect', times: 10 }, 'KeyProviderRefusedError'],
  ];
  it.each(faults)(
    'fails %s when the provider answers %j (%s); AWSCURRENT keeps working and the same token completes',
    async (step, fault, errorName) => {
      const secretId = await createKeySecret(`fault-${step}-${fault.route}-${fault.kind}`.toLowerCase());
      const before = await keyAt(secretId);
      hooks.set(step, { before: () => saas.misbehave(fault) });
      const first = await rotate(secretId);
      expect({ status: first.run.status, failedStep: first.run.failedStep, error: first.errorName }).toEqual({
        status: 'failed',
        failedStep: step,
        error: errorName,
      });
      expect((await keyAt(secretId)).keyId).toBe(before.keyId);
      expect(await saas.authenticate(before.apiKey)).toBe(200);

      saas.behave();
      // A create whose answer was unreadable leaves a key Rotor cannot tell from someone else's: it is not
      // deleted; the retry stops at the limit naming it, and goes through once an operator deletes it.
      // (After createSecret the other key is the pending one, which the secret knows: not an orphan.)
      const orphans = step === 'createSecret' ? saas.keys().filter((key) => key.id !== before.keyId) : [];
      let retried = await rotate(secretId, first.token);
      if (orphans.length > 0) {
        expect(retried.run.status).toBe('failed');
        expect((retried.run.error as Error).message).toContain(`${orphans[0].id} is not a key Rotor issued`);
        expect(await saas.authenticate(before.apiKey)).toBe(200);
        for (const orphan of orphans) {
          await fetch(`${saas.url}/v1/admin/keys/${encodeURIComponent(orphan.id)}`, {
            method: 'DELETE',
            headers: { Authorization: `Bearer ${saas.adminToken}` },
          });
        }
        retried = await rotate(secretId, first.token);
      }
      expect(retried.run.status).toBe('succeeded');
      const current = await keyAt(secretId);
      expect(await saas.authenticate(current.apiKey)).toBe(200);
      expect(await saas.authenticate(before.apiKey)).toBe(200);
      expect(
        saas
          .keys()
          .map((key) => key.id)
          .sort(),
      ).toEqual([before.keyId, current.keyId].sort());
    },
  );

  it('never writes a key, old or new, nor the admin credential, into logs or errors', async () => {
    const secretId = await createKeySecret('leak-check');
    hooks.set('testSecret', {
      before: () => saas.misbehave({ route: 'test', kind: 'status', status: 500, times: 10 }),
    });
    const first = await rotate(secretId);
    saas.behave();
    await rotate(secretId, first.token);
    await rotate(secretId);
    const secrets = allSaas.flatMap((instance) => [...instance.allKeysEverIssued(), instance.adminToken]);
    const runErrors = emulator.rotations
      .all()
      .map((run) => run.error)
      .filter((e) => e !== undefined);
    const text = [
      output,
      ...[...errors, ...runErrors].map((e) => `${String(e)}\n${inspect(e, { depth: 8 })}`),
    ].join('\n');
    expect(runErrors.length).toBeGreaterThan(0);
    expect(output).toContain('rotation step done');
    expect(secrets.length).toBeGreaterThan(3);
    for (const secret of secrets) expect(text).not.toContain(secret);
  });
});
