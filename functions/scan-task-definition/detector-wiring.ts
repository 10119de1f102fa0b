import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { fingerprintKeyLoader } from '../../adapters/fingerprint-key';
import { DynamoDbFingerprintStore } from '../../adapters/managed-fingerprint-store';
import { systemClock } from '../../core/clock';
import { createDetector } from '../../core/scanning/detect';
import { ManagedSecretIndex } from '../../core/scanning/managed/managed-index';
import { recordsOf } from '../../core/scanning/managed/ports';
import { RefreshingValue } from '../../core/scanning/managed/refreshing';
import type { Detector } from '../../core/scanning/types';

/** A detector and the key of its findings' fingerprints (the name rule fingerprints with the same key). */
export interface KeyedDetector {
  readonly detector: Detector;
  /** undefined: the public default key. */
  readonly fingerprintKey?: Uint8Array;
}

/** Where the managed-secret records and the deployment's key are (ManagedFingerprints' environment). */
export interface ManagedSettings {
  readonly table: string;
  readonly keySecret: string;
  readonly dynamo: DynamoDBClient;
  /** @default 300 */
  readonly cacheSeconds?: number;
}

/**
 * The detector for task definitions, as the image scan functions build theirs
 * (functions/scan-resolve/managed-wiring.ts): with the fingerprint store, the deployment's managed-secret
 * records and its derived findings key, kept per container for `cacheSeconds`, so a value of a managed
 * secret is recognised and a secret has one fingerprint in images and task definitions alike. Without the
 * store: the built-in rules and the default key. (That file cannot be imported here: it reads the layer
 * cache's environment at load.)
 */
export function taskDefinitionDetector(managed?: ManagedSettings): () => Promise<KeyedDetector> {
  if (!managed) {
    const plain = { detector: createDetector() };
    return async () => plain;
  }
  const ttlMs = (managed.cacheSeconds ?? 300) * 1000;
  const clock = systemClock;
  const store = new DynamoDbFingerprintStore(managed.table, managed.dynamo);
  const keys = fingerprintKeyLoader(new SecretsManagerClient({}), managed.keySecret, { ttlMs, clock });
  const held = new RefreshingValue<KeyedDetector>(
    async () => {
      const set = await store.readAll();
      const { managed: managedKey, findings, keyId } = await keys();
      const index = new ManagedSecretIndex(recordsOf(set.stages, keyId), managedKey.reveal());
      const fingerprintKey = findings.reveal();
      return {
        version: set.version,
        value: { detector: createDetector({ fingerprintKey, managed: index }), fingerprintKey },
      };
    },
    { ttlMs, clock },
  );
  return async () => (await held.get()).value;
}
