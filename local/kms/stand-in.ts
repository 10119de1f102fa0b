import type { KeyObject } from 'node:crypto';
import { systemClock, type Clock } from '../../core/clock';
import { FaultInjector, startAwsJsonServer } from '../aws-json-server';
import { Denials } from './denials';
import { KeyStore } from './key-store';
import { kmsOperations } from './operations';

/** How to start the KMS stand-in. Every option has a default that suits a test. */
export interface KmsStandInOptions {
  /** @default 0 (a free port) */
  readonly port?: number;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '000000000000' */
  readonly accountId?: string;
  /** The time the stand-in records (CreationDate, DeletionDate). @default systemClock */
  readonly clock?: Clock;
  /** Faults to inject into the HTTP layer. @default a new, empty FaultInjector */
  readonly faults?: FaultInjector;
  /** One line per call (`Sign -> 200`): operation names and status codes, never key material. @default none */
  readonly log?: (line: string) => void;
}

/** A running KMS stand-in. */
export interface KmsStandIn {
  /** The URL for the SDK's `endpoint` option. */
  readonly endpoint: string;
  readonly port: number;
  readonly region: string;
  readonly accountId: string;
  /** Generic fault injection: `throttle(n)`, `failNth(n)`, `delay(ms)`, `clear()`. */
  readonly faults: FaultInjector;
  /**
   * Denies `operation` (`'Sign'`) on one key (by id, ARN or alias) or, without a key, on all keys:
   * the call answers AccessDeniedException. Returns a function that lifts the denial.
   */
  deny(operation: string, keyId?: string): () => void;
  /**
   * Test hook: registers an existing private key as a SIGN_VERIFY key and returns its key id, so a test can
   * sign outside KMS with the same key. AWS has no such call for asymmetric keys made elsewhere.
   */
  adoptSigningKey(privateKey: KeyObject, description?: string): string;
  /** Lifts every denial. */
  allowAll(): void;
  close(): Promise<void>;
}

/**
 * Starts a KMS stand-in on 127.0.0.1 that the real `@aws-sdk/client-kms` talks to through `endpoint`.
 *
 * @example
 *   const kms = await startKmsStandIn();
 *   const client = new KMSClient({ endpoint: kms.endpoint, region: kms.region,
 *     credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
 *   const { KeyMetadata } = await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
 *   const undo = kms.deny('Sign', KeyMetadata!.KeyId!);
 *   await kms.close();
 */
export async function startKmsStandIn(options: KmsStandInOptions = {}): Promise<KmsStandIn> {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const faults = options.faults ?? new FaultInjector();
  const log = options.log ?? (() => undefined);
  const store = new KeyStore(region, accountId);
  const denials = new Denials();
  const clock = options.clock ?? systemClock;
  const server = await startAwsJsonServer(
    {
      targetPrefix: 'TrentService',
      operations: kmsOperations(store, clock, denials),
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
    deny: (operation, keyId) =>
      denials.add({ operation, keyArn: keyId === undefined ? undefined : store.resolve(keyId).arn }),
    adoptSigningKey: (privateKey, description = '') =>
      store.adopt(privateKey, description, clock.now()).keyId,
    allowAll: () => denials.clear(),
    close: () => server.close(),
  };
}
