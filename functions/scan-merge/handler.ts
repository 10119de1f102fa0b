import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { ROTOR_METRICS, newFindingsBySeverityMetric } from '../../core/contracts/metrics';
import type { MergeInput } from '../../core/contracts/scanning';
import { mergeStep } from '../../core/scanning/pipeline';
import { SEVERITIES } from '../../core/scanning/types';
import { createLogger } from '../shared/logger';
import { rotorHandler } from '../shared/middleware';
import { scanDetectors } from '../scan-resolve/managed-wiring';
import { mergeDeps } from './merge-wiring';

// Step 3: whiteouts merged per image, configs scanned, findings stored once, audited, leaks announced.
const logger = createLogger('scan-merge');
const metrics = new Metrics({ namespace: 'Rotor', serviceName: 'scan-merge' });
export const handler = rotorHandler({ logger, metrics }, async (event: MergeInput) => {
  logger.appendKeys({ repository: event.resolve.repository, digest: event.resolve.digest });
  // The config is scanned with the same managed records and findings key as the layers of this scan.
  const detector = await scanDetectors.detectorFor(event.resolve.rulesetVersion);
  const out = await mergeStep(event, { ...mergeDeps, detector });
  logger.info('scan merged', {
    findings: out.findings,
    newFindings: out.newFindings,
    newBySeverity: out.newBySeverity,
    managedLeaks: out.managedLeaks,
    problems: out.problems.length,
  });
  metrics.addMetric(ROTOR_METRICS.newFindings.name, MetricUnit.Count, out.newFindings);
  metrics.addMetric(ROTOR_METRICS.managedSecretLeaks.name, MetricUnit.Count, out.managedLeaks);
  // Every severity, zeros included: a graph and an alarm see "scanned, nothing new" rather than a gap.
  for (const severity of SEVERITIES) {
    const count = out.newBySeverity?.[severity] ?? 0;
    metrics.addMetric(newFindingsBySeverityMetric(severity).name, MetricUnit.Count, count);
  }
  return out;
});
