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
