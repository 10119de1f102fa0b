import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { fingerprintKeyLoader } from '../../adapters/fingerprint-key';
import { DynamoDbFingerprintStore } from '../../adapters/managed-fingerprint-store';
import { systemClock, type Clock } from '../../core/clock';
import { createDetector } from '../../core/scanning/detect';
import { ManagedSecretIndex } from '../../core/scanning/managed/managed-index';
import { fingerprintSetOf, withFingerprintSet } from '../../core/scanning/managed/cache-version';
import { recordsOf } from '../../core/scanning/managed/ports';
import type { ManagedSecretRecord } from '../../core/scanning/managed/record';
import { RefreshingValue } from '../../core/scanning/managed/refreshing';
import type { Detector } from '../../core/scanning/types';

// The scanners' detectors with the deployment's managed-secret records and keys, for every function that
// scans (images, task definitions). Reads no environment: each function's wiring says where the store is.

/** What the scan functions ask about managed secrets. */
export interface ScanDetectors {
  /** The layer cache version a new scan uses: the ruleset's, plus the fingerprint set's when there is one. */
  cacheVersion(): Promise<string>;
  /** The detector for a scan under `cacheVersion`: its records at least as new as the version says. */
  detectorFor(cacheVersion: string): Promise<Detector>;
  /**
   * The same as options of createDetector (plain data: records and keys), for a detector built elsewhere,
   * such as a worker thread of adapters/detector-pool. Empty without a fingerprint store.
   */
  optionsFor(cacheVersion: string): Promise<ManagedDetectorOptions>;
}

/** createDetector's managed-secret options as plain data. */
export interface ManagedDetectorOptions {
  readonly fingerprintKey?: Uint8Array;
  readonly managed?: { readonly records: readonly ManagedSecretRecord[]; readonly key: Uint8Array };
}

/** Where the fingerprint store and key are, and how long to keep them. */
export interface ManagedScanSettings {
  readonly table: string;
  readonly keySecret: string;
  readonly rulesetVersion: string;
  readonly dynamo: DynamoDBClient;
  readonly secretsManager: SecretsManagerClient;
  /** @default 300 */
  readonly cacheSeconds?: number;
  readonly clock?: Clock;
}

/**
 * The scan functions' detectors with the deployment's managed-secret records and keys: the records and the
 * key are read once per container and kept for `cacheSeconds` (5 minutes), or read again at once when a
 * scan's cache version names a newer fingerprint set than the one held. Findings' fingerprints use the
 * deployment's derived key instead of the public default.
 */
export function managedScanDetectors(settings: ManagedScanSettings): ScanDetectors {
  const store = new DynamoDbFingerprintStore(settings.table, settings.dynamo);
  const clock = settings.clock ?? systemClock;
  const ttlMs = (settings.cacheSeconds ?? 300) * 1000;
  const keys = fingerprintKeyLoader(settings.secretsManager, settings.keySecret, { ttlMs, clock });
  const detectors = new RefreshingValue(
    async () => {
      const set = await store.readAll();
      const { managed, findings, keyId } = await keys();
      const records = recordsOf(set.stages, keyId);
      const options = { fingerprintKey: findings.reveal(), managed: { records, key: managed.reveal() } };
      const detector = createDetector({
        fingerprintKey: options.fingerprintKey,
        managed: new ManagedSecretIndex(records, options.managed.key),
      });
      return { version: set.version, value: { options, detector } };
    },
    { ttlMs, clock },
  );
  return {
    cacheVersion: async () => withFingerprintSet(settings.rulesetVersion, await store.version()),
    detectorFor: async (cacheVersion) =>
      (await detectors.get(fingerprintSetOf(cacheVersion) ?? 0)).value.detector,
    optionsFor: async (cacheVersion) =>
      (await detectors.get(fingerprintSetOf(cacheVersion) ?? 0)).value.options,
  };
}

/** Without a fingerprint store (the construct's `fingerprints` prop unset): built-in rules, default key. */
export function plainScanDetectors(rulesetVersion: string): ScanDetectors {
  const detector = createDetector();
  return {
    cacheVersion: async () => rulesetVersion,
    detectorFor: async () => detector,
    optionsFor: async () => ({}),
  };
}
