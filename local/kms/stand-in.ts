import type { KeyObject } from 'node:crypto';
import { serveStandIn, standInScope, type RunningStandIn, type StandInOptions } from '../stand-in';
import { Denials } from './denials';
import { KeyStore } from './key-store';
import { kmsOperations } from './operations';

/** How to start the KMS stand-in. Every option has a default that suits a test. */
export type KmsStandInOptions = StandInOptions;

/** A running KMS stand-in. */
export interface KmsStandIn extends RunningStandIn {
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
  const scope = standInScope(options);
  const { clock } = scope;
  const store = new KeyStore(scope.region, scope.accountId);
  const denials = new Denials();
  const server = await serveStandIn(
    scope,
    options.port,
    'TrentService',
    kmsOperations(store, clock, denials),
  );
  return {
    ...server,
    deny: (operation, keyId) =>
      denials.add({ operation, keyArn: keyId === undefined ? undefined : store.resolve(keyId).arn }),
    adoptSigningKey: (privateKey, description = '') =>
      store.adopt(privateKey, description, clock.now()).keyId,
    allowAll: () => denials.clear(),
  };
}
