import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { CertificateReport } from '../../../cli/commands/cert';
import { loadCertificateAuthority, signIntermediateCsr } from '../../../core/rotation/certificate/authority';
import { parseCaRecord } from '../../../core/rotation/certificate/ca-record';
import { issueCertificate } from '../../../core/rotation/certificate/issue';
import { serializeCertificateRotationSecret } from '../../../core/rotation/certificate/rotation-secret';
import { startSecretsManagerEmulator, type SecretsManagerEmulator } from '../../../local/secrets-manager';
import { startKmsCaFixture, type KmsCaFixture } from './kms-ca-fixture';
import { runCommand } from './run-command';

// The command modules run as the CLI runs them (cli/main.ts does not register them yet: see run-command.ts)
// against the KMS stand-in and the Secrets Manager emulator, reached through AWS_ENDPOINT_URL_* as the SDK's
// default chain reads them.
let fx: KmsCaFixture;
let emulator: SecretsManagerEmulator;
let sm: SecretsManagerClient;
let rootKey: Awaited<ReturnType<KmsCaFixture['signingKey']>>;
let env: Record<string, string>;

beforeAll(async () => {
  fx = await startKmsCaFixture();
  emulator = await startSecretsManagerEmulator({ region: 'eu-west-1' });
  sm = new SecretsManagerClient({
    endpoint: emulator.endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  env = {
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: emulator.endpoint,
    AWS_ENDPOINT_URL_KMS: fx.kms.endpoint,
  };
  rootKey = await fx.signingKey('ECC_NIST_P256', 'ECDSA_SHA_256');
});

afterAll(async () => {
  await emulator?.close();
  await fx?.close();
});

const run = (command: 'ca' | 'cert', args: string[]) => runCommand(command, args, env);

async function record(name: string) {
  const out = await sm.send(new GetSecretValueCommand({ SecretId: name }));
  return parseCaRecord(out.SecretString!);
}

describe('rotor ca init', () => {
  it('self-signs a root CA through KMS and stores its public record; OpenSSL accepts it as a CA', async () => {
    const { stdout, code: exitCode } = await run('ca', [
      'init',
      '--kms-key',
      rootKey.keyId,
      '--subject',
      'CN=Rotor CLI Root, O=Example',
      '--validity-days',
      '365',
      '--secret',
      'rotor/ca/root',
      '--json',
    ]);
    expect(exitCode).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ keyId: rootKey.keyId, signingAlgorithm: 'ECDSA_SHA_256' });
    const stored = await record('rotor/ca/root');
    expect(stored.subject).toBe('CN=Rotor CLI Root, O=Example');
    const ca = await fx.write('root.pem', stored.certificate);
    await expect(fx.openssl('verify', '-CAfile', ca, ca)).resolves.toMatchObject({
      stdout: expect.stringMatching(/: OK/),
    });
    expect((await fx.openssl('x509', '-in', ca, '-noout', '-text')).stdout).toMatch(/CA:TRUE, pathlen:0/);
    expect(JSON.stringify(stored)).not.toMatch(/PRIVATE KEY/);
  });

  it('refuses to overwrite an existing CA record without --replace, and replaces it with', async () => {
    const args = [
      'init',
      '--kms-key',
      rootKey.keyId,
      '--subject',
      'CN=Rotor CLI Root 2',
      '--path-length',
      '1',
      '--secret',
      'rotor/ca/root',
    ];
    const refused = await run('ca', args);
    expect(refused).toMatchObject({ code: 2, stderr: expect.stringMatching(/exists: pass --replace/) });
    expect((await record('rotor/ca/root')).subject).toBe('CN=Rotor CLI Root, O=Example');
    expect((await run('ca', [...args, '--replace'])).code).toBe(0);
    expect((await record('rotor/ca/root')).subject).toBe('CN=Rotor CLI Root 2');
  });

  it('writes an intermediate CSR, then stores the intermediate once signed', async () => {
    const key = await fx.signingKey('ECC_NIST_P384', 'ECDSA_SHA_384');
    const csrPath = join(fx.dir, 'intermediate.csr');
    await run('ca', [
      'init',
      '--kms-key',
      key.keyId,
      '--subject',
      'CN=Rotor CLI Intermediate',
      '--csr-out',
      csrPath,
    ]);
    await expect(fx.openssl('req', '-verify', '-noout', '-in', csrPath)).resolves.toBeDefined();
    const root = await record('rotor/ca/root');
    const parent = await loadCertificateAuthority(rootKey.signer, root.certificate);
    const signed = await signIntermediateCsr(parent, await readFile(csrPath, 'utf8'), {
      now: new Date(),
      validityDays: 90,
    });
    const certificate = await fx.write('intermediate.pem', signed.toString('pem'));
    const chain = await fx.write('parents.pem', root.certificate);
    await run('ca', [
      'init',
      '--kms-key',
      key.keyId,
      '--certificate',
      certificate,
      '--chain',
      chain,
      '--secret',
      'rotor/ca/intermediate',
    ]);
    const stored = await record('rotor/ca/intermediate');
    expect(stored).toMatchObject({
      subject: 'CN=Rotor CLI Intermediate',
      signingAlgorithm: 'ECDSA_SHA_384',
      chain: root.certificate,
    });
  });

  it('refuses a certificate that is not for the KMS key', async () => {
    const other = await fx.signingKey('ECC_NIST_P256', 'ECDSA_SHA_256');
    const root = await record('rotor/ca/root');
    const certificate = await fx.write('not-mine.pem', root.certificate);
    const refused = await run('ca', [
      'init',
      '--kms-key',
      other.keyId,
      '--certificate',
      certificate,
      '--secret',
      'rotor/ca/wrong',
    ]);
    expect(refused).toMatchObject({ code: 2, stderr: expect.stringMatching(/CaKeyMismatchError/) });
  });

  it('refuses usage mistakes and unusable keys with exit code 2', async () => {
    const noSubject = await run('ca', ['init', '--kms-key', rootKey.keyId, '--secret', 'x']);
    expect(noSubject).toMatchObject({ code: 2, stderr: expect.stringMatching(/--subject is required/) });
    const noSecret = await run('ca', ['init', '--kms-key', rootKey.keyId, '--subject', 'CN=x']);
    expect(noSecret).toMatchObject({ code: 2, stderr: expect.stringMatching(/--secret is required/) });
    const missing = await run('ca', [
      'init',
      '--kms-key',
      'alias/none',
      '--subject',
      'CN=x',
      '--secret',
      'y',
    ]);
    expect(missing).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/cannot read the public key.*NotFoundException/),
    });
    const unknownFlag = await run('ca', ['init', '--kms-key', rootKey.keyId, '--subjekt', 'CN=x']);
    expect(unknownFlag.code).toBe(2);
  });
});

