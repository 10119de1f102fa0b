import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  createIntermediateCsr,
  createRootCaCertificate,
  loadCertificateAuthority,
  signIntermediateCsr,
} from '../../../core/rotation/certificate/authority';
import { buildCaRecord, createCaRecord } from '../../../core/rotation/certificate/ca-record';
import { issueCertificate } from '../../../core/rotation/certificate/issue';
import { serializeCertificateRotationSecret } from '../../../core/rotation/certificate/rotation-secret';
import type { Signer } from '../../../core/rotation/certificate/signer';
import { startSecretsManagerEmulator, type SecretsManagerEmulator } from '../../../local/secrets-manager';
import { captureOutput, lambdaContext } from '../../support/lambda-context';
import { startKmsCaFixture, type KmsCaFixture } from './kms-ca-fixture';

// Secrets Manager (the emulator) drives the real rotate-certificate function through RotateSecret; the CA key
// lives in the KMS stand-in and the CA record in the emulator. OpenSSL checks each new certificate.
const LAMBDA_ARN = 'arn:aws:lambda:eu-west-1:000000000000:function:rotate-certificate';
const DAY = 86_400_000;
const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;

let fx: KmsCaFixture;
let emulator: SecretsManagerEmulator;
let sm: SecretsManagerClient;
let caKeyId: string;
let caSigner: Signer;
let caRecordName: string;
let caPem: string;
let output = '';
const errors: unknown[] = [];
/**
 * Makes the function "crash" once at a step, as a dying Lambda would: before it does the step's work, or
 * after it did the work but before it answered.
 */
let crash: { step: string; when: 'before' | 'after' } | undefined;

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
  const key = await fx.signingKey('ECC_NIST_P256', 'ECDSA_SHA_256');
  caKeyId = key.keyId;
  caSigner = key.signer;
  caRecordName = await storeCaRecord('rotor/ca/good', caKeyId, caSigner, new Date(Date.now() - DAY), 365);
  caPem = JSON.parse(await valueOf(caRecordName)).certificate;
  const { handler } = require('../../../functions/rotate-certificate/handler');
  emulator.registerRotationHandler(LAMBDA_ARN, async (event) => {
    const crashing = crash?.step === event.Step ? crash : undefined;
    if (crashing) crash = undefined;
    if (crashing?.when === 'before') throw new Error(`the function crashed before ${event.Step}`);
    const run = await captureOutput(() => handler(event, lambdaContext('rotate-certificate')));
    output += run.output;
    if (run.error) {
      errors.push(run.error);
      throw run.error;
    }
    if (crashing) throw new Error(`the function crashed after ${event.Step}`);
  });
});

afterAll(async () => {
  await emulator?.close();
  await fx?.close();
  for (const key of ['AWS_ENDPOINT_URL_SECRETS_MANAGER', 'AWS_ENDPOINT_URL_KMS']) delete process.env[key];
});

async function storeCaRecord(
  name: string,
  keyId: string,
  signer: Signer,
  now: Date,
  validityDays: number,
): Promise<string> {
  const certificate = await createRootCaCertificate(signer, { subject: `CN=${name}`, now, validityDays });
  const record = createCaRecord({ certificate, keyId, signingAlgorithm: signer.algorithm });
  await sm.send(new CreateSecretCommand({ Name: name, SecretString: buildCaRecord(record) }));
  return name;
}

async function valueOf(secretId: string, stage = 'AWSCURRENT') {
  const out = await sm.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage }));
  return out.SecretString!;
}

async function createCertificateSecret(name: string, value: string): Promise<string> {
  const out = await sm.send(
    new CreateSecretCommand({
      Name: name,
      SecretString: value,
      Tags: [{ Key: 'rotor:kind', Value: 'certificate' }],
    }),
  );
  return out.ARN!;
}

const request = (issuer: string) =>
  JSON.stringify({
    subject: 'CN=payments.internal',
    subjectAltNames: ['DNS:payments.internal', 'IP:127.0.0.1'],
    issuer,
    profile: { validityDays: 30 },
  });

/** A secret already holding a certificate from the good CA, whose issuer field points at `issuer`. */
async function issuedSecret(name: string, issuer: string): Promise<string> {
  const ca = await loadCertificateAuthority(caSigner, caPem);
  const issued = await issueCertificate(
    ca,
    { commonName: 'payments.internal', dnsNames: ['payments.internal'] },
    { now: new Date(), profile: { validityDays: 30 } },
  );
  return createCertificateSecret(
    name,
    serializeCertificateRotationSecret({
      subject: 'CN=payments.internal',
      subjectAltNames: ['DNS:payments.internal'],
      issuer,
      profile: { validityDays: 30 },
      issued,
    }).reveal(),
  );
}

