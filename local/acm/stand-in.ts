import { systemClock, type Clock } from '../../core/clock';
import { FaultInjector, startAwsJsonServer } from '../aws-json-server';
import { acmOperations, type AcmState } from './operations';

/** How to start the ACM stand-in. Every option has a default that suits a test. */
export interface AcmStandInOptions {
  /** @default 0 (a free port) */
  readonly port?: number;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '000000000000' */
  readonly accountId?: string;
  /** The time imports are checked against and recorded at. @default systemClock */
  readonly clock?: Clock;
  /** @default a new, empty FaultInjector */
  readonly faults?: FaultInjector;
  /** One line per call (`ImportCertificate -> 200`): operation names and status codes only. @default none */
  readonly log?: (line: string) => void;
}

/** What a test may read about one stored certificate (no key material: the stand-in keeps none). */
export interface AcmCertificateView {
  readonly certificatePem: string;
  readonly chainPem?: string;
  readonly serialNumber: string;
  /** How many times it was imported (1 = never re-imported). */
  readonly imports: number;
}

/** A running ACM stand-in. */
export interface AcmStandIn {
  readonly endpoint: string;
  readonly port: number;
  readonly region: string;
  readonly accountId: string;
  readonly faults: FaultInjector;
  /** Makes `operation` answer AccessDeniedException (stands in for IAM); returns the undo. */
  deny(operation: string): () => void;
  /** The certificate under an ARN, or `undefined`. */
  certificate(arn: string): AcmCertificateView | undefined;
  close(): Promise<void>;
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
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const faults = options.faults ?? new FaultInjector();
  const log = options.log ?? (() => undefined);
  const state: AcmState = { region, accountId, certificates: new Map(), denied: new Set() };
  const server = await startAwsJsonServer(
    {
      targetPrefix: 'CertificateManager',
      operations: acmOperations(state, options.clock ?? systemClock),
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
    faults,
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
    close: () => server.close(),
  };
}
