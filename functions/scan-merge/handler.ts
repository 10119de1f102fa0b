import { Metrics } from '@aws-lambda-powertools/metrics';
import type { MergeInput } from '../../core/contracts/scanning';
import { mergeStep } from '../../core/scanning/pipeline';
import { createLogger } from '../shared/logger';
import { rotorHandler } from '../shared/middleware';
import { mergeDeps } from './merge-wiring';

// Step 3: whiteouts merged per image, configs scanned, findings stored once, audited, leaks announced.
const logger = createLogger('scan-merge');
const metrics = new Metrics({ namespace: 'Rotor', serviceName: 'scan-merge' });
export const handler = rotorHandler({ logger, metrics }, async (event: MergeInput) => {
  logger.appendKeys({ repository: event.resolve.repository, digest: event.resolve.digest });
  const out = await mergeStep(event, mergeDeps);
  logger.info('scan merged', {
    findings: out.findings,
    newFindings: out.newFindings,
    managedLeaks: out.managedLeaks,
    problems: out.problems.length,
  });
  metrics.addMetric('NewFindings', 'Count', out.newFindings);
  metrics.addMetric('ManagedSecretLeaks', 'Count', out.managedLeaks);
  return out;
});