describe('rotor cert show', () => {
  async function storeLeaf(name: string, issuer: string, caSecret = issuer) {
    const root = await record(caSecret);
    const ca = await loadCertificateAuthority(rootKey.signer, root.certificate);
    const issued = await issueCertificate(
      ca,
      { commonName: 'shop.internal', dnsNames: ['shop.internal'] },
      { now: new Date(), profile: { validityDays: 30 } },
    );
    await sm.send(
      new CreateSecretCommand({
        Name: name,
        SecretString: serializeCertificateRotationSecret({
          subject: 'CN=shop.internal',
          subjectAltNames: ['DNS:shop.internal'],
          issuer,
          profile: { validityDays: 30 },
          issued,
        }).reveal(),
      }),
    );
    return issued;
  }

  it('shows subject, SANs, issuer, serial, validity, days left and a valid chain, without the key', async () => {
    const issued = await storeLeaf('app/shop-tls', 'rotor/ca/root');
    const { stdout, code: exitCode } = await run('cert', ['show', 'app/shop-tls', '--json']);
    const report = JSON.parse(stdout) as CertificateReport;
    expect(exitCode).toBe(0);
    expect(report).toMatchObject({
      subject: 'CN=shop.internal',
      subjectAltNames: ['DNS:shop.internal'],
      issuer: 'CN=Rotor CLI Root 2',
      issuerReference: 'rotor/ca/root',
      serialNumber: issued.serialNumber,
      notAfter: issued.notAfter,
      chain: { status: 'valid' },
    });
    expect(report.daysLeft).toBeGreaterThanOrEqual(29);
    expect(stdout).not.toContain(issued.privateKey.reveal().split('\n')[1]);
    const text = await run('cert', ['show', 'app/shop-tls']);
    expect(text.stdout).toMatch(/chain\s+valid/);
    expect(text.stdout).toMatch(/expires in\s+(29|30) days left/);
  });

  it('exits 1 when the chain does not lead to the CA the secret names', async () => {
    const otherKey = await fx.signingKey('ECC_NIST_P256', 'ECDSA_SHA_256');
    const init = [
      'init',
      '--kms-key',
      otherKey.keyId,
      '--subject',
      'CN=Other Root',
      '--secret',
      'rotor/ca/other',
    ];
    expect((await run('ca', init)).code).toBe(0);
    await storeLeaf('app/shop-tls-wrong-ca', 'rotor/ca/other', 'rotor/ca/root');
    const { stdout, code: exitCode } = await run('cert', ['show', 'app/shop-tls-wrong-ca', '--json']);
    expect(exitCode).toBe(1);
    expect(JSON.parse(stdout).chain).toMatchObject({ status: 'invalid', check: 'chain' });
  });

  it('refuses a secret that is not a certificate secret', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'app/not-a-cert', SecretString: '{"engine":"postgres"}' }));
    const refused = await run('cert', ['show', 'app/not-a-cert']);
    expect(refused).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/not a certificate secret.*subject/),
    });
  });
});
