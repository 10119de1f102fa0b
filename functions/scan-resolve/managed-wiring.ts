import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { MANAGED_ENV } from '../../core/contracts/managed';
import { readEnv } from '../shared/env';
import { managedScanDetectors, plainScanDetectors, type ScanDetectors } from '../shared/scan-detectors';
import { currentRulesetVersion, dynamo } from './scan-wiring';

const env = readEnv(
  z.object({
    [MANAGED_ENV.table]: z.string().min(1).optional(),
    [MANAGED_ENV.keySecret]: z.string().min(1).optional(),
    [MANAGED_ENV.cacheSeconds]: z.coerce.number().int().min(0).max(3600).optional(),
  }),
);
if ((env[MANAGED_ENV.table] === undefined) !== (env[MANAGED_ENV.keySecret] === undefined)) {
  throw new Error(
    `invalid function environment: ${MANAGED_ENV.table} and ${MANAGED_ENV.keySecret} go together`,
  );
}

const table = env[MANAGED_ENV.table];
const keySecret = env[MANAGED_ENV.keySecret];

/** The scan functions' detectors, built once per cold start from the environment. */
export const scanDetectors: ScanDetectors =
  table && keySecret
    ? managedScanDetectors({
        table,
        keySecret,
        rulesetVersion: currentRulesetVersion,
        dynamo,
        secretsManager: new SecretsManagerClient({}),
        cacheSeconds: env[MANAGED_ENV.cacheSeconds],
      })
    : plainScanDetectors(currentRulesetVersion);
