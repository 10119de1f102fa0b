import type { TaskDefinitionScanOutcome } from '../../core/scanning/task-definition';

/** The log line and metric values of an outcome: counts and identifiers only. */
export function outcomeLog(outcome: TaskDefinitionScanOutcome): {
  message: string;
  fields: Record<string, unknown>;
  newFindings: number;
  managedLeaks: number;
} {
  switch (outcome.kind) {
    case 'ignored':
      return {
        message: 'nothing to scan',
        fields: { reason: outcome.reason },
        newFindings: 0,
        managedLeaks: 0,
      };
    case 'sweep': {
      const r = outcome.result;
      return {
        message: r.complete ? 'task definition sweep complete' : 'task definition sweep incomplete',
        fields: {
          families: r.families,
          revisionsScanned: r.revisionsScanned,
          findings: r.findings,
          newFindings: r.newFindings,
          managedLeaks: r.managedLeaks,
          failed: r.failedCount,
          notReached: r.notReachedCount,
          environmentFilesNotScanned: r.environmentFilesNotScanned,
        },
        newFindings: r.newFindings,
        managedLeaks: r.managedLeaks,
      };
    }
    case 'revision':
      if (outcome.outcome === 'not-found') {
        return { message: 'task definition not found', fields: {}, newFindings: 0, managedLeaks: 0 };
      }
      return {
        message: 'task definition scanned',
        fields: {
          variables: outcome.summary.variables,
          findings: outcome.summary.findings,
          newFindings: outcome.summary.newFindings,
          managedLeaks: outcome.summary.managedLeaks,
          environmentFilesNotScanned: outcome.summary.notes.length,
        },
        newFindings: outcome.summary.newFindings,
        managedLeaks: outcome.summary.managedLeaks,
      };
  }
}
