import type { ManagedSecretRecord, ManagedStage } from './record';
import type { SkippedValue } from './secret-values';

/** A record as stored: the record's hash, length and alphabet, and the field it came from. */
export interface StoredRecord {
  readonly field: string;
  readonly hmac: string;
  readonly length: number;
  readonly alphabet: string;
}

/** What the store holds for one stage of one secret. No value. */
export interface StoredStage {
  /** The secret's name. */
  readonly secretId: string;
  readonly stage: ManagedStage;
  /** The Secrets Manager version the records were made from. */
  readonly versionId: string;
  /** The key the HMACs were made with (ScanKeys.keyId). */
  readonly keyId: string;
  /** The extraction rules and settings that made the records: a change makes the writer redo them. */
  readonly recipe: string;
  readonly records: readonly StoredRecord[];
  readonly skipped: readonly SkippedValue[];
  /** ISO 8601. */
  readonly updatedAt: string;
}

/** Every stored stage, and the set's version read before them (so the stages are at least that new). */
export interface FingerprintSet {
  readonly version: number;
  readonly stages: readonly StoredStage[];
}

/**
 * Where the records live (a DynamoDB table in AWS: adapters/managed-fingerprint-store.ts). Replacing a
 * stage is one write; the version is a counter bumped after the writes it covers.
 */
export interface ManagedFingerprintStore {
  /** The stages stored for one secret (read consistently). */
  stagesOf(secretId: string): Promise<StoredStage[]>;
  /** Replaces a stage's records in one write. */
  putStage(stage: StoredStage): Promise<void>;
  deleteStage(secretId: string, stage: ManagedStage): Promise<void>;
  /** Increments the set's version, returning the new one. */
  bumpVersion(): Promise<number>;
  /** The set's version (0 before any write). */
  version(): Promise<number>;
  /** The version, then every stage (paged). */
  readAll(): Promise<FingerprintSet>;
}

/** The records of stored stages made with `keyId`, as the detector takes them (others are ignored). */
export function recordsOf(stages: readonly StoredStage[], keyId: string): ManagedSecretRecord[] {
  return stages
    .filter((s) => s.keyId === keyId)
    .flatMap((s) =>
      s.records.map((r) => ({
        secretId: s.secretId,
        stage: s.stage,
        hmac: r.hmac,
        length: r.length,
        alphabet: r.alphabet,
      })),
    );
}
