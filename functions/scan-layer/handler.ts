import { Metrics } from '@aws-lambda-powertools/metrics';
import type { ScanLayerInput } from '../../core/contracts/scanning';
import { scanLayerStep } from '../../core/scanning/pipeline';
import { createLogger } from '../shared/logger';
import { rotorHandler } from '../shared/middleware';
import { scanDetectors } from '../scan-resolve/managed-wiring';
import { layerStore, registryAccess } from '../scan-resolve/scan-wiring';

// Step 2 (a Map item): one layer blob streamed and scanned; its result goes to the layer cache table.
const logger = createLogger('scan-layer');
const metrics = new Metrics({ namespace: 'Rotor', serviceName: 'scan-layer' });
const deps = { blobs: registryAccess(), store: layerStore };

export const handler = rotorHandler({ logger, metrics }, async (event: ScanLayerInput) => {
  logger.appendKeys({ repository: event.repository, layerDigest: event.layer.digest });
  // The detector knows the managed secrets of the fingerprint set the cache version names (or newer).
  const detector = await scanDetectors.detectorFor(event.rulesetVersion);
  const out = await scanLayerStep(event, { ...deps, detector });
  logger.info('layer scanned', { findings: out.findings, files: out.files, error: out.error?.error });
  metrics.addMetric('LayerFindings', 'Count', out.findings);
  return out;
});
