import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { ACMClient, ImportCertificateCommand } from '@aws-sdk/client-acm';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { startAcmStandIn, type AcmStandIn } from '../../../local/acm';
import { startAcmPcaStandIn, type AcmPcaStandIn } from '../../../local/acm-pca';
import { startSecretsManagerEmulator, type SecretsManagerEmulator } from '../../../local/secrets-manager';
import { captureOutput, lambdaContext } from '../../support/lambda-context';
import { makeCertificate } from './certificates';
import { CREDENTIALS, opensslKit, type OpensslKit } from './fixture';

// The real rotate-certificate function, driven by RotateSecret on the Secrets Manager emulator, with ACM
// Private CA as the issuer and an ACM certificate to re-import into: all three are stand-ins over sockets,
// reached through the SDK's AWS_ENDPOINT_URL_* variables as in a deployed Lambda.
const LAMBDA_ARN = 'arn:aws:lambda:eu-west-1:000000000000:function:rotate-certificate';
const REGION = 'eu-west-1';
const ENDPOINT_VARIABLES = [
  'AWS_ENDPOINT_URL_SECRETS_MANAGER',
  'AWS_ENDPOINT_URL_ACM_PCA',
  'AWS_ENDPOINT_URL_ACM',
];

let emulator: SecretsManagerEmulator;
let pca: AcmPcaStandIn;
let acm: AcmStandIn;
let sm: SecretsManagerClient;
let acmClient: ACMClient;
let openssl: OpensslKit;
let output = '';
const errors: unknown[] = [];

beforeAll(async () => {
  emulator = await startSecretsManagerEmulator({ region: REGION });
  // A short issuance delay: the function's first GetCertificate meets RequestInProgressException.
  pca = await startAcmPcaStandIn({ region: REGION, issueDelayMs: 200 });
  acm = await startAcmStandIn({ region: REGION });
  sm = new SecretsManagerClient({ endpoint: emulator.endpoint, region: REGION, credentials: CREDENTIALS });
  acmClient = new ACMClient({ endpoint: acm.endpoint, region: REGION, credentials: CREDENTIALS });
  openssl = await opensslKit();
  Object.assign(process.env, {
    AWS_REGION: REGION,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: emulator.endpoint,
    AWS_ENDPOINT_URL_ACM_PCA: pca.endpoint,
    AWS_ENDPOINT_URL_ACM: acm.endpoint,
  });
  const { handler } = require('../../../functions/rotate-certificate/handler');
  emulator.registerRotationHandler(LAMBDA_ARN, async (event) => {
    const run = await captureOutput(() => handler(event, lambdaContext('rotate-certificate')));
    output += run.output;
    if (run.error) {
      errors.push(run.error);
      throw run.error;
    }
  });
});

afterAll(async () => {
  for (const name of ENDPOINT_VARIABLES) delete process.env[name];
  sm?.destroy();
  acmClient?.destroy();
  await emulator?.close();
  await pca?.close();
  await acm?.close();
  await openssl?.close();
});

/** An ACM certificate the load balancers would use: first imported by hand, EC P-256 like Rotor's leaves. */
async function acmCertificate(): Promise<string> {
  const first = await makeCertificate({ commonName: 'orders.internal' });
  const out = await acmClient.send(
    new ImportCertificateCommand({
      Certificate: new TextEncoder().encode(first.certificatePem),
      PrivateKey: new TextEncoder().encode(first.privateKeyPem),
    }),
  );
  return out.CertificateArn!;
}

async function certificateSecret(
  name: string,
  acmCertificateArn: string,
  profile: Record<string, unknown> = { validityDays: 30, backdateMinutes: 60 },
): Promise<string> {
  const out = await sm.send(
    new CreateSecretCommand({
      Name: name,
      SecretString: JSON.stringify({
        subject: 'CN=orders.internal',
        subjectAltNames: ['DNS:orders.internal', 'IP:127.0.0.1'],
        issuer: pca.certificateAuthorityArn,
        // ACM PCA sets notBefore an hour back; the profile must allow it (see the report).
        profile,
        acmCertificateArn,
      }),
      Tags: [{ Key: 'rotor:kind', Value: 'certificate' }],
    }),
  );
  return out.ARN!;
}

async function rotate(secretId: string, token = randomUUID()) {
  await sm.send(
    new RotateSecretCommand({
      SecretId: secretId,
      RotationLambdaARN: LAMBDA_ARN,
      RotationRules: { AutomaticallyAfterDays: 10 },
      ClientRequestToken: token,
    }),
  );
  return emulator.rotations.waitFor(token);
}

async function value(secretId: string, stage = 'AWSCURRENT') {
  return (await sm.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage })))
    .SecretString!;
}

