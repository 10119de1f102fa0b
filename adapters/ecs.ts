import { awsErrorInfo } from './aws-errors';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListClustersCommand,
  ListServicesCommand,
  UpdateServiceCommand,
  type ContainerDefinition,
  type Deployment,
  type Service,
} from '@aws-sdk/client-ecs';
import type { RotorError } from '../core/errors';
import {
  EcsRequestError,
  EcsThrottlingError,
  EcsUnavailableError,
  type ConsumerErrorContext,
} from '../core/consumers/errors';
import type {
  EcsContainer,
  EcsDeployment,
  EcsPort,
  EcsSecretEntry,
  EcsService,
  EcsTaskDefinition,
  ForceNewDeployment,
} from '../core/consumers/ports';

/** DescribeServices takes at most 10 services a call. */
const DESCRIBE_BATCH = 10;
/** The largest page ListClusters and ListServices return. */
const PAGE_SIZE = 100;

/**
 * The EcsPort over `@aws-sdk/client-ecs`: pages ListClusters/ListServices, batches DescribeServices by 10.
 * Throttling (after the SDK's own retries) becomes `EcsThrottlingError`, 5xx and network errors
 * `EcsUnavailableError` (both retryable); other refusals `EcsRequestError` naming the operation, the
 * cluster and service, and the AWS error code, never the service's message.
 *
 * @example
 *   const ecs = ecsPort(new ECSClient({}));
 *   const consumers = await findConsumers(secret, ecs);
 */
export function ecsPort(client: ECSClient = new ECSClient({})): EcsPort {
  const send = async <T>(
    operation: string,
    context: ConsumerErrorContext,
    call: () => Promise<T>,
  ): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      throw toEcsError(operation, context, error);
    }
  };

  return {
    async *listClusters(): AsyncIterable<string> {
      let nextToken: string | undefined;
      do {
        const page = await send('ListClusters', {}, () =>
          client.send(
            new ListClustersCommand({ maxResults: PAGE_SIZE, ...(nextToken ? { nextToken } : {}) }),
          ),
        );
        yield* page.clusterArns ?? [];
        nextToken = page.nextToken;
      } while (nextToken);
    },

    async *listServices(cluster: string): AsyncIterable<string> {
      let nextToken: string | undefined;
      do {
        const page = await send('ListServices', { cluster }, () =>
          client.send(
            new ListServicesCommand({ cluster, maxResults: PAGE_SIZE, ...(nextToken ? { nextToken } : {}) }),
          ),
        );
        yield* page.serviceArns ?? [];
        nextToken = page.nextToken;
      } while (nextToken);
    },

    async describeServices(cluster: string, services: readonly string[]): Promise<readonly EcsService[]> {
      const found: EcsService[] = [];
      for (let i = 0; i < services.length; i += DESCRIBE_BATCH) {
        const batch = services.slice(i, i + DESCRIBE_BATCH);
        const out = await send('DescribeServices', { cluster }, () =>
          client.send(new DescribeServicesCommand({ cluster, services: batch })),
        );
        // Missing services come back as `failures` (reason MISSING): left out, as the port says.
        found.push(...(out.services ?? []).map((s) => toService(s, cluster)));
      }
      return found;
    },

    async describeTaskDefinition(taskDefinition: string): Promise<EcsTaskDefinition> {
      const out = await send('DescribeTaskDefinition', {}, () =>
        client.send(new DescribeTaskDefinitionCommand({ taskDefinition })),
      );
      const definition = out.taskDefinition;
      return {
        taskDefinitionArn: definition?.taskDefinitionArn ?? taskDefinition,
        containers: (definition?.containerDefinitions ?? []).map(toContainer),
      };
    },

    async updateService(cluster: string, service: string, update: ForceNewDeployment): Promise<EcsService> {
      const out = await send('UpdateService', { cluster, service }, () =>
        client.send(
          new UpdateServiceCommand({ cluster, service, forceNewDeployment: update.forceNewDeployment }),
        ),
      );
      if (!out.service) throw new EcsRequestError('UpdateService', 'NoServiceInAnswer', { cluster, service });
      return toService(out.service, cluster);
    },
  };
}

function toService(service: Service, cluster: string): EcsService {
  return {
    clusterArn: service.clusterArn ?? cluster,
    serviceArn: service.serviceArn ?? service.serviceName ?? '',
    serviceName: service.serviceName ?? '',
    status: service.status ?? 'ACTIVE',
    desiredCount: service.desiredCount ?? 0,
    ...(service.taskDefinition ? { taskDefinition: service.taskDefinition } : {}),
    deployments: (service.deployments ?? []).map(toDeployment),
  };
}

function toDeployment(deployment: Deployment): EcsDeployment {
  return {
    id: deployment.id ?? '',
    status: deployment.status ?? '',
    taskDefinition: deployment.taskDefinition ?? '',
    desiredCount: deployment.desiredCount ?? 0,
    runningCount: deployment.runningCount ?? 0,
    ...(deployment.createdAt ? { createdAt: deployment.createdAt } : {}),
    ...(deployment.rolloutState ? { rolloutState: deployment.rolloutState } : {}),
    ...(deployment.rolloutStateReason ? { rolloutStateReason: deployment.rolloutStateReason } : {}),
  };
}

function toContainer(container: ContainerDefinition): EcsContainer {
  const entries = (list: { name?: string; valueFrom?: string }[] | undefined): EcsSecretEntry[] =>
    (list ?? []).filter((e) => e.valueFrom).map((e) => ({ name: e.name ?? '', valueFrom: e.valueFrom! }));
  const credentials = container.repositoryCredentials?.credentialsParameter;
  return {
    name: container.name ?? '',
    secrets: entries(container.secrets),
    logSecrets: entries(container.logConfiguration?.secretOptions),
    ...(credentials ? { repositoryCredentials: credentials } : {}),
  };
}

/** Sorts an SDK error: throttling, unavailable (5xx, network) or refused; keeps it as the cause. */
export function toEcsError(operation: string, context: ConsumerErrorContext, error: unknown): RotorError {
  const { code, throttled, retryable } = awsErrorInfo(error);
  if (throttled) return new EcsThrottlingError(operation, context, error);
  if (retryable) return new EcsUnavailableError(operation, code, context, error);
  return new EcsRequestError(operation, code, context, error);
}
