import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createDetector } from '../../core/scanning/detect';
import type { Detector } from '../../core/scanning/types';
import { managedScanDetectors } from '../shared/scan-detectors';

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
 * The detector for task definitions, built as the image scan functions build theirs
 * (functions/shared/scan-detectors.ts): with the fingerprint store, the deployment's managed-secret records
 * and its derived findings key, kept per container for `cacheSeconds`, so a value of a managed secret is
 * recognised and a secret has one fingerprint in images and task definitions alike. Without the store: the
 * built-in rules and the default key.
 */
export function taskDefinitionDetector(managed?: ManagedSettings): () => Promise<KeyedDetector> {
  if (!managed) {
    const plain = { detector: createDetector() };
    return async () => plain;
  }
  const detectors = managedScanDetectors({
    table: managed.table,
    keySecret: managed.keySecret,
    // Task definitions have no layer cache: the version only says which fingerprint set to use.
    rulesetVersion: 'task-definitions',
    dynamo: managed.dynamo,
    secretsManager: new SecretsManagerClient({}),
    ...(managed.cacheSeconds === undefined ? {} : { cacheSeconds: managed.cacheSeconds }),
  });
  return async () => {
    const version = await detectors.cacheVersion();
    const [detector, options] = await Promise.all([
      detectors.detectorFor(version),
      detectors.optionsFor(version),
    ]);
    return { detector, ...(options.fingerprintKey ? { fingerprintKey: options.fingerprintKey } : {}) };
  };
}
