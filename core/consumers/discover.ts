import { mapWithConcurrency } from './concurrency';
import { clusterName, serviceKey, serviceName } from './ecs-names';
import { TooManyServicesError } from './errors';
import type { EcsPort, EcsService, EcsTaskDefinition } from './ports';
import {
  locationOfArn,
  parseSecretArn,
  parseValueFrom,
  referencesSecret,
  type ParsedSecretArn,
  type SecretIdentity,
} from './secret-reference';

/** A service declared as a consumer by the construct (`rotor:consumers`), by names or ARNs. */
export interface DeclaredConsumer {
  readonly cluster: string;
  readonly service: string;
}

/** One place in a task definition that names the secret. Identifiers only, never a value. */
export interface ConsumerReference {
  readonly container: string;
  /** Which field: `secrets`, `logConfiguration.secretOptions` or `repositoryCredentials`. */
  readonly field: 'secrets' | 'logConfiguration.secretOptions' | 'repositoryCredentials';
  /** The environment variable (or log option) the container receives it as. */
  readonly variable?: string;
  readonly jsonKey?: string;
  /** A pinned version: a redeploy does not move a container that reads `AWSPREVIOUS` or a version id. */
  readonly versionStage?: string;
  readonly versionId?: string;
}

/** An ECS service that reads the secret, or was declared to. */
export interface SecretConsumer {
  /** The cluster ARN when discovered; as declared otherwise. */
  readonly cluster: string;
  /** The service ARN when discovered; as declared otherwise. */
  readonly service: string;
  readonly serviceName: string;
  /** The PRIMARY deployment's task definition, when discovered. */
  readonly taskDefinition?: string;
  /** Where the task definition names the secret; empty for a consumer only declared. */
  readonly references: readonly ConsumerReference[];
  /** Found by scanning task definitions. */
  readonly discovered: boolean;
  /** Listed in the explicit consumers. */
  readonly declared: boolean;
}

/** Bounds and extras of one discovery. */
export interface FindConsumersOptions {
  /** Scan only these clusters (names or ARNs); `[]` scans none. @default every cluster (ListClusters) */
  readonly clusters?: readonly string[];
  /** Consumers declared explicitly; merged with those found, without duplicates. @default none */
  readonly declared?: readonly DeclaredConsumer[];
  /** Stop with TooManyServicesError past this many services listed. @default 2000 */
  readonly maxServices?: number;
  /** Task definitions fetched at once. @default 5 */
  readonly concurrency?: number;
}

const DESCRIBE_BATCH = 10;

/**
 * Finds the ECS services whose current task definition (the PRIMARY deployment's) names the secret in
 * a container's `secrets`, `logConfiguration.secretOptions` or `repositoryCredentials`, in any form ECS
 * accepts, plus the consumers declared explicitly. Each task definition is fetched once per discovery.
 *
 * @throws TooManyServicesError past `maxServices`; InvalidSecretReferenceError for a bad secret ARN.
 * @example
 *   const consumers = await findConsumers({ arn, name: 'prod/db' }, ecs, { clusters: ['prod'] });
 */
export async function findConsumers(
  secret: SecretIdentity,
  ecs: EcsPort,
  options: FindConsumersOptions = {},
): Promise<SecretConsumer[]> {
  const target = parseSecretArn(secret);
  const maxServices = options.maxServices ?? 2000;
  const concurrency = options.concurrency ?? 5;
  const taskDefinitions = new Map<string, Promise<EcsTaskDefinition>>();
  const describeOnce = (arn: string): Promise<EcsTaskDefinition> => {
    let cached = taskDefinitions.get(arn);
    if (!cached) {
      cached = ecs.describeTaskDefinition(arn);
      // A failed fetch is not cached: the caller's retry should try again.
      cached.catch(() => taskDefinitions.delete(arn));
      taskDefinitions.set(arn, cached);
    }
    return cached;
  };

  const found = new Map<string, SecretConsumer>();
  const inspect = async (cluster: string, serviceArns: readonly string[]): Promise<void> => {
    if (serviceArns.length === 0) return;
    const services = await ecs.describeServices(cluster, serviceArns);
    const matches = await mapWithConcurrency(services, concurrency, async (service) => {
      const taskDefinition = currentTaskDefinition(service);
      if (service.status !== 'ACTIVE' || taskDefinition === undefined) return undefined;
      const references = referencesIn(await describeOnce(taskDefinition), target);
      return references.length === 0 ? undefined : { service, taskDefinition, references };
    });
    for (const match of matches) {
      if (!match) continue;
      const { service, taskDefinition, references } = match;
      found.set(serviceKey(service.clusterArn || cluster, service.serviceArn), {
        cluster: service.clusterArn || cluster,
        service: service.serviceArn,
        serviceName: service.serviceName,
        taskDefinition,
        references,
        discovered: true,
        declared: false,
      });
    }
  };

  let scanned = 0;
  const clusters = options.clusters ?? (await collect(ecs.listClusters()));
  for (const cluster of clusters) {
    let batch: string[] = [];
    for await (const serviceArn of ecs.listServices(cluster)) {
      if (++scanned > maxServices) {
        throw new TooManyServicesError(maxServices, { cluster: clusterName(cluster), secretId: secret.arn });
      }
      batch.push(serviceArn);
      if (batch.length === DESCRIBE_BATCH) {
        await inspect(cluster, batch);
        batch = [];
      }
    }
    await inspect(cluster, batch);
  }

  for (const declared of options.declared ?? []) {
    const key = serviceKey(declared.cluster, declared.service);
    const existing = found.get(key);
    found.set(
      key,
      existing
        ? { ...existing, declared: true }
        : {
            cluster: declared.cluster,
            service: declared.service,
            serviceName: serviceName(declared.service),
            references: [],
            discovered: false,
            declared: true,
          },
    );
  }
  return [...found.values()];
}

/** The task definition tasks start from now: the PRIMARY deployment's, else the service's own field. */
export function currentTaskDefinition(service: EcsService): string | undefined {
  return service.deployments.find((d) => d.status === 'PRIMARY')?.taskDefinition ?? service.taskDefinition;
}

/** Every place in the task definition that names the secret. */
export function referencesIn(
  taskDefinition: EcsTaskDefinition,
  secret: ParsedSecretArn,
): ConsumerReference[] {
  const task = locationOfArn(taskDefinition.taskDefinitionArn);
  const references: ConsumerReference[] = [];
  for (const container of taskDefinition.containers) {
    const check = (field: ConsumerReference['field'], valueFrom: string, variable?: string) => {
      const parsed = parseValueFrom(valueFrom);
      if (!referencesSecret(parsed, secret, task)) return;
      const tail =
        parsed.kind === 'secret-arn' || parsed.kind === 'name'
          ? { jsonKey: parsed.jsonKey, versionStage: parsed.versionStage, versionId: parsed.versionId }
          : {};
      references.push(
        withoutUndefined<ConsumerReference>({ container: container.name, field, variable, ...tail }),
      );
    };
    for (const entry of container.secrets) check('secrets', entry.valueFrom, entry.name);
    for (const entry of container.logSecrets)
      check('logConfiguration.secretOptions', entry.valueFrom, entry.name);
    if (container.repositoryCredentials) check('repositoryCredentials', container.repositoryCredentials);
  }
  return references;
}

function withoutUndefined<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
