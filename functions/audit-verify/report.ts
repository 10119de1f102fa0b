import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ChainReport } from '../../core/audit/verify';
import type { TrailReport, VerifyScope } from '../../core/audit/verify-all';
import type { AuditWriter } from '../../core/audit/writer';
import { ROTOR_METRICS } from '../../core/contracts/metrics';

/** The chain the optional run record is appended to. */
export const VERIFY_SUBJECT = 'SYSTEM#audit-verify';

/**
 * Logs one verified chain: a broken link as an error (subject, sequence, kind, why; never content), and in
 * a recent pass each head (a full pass logs only the digest over all heads, to keep a weekly run short).
 */
export function logChain(logger: Logger, scope: VerifyScope, chain: ChainReport): void {
  if (chain.broken) {
    logger.error('audit chain broken', {
      subject: chain.broken.subject,
      seq: chain.broken.seq,
      kind: chain.broken.kind,
      reason: chain.broken.message,
    });
  } else if (scope.mode === 'recent') {
    logger.info('audit chain verified', {
      subject: chain.subject,
      fromSeq: chain.firstSeq,
      headSeq: chain.headSeq,
      headHash: chain.headHash,
    });
  }
}

/**
 * Emits the run's metrics and logs its summary. ChainsVerified is emitted on every run (0 when nothing
 * changed), so its absence means the verification stopped. BrokenChains is emitted by every full pass and
 * by a recent pass only when it found a break: a recent pass sees only new records, so its 0 would clear
 * the alarm on a break that only the full pass can see. The alarm keeps its state when data is missing and
 * returns to OK only after a full pass finds every chain intact.
 */
export function publishRun(logger: Logger, metrics: Metrics, report: TrailReport): void {
  metrics.addMetric(ROTOR_METRICS.auditChainsVerified.name, MetricUnit.Count, report.chains);
  if (report.mode === 'full' || report.brokenChains > 0) {
    metrics.addMetric(ROTOR_METRICS.brokenAuditChains.name, MetricUnit.Count, report.brokenChains);
  }
  const summary = {
    since: report.since,
    chains: report.chains,
    records: report.records,
    brokenChains: report.brokenChains,
    digest: report.digest,
  };
  if (report.brokenChains > 0) logger.error('audit trail verification found broken chains', summary);
  else logger.info('audit trail verified', summary);
}

/** Appends the run's `audit.verified` record: counts and the broken chains' subjects, nothing else. */
export async function recordRun(writer: AuditWriter, report: TrailReport): Promise<void> {
  await writer.append({
    type: 'audit.verified',
    subject: VERIFY_SUBJECT,
    actor: 'rotor:audit-verify',
    outcome: report.brokenChains > 0 ? 'failure' : 'success',
    details: {
      chains: report.chains,
      broken: report.brokenChains,
      ...(report.breaks.length > 0 ? { brokenSubjects: report.breaks.map((b) => b.subject) } : {}),
    },
  });
}
