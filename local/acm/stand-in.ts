import { serveStandIn, standInScope, type RunningStandIn, type StandInOptions } from '../stand-in';
import { acmOperations, type AcmState } from './operations';

/** How to start the ACM stand-in (the clock is the time imports are checked against and recorded at). */
export type AcmStandInOptions = StandInOptions;

/** What a test may read about one stored certificate (no key material: the stand-in keeps none). */
export interface AcmCertificateView {
  readonly certificatePem: string;
  readonly chainPem?: string;
  readonly serialNumber: string;
  /** How many times it was imported (1 = never re-imported). */
  readonly imports: number;
}

/** A running ACM stand-in. */
export interface AcmStandIn extends RunningStandIn {
  /** Makes `operation` answer AccessDeniedException (stands in for IAM); returns the undo. */
  deny(operation: string): () => void;
  /** The certificate under an ARN, or `undefined`. */
  certificate(arn: string): AcmCertificateView | undefined;
}

/**
 * Starts an AWS Certificate Manager stand-in on 127.0.0.1 (AWS JSON 1.1, target prefix `CertificateManager`)
 * that the real `@aws-sdk/client-acm` talks to through `endpoint` or `AWS_ENDPOINT_URL_ACM`: imported
 * certificates only (ImportCertificate, re-import under the same ARN, DescribeCertificate, GetCertificate,
 * ListCertificates, DeleteCertificate, ListTagsForCertificate).
 *
 * @example
 *   const acm = await startAcmStandIn();
 *   const client = new ACMClient({ endpoint: acm.endpoint, region: acm.region,
 *     credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
 *   await acm.close();
 */
export async function startAcmStandIn(options: AcmStandInOptions = {}): Promise<AcmStandIn> {
  const scope = standInScope(options);
  const state: AcmState = {
    region: scope.region,
    accountId: scope.accountId,
    certificates: new Map(),
    denied: new Set(),
  };
  const server = await serveStandIn(
    scope,
    options.port,
    'CertificateManager',
    acmOperations(state, scope.clock),
  );
  return {
    ...server,
    deny(operation) {
      state.denied.add(operation);
      return () => state.denied.delete(operation);
    },
    certificate(arn) {
      const stored = state.certificates.get(arn);
      if (!stored) return undefined;
      return {
        certificatePem: stored.material.certificatePem,
        chainPem: stored.material.chainPem,
        serialNumber: stored.material.certificate.serialNumber.toLowerCase(),
        imports: stored.imports,
      };
    },
  };
}
