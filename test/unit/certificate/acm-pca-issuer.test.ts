import {
  ACMPCAClient,
  GetCertificateCommand,
  IssueCertificateCommand,
  RequestInProgressException,
} from '@aws-sdk/client-acm-pca';
import { mockClient } from 'aws-sdk-client-mock';
import { acmPcaIssuer } from '../../../adapters/acm-pca-issuer';
import {
  createRootCaCertificate,
  loadCertificateAuthority,
} from '../../../core/rotation/certificate/authority';
import { IssuanceTimeoutError, SignerDeniedError } from '../../../core/rotation/certificate/errors';
import { issueCertificate } from '../../../core/rotation/certificate/issue';
import {
  Pkcs10CertificateRequest,
  SubjectAlternativeNameExtension,
} from '../../../core/rotation/certificate/x509';
import { memorySigner } from './memory-signer';

// client-acm-pca 3.523 is built on older smithy types than aws-sdk-client-mock's: the mock works at run
// time, and these casts only quiet the type mismatch.
const pca = mockClient(ACMPCAClient as any) as any;
const Issue = IssueCertificateCommand as any;
const Get = GetCertificateCommand as any;
const caArn =
  'arn:aws:acm-pca:eu-west-1:111122223333:certificate-authority/11111111-2222-3333-4444-555555555555';
const certArn = `${caArn}/certificate/abc123`;
const inProgress = () =>
  new RequestInProgressException({ message: 'The request is in progress', $metadata: {} });
let issuedPem: string;
let chainPem: string;

beforeAll(async () => {
  // A real certificate for GetCertificate to return, issued by an in-memory CA.
  const signer = memorySigner();
  const now = new Date();
  const root = await createRootCaCertificate(signer, { subject: 'CN=PCA stand-in', now });
  const ca = await loadCertificateAuthority(signer, root.toString('pem'));
  const leaf = await issueCertificate(
    ca,
    { commonName: 'svc.example.com', dnsNames: ['svc.example.com'] },
    { now },
  );
  issuedPem = leaf.certificate;
  chainPem = root.toString('pem');
});

beforeEach(() => pca.reset());

function issuer(maxAttempts = 5) {
  const sleeps: number[] = [];
  const instance = acmPcaIssuer({
    client: new ACMPCAClient({ region: 'eu-west-1' }),
    certificateAuthorityArn: caArn,
    maxAttempts,
    delayMs: 250,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  return { instance, sleeps };
}

describe('acmPcaIssuer', () => {
  it('sends a CSR with its SANs, polls GetCertificate while in progress, and refuses a certificate for another key', async () => {
    pca.on(Issue).resolves({ CertificateArn: certArn });
    pca
      .on(Get)
      .rejectsOnce(inProgress())
      .rejectsOnce(inProgress())
      .resolves({ Certificate: issuedPem, CertificateChain: chainPem });
    const { instance, sleeps } = issuer();
    // The mock answers with a certificate of another key than the CSR's, as a reused token would.
    await expect(
      instance.issueCertificate(
        { commonName: 'svc.example.com', dnsNames: ['svc.example.com'] },
        { profile: { validityDays: 14 }, idempotencyToken: 'rotation-1' },
      ),
    ).rejects.toThrow(/another key/);
    expect(sleeps).toEqual([250, 250]);
    expect(pca.commandCalls(Get)).toHaveLength(3);
    const input = pca.commandCalls(Issue)[0]!.args[0].input;
    expect(input).toMatchObject({
      CertificateAuthorityArn: caArn,
      SigningAlgorithm: 'SHA256WITHECDSA',
      Validity: { Type: 'DAYS', Value: 14 },
      // The profile's backdate (5 minutes), not ACM PCA's default hour.
      ValidityNotBefore: { Type: 'ABSOLUTE', Value: expect.any(Number) },
    });
    expect(Date.now() / 1000 - input.ValidityNotBefore.Value).toBeGreaterThanOrEqual(5 * 60 - 2);
    expect(Date.now() / 1000 - input.ValidityNotBefore.Value).toBeLessThan(5 * 60 + 60);
    // A fresh token per CSR, never the caller's (a retry makes a new key).
    expect(input.IdempotencyToken).toMatch(/^[0-9a-f-]{36}$/);
    const csr = new Pkcs10CertificateRequest(new TextDecoder().decode(input.Csr));
    expect(await csr.verify()).toBe(true);
    // A CSR's getExtension takes the OID (2.5.29.17: subjectAltName).
    const san = csr.getExtension('2.5.29.17') as SubjectAlternativeNameExtension;
    expect(san.names.items.map((n) => n.value)).toEqual(['svc.example.com']);
  });

  it('gives up after the polling budget with a retryable IssuanceTimeoutError', async () => {
    pca.on(Issue).resolves({ CertificateArn: certArn });
    pca.on(Get).rejects(inProgress());
    const { instance, sleeps } = issuer(3);
    const failure = instance.issueCsr('csr', { validityDays: 1 });
    await expect(failure).rejects.toThrow(IssuanceTimeoutError);
    await expect(failure).rejects.toMatchObject({ retryable: true, context: { certificateArn: certArn } });
    expect(pca.commandCalls(Get)).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
  });

  it('turns AccessDenied into SignerDeniedError and does not poll', async () => {
    pca.on(Issue).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    const { instance } = issuer();
    await expect(instance.issueCsr('csr', { validityDays: 1 })).rejects.toThrow(SignerDeniedError);
    expect(pca.commandCalls(Get)).toHaveLength(0);
  });

  it('refuses at once, without polling, when GetCertificate is refused', async () => {
    pca.on(Issue).resolves({ CertificateArn: certArn });
    pca.on(Get).rejects(Object.assign(new Error('bad arn'), { name: 'InvalidArnException' }));
    const { instance, sleeps } = issuer();
    const error = await instance.issueCsr('csr', { validityDays: 1 }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(SignerDeniedError);
    expect((error as Error).message).toContain('InvalidArnException');
    expect(sleeps).toHaveLength(0);
  });
});
