import {
  createRootCaCertificate,
  loadCertificateAuthority,
} from '../../../core/rotation/certificate/authority';
import { buildCaRecord, createCaRecord } from '../../../core/rotation/certificate/ca-record';
import { issueCertificate } from '../../../core/rotation/certificate/issue';
import { certificateRotator } from '../../../core/rotation/certificate/rotator';
import type {
  AcmImportPort,
  CertificateRotatorPorts,
  HandshakeResult,
} from '../../../core/rotation/certificate/rotator-ports';
import { serializeCertificateRotationSecret } from '../../../core/rotation/certificate/rotation-secret';
import type { Signer } from '../../../core/rotation/certificate/signer';
import { MemorySecretStore } from '../rotation/support/memory-secret-store';
import { memorySigner } from './memory-signer';

const HOUR = 3_600_000;

/** An ACM stand-in: one serial per certificate ARN; `fail` makes the next calls throw. */
export class FakeAcm implements AcmImportPort {
  readonly serials = new Map<string, string>();
  readonly imports: { arn: string; serialNumber: string }[] = [];
  fail?: () => Error;
  async currentSerial(arn: string): Promise<string | undefined> {
    if (this.fail) throw this.fail();
    return this.serials.get(arn);
  }
  async importCertificate(arn: string, certificate: { serialNumber: string }): Promise<void> {
    if (this.fail) throw this.fail();
    this.imports.push({ arn, serialNumber: certificate.serialNumber });
    this.serials.set(arn, certificate.serialNumber);
  }
}

export const ACM_ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/0b6e1c39-1111-4f4c-9e5a-aaaaaaaaaaaa';

/** A CA (memory signer) recorded in a memory store, and a certificate secret issued by it. */
export interface CertificateRotationFixture {
  readonly store: MemorySecretStore;
  readonly signer: Signer & { calls: number };
  readonly caSecretId: string;
  readonly caPem: string;
  readonly secretId: string;
  readonly acm: FakeAcm;
  /** What the handshake port answers; ok by default. */
  handshake: HandshakeResult;
  readonly ports: CertificateRotatorPorts;
  readonly rotator: ReturnType<typeof certificateRotator>;
}

/** Builds the fixture: a root CA valid for `caValidityDays` from an hour ago, a leaf issued now. */
export async function certificateRotationFixture(
  options: { acm?: boolean; caValidityDays?: number; caSubject?: string } = {},
): Promise<CertificateRotationFixture> {
  const store = new MemorySecretStore();
  const signer = memorySigner();
  const root = await createRootCaCertificate(signer, {
    subject: options.caSubject ?? 'CN=Rotor Unit Test CA',
    now: new Date(Date.now() - HOUR),
    validityDays: options.caValidityDays ?? 30,
  });
  const record = createCaRecord({
    certificate: root,
    keyId: 'memory-key',
    signingAlgorithm: signer.algorithm,
  });
  const caSecretId = store.create('rotor/ca/unit', buildCaRecord(record));
  const ca = await loadCertificateAuthority(signer, record.certificate);
  const subjectAltNames = ['DNS:api.internal.example.com', 'IP:127.0.0.1'];
  const profile = { validityDays: 7 };
  const issued = await issueCertificate(
    ca,
    {
      commonName: 'api.internal.example.com',
      dnsNames: ['api.internal.example.com'],
      ipAddresses: ['127.0.0.1'],
    },
    { now: new Date(), profile },
  );
  const acm = new FakeAcm();
  const secret = {
    subject: 'CN=api.internal.example.com',
    subjectAltNames,
    issuer: caSecretId,
    profile,
    ...(options.acm === false ? {} : { acmCertificateArn: ACM_ARN }),
    issued,
  };
  if (options.acm !== false) acm.serials.set(ACM_ARN, issued.serialNumber);
  const secretId = store.create('app/tls', serializeCertificateRotationSecret(secret).reveal(), {
    tags: { 'rotor:kind': 'certificate' },
  });
  const fixture = {
    store,
    signer,
    caSecretId,
    caPem: record.certificate,
    secretId,
    acm,
    handshake: { ok: true } as HandshakeResult,
  } as CertificateRotationFixture;
  const ports: CertificateRotatorPorts = {
    signerFor: () => signer,
    acm,
    handshake: async () => fixture.handshake,
  };
  return Object.assign(fixture, { ports, rotator: certificateRotator(ports) });
}
