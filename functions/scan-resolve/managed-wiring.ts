import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { fingerprintKeyLoader } from '../../adapters/fingerprint-key';
import { DynamoDbFingerprintStore } from '../../adapters/managed-fingerprint-store';
import { systemClock, type Clock } from '../../core/clock';
import { MANAGED_ENV } from '../../core/contracts/managed';
import { createDetector } from '../../core/scanning/detect';
import { ManagedSecretIndex } from '../../core/scanning/managed/managed-index';
import { fingerprintSetOf, withFingerprintSet } from '../../core/scanning/managed/cache-version';
import { recordsOf } from '../../core/scanning/managed/ports';
import type { ManagedSecretRecord } from '../../core/scanning/managed/record';
import { RefreshingValue } from '../../core/scanning/managed/refreshing';
import type { Detector } from '../../core/scanning/types';
import { readEnv } from '../shared/env';
import { currentRulesetVersion, dynamo } from './scan-wiring';

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

const env = readEnv(
  z.object({
    [MANAGED_ENV.table]: z.string().min(1).optional(),
    [MANAGED_ENV.keySecret]: z.string().min(1).optional(),
    [MANAGED_ENV.cacheSeconds]: z.coerce.number().int().min(0).max(3600).optional(),
  }),
);
if ((env[MANAGED_ENV.table] === undefined) !== (env[MANAGED_ENV.keySecret] === undefined)) {
  throw new Error(
    `invalid function environment: ${MANAGED_ENV.table} and ${MANAGED_ENV.keySecret} go together`,
  );
}

const table = env[MANAGED_ENV.table];
const keySecret = env[MANAGED_ENV.keySecret];

/** The scan functions' detectors, built once per cold start from the environment. */
export const scanDetectors: ScanDetectors =
  table && keySecret
    ? managedScanDetectors({
        table,
        keySecret,
        rulesetVersion: currentRulesetVersion,
        dynamo,
        secretsManager: new SecretsManagerClient({}),
        cacheSeconds: env[MANAGED_ENV.cacheSeconds],
      })
    : plainScanDetectors(currentRulesetVersion);