describe('RotateSecret through rotate-certificate with ACM Private CA and an ACM re-import', () => {
  it('issues from ACM PCA, re-imports under the same ACM ARN, and renews again', async () => {
    const certificateArn = await acmCertificate();
    const arn = await certificateSecret('app/orders-tls', certificateArn);

    const first = await rotate(arn);
    expect({ status: first.status, error: (first.error as Error | undefined)?.name }).toEqual({
      status: 'succeeded',
      error: undefined,
    });
    const issued = JSON.parse(await value(arn));
    expect(issued.issuer).toBe(pca.certificateAuthorityArn);
    expect(issued.chain).toBe(pca.caCertificatePem.trim());
    expect(await openssl.verify(issued.certificate, pca.caCertificatePem)).toMatch(/: OK/);
    expect(acm.certificate(certificateArn)).toMatchObject({ imports: 2, serialNumber: issued.serialNumber });
    expect(acm.certificate(certificateArn)!.certificatePem.trim()).toBe(issued.certificate.trim());

    const second = await rotate(arn);
    expect(second.status).toBe('succeeded');
    const renewed = JSON.parse(await value(arn));
    expect(renewed.serialNumber).not.toBe(issued.serialNumber);
    expect(JSON.parse(await value(arn, 'AWSPREVIOUS')).serialNumber).toBe(issued.serialNumber);
    expect(acm.certificate(certificateArn)).toMatchObject({ imports: 3, serialNumber: renewed.serialNumber });
  });

  it('fails createSecret when ACM PCA denies IssueCertificate, leaving AWSCURRENT and ACM untouched', async () => {
    const certificateArn = await acmCertificate();
    const arn = await certificateSecret('app/orders-denied-pca', certificateArn);
    const before = await value(arn);
    const lift = pca.deny('IssueCertificate');
    try {
      const run = await rotate(arn);
      expect({ status: run.status, step: run.failedStep, error: (run.error as Error).name }).toEqual({
        status: 'failed',
        step: 'createSecret',
        error: 'CertificateIssuerRefusedError',
      });
    } finally {
      lift();
    }
    expect(await value(arn)).toBe(before);
    expect(acm.certificate(certificateArn)!.imports).toBe(1);
  });

  it('fails setSecret when ACM denies ImportCertificate, leaving AWSCURRENT and the ACM certificate as they were', async () => {
    const certificateArn = await acmCertificate();
    const arn = await certificateSecret('app/orders-denied-acm', certificateArn);
    expect((await rotate(arn)).status).toBe('succeeded');
    const before = await value(arn);
    const serial = acm.certificate(certificateArn)!.serialNumber;
    const lift = acm.deny('ImportCertificate');
    try {
      const run = await rotate(arn);
      expect({ status: run.status, step: run.failedStep, error: (run.error as Error).name }).toEqual({
        status: 'failed',
        step: 'setSecret',
        error: 'CertificateIssuerRefusedError',
      });
    } finally {
      lift();
    }
    expect(await value(arn)).toBe(before);
    expect(acm.certificate(certificateArn)!.serialNumber).toBe(serial);
  });

  // ACM PCA backdates notBefore 60 minutes unless asked; the issuer asks for the profile's backdate.
  it('renews under the default profile', async () => {
    const arn = await certificateSecret('app/orders-default-profile', await acmCertificate(), {
      validityDays: 30,
    });
    const run = await rotate(arn);
    expect({
      status: run.status,
      step: run.failedStep,
      error: (run.error as Error | undefined)?.name,
    }).toEqual({
      status: 'succeeded',
      step: undefined,
      error: undefined,
    });
  });

  // A retried createSecret makes a new key and CSR: the issuer sends a new idempotency token with it, or ACM
  // PCA would answer with the first CSR's certificate.
  it('completes when createSecret is retried after the pending version could not be stored', async () => {
    const certificateArn = await acmCertificate();
    const arn = await certificateSecret('app/orders-retried', certificateArn);
    const token = randomUUID();
    emulator.faults.add({
      operations: ['PutSecretValue'],
      times: 1,
      error: { code: 'AccessDeniedException', message: 'injected' },
    });
    const crashed = await rotate(arn, token);
    expect({ status: crashed.status, step: crashed.failedStep }).toEqual({
      status: 'failed',
      step: 'createSecret',
    });
    const retried = await rotate(arn, token);
    expect({
      status: retried.status,
      step: retried.failedStep,
      error: (retried.error as Error | undefined)?.name,
    }).toEqual({
      status: 'succeeded',
      step: undefined,
      error: undefined,
    });
  });

  it('logged and raised nothing that contains a private key', async () => {
    const keys: string[] = [];
    for (const name of ['app/orders-tls', 'app/orders-denied-acm']) {
      for (const stage of ['AWSCURRENT', 'AWSPENDING', 'AWSPREVIOUS']) {
        const secret = await sm
          .send(new GetSecretValueCommand({ SecretId: name, VersionStage: stage }))
          .catch(() => undefined);
        const key = secret?.SecretString ? JSON.parse(secret.SecretString).privateKey : undefined;
        if (key) keys.push(key);
      }
    }
    expect(keys.length).toBeGreaterThanOrEqual(3);
    expect(output).toContain('re-imported the certificate into ACM');
    const text = `${output}\n${errors.map((error) => inspect(error, { depth: 8 })).join('\n')}`;
    for (const key of keys) {
      for (const line of key.split('\n').slice(1, -2)) expect(text).not.toContain(line);
    }
  });
});
