import { Metrics } from '@aws-lambda-powertools/metrics';
import { resolveStep, scanRequestOf } from '../../core/scanning/pipeline';
import { createLogger } from '../shared/logger';
import { rotorHandler } from '../shared/middleware';
import { scanDetectors } from './managed-wiring';
import { layerStore, registryAccess } from './scan-wiring';

// Step 1 of the scan workflow: an ECR push event (or a scan request) in, the platforms and uncached layers out.
const logger = createLogger('scan-resolve');
const metrics = new Metrics({ namespace: 'Rotor', serviceName: 'scan-resolve' });
const deps = { blobs: registryAccess(), store: layerStore };

export const handler = rotorHandler({ logger, metrics }, async (event: unknown) => {
  const request = scanRequestOf(event);
  logger.appendKeys({ repository: request.repository, digest: request.digest });
  // The layer cache's version: the rules' and, with managed secrets, the fingerprint set's (one GetItem).
  const out = await resolveStep(request, { ...deps, rulesetVersion: await scanDetectors.cacheVersion() });
  logger.info('image resolved', {
    images: out.images.length,
    layersToScan: out.layers.length,
    layersCached: out.layersCached,
    problems: out.problems.length,
  });
  metrics.addMetric('LayersCached', 'Count', out.layersCached);
  return out;
});
