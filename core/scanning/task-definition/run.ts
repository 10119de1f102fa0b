import type { TaskDefinitionScanRequest } from './event';
import { TaskDefinitionNotFoundError } from './errors';
import {
  scanTaskDefinitionRevision,
  type TaskDefinitionScanDeps,
  type TaskDefinitionScanSummary,
} from './scan-step';
import { sweepTaskDefinitions, type SweepOptions, type SweepResult } from './sweep';

/** What the scan-task-definition function did: counts and identifiers, never a value. */
export type TaskDefinitionScanOutcome =
  | { readonly kind: 'revision'; readonly outcome: 'scanned'; readonly summary: TaskDefinitionScanSummary }
  /** The revision is gone (deleted since the event): nothing to scan. */
  | { readonly kind: 'revision'; readonly outcome: 'not-found'; readonly taskDefinition: string }
  | { readonly kind: 'ignored'; readonly reason: string }
  | { readonly kind: 'sweep'; readonly result: SweepResult };

/**
 * Runs a request: one revision (an event or a direct request) or the sweep. A revision that no longer
 * exists is an outcome, not an error; every other error is thrown (retryable ones are TransientErrors).
 */
export async function runTaskDefinitionScan(
  request: TaskDefinitionScanRequest,
  deps: TaskDefinitionScanDeps,
  sweep: Omit<SweepOptions, 'allRevisions'>,
): Promise<TaskDefinitionScanOutcome> {
  switch (request.kind) {
    case 'ignored':
      return request;
    case 'sweep':
      return {
        kind: 'sweep',
        result: await sweepTaskDefinitions(deps, { ...sweep, allRevisions: request.allRevisions }),
      };
    case 'revision':
      try {
        return {
          kind: 'revision',
          outcome: 'scanned',
          summary: await scanTaskDefinitionRevision(request.taskDefinition, deps),
        };
      } catch (error) {
        if (error instanceof TaskDefinitionNotFoundError) {
          return { kind: 'revision', outcome: 'not-found', taskDefinition: request.taskDefinition };
        }
        throw error;
      }
  }
}