async function rotateSecret(secretId: string, token = randomUUID()) {
  await sm.send(
    new RotateSecretCommand({
      SecretId: secretId,
      RotationLambdaARN: LAMBDA_ARN,
      RotationRules: { AutomaticallyAfterDays: 10 },
      ClientRequestToken: token,
    }),
  );
  return { token, run: await emulator.rotations.waitFor(token) };
}

async function opensslVerify(leafPem: string, rootPem = caPem, untrustedPem?: string): Promise<string> {
  const ca = await fx.write(`ca-${randomUUID()}.pem`, rootPem);
  const leaf = await fx.write(`leaf-${randomUUID()}.pem`, leafPem);
  const untrusted = untrustedPem
    ? ['-untrusted', await fx.write(`chain-${randomUUID()}.pem`, untrustedPem)]
    : [];
  return (await fx.openssl('verify', '-CAfile', ca, ...untrusted, '-purpose', 'sslserver', leaf)).stdout;
}

async function stages(secretId: string) {
  return (await sm.send(new DescribeSecretCommand({ SecretId: secretId }))).VersionIdsToStages!;
}

describe('RotateSecret through the rotate-certificate function', () => {
  it('issues the first certificate of a request-only secret, and renews it: OpenSSL verifies each', async () => {
    const arn = await createCertificateSecret('app/payments-tls', request(caRecordName));
    const first = await rotateSecret(arn);
    expect(first.run.status).toBe('succeeded');
    const issued = JSON.parse(await valueOf(arn));
    expect(issued.subjectAltNames).toEqual(['DNS:payments.internal', 'IP:127.0.0.1']);
    expect(await opensslVerify(issued.certificate)).toMatch(/: OK/);

    const second = await rotateSecret(arn);
    expect(second.run.status).toBe('succeeded');
    const renewed = JSON.parse(await valueOf(arn));
    expect(renewed.serialNumber).not.toBe(issued.serialNumber);
    expect(JSON.parse(await valueOf(arn, 'AWSPREVIOUS')).serialNumber).toBe(issued.serialNumber);
    expect(await opensslVerify(renewed.certificate)).toMatch(/: OK/);
    expect((await stages(arn))[second.token]).toContain('AWSCURRENT');
  });

  it('renews from an intermediate CA whose key is in KMS: the chain leads to the root', async () => {
    const intermediateKey = await fx.signingKey('ECC_NIST_P384', 'ECDSA_SHA_384');
    const rootKey = await fx.signingKey('ECC_NIST_P256', 'ECDSA_SHA_256');
    const rootCert = await createRootCaCertificate(rootKey.signer, {
      subject: 'CN=Rotor E2E Root',
      now: new Date(Date.now() - DAY),
      validityDays: 365,
      pathLength: 1,
    });
    const root = await loadCertificateAuthority(rootKey.signer, rootCert.toString('pem'));
    const csr = await createIntermediateCsr(intermediateKey.signer, { subject: 'CN=Rotor E2E Intermediate' });
    const intermediate = await signIntermediateCsr(root, csr, {
      now: new Date(Date.now() - 3_600_000),
      validityDays: 90,
    });
    const record = createCaRecord({
      certificate: intermediate,
      parents: [rootCert],
      keyId: intermediateKey.keyId,
      signingAlgorithm: 'ECDSA_SHA_384',
    });
    await sm.send(
      new CreateSecretCommand({ Name: 'rotor/ca/intermediate', SecretString: buildCaRecord(record) }),
    );
    const arn = await createCertificateSecret('app/intermediate-tls', request('rotor/ca/intermediate'));
    expect((await rotateSecret(arn)).run.status).toBe('succeeded');
    const issued = JSON.parse(await valueOf(arn));
    expect(issued.chain).toContain(record.certificate.trim());
    expect(await opensslVerify(issued.certificate, rootCert.toString('pem'), issued.chain)).toMatch(/: OK/);
  });

  const crashes = STEPS.flatMap((step) => (['before', 'after'] as const).map((when) => ({ step, when })));
  it.each(crashes)(
    'completes when the function crashes $when $step and RotateSecret is retried',
    async ({ step, when }) => {
      const arn = await issuedSecret(`app/crash-${when}-${step}`, caRecordName);
      const before = JSON.parse(await valueOf(arn)).serialNumber;
      crash = { step, when };
      const token = randomUUID();
      const crashed = await rotateSecret(arn, token);
      expect({ status: crashed.run.status, failedStep: crashed.run.failedStep }).toEqual({
        status: 'failed',
        failedStep: step,
      });
      if (step === 'finishSecret' && when === 'after') {
        // The work was done: the version is AWSCURRENT, and Secrets Manager refuses its token again.
        expect((await stages(arn))[token]).toEqual(['AWSCURRENT']);
        expect((await rotateSecret(arn)).run.status).toBe('succeeded');
        return;
      }
      const created = step !== 'createSecret' || when === 'after';
      const pendingSerial = created ? JSON.parse(await valueOf(arn, 'AWSPENDING')).serialNumber : undefined;
      expect(JSON.parse(await valueOf(arn)).serialNumber).toBe(before);

      const retried = await rotateSecret(arn, token);
      expect(retried.run.status).toBe('succeeded');
      const after = JSON.parse(await valueOf(arn));
      expect(after.serialNumber).not.toBe(before);
      // createSecret ran once in effect: the retry kept the certificate issued before the crash.
      if (pendingSerial !== undefined) expect(after.serialNumber).toBe(pendingSerial);
      expect((await stages(arn))[token]).toEqual(['AWSCURRENT']);
      expect(await opensslVerify(after.certificate)).toMatch(/: OK/);
    },
  );

  describe('bad input leaves AWSCURRENT untouched', () => {
    async function expectRefused(arn: string, errorName: string) {
      const before = await valueOf(arn);
      const { run } = await rotateSecret(arn);
      expect({ status: run.status, failedStep: run.failedStep, error: (run.error as Error)?.name }).toEqual({
        status: 'failed',
        failedStep: 'createSecret',
        error: errorName,
      });
      expect(await valueOf(arn)).toBe(before);
    }

    it('an expired CA', async () => {
      const expired = await storeCaRecord(
        'rotor/ca/expired',
        caKeyId,
        caSigner,
        new Date(Date.now() - 40 * DAY),
        30,
      );
      await expectRefused(await issuedSecret('app/expired-ca', expired), 'InvalidSecretError');
      expect(String(errors.at(-1))).toMatch(/expired/);
    });

    it('a CA certificate that does not match the KMS key', async () => {
      const other = await fx.signingKey('ECC_NIST_P256', 'ECDSA_SHA_256');
      // The record names the good key but holds a certificate for another key.
      const certificate = await createRootCaCertificate(other.signer, {
        subject: 'CN=Mismatch',
        now: new Date(),
        validityDays: 30,
      });
      const record = createCaRecord({ certificate, keyId: caKeyId, signingAlgorithm: 'ECDSA_SHA_256' });
      await sm.send(
        new CreateSecretCommand({ Name: 'rotor/ca/mismatch', SecretString: buildCaRecord(record) }),
      );
      await expectRefused(await issuedSecret('app/mismatch-ca', 'rotor/ca/mismatch'), 'InvalidSecretError');
      expect((errors.at(-1) as { where: { check: string } }).where.check).toBe('ca-key-mismatch');
    });

    it('KMS denying Sign', async () => {
      const denied = await fx.signingKey('ECC_NIST_P256', 'ECDSA_SHA_256');
      const name = await storeCaRecord(
        'rotor/ca/denied',
        denied.keyId,
        denied.signer,
        new Date(Date.now() - DAY),
        30,
      );
      const lift = fx.kms.deny('Sign', denied.keyId);
      try {
        await expectRefused(await issuedSecret('app/denied', name), 'CertificateIssuerRefusedError');
      } finally {
        lift();
      }
      expect(String(errors.at(-1))).toContain('AccessDeniedException');
    });
  });

  it('logged every step and raised errors without any private key', async () => {
    const keys: string[] = [];
    for (const name of ['app/payments-tls', 'app/crash-after-createSecret']) {
      for (const stage of ['AWSCURRENT', 'AWSPREVIOUS'])
        keys.push(JSON.parse(await valueOf(name, stage)).privateKey);
    }
    const text = `${output}\n${errors.map((e) => inspect(e, { depth: 8 })).join('\n')}`;
    expect(output).toContain('rotation step done');
    for (const key of keys) expect(text).not.toContain(key.split('\n')[1]);
  });
});
