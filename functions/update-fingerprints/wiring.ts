import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { fingerprintKeyLoader } from '../../adapters/fingerprint-key';
import { DynamoDbFingerprintStore } from '../../adapters/managed-fingerprint-store';
import { secretsManagerStore } from '../../adapters/secrets-store';
import { systemClock } from '../../core/clock';
import { MANAGED_ENV } from '../../core/contracts/managed';
import type { UpdateFingerprintsDeps } from '../../core/scanning/managed/update';
import { readEnv } from '../shared/env';

const env = readEnv(
  z.object({
    [MANAGED_ENV.table]: z.string().min(1),
    [MANAGED_ENV.keySecret]: z.string().min(1),
    [MANAGED_ENV.excludeCharacters]: z.string().optional(),
  }),
);
const sm = new SecretsManagerClient({});

/** The writer's dependencies, built once per cold start; the key is kept per container for 5 minutes. */
export const updateDeps: UpdateFingerprintsDeps = {
  secrets: secretsManagerStore(sm),
  store: new DynamoDbFingerprintStore(env[MANAGED_ENV.table], new DynamoDBClient({})),
  keys: fingerprintKeyLoader(sm, env[MANAGED_ENV.keySecret]),
  clock: systemClock,
  options: { passwordPolicy: { excludeCharacters: env[MANAGED_ENV.excludeCharacters] } },
};
