import { randomUUID } from 'node:crypto';
import { serveStandIn, standInScope, type RunningStandIn, type StandInOptions } from '../stand-in';
import { adoptCa, generateCa, type CaKeyAlgorithm, type CaMaterial } from './authority';
import { pcaOperations, type CaStatus, type PcaState } from './operations';

/** How to start the ACM PCA stand-in. Every option has a default that suits a test. */
export interface AcmPcaStandInOptions extends StandInOptions {
  /** How long after IssueCertificate GetCertificate answers RequestInProgressException. @default 0 */
  readonly issueDelayMs?: number;
  /** How far notBefore is set back from the time of issuance (AWS: 60 minutes). @default 60 */
  readonly backdateMinutes?: number;
  /** An existing CA (certificate and private key); otherwise a root CA is generated. @default generated */
  readonly ca?: CaMaterial;
  /** The generated CA's key algorithm. @default 'EC_prime256v1' */
  readonly keyAlgorithm?: CaKeyAlgorithm;
}

/** A running ACM PCA stand-in with one private CA. */
export interface AcmPcaStandIn extends RunningStandIn {
  /** The ARN of its one CA. */
  readonly certificateAuthorityArn: string;
  /** The CA certificate, PEM (the trust anchor of everything it issues). */
  readonly caCertificatePem: string;
  /** Makes `operation` answer AccessDeniedException (stands in for IAM and the CA's policy); returns the undo. */
  deny(operation: string): () => void;
  /** Sets the CA's status: a DISABLED CA answers IssueCertificate with InvalidStateException. */
  setStatus(status: CaStatus): void;
  /** How many certificates were issued (distinct IssueCertificate requests that succeeded). */
  issuedCount(): number;
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
  const scope = standInScope(options);
  const { region, accountId, clock } = scope;
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
  const server = await serveStandIn(scope, options.port, 'ACMPrivateCA', pcaOperations(state, clock));
  return {
    ...server,
    certificateAuthorityArn: state.arn,
    caCertificatePem: ca.certificate.toString('pem'),
    deny(operation) {
      state.denied.add(operation);
      return () => state.denied.delete(operation);
    },
    setStatus(status) {
      state.status = status;
    },
    issuedCount: () => state.issued.size,
  };
}
