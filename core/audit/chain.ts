import { createHash } from 'node:crypto';
import { canonicalize } from 'json-canonicalize';
import type { AuditEvent, AuditRecord } from './event';

/** The `prevHash` of the first record of every chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** Bumped when the hashed content changes shape, so verify can tell old records from tampered ones. */
export const CHAIN_VERSION = 1;

/** Everything a record's hash covers: the event, its time, its place in the chain and its predecessor. */
export type HashedContent = AuditEvent & { at: string; expiresAt?: number; seq: number; prevHash: string };

/**
 * The canonical serialization of a record's content (RFC 8785 JSON canonicalization: sorted keys, no
 * whitespace, one number format), so that the same content always hashes the same on every writer.
 * Undefined fields are dropped, which is what a round trip through DynamoDB does too.
 */
export function canonicalContent(content: HashedContent): string {
  return canonicalize({ v: CHAIN_VERSION, ...withoutUndefined(content) });
}

/** sha256 (hex) of the canonical content. */
export function hashContent(content: HashedContent): string {
  return createHash('sha256').update(canonicalContent(content)).digest('hex');
}

/** Seals an event as the record that follows `previous` (or starts a chain when there is none). */
export function seal(
  event: AuditEvent & { at: string; expiresAt?: number },
  previous: Pick<AuditRecord, 'seq' | 'hash'> | undefined,
): AuditRecord {
  const content: HashedContent = {
    ...event,
    seq: previous ? previous.seq + 1 : 1,
    prevHash: previous ? previous.hash : GENESIS_HASH,
  };
  return { ...content, hash: hashContent(content) } as AuditRecord;
}

/** The content of a stored record without its own hash, for recomputing it. */
export function contentOf(record: AuditRecord): HashedContent {
  const { hash: _hash, ...content } = record;
  return content as HashedContent;
}

function withoutUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutUndefined) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, withoutUndefined(v)]),
    ) as T;
  }
  return value;
}
