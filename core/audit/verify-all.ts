import { InvalidVerifyRequestError } from './errors';
import { createHash } from 'node:crypto';
import { systemClock, type Clock } from '../clock';
import { contentOf, hashContent } from './chain';
import type { AuditRecord } from './event';
import type { ChainCatalog } from './ports';
import { type BreakKind, type ChainBreak, type ChainReport, verifyChain } from './verify';

/**
 * Verifying the whole trail on a schedule, at a cost that does not grow with its age.
 *
 * - `full`: every chain from its first record (a Scan for the subjects, then each chain): proves every record
 *   intact. Costs about two reads of the table, so it runs weekly (and by hand after an incident).
 * - `recent`: only the chains appended to since `since` (found through the by-type index), each from the
 *   record just before its first new one: proves that every new record is intact, linked, and hangs off a
 *   record whose own hash holds, and that no record seen in the window was cut off the end. Costs about the
 *   reads of the new records, so it runs hourly with a window of twice the interval (a late run overlaps).
 *
 * What `recent` cannot see, `full` does: a change to an old record of a chain nobody appends to any more.
 */
export type VerifyScope = { readonly mode: 'full' } | { readonly mode: 'recent'; readonly since: string };

/** How `verifyAll` runs. */
export interface VerifyAllOptions {
  /** For records' expiry (retention). @default systemClock */
  readonly clock?: Clock;
  /** Chains verified at once (each is one paged Query at a time). @default 4 */
  readonly concurrency?: number;
  /** Called with each chain's report as it completes (to log a broken link, or a head to anchor). */
  readonly onChain?: (report: ChainReport) => void;
  /** How many breaks the result lists (all are counted). @default 100 */
  readonly maxBreaks?: number;
}

/** What one verification of the trail found. Holds subjects, sequence numbers and hashes: no record content. */
export interface TrailReport {
  readonly mode: VerifyScope['mode'];
  readonly since?: string;
  /** Chains verified (wholly in `full`, from before their first new record in `recent`). */
  readonly chains: number;
  /** Records read and checked. */
  readonly records: number;
  readonly brokenChains: number;
  /** The first broken link of each broken chain, sorted by subject, at most `maxBreaks`. */
  readonly breaks: readonly ChainBreak[];
  /**
   * sha256 (hex) over `<subject> <headSeq> <headHash>` lines of the chains verified, sorted by subject: one
   * value that pins every head, to anchor outside the table (truncation and wholesale rewrites show there).
   */
  readonly digest: string;
}

/** The request a scheduled run carries was not understood: it names the field, never a value. */
export { InvalidVerifyRequestError };

/** Verifies the chains `scope` selects and sums up what it found. Throws only when the store fails. */
export async function verifyAll(
  catalog: ChainCatalog,
  scope: VerifyScope,
  options: VerifyAllOptions = {},
): Promise<TrailReport> {
  const now = (options.clock ?? systemClock).now();
  const concurrency = options.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new InvalidVerifyRequestError(`concurrency must be a positive integer (got ${concurrency})`, {
      context: { field: 'concurrency' },
    });
  }
  const heads: string[] = [];
  const breaks: ChainBreak[] = [];
  let records = 0;
  const take = (report: ChainReport) => {
    records += report.records;
    heads.push(`${report.subject} ${report.headSeq} ${report.headHash}`);
    if (report.broken) breaks.push(report.broken);
    options.onChain?.(report);
  };

  if (scope.mode === 'full') {
    await forEachConcurrently(catalog.subjects(), concurrency, async (subject) =>
      take(await verifyChain(subject, catalog.chain(subject), { now })),
    );
  } else {
    const window = await appendedWindow(catalog, scope.since);
    await forEachConcurrently(toAsync(window), concurrency, async ([subject, seen]) => {
      const from = Math.max(1, seen.min - 1);
      take(await verifyChainFrom(subject, catalog.chainFrom(subject, from), from, seen.max, { now }));
    });
  }

  breaks.sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0));
  heads.sort();
  return {
    mode: scope.mode,
    ...(scope.mode === 'recent' ? { since: scope.since } : {}),
    chains: heads.length,
    records,
    brokenChains: breaks.length,
    breaks: breaks.slice(0, options.maxBreaks ?? 100),
    digest: createHash('sha256').update(heads.join('\n')).digest('hex'),
  };
}

/**
 * Verifies a chain from record `fromSeq` on (records before it are taken as verified elsewhere): the record
 * at `fromSeq` must hold its own hash, and each after it must follow and link to the one before. With
 * `fromSeq` 1 it is `verifyChain`. `seenSeq` is the highest sequence number known to exist: a chain that
 * now ends before it was cut short.
 */
