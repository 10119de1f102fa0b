import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECRClient } from '@aws-sdk/client-ecr';
import { z } from 'zod';
import { DynamoDbLayerCache } from '../../adapters/layer-cache-dynamodb';
import { ecrCredentialProvider, HttpRegistryClient, parseEcrRegistry } from '../../adapters/registry';
import { SCAN_ENV } from '../../core/contracts/scanning';
import { BUILTIN_RULES } from '../../core/scanning/detect';
import { ScanConfigError } from '../../core/scanning/image/errors';
import { registryBlobSource } from '../../core/scanning/image/registry-source';
import { rulesetVersion, type BlobSourceFactory } from '../../core/scanning/pipeline';
import { readEnv } from '../shared/env';

/**
 * What the three scan functions (scan-resolve, scan-layer, scan-merge) share: the environment, the layer
 * cache, the ruleset version and the registry access. Built once per cold start.
 */
export const scanEnv = readEnv(
  z.object({
    [SCAN_ENV.layerCacheTable]: z.string().min(1),
    [SCAN_ENV.rulesetVersion]: z.string().optional(),
    [SCAN_ENV.registryEndpoint]: z.url().optional(),
  }),
);

/** The layer cache table's client. */
export const dynamo = new DynamoDBClient({});

/** Layer results by digest and ruleset version. */
export const layerStore = new DynamoDbLayerCache(scanEnv[SCAN_ENV.layerCacheTable], dynamo);

/** The cache's version: a hash of the built-in rules, salted by ROTOR_RULESET_VERSION when set. */
export const currentRulesetVersion = rulesetVersion(BUILTIN_RULES, scanEnv[SCAN_ENV.rulesetVersion] ?? '');

/**
 * Registry access: ECR hosts with a GetAuthorizationToken login for their account. With
 * ROTOR_REGISTRY_ENDPOINT (tests and `rotor local` only; the construct never sets it) every request goes
 * to that registry instead, plain HTTP allowed for a loopback address only (HttpRegistryClient refuses
 * any other).
 */
export function registryAccess(
  endpoint: string | undefined = scanEnv[SCAN_ENV.registryEndpoint],
): BlobSourceFactory {
  const clients = new Map<string, HttpRegistryClient>();
  return (registry, repository, reference) => {
    let client = clients.get(registry);
    if (!client) {
      client = clientFor(registry, endpoint);
      clients.set(registry, client);
    }
    return registryBlobSource(client, repository, reference);
  };
}

function clientFor(registry: string, endpoint: string | undefined): HttpRegistryClient {
  if (endpoint) {
    const url = new URL(endpoint);
    return new HttpRegistryClient({ registry: url.host, insecure: url.protocol === 'http:' });
  }
  const ecr = parseEcrRegistry(registry);
  if (!ecr) throw new ScanConfigError(`not an ECR registry: ${registry}`);
  return new HttpRegistryClient({
    registry,
    credentials: ecrCredentialProvider(new ECRClient({ region: ecr.region }), { registryId: ecr.accountId }),
  });
}
