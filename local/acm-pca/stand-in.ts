import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../../core/clock';
import { FaultInjector, startAwsJsonServer } from '../aws-json-server';
import { adoptCa, generateCa, type CaKeyAlgorithm, type CaMaterial } from './authority';
import { pcaOperations, type CaStatus, type PcaState } from './operations';

/** How to start the ACM PCA stand-in. Every option has a default that suits a test. */
export interface AcmPcaStandInOptions {
  /** @default 0 (a free port) */
  readonly port?: number;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '000000000000' */
  readonly accountId?: string;
  /** How long after IssueCertificate GetCertificate answers RequestInProgressException. @default 0 */
  readonly issueDelayMs?: number;
  /** How far notBefore is set back from the time of issuance (AWS: 60 minutes). @default 60 */
  readonly backdateMinutes?: number;
  /** An existing CA (certificate and private key); otherwise a root CA is generated. @default generated */
  readonly ca?: CaMaterial;
  /** The generated CA's key algorithm. @default 'EC_prime256v1' */
  readonly keyAlgorithm?: CaKeyAlgorithm;
  /** @default systemClock */
  readonly clock?: Clock;
  /** @default a new, empty FaultInjector */
  readonly faults?: FaultInjector;
  /** One line per call (`IssueCertificate -> 200`): operation names and status codes only. @default none */
  readonly log?: (line: string) => void;
}

/** A running ACM PCA stand-in with one private CA. */
export interface AcmPcaStandIn {
  readonly endpoint: string;
  readonly port: number;
  readonly region: string;
  readonly accountId: string;
  /** The ARN of its one CA. */
  readonly certificateAuthorityArn: string;
  /** The CA certificate, PEM (the trust anchor of everything it issues). */
  readonly caCertificatePem: string;
  /** Generic fault injection: `throttle(n)`, `failNth(n)`, `delay(ms)`, `add({ error })`. */
  readonly faults: FaultInjector;
  /** Makes `operation` answer AccessDeniedException (stands in for IAM and the CA's policy); returns the undo. */
  deny(operation: string): () => void;
  /** Sets the CA's status: a DISABLED CA answers IssueCertificate with InvalidStateException. */
  setStatus(status: CaStatus): void;
  /** How many certificates were issued (distinct IssueCertificate requests that succeeded). */
  issuedCount(): number;
  close(): Promise<void>;
}

/**
 * Starts an ACM Private CA stand-in on 127.0.0.1 (AWS JSON 1.1, target prefix `ACMPrivateCA`) that the real
 * `@aws-sdk/client-acm-pca` talks to through `endpoint` or `AWS_ENDPOINT_URL_ACM_PCA`.
 *
 * @example
 *   const pca = await startAcmPcaStandIn({ issueDelayMs: 200 });
 *   const client = new ACMPCAClient({ endpoint: pca.endpoint, region: pca.region,
 *     credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
 *   // IssueCertificate with pca.certificateAuthorityArn, then GetCertificate until it is ready
 *   await pca.close();
 */
export async function startAcmPcaStandIn(options: AcmPcaStandInOptions = {}): Promise<AcmPcaStandIn> {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const faults = options.faults ?? new FaultInjector();
  const log = options.log ?? (() => undefined);
  const clock = options.clock ?? systemClock;
  const ca = options.ca
    ? await adoptCa(options.ca)
    : await generateCa({ keyAlgorithm: options.keyAlgorithm, now: clock.now() });
  const state: PcaState = {
    arn: `arn:aws:acm-pca:${region}:${accountId}:certificate-authority/${randomUUID()}`,
    accountId,
    ca,
    status: 'ACTIVE',
    issueDelayMs: options.issueDelayMs ?? 0,
    backdateMinutes: options.backdateMinutes ?? 60,
    issued: new Map(),
    tokens: new Map(),
    denied: new Set(),
  };
  const server = await startAwsJsonServer(
    {
      targetPrefix: 'ACMPrivateCA',
      operations: pcaOperations(state, clock),
      faults,
      onCall: (operation, status) => log(`${operation} -> ${status}`),
    },
    options.port ?? 0,
  );
  return {
    endpoint: server.endpoint,
    port: server.port,
    region,
    accountId,
    certificateAuthorityArn: state.arn,
    caCertificatePem: ca.certificate.toString('pem'),
    faults,
    deny(operation) {
      state.denied.add(operation);
      return () => state.denied.delete(operation);
    },
    setStatus(status) {
      state.status = status;
    },
    issuedCount: () => state.issued.size,
    close: () => server.close(),
  };
}
