import { Metrics } from '@aws-lambda-powertools/metrics';
import type { UpdateFingerprintsOutput } from '../../core/contracts/managed';
import { updateFingerprints } from '../../core/scanning/managed/update';
import { createLogger } from '../shared/logger';
import { rotorHandler } from '../shared/middleware';
import { parseUpdateFingerprintsEvent } from './event';
import { updateDeps } from './wiring';

// After finishSecret: records of the secret's AWSCURRENT and AWSPREVIOUS values, so the scanner knows them.
const logger = createLogger('update-fingerprints');
const metrics = new Metrics({ namespace: 'Rotor', serviceName: 'update-fingerprints' });

export const handler = rotorHandler(
  { logger, metrics },
  async (event: unknown): Promise<UpdateFingerprintsOutput> => {
    const input = parseUpdateFingerprintsEvent(event);
    // `target`, not `secretId`: the logger redacts keys that say "secret".
    logger.appendKeys({ target: input.secretId });
    const { changed, version, ...out } = await updateFingerprints(input, updateDeps);
    logger.info('fingerprints updated', { records: out.records, skipped: out.skipped, changed, version });
    metrics.addMetric('FingerprintRecords', 'Count', out.records);
    return out;
  },
);
