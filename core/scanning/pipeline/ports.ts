import type { AuditEvent } from '../../audit/event';
import type { BlobSource, LayerCache, LayerScan } from '../image/ports';
import type { Severity } from '../types';

/** Opens a repository of a registry as a BlobSource (the registry client, its credentials and endpoint). */
export type BlobSourceFactory = (registry: string, repository: string, reference: string) => BlobSource;

/** A layer's stored result: complete ones are the cache; partial ones (the layer failed midway) are not. */
export interface StoredLayerResult {
  readonly scan: LayerScan;
  readonly complete: boolean;
}

/**
 * The layer cache as the workflow uses it: `get`/`put` are the LayerCache (complete results only); a
 * partial result is kept too, for Merge to report what was found before the failure, but never served
 * as cached.
 */
export interface LayerResultStore extends LayerCache {
  /** Whether a complete result exists for this ruleset version, without reading its findings. */
  has(digest: string, rulesetVersion: string): Promise<boolean>;
  putPartial(digest: string, rulesetVersion: string, scan: LayerScan): Promise<void>;
  /** The stored result, complete or partial. */
  getResult(digest: string, rulesetVersion: string): Promise<StoredLayerResult | undefined>;
}

/** A finding as stored: where it was seen, keyed for de-duplication (see FINDINGS_TABLE). No secret value. */
export interface FindingRecord {
  readonly fingerprint: string;
  /** `<manifestDigest>#<location>`. */
  readonly occurrence: string;
  readonly imageDigest: string;
  /** The digest that was pushed (an index for a multi-arch image). */
  readonly targetDigest: string;
  readonly registry: string;
  readonly repository: string;
  readonly ruleId: string;
  readonly title: string;
  readonly severity: Severity;
  readonly location: string;
  readonly layerDigest?: string;
  readonly path: string;
  readonly innerPath?: string;
  readonly line: number;
  readonly column: number;
  /** Censored at the source by the detector. */
  readonly excerpt: string;
  readonly deletedBy?: string;
  readonly managedSecretId?: string;
  readonly managedStage?: string;
  readonly firstSeenAt: string;
}

/** Where findings are kept. */
export interface FindingsStore {
  /**
   * Stores the record unless it is stored and already audited. True when the caller must audit (and
   * notify) it: a new finding, or one whose earlier run stopped before its audit record was written.
   */
  claim(record: FindingRecord): Promise<boolean>;
  /** Marks a claimed record as audited, so that later runs skip it. */
  markAudited(record: Pick<FindingRecord, 'fingerprint' | 'occurrence'>, at: string): Promise<void>;
}

/** What remediation needs to know about a managed secret found in an image. No value. */
export interface SecretLeak {
  readonly secretId: string;
  readonly stage: string;
  readonly fingerprint: string;
  readonly ruleId: string;
  readonly severity: Severity;
  readonly registry: string;
  readonly repository: string;
  readonly targetDigest: string;
  readonly imageDigest: string;
  readonly location: string;
  readonly deleted: boolean;
}

/** A new finding that matches no managed secret: where it is, for people to act on. No value. */
export type FoundSecret = Omit<SecretLeak, 'secretId' | 'stage'>;

/** Tells remediation what the scan found (EventBridge events in AWS). */
export interface LeakNotifier {
  /** A managed secret leaked: remediation rotates it. */
  secretLeaked(leak: SecretLeak): Promise<void>;
  /** A secret Rotor does not manage was found: people are told. */
  secretFound?(found: FoundSecret): Promise<void>;
}

/** Appends audit records (AuditWriter). */
export interface AuditAppender {
  append(event: AuditEvent): Promise<unknown>;
}
