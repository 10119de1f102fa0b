import type { AuditEventType, AuditRecord } from './event';

/** Where chains are kept. The DynamoDB adapter implements it; tests use an in-memory one. */
export interface ChainStore {
  /** The last record of a chain, read consistently, or undefined for a new chain. */
  head(subject: string): Promise<AuditRecord | undefined>;
  /** Writes the record unless its (subject, seq) slot is taken. Returns false when another writer won it. */
  putIfAbsent(record: AuditRecord): Promise<boolean>;
}

/** A page of records and the cursor for the next one (undefined at the end). */
export interface Page<T> {
  readonly items: T[];
  readonly cursor?: string;
}

export interface TimeRange {
  /** Inclusive lower bound (ISO 8601). */
  readonly since?: string;
  /** Inclusive upper bound (ISO 8601). */
  readonly until?: string;
}

export interface ListOptions extends TimeRange {
  readonly limit?: number;
  readonly cursor?: string;
  /** Newest first (the default) or oldest first. */
  readonly order?: 'newest' | 'oldest';
}

/** The ways the trail is read. */
export interface AuditReader {
  bySubject(subject: string, options?: ListOptions): Promise<Page<AuditRecord>>;
  byType(type: AuditEventType, options?: ListOptions): Promise<Page<AuditRecord>>;
  byActor(actor: string, options?: ListOptions): Promise<Page<AuditRecord>>;
  /** Every record of a chain in sequence order, read consistently, page by page. */
  chain(subject: string): AsyncIterable<AuditRecord>;
  /** The subjects that have a chain. */
  subjects(): AsyncIterable<string>;
}

/** Where a record sits: its chain and its place in it. */
export interface RecordRef {
  readonly subject: string;
  readonly seq: number;
}

/**
 * What the scheduled verification reads: every chain (the full pass), and the records appended lately with
 * the chain from a given record on (the recent pass). The DynamoDB adapter implements it.
 */
export interface ChainCatalog {
  /** The subjects that have a chain, each once. */
  subjects(): AsyncIterable<string>;
  /** Every record of a chain in sequence order. */
  chain(subject: string): AsyncIterable<AuditRecord>;
  /** The records appended (`at`) at or after `since`, in any order; may repeat one or miss the newest few. */
  appendedSince(since: string): AsyncIterable<RecordRef>;
  /** A chain's records from `fromSeq` on, in sequence order. */
  chainFrom(subject: string, fromSeq: number): AsyncIterable<AuditRecord>;
}
