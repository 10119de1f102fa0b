import { GENESIS_HASH, contentOf, hashContent } from './chain';
import type { AuditRecord } from './event';

/** Why a chain is broken, at its first bad link. */
export type BreakKind =
  /** The record's content no longer matches its hash: a field was changed. */
  | 'changed'
  /** A sequence number is missing: a record was deleted (or the chain does not start at 1). */
  | 'missing'
  /** The record does not link to its predecessor: inserted, reordered, or a predecessor replaced. */
  | 'unlinked'
  /** The record's time is before its predecessor's: reordered. */
  | 'out-of-order';

/** The first broken link of a chain, described for a person. */
export interface ChainBreak {
  readonly subject: string;
  readonly kind: BreakKind;
  /** The sequence number where the break shows. */
  readonly seq: number;
  readonly message: string;
}

/** The result of walking one chain. */
export interface ChainReport {
  readonly subject: string;
  readonly records: number;
  /** The hash of the last record: compare it with an anchor kept elsewhere to detect truncation. */
  readonly headHash: string;
  readonly headSeq: number;
  /** The first sequence number verified (above 1 when older records expired under retention). */
  readonly firstSeq: number;
  readonly broken?: ChainBreak;
}

/**
 * Walks a chain's records in sequence order and names the first broken link. Streams: it keeps only the
 * previous record, so a chain of any length verifies in constant memory.
 *
 * What a hash chain cannot show on its own: records cut off the end (truncation) and a chain rewritten
 * whole by someone who can write the table. `headHash` is there to be anchored elsewhere for both.
 */
export async function verifyChain(
  subject: string,
  records: AsyncIterable<AuditRecord>,
  options: { now?: Date } = {},
): Promise<ChainReport> {
  const nowSeconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  let previous: AuditRecord | undefined;
  let skippedExpired = 0;
  let count = 0;
  let firstSeq = 0;
  const report = (broken?: ChainBreak): ChainReport => ({
    subject,
    records: count,
    headHash: previous?.hash ?? GENESIS_HASH,
    headSeq: previous?.seq ?? 0,
    firstSeq,
    ...(broken ? { broken } : {}),
  });

  for await (const record of records) {
    // With retention on, DynamoDB TTL deletes expired records in no particular order: they are no evidence.
    if (!previous && record.expiresAt !== undefined && record.expiresAt <= nowSeconds) {
      skippedExpired++;
      continue;
    }
    count++;
    // A chain whose records carry an expiry may begin where the expired ones ended.
    const startsLater = !previous && record.expiresAt !== undefined && (skippedExpired > 0 || record.seq > 1);
    const expectedSeq = previous ? previous.seq + 1 : startsLater ? record.seq : 1;
    const fail = (kind: BreakKind, message: string) => report({ subject, kind, seq: record.seq, message });

    if (hashContent(contentOf(record)) !== record.hash) {
      return fail(
        'changed',
        `record ${record.seq} of ${subject} was changed: its content does not match its hash`,
      );
    }
    if (record.seq !== expectedSeq) {
      return record.seq > expectedSeq
        ? fail(
            'missing',
            `record ${expectedSeq}${record.seq - expectedSeq > 1 ? `-${record.seq - 1}` : ''} of ${subject} is missing (deleted): the chain goes from ${expectedSeq - 1} to ${record.seq}`,
          )
        : fail(
            'unlinked',
            `record ${record.seq} of ${subject} appears after record ${previous?.seq}: records were reordered`,
          );
    }
    const expectedPrev = previous?.hash ?? (startsLater ? record.prevHash : GENESIS_HASH);
    if (record.prevHash !== expectedPrev) {
      return fail(
        'unlinked',
        `record ${record.seq} of ${subject} does not link to record ${expectedSeq - 1}: a record was inserted, replaced or reordered`,
      );
    }
    if (previous && record.at < previous.at) {
      return fail(
        'out-of-order',
        `record ${record.seq} of ${subject} is dated before record ${previous.seq}: records were reordered`,
      );
    }
    if (!previous) firstSeq = record.seq;
    previous = record;
  }
  return report();
}
