import { AwsServiceError, type Operation } from '../aws-json-server';
import { toEpochSeconds, type EcsState, type StoredDeployment, type StoredService } from './state';

/**
 * The five ECS operations Rotor calls, shaped as the ECS API reference answers them: ListClusters,
 * ListServices, DescribeServices, DescribeTaskDefinition and UpdateService.
 */
export function ecsOperations(state: EcsState): Record<string, Operation> {
  return {
    ListClusters: (input) => {
      const page = paginate([...state.clusters.values()], pageSize(input.maxResults, 100), input.nextToken);
      return { clusterArns: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
    },

    ListServices: (input) => {
      const clusterArn = state.cluster(input.cluster);
      const arns = state.services
        .filter((s) => s.clusterArn === clusterArn && s.status !== 'INACTIVE')
        .map((s) => s.serviceArn);
      const page = paginate(arns, pageSize(input.maxResults, 10), input.nextToken);
      return { serviceArns: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
    },

    DescribeServices: (input) => {
      const clusterArn = state.cluster(input.cluster);
      const references = input.services;
      if (
        !Array.isArray(references) ||
        references.length === 0 ||
        references.some((r) => typeof r !== 'string')
      ) {
        throw invalidParameter('services must be a non-empty list of service names or ARNs.');
      }
      if (references.length > 10) throw invalidParameter('services can have at most 10 items.');
      const services: unknown[] = [];
      const failures: unknown[] = [];
      for (const reference of references as string[]) {
        const service = state.findService(clusterArn, reference);
        if (service) services.push(serviceView(service));
        else
          failures.push({
            arn: reference.startsWith('arn:') ? reference : state.arn(`service/${reference}`),
            reason: 'MISSING',
          });
      }
      return { services, failures };
    },

    DescribeTaskDefinition: (input) => {
      if (typeof input.taskDefinition !== 'string' || input.taskDefinition === '') {
        throw invalidParameter('taskDefinition is required.');
      }
      return { taskDefinition: state.taskDefinition(input.taskDefinition).body, tags: [] };
    },

    UpdateService: (input) => {
      const clusterArn = state.cluster(input.cluster);
      if (typeof input.service !== 'string' || input.service === '')
        throw invalidParameter('service is required.');
      const service = state.findService(clusterArn, input.service);
      if (!service) throw new AwsServiceError('ServiceNotFoundException', 'Service not found.');
      if (service.status !== 'ACTIVE')
        throw new AwsServiceError('ServiceNotActiveException', 'Service was not ACTIVE.');
      if (typeof input.desiredCount === 'number') service.desiredCount = input.desiredCount;
      const taskDefinition =
        input.taskDefinition === undefined
          ? service.taskDefinition
          : state.taskDefinition(input.taskDefinition).taskDefinitionArn;
      // A new deployment starts when the task definition changes or one is forced, as on ECS.
      if (input.forceNewDeployment === true || taskDefinition !== service.taskDefinition) {
        state.startDeployment(service, taskDefinition);
      }
      return { service: serviceView(service) };
    },
  };
}

function serviceView(service: StoredService): Record<string, unknown> {
  const primary = service.deployments.find((d) => d.status === 'PRIMARY');
  return {
    serviceArn: service.serviceArn,
    serviceName: service.serviceName,
    clusterArn: service.clusterArn,
    status: service.status,
    desiredCount: service.desiredCount,
    runningCount: service.deployments.reduce((sum, d) => sum + d.runningCount, 0),
    pendingCount: service.deployments.reduce((sum, d) => sum + d.pendingCount, 0),
    launchType: 'FARGATE',
    taskDefinition: primary?.taskDefinition ?? service.taskDefinition,
    deploymentConfiguration: {
      maximumPercent: 200,
      minimumHealthyPercent: 100,
      ...(service.circuitBreaker ? { deploymentCircuitBreaker: { enable: true, rollback: true } } : {}),
    },
    deploymentController: { type: 'ECS' },
    deployments: service.deployments.map(deploymentView),
    createdAt: toEpochSeconds(service.createdAt),
    schedulingStrategy: 'REPLICA',
  };
}

function deploymentView(deployment: StoredDeployment): Record<string, unknown> {
  return {
    ...deployment,
    createdAt: toEpochSeconds(deployment.createdAt),
    updatedAt: toEpochSeconds(deployment.updatedAt),
  };
}

function pageSize(value: unknown, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 100) {
    throw invalidParameter('maxResults must be between 1 and 100.');
  }
  return value;
}

/** Offset pagination behind an opaque token; a token that does not decode is InvalidParameterException. */
function paginate<T>(items: readonly T[], size: number, token: unknown): { items: T[]; nextToken?: string } {
  let start = 0;
  if (token !== undefined && token !== null) {
    const match = /^ecs-page:(\d+)$/.exec(Buffer.from(String(token), 'base64').toString('utf8'));
    if (!match) throw invalidParameter('Invalid nextToken.');
    start = Number(match[1]);
  }
  const end = start + size;
  return {
    items: items.slice(start, end),
    ...(end < items.length ? { nextToken: Buffer.from(`ecs-page:${end}`).toString('base64') } : {}),
  };
}

function invalidParameter(message: string): AwsServiceError {
  return new AwsServiceError('InvalidParameterException', message);
}
