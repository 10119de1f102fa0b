import {
  CreateSecretCommand,
  GetSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { listAllManagedSecrets } from '../../../adapters/secrets-listing';
import { createRootCaCertificate } from '../../../core/rotation/certificate/authority';
import { buildCaRecord, createCaRecord } from '../../../core/rotation/certificate/ca-record';
import { planSweep } from '../../../core/workflow/sweep';
import { startSecretsManagerEmulator, type SecretsManagerEmulator } from '../../../local/secrets-manager';
import { captureOutput, lambdaContext } from '../../support/lambda-context';
import { startKmsCaFixture, type KmsCaFixture } from '../certificate/kms-ca-fixture';

// Renewal by expiry, end to end on the wire: the real rotate-certificate function (CA key in the KMS
// stand-in) tags the secret with the new certificate's validity after finishSecret, and the sweep's listing
// (ListSecrets against the emulator) decides from those tags alone when it is due.
const LAMBDA_ARN = 'arn:aws:lambda:eu-west-1:000000000000:function:rotate-certificate';
const DAY = 86_400_000;

let fx: KmsCaFixture;
let emulator: SecretsManagerEmulator;
let sm: SecretsManagerClient;
let output = '';

beforeAll(async () => {
  fx = await startKmsCaFixture();
  emulator = await startSecretsManagerEmulator({ region: 'eu-west-1' });
  sm = new SecretsManagerClient({
    endpoint: emulator.endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  Object.assign(process.env, {
    AWS_REGION: 'eu-west-1',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: emulator.endpoint,
    AWS_ENDPOINT_URL_KMS: fx.kms.endpoint,
  });
  delete process.env.AUDIT_TABLE_NAME;
  const key = await fx.signingKey('ECC_NIST_P256', 'ECDSA_SHA_256');
  const certificate = await createRootCaCertificate(key.signer, {
    subject: 'CN=Sweep Test CA',
    now: new Date(Date.now() - DAY),
    validityDays: 365,
  });
  const record = createCaRecord({ certificate, keyId: key.keyId, signingAlgorithm: key.signer.algorithm });
  await sm.send(new CreateSecretCommand({ Name: 'rotor/ca/sweep', SecretString: buildCaRecord(record) }));
  const { handler } = require('../../../functions/rotate-certificate/handler');
  emulator.registerRotationHandler(LAMBDA_ARN, async (event) => {
    const run = await captureOutput(() => handler(event, lambdaContext('rotate-certificate')));
    output += run.output;
    if (run.error) throw run.error;
  });
});

afterAll(async () => {
  await emulator?.rotations.settled();
  await emulator?.close();
  await fx?.close();
  for (const name of ['AWS_ENDPOINT_URL_SECRETS_MANAGER', 'AWS_ENDPOINT_URL_KMS']) delete process.env[name];
});

async function rotateNow(secretId: string): Promise<{ notBefore: string; notAfter: string }> {
  const { VersionId } = await sm.send(
    new RotateSecretCommand({ SecretId: secretId, RotationLambdaARN: LAMBDA_ARN }),
  );
  const run = await emulator.rotations.waitFor(VersionId!);
  expect(run.status).toBe('succeeded');
  return JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString!);
}

describe('certificate renewal by expiry', () => {
  it('tags each new certificate’s validity after finishSecret, and the sweep renews by it', async () => {
    await sm.send(
      new CreateSecretCommand({
        Name: 'tls/payments',
        SecretString: JSON.stringify({
          subject: 'CN=payments.internal',
          subjectAltNames: ['DNS:payments.internal'],
          issuer: 'rotor/ca/sweep',
          profile: { validityDays: 30 },
        }),
        Tags: [{ Key: 'rotor:kind', Value: 'certificate' }],
      }),
    );
    // Attached to its function (no rotation yet), before any certificate: no validity tags, so due at once.
    await sm.send(
      new RotateSecretCommand({
        SecretId: 'tls/payments',
        RotationLambdaARN: LAMBDA_ARN,
        RotateImmediately: false,
      }),
    );
    await emulator.rotations.settled();
    const first = planSweep(await listAllManagedSecrets(sm), new Date());
    expect(first.due).toHaveLength(1);

    const issued = await rotateNow('tls/payments');
    const [listed] = await listAllManagedSecrets(sm);
    expect(listed.tags).toMatchObject({
      'rotor:not-before': new Date(issued.notBefore).toISOString(),
      'rotor:not-after': new Date(issued.notAfter).toISOString(),
    });
    expect(planSweep([listed], new Date()).skipped[0]).toMatchObject({ why: 'not-due' });
    const inRenewalWindow = new Date(Date.parse(issued.notBefore) + 21 * DAY);
    expect(planSweep([listed], inRenewalWindow).due).toEqual([{ secretId: listed.arn, reason: 'schedule' }]);

    const renewed = await rotateNow('tls/payments');
    const [relisted] = await listAllManagedSecrets(sm);
    expect(Date.parse(relisted.tags['rotor:not-after'])).toBe(Date.parse(renewed.notAfter));
    expect(Date.parse(renewed.notAfter)).toBeGreaterThanOrEqual(Date.parse(issued.notAfter));
  });

  it('logged no private key', () => {
    expect(output).toContain('rotation step done');
    expect(output).not.toMatch(/PRIVATE KEY/);
  });
});
