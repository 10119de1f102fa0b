import { realSleep, type Sleep } from '../../clock';
import { RotorError } from '../../errors';
import { scanTaskDefinitionRevision, type TaskDefinitionScanDeps } from './scan-step';

/** How the sweep runs. */
export interface SweepOptions {
  /** Time left for the sweep (in Lambda: `context.getRemainingTimeInMillis`). */
  readonly remainingMs: () => number;
  /** Stop starting new work when less than this is left (a describe, a scan and the writes must fit). @default 30_000 */
  readonly reserveMs?: number;
  /** Families scanned at once. @default 4 */
  readonly concurrency?: number;
  /** Every ACTIVE revision instead of each family's latest. @default false */
  readonly allRevisions?: boolean;
  /** Attempts of a revision whose error is retryable (throttling, 5xx). @default 3 */
  readonly attempts?: number;
  /** First backoff after a retryable error, doubled each time. @default 500 */
  readonly backoffMs?: number;
  readonly sleep?: Sleep;
  /** At most this many names in `notReached` and `failed` (the counts are complete). @default 50 */
  readonly maxListed?: number;
}

/** A family or revision the sweep could not scan: its error class and a message naming identifiers only. */
export interface SweepProblem {
  readonly family: string;
  readonly taskDefinition?: string;
  readonly error: string;
  readonly message: string;
}

/** What a sweep did, and what it did not reach. */
export interface SweepResult {
  /** Families with an ACTIVE revision that were listed. */
  readonly families: number;
  /** Whether every page of families was listed before time ran out. */
  readonly listed: boolean;
  readonly revisionsScanned: number;
  readonly findings: number;
  readonly newFindings: number;
  readonly managedLeaks: number;
  readonly environmentFilesNotScanned: number;
  readonly failedCount: number;
  readonly failed: readonly SweepProblem[];
  /** Families not scanned (or, with allRevisions, not fully scanned) because time ran out. */
  readonly notReachedCount: number;
  readonly notReached: readonly string[];
  /** Everything listed was scanned or failed; nothing was left for lack of time. */
  readonly complete: boolean;
}

/**
 * The scheduled sweep: every family with an ACTIVE revision, its latest ACTIVE revision (or, with
 * `allRevisions`, every ACTIVE one), scanned `concurrency` at a time and recorded like a
 * RegisterTaskDefinition event's scan. Retryable errors are retried with backoff; a family that still
 * fails is reported and the sweep goes on. When the time budget runs low it stops starting work and
 * reports what it did not reach, so a 15-minute Lambda ends cleanly with an account of its coverage.
 *
 * Why the latest revision by default: it is what services deploy next and what a RegisterTaskDefinition
 * event already scanned when it was created; every older revision was scanned by its own event once Rotor
 * was installed. `allRevisions` is for the first sweep of an account with history (or after a rules change).
 */
export async function sweepTaskDefinitions(
  deps: TaskDefinitionScanDeps,
  options: SweepOptions,
): Promise<SweepResult> {
  const reserve = options.reserveMs ?? 30_000;
  const concurrency = options.concurrency ?? 4;
  const attempts = options.attempts ?? 3;
  const backoff = options.backoffMs ?? 500;
  const sleep = options.sleep ?? realSleep;
  const maxListed = options.maxListed ?? 50;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new RangeError('concurrency must be a positive integer');
  const timeLeft = () => options.remainingMs() > reserve;

  const families: string[] = [];
  let listed = true;
  // Listing is cheap (100 families a call) and tells what was not reached, so it goes on past the reserve,
  // down to a floor: a huge account must still not spend the whole budget on it.
  const listingFloor = Math.min(5_000, reserve);
  for await (const family of deps.source.activeFamilies()) {
    families.push(family);
    if (options.remainingMs() <= listingFloor) {
      listed = false;
      break;
    }
  }

  const totals = { revisionsScanned: 0, findings: 0, newFindings: 0, managedLeaks: 0, files: 0 };
  const failed: SweepProblem[] = [];
  const notReached: string[] = [];
  let failedCount = 0;
  let notReachedCount = 0;
  const fail = (problem: SweepProblem) => {
    failedCount += 1;
    if (failed.length < maxListed) failed.push(problem);
  };
  const skip = (what: string) => {
    notReachedCount += 1;
    if (notReached.length < maxListed) notReached.push(what);
  };

  const withRetries = async <T>(call: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        const retryable = error instanceof RotorError && error.retryable;
        if (!retryable || attempt >= attempts || !timeLeft()) throw error;
        await sleep(backoff * 2 ** (attempt - 1));
      }
    }
  };

  const scanFamily = async (family: string): Promise<void> => {
    let revisions: AsyncIterable<string> | string[];
    try {
      if (options.allRevisions) {
        revisions = deps.source.activeRevisions(family);
      } else {
        const latest = await withRetries(() => deps.source.latestActiveRevision(family));
        revisions = latest ? [latest] : [];
      }
      for await (const arn of revisions) {
        if (!timeLeft()) {
          // The rest of this family's revisions are not listed either: the family is reported, once.
          skip(family);
          break;
        }
        try {
          const summary = await withRetries(() => scanTaskDefinitionRevision(arn, deps));
          totals.revisionsScanned += 1;
          totals.findings += summary.findings;
          totals.newFindings += summary.newFindings;
          totals.managedLeaks += summary.managedLeaks;
          totals.files += summary.notes.length;
        } catch (error) {
          fail({ family, taskDefinition: arn, ...problemOf(error) });
        }
      }
    } catch (error) {
      fail({ family, ...problemOf(error) });
    }
  };

  let next = 0;
  const worker = async () => {
    while (next < families.length) {
      const family = families[next++]!;
      if (!timeLeft()) skip(family);
      else await scanFamily(family);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, families.length) }, worker));

  return {
    families: families.length,
    listed,
    revisionsScanned: totals.revisionsScanned,
    findings: totals.findings,
    newFindings: totals.newFindings,
    managedLeaks: totals.managedLeaks,
    environmentFilesNotScanned: totals.files,
    failedCount,
    failed,
    notReachedCount,
    notReached,
    complete: listed && notReachedCount === 0,
  };
}

/** An error as the sweep reports it: a RotorError's class and message (identifiers only), a foreign error's class. */
function problemOf(error: unknown): { error: string; message: string } {
  if (error instanceof RotorError) return { error: error.name, message: error.message };
  // Foreign errors may carry anything in their message: keep only their class.
  return { error: 'Error', message: `unexpected ${(error as Error)?.name ?? 'error'}` };
}