export async function verifyChainFrom(
  subject: string,
  records: AsyncIterable<AuditRecord>,
  fromSeq: number,
  seenSeq = 0,
  options: { now?: Date } = {},
): Promise<ChainReport> {
  let previous: AuditRecord | undefined;
  let count = 0;
  let firstSeq = 0;
  const report = (broken?: { kind: BreakKind; seq: number; message: string }): ChainReport => ({
    subject,
    records: count,
    headHash: previous?.hash ?? '',
    headSeq: previous?.seq ?? 0,
    firstSeq,
    ...(broken ? { broken: { subject, ...broken } } : {}),
  });

  if (fromSeq <= 1) {
    const whole = await verifyChain(subject, records, options);
    return whole.broken || whole.headSeq >= seenSeq ? whole : truncated(whole, seenSeq);
  }
  for await (const record of records) {
    count++;
    const fail = (kind: BreakKind, message: string) => report({ kind, seq: record.seq, message });
    if (hashContent(contentOf(record)) !== record.hash) {
      return fail(
        'changed',
        `record ${record.seq} of ${subject} was changed: its content does not match its hash`,
      );
    }
    if (!previous) {
      // Under retention the record before the window may have expired and gone: start at the first one left.
      const expired = record.expiresAt !== undefined && record.seq > fromSeq;
      if (record.seq !== fromSeq && !expired) {
        return fail(
          'missing',
          `record ${fromSeq}${record.seq - fromSeq > 1 ? `-${record.seq - 1}` : ''} of ${subject} is missing (deleted): the chain resumes at ${record.seq}`,
        );
      }
      firstSeq = record.seq;
      previous = record;
      continue;
    }
    if (record.seq !== previous.seq + 1) {
      return record.seq > previous.seq + 1
        ? fail(
            'missing',
            `record ${previous.seq + 1}${record.seq - previous.seq > 2 ? `-${record.seq - 1}` : ''} of ${subject} is missing (deleted): the chain goes from ${previous.seq} to ${record.seq}`,
          )
        : fail(
            'unlinked',
            `record ${record.seq} of ${subject} appears after record ${previous.seq}: records were reordered`,
          );
    }
    if (record.prevHash !== previous.hash) {
      return fail(
        'unlinked',
        `record ${record.seq} of ${subject} does not link to record ${previous.seq}: a record was inserted, replaced or reordered`,
      );
    }
    if (record.at < previous.at) {
      return fail(
        'out-of-order',
        `record ${record.seq} of ${subject} is dated before record ${previous.seq}: records were reordered`,
      );
    }
    previous = record;
  }
  if (!previous) {
    return report({
      kind: 'missing',
      seq: fromSeq,
      message: `records from ${fromSeq} of ${subject} are missing (deleted): the chain has none of them`,
    });
  }
  const done = report();
  return done.headSeq >= seenSeq ? done : truncated(done, seenSeq);
}

function truncated(report: ChainReport, seenSeq: number): ChainReport {
  const seq = report.headSeq + 1;
  return {
    ...report,
    broken: {
      subject: report.subject,
      kind: 'missing',
      seq,
      message: `record ${seq}${seenSeq > seq ? `-${seenSeq}` : ''} of ${report.subject} is missing (deleted): the chain ends at ${report.headSeq} but ${seenSeq} was appended`,
    },
  };
}

/** The lowest and highest sequence number appended to each chain since `since`. */
async function appendedWindow(
  catalog: ChainCatalog,
  since: string,
): Promise<Map<string, { min: number; max: number }>> {
  const window = new Map<string, { min: number; max: number }>();
  for await (const { subject, seq } of catalog.appendedSince(since)) {
    const seen = window.get(subject);
    if (!seen) window.set(subject, { min: seq, max: seq });
    else window.set(subject, { min: Math.min(seen.min, seq), max: Math.max(seen.max, seq) });
  }
  return window;
}

async function* toAsync<T>(items: Iterable<T>): AsyncIterable<T> {
  yield* items;
}

/** Runs `work` on each item with at most `limit` in flight; the first failure rejects. */
async function forEachConcurrently<T>(
  items: AsyncIterable<T>,
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  const iterator = items[Symbol.asyncIterator]();
  // Pulls are serialised: not every async iterator takes overlapping next() calls.
  let pulling: Promise<unknown> = Promise.resolve();
  const pull = () => {
    const next = pulling.then(() => iterator.next());
    pulling = next.catch(() => undefined);
    return next;
  };
  let failed = false;
  const worker = async () => {
    while (!failed) {
      const next = await pull();
      if (next.done) return;
      try {
        await work(next.value);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
}
