import { X509Certificate as NodeX509 } from 'node:crypto';
import { createPrivateKey, createPublicKey, randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { ACMPCAClient } from '@aws-sdk/client-acm-pca';
import { acmPcaIssuer } from '../../../adapters/acm-pca-issuer';
import {
  IssuanceTimeoutError,
  SignerDeniedError,
  SignerUnavailableError,
} from '../../../core/rotation/certificate/errors';
import { verifyCertificateSecret } from '../../../core/rotation/certificate/verify';
import { parseCertificateProfile } from '../../../core/rotation/certificate/profile';
import { X509Certificate } from '../../../core/rotation/certificate/x509';
import { startAcmPcaStandIn, type AcmPcaStandIn } from '../../../local/acm-pca';
import { opensslKit, type OpensslKit, pcaClient } from './fixture';

// adapters/acm-pca-issuer.ts against the ACM PCA stand-in over a socket: the certificate OpenSSL accepts,
// waiting through RequestInProgressException, and ACM PCA's refusals as the adapter's error classes.
let pca: AcmPcaStandIn;
let client: ACMPCAClient;
let openssl: OpensslKit;
const calls: string[] = [];
const request = { commonName: 'orders.internal', dnsNames: ['orders.internal'], ipAddresses: ['127.0.0.1'] };

beforeAll(async () => {
  pca = await startAcmPcaStandIn({ region: 'eu-west-1', issueDelayMs: 150, log: (line) => calls.push(line) });
  client = pcaClient(pca);
  openssl = await opensslKit();
});

afterAll(async () => {
  client?.destroy();
  await pca?.close();
  await openssl?.close();
});

const issuer = (overrides: Partial<Parameters<typeof acmPcaIssuer>[0]> = {}) =>
  acmPcaIssuer({ client, certificateAuthorityArn: pca.certificateAuthorityArn, delayMs: 50, ...overrides });

async function failure(run: () => Promise<unknown>): Promise<Error> {
  try {
    await run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('acmPcaIssuer over the stand-in', () => {
  it('issues a certificate secret that OpenSSL verifies against the CA, after waiting through RequestInProgress', async () => {
    calls.length = 0;
    const secret = await issuer().issueCertificate(request, { profile: { validityDays: 10 } });
    expect(await openssl.verify(secret.certificate, pca.caCertificatePem)).toMatch(/: OK/);
    expect(secret.chain).toBe(pca.caCertificatePem.trim());
    expect(secret.subjectAltNames).toEqual(['DNS:orders.internal', 'IP:127.0.0.1']);
    const waits = calls.filter((line) => line === 'GetCertificate -> 400').length;
    expect(waits).toBeGreaterThanOrEqual(1);
    expect(calls.at(-1)).toBe('GetCertificate -> 200');
    // The key in the secret is the one the certificate certifies.
    const fromKey = createPublicKey(createPrivateKey(secret.privateKey.reveal()));
    const fromCert = createPublicKey({
      key: Buffer.from(new X509Certificate(secret.certificate).publicKey.rawData),
      format: 'der',
      type: 'spki',
    });
    expect(fromKey.equals(fromCert)).toBe(true);
  });

  it("passes testSecret checks when the profile allows ACM PCA's one-hour backdating", async () => {
    const profile = { validityDays: 10, backdateMinutes: 60 };
    const secret = await issuer().issueCertificate(request, { profile });
    await expect(
      verifyCertificateSecret(secret, {
        caCertificatePem: pca.caCertificatePem,
        now: new Date(),
        profile: parseCertificateProfile(profile),
        expected: { dnsNames: request.dnsNames, ipAddresses: request.ipAddresses },
      }),
    ).resolves.not.toThrow();
  });

  it('passes testSecret’s checks under the default profile: notBefore is the profile’s backdate, not ACM PCA’s hour', async () => {
    const secret = await issuer().issueCertificate(request, { profile: { validityDays: 10 } });
    await expect(
      verifyCertificateSecret(secret, {
        caCertificatePem: pca.caCertificatePem,
        now: new Date(),
        profile: parseCertificateProfile({ validityDays: 10 }),
        expected: { dnsNames: request.dnsNames, ipAddresses: request.ipAddresses },
      }),
    ).resolves.not.toThrow();
  });

  it('ends in IssuanceTimeoutError when the certificate is not ready within the attempts', async () => {
    const slow = await startAcmPcaStandIn({ issueDelayMs: 60_000 });
    const slowClient = pcaClient(slow);
    try {
      const error = await failure(() =>
        acmPcaIssuer({
          client: slowClient,
          certificateAuthorityArn: slow.certificateAuthorityArn,
          maxAttempts: 3,
          delayMs: 10,
        }).issueCertificate(request),
      );
      expect(error).toBeInstanceOf(IssuanceTimeoutError);
    } finally {
      slowClient.destroy();
      await slow.close();
    }
  });

  it('surfaces AccessDenied on IssueCertificate as SignerDeniedError', async () => {
    const lift = pca.deny('IssueCertificate');
    try {
      const error = await failure(() => issuer().issueCertificate(request));
      expect(error).toBeInstanceOf(SignerDeniedError);
      expect(error.message).toContain('AccessDeniedException');
    } finally {
      lift();
    }
  });

  it('surfaces AccessDenied on GetCertificate as SignerDeniedError', async () => {
    const lift = pca.deny('GetCertificate');
    try {
      expect(await failure(() => issuer().issueCertificate(request))).toBeInstanceOf(SignerDeniedError);
    } finally {
      lift();
    }
  });

  it('surfaces an unknown CA and a disabled CA as SignerDeniedError', async () => {
    const unknown = pca.certificateAuthorityArn.replace(/[0-9a-f]{12}$/, '000000000000');
    expect(
      await failure(() => issuer({ certificateAuthorityArn: unknown }).issueCertificate(request)),
    ).toBeInstanceOf(SignerDeniedError);
    pca.setStatus('DISABLED');
    try {
      expect(await failure(() => issuer().issueCertificate(request))).toBeInstanceOf(SignerDeniedError);
    } finally {
      pca.setStatus('ACTIVE');
    }
  });

  it('surfaces throttling and LimitExceeded as SignerUnavailableError (retryable)', async () => {
    pca.faults.throttle(1, ['IssueCertificate']);
    const throttled = await failure(() => issuer().issueCertificate(request));
    expect(throttled).toBeInstanceOf(SignerUnavailableError);
    pca.faults.add({ operations: ['IssueCertificate'], times: 1, error: { code: 'LimitExceededException' } });
    expect(await failure(() => issuer().issueCertificate(request))).toBeInstanceOf(SignerUnavailableError);
  });

  it('surfaces RequestFailedException as retryable and a request the CA cannot sign as a refusal', async () => {
    pca.faults.add({ operations: ['IssueCertificate'], times: 1, error: { code: 'RequestFailedException' } });
    expect(await failure(() => issuer().issueCertificate(request))).toBeInstanceOf(SignerUnavailableError);
    const rsa = await failure(() => issuer({ signingAlgorithm: 'SHA256WITHRSA' }).issueCertificate(request));
    expect(rsa).toBeInstanceOf(SignerDeniedError);
    expect(rsa.message).toContain('InvalidArgsException');
  });

  it('issues a certificate for its own key on every call, whatever token the caller passes', async () => {
    // A retried createSecret makes a new key and CSR: a reused idempotency token would make ACM PCA answer with
    // the first CSR's certificate, so the issuer sends a fresh one with each CSR.
    const token = randomUUID().slice(0, 36);
    const first = await issuer().issueCertificate(request, { idempotencyToken: token });
    const retried = await issuer().issueCertificate(request, { idempotencyToken: token });
    expect(retried.serialNumber).not.toBe(first.serialNumber);
    const keyOf = (pem: string) => createPublicKey(createPrivateKey(pem));
    const certKey = (pem: string) =>
      createPublicKey(new NodeX509(pem).publicKey.export({ type: 'spki', format: 'pem' }));
    expect(certKey(retried.certificate).equals(keyOf(retried.privateKey.reveal()))).toBe(true);
  });

  it('never puts the private key in an error or the stand-in log', async () => {
    const secret = await issuer().issueCertificate(request);
    const keyLine = secret.privateKey.reveal().split('\n')[1]!;
    const lift = pca.deny('GetCertificate');
    const error = await failure(() => issuer().issueCertificate(request));
    lift();
    const text = `${inspect(error, { depth: 8 })}\n${calls.join('\n')}\n${inspect(secret)}\n${JSON.stringify(secret)}`;
    expect(text).not.toContain(keyLine);
    expect(inspect(secret)).toContain('[redacted]');
  });
});
