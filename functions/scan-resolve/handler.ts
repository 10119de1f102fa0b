import { Metrics } from '@aws-lambda-powertools/metrics';
import { resolveStep, scanRequestOf } from '../../core/scanning/pipeline';
import { createLogger } from '../shared/logger';
import { rotorHandler } from '../shared/middleware';
import { currentRulesetVersion, layerStore, registryAccess } from './scan-wiring';

// Step 1 of the scan workflow: an ECR push event (or a scan request) in, the platforms and uncached layers out.
const logger = createLogger('scan-resolve');
const metrics = new Metrics({ namespace: 'Rotor', serviceName: 'scan-resolve' });
const deps = { blobs: registryAccess(), store: layerStore, rulesetVersion: currentRulesetVersion };

export const handler = rotorHandler({ logger, metrics }, async (event: unknown) => {
  const request = scanRequestOf(event);
  logger.appendKeys({ repository: request.repository, digest: request.digest });
  const out = await resolveStep(request, deps);
  logger.info('image resolved', {
    images: out.images.length,
    layersToScan: out.layers.length,
    layersCached: out.layersCached,
    problems: out.problems.length,
  });
  metrics.addMetric('LayersCached', 'Count', out.layersCached);
  return out;
});
