import type { Clock } from '../../clock';
import type { AuditAppender, FindingsStore, LeakNotifier } from '../pipeline/ports';
import type { Detector } from '../types';
import type { TaskDefinitionSource } from './ports';
import { taskDefinitionAuditEvent, taskDefinitionFindingRecord, taskDefinitionLeak } from './record';
import { scanTaskDefinition } from './scan';
import type { TaskDefinitionNote, TaskDefinitionScan } from './types';

/** What scanning and recording a task definition needs. */
export interface TaskDefinitionScanDeps {
  readonly source: TaskDefinitionSource;
  readonly detector: Detector;
  /** The detector's fingerprint key, for the name rule. @default DEFAULT_FINGERPRINT_KEY */
  readonly fingerprintKey?: string | Uint8Array;
  readonly findings: FindingsStore;
  readonly audit: AuditAppender;
  readonly leaks: LeakNotifier;
  readonly clock: Clock;
  /** The audit actor. @default 'rotor:scanner' */
  readonly actor?: string;
}

/** What one revision's scan did: counts and identifiers only. */
export interface TaskDefinitionScanSummary {
  readonly taskDefinitionArn: string;
  readonly family: string;
  readonly revision: number;
  readonly variables: number;
  readonly findings: number;
  /** Findings not stored before (scanning the same revision again gives 0). */
  readonly newFindings: number;
  readonly managedLeaks: number;
  readonly notes: readonly TaskDefinitionNote[];
}

/**
 * Stores each finding once (keyed by fingerprint and occurrence), and for each one not seen before appends
 * a `scan.finding` record to the family's audit chain and, when it is a managed secret, tells remediation.
 * A finding is marked audited only after both, so a run that stops midway audits it on the next run.
 */
export async function recordTaskDefinitionFindings(
  scan: TaskDefinitionScan,
  deps: Omit<TaskDefinitionScanDeps, 'source' | 'detector'>,
): Promise<{ newFindings: number; managedLeaks: number }> {
  let newFindings = 0;
  let managedLeaks = 0;
  for (const finding of scan.findings) {
    const record = taskDefinitionFindingRecord(finding, deps.clock.now().toISOString());
    if (!(await deps.findings.claim(record))) continue;
    newFindings += 1;
    await deps.audit.append(taskDefinitionAuditEvent(record, deps.actor ?? 'rotor:scanner'));
    const leak = taskDefinitionLeak(record);
    if (leak) {
      managedLeaks += 1;
      await deps.leaks.secretLeaked(leak);
    }
    await deps.findings.markAudited(record, deps.clock.now().toISOString());
  }
  return { newFindings, managedLeaks };
}

/** Describes one revision (ARN, `family:revision` or `family`), scans its environment and records the findings. */
export async function scanTaskDefinitionRevision(
  taskDefinition: string,
  deps: TaskDefinitionScanDeps,
): Promise<TaskDefinitionScanSummary> {
  const td = await deps.source.describe(taskDefinition);
  const scan = scanTaskDefinition(td, { detector: deps.detector, fingerprintKey: deps.fingerprintKey });
  const { newFindings, managedLeaks } = await recordTaskDefinitionFindings(scan, deps);
  return {
    taskDefinitionArn: scan.taskDefinitionArn,
    family: scan.family,
    revision: scan.revision,
    variables: scan.variables,
    findings: scan.findings.length,
    newFindings,
    managedLeaks,
    notes: scan.notes,
  };
}
