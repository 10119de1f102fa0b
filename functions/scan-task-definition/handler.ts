import { Metrics } from '@aws-lambda-powertools/metrics';
import { runTaskDefinitionScan, taskDefinitionScanRequestOf } from '../../core/scanning/task-definition';
import { createLogger } from '../shared/logger';
import { rotorHandler } from '../shared/middleware';
import { outcomeLog } from './outcome-log';
import { sweepConcurrency, taskDefinitionScanDeps } from './wiring';
import { ROTOR_METRICS } from '../../core/contracts/metrics';

// A RegisterTaskDefinition CloudTrail event (one revision) or the scheduled sweep `{ "sweep": true }`.
// The event carries the plaintext environment: it is never logged, and only its identifiers are read.
const logger = createLogger('scan-task-definition');
const metrics = new Metrics({ namespace: 'Rotor', serviceName: 'scan-task-definition' });
export const handler = rotorHandler({ logger, metrics }, async (event: unknown, context) => {
  const request = taskDefinitionScanRequestOf(event);
  if (request.kind === 'revision') logger.appendKeys({ taskDefinition: request.taskDefinition });
  const outcome = await runTaskDefinitionScan(request, await taskDefinitionScanDeps(), {
    remainingMs: () => context.getRemainingTimeInMillis(),
    concurrency: sweepConcurrency,
  });
  const { message, fields, newFindings, managedLeaks } = outcomeLog(outcome);
  logger.info(message, fields);
  metrics.addMetric(ROTOR_METRICS.taskDefinitionFindings.name, 'Count', newFindings);
  metrics.addMetric(ROTOR_METRICS.taskDefinitionManagedLeaks.name, 'Count', managedLeaks);
  return outcome;
});
