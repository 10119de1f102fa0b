/**
 * What consumer discovery and refresh need from ECS, in ECS's own terms but without the SDK's types.
 * `adapters/ecs.ts` implements it over `@aws-sdk/client-ecs`; tests use an in-memory fake.
 */

/** A deployment of a service, as DescribeServices reports it. */
export interface EcsDeployment {
  readonly id: string;
  /** `PRIMARY` (the newest), `ACTIVE` (still draining), `INACTIVE`. */
  readonly status: string;
  readonly taskDefinition: string;
  readonly desiredCount: number;
  readonly runningCount: number;
  readonly createdAt?: Date;
  /** `IN_PROGRESS`, `COMPLETED` or `FAILED`; absent on older answers for services without a circuit breaker. */
  readonly rolloutState?: string;
  /** Why the rollout is in its state (the circuit breaker's reason on FAILED). Written by ECS, not a secret. */
  readonly rolloutStateReason?: string;
}

/** A service with its deployments. */
export interface EcsService {
  readonly clusterArn: string;
  readonly serviceArn: string;
  readonly serviceName: string;
  /** `ACTIVE`, `DRAINING` or `INACTIVE`. */
  readonly status: string;
  readonly desiredCount: number;
  /** The task definition of the PRIMARY deployment (ECS's own `service.taskDefinition`). */
  readonly taskDefinition?: string;
  readonly deployments: readonly EcsDeployment[];
}

/** A `{ name, valueFrom }` pair of a container definition (`secrets` or `logConfiguration.secretOptions`). */
export interface EcsSecretEntry {
  readonly name: string;
  readonly valueFrom: string;
}

/** The parts of a container definition that can name a secret. */
export interface EcsContainer {
  readonly name: string;
  readonly secrets: readonly EcsSecretEntry[];
  readonly logSecrets: readonly EcsSecretEntry[];
  /** `repositoryCredentials.credentialsParameter`: the ARN of a Secrets Manager secret. */
  readonly repositoryCredentials?: string;
}

/** A task definition, reduced to what references secrets. */
export interface EcsTaskDefinition {
  readonly taskDefinitionArn: string;
  readonly containers: readonly EcsContainer[];
}

/** What `updateService` asks for: only a forced new deployment (same task definition, fresh tasks). */
export interface ForceNewDeployment {
  readonly forceNewDeployment: true;
}

/**
 * The ECS calls Rotor makes. Lists are async iterables so that the implementation pages and the caller can
 * stop early (the cap on scanned services); `describeServices` takes any number of services and batches.
 * Errors: retryable ones report `retryable === true` (throttling, 5xx).
 */
export interface EcsPort {
  /** Every cluster ARN of the account and region. */
  listClusters(): AsyncIterable<string>;
  /** Every service ARN of a cluster (name or ARN). */
  listServices(cluster: string): AsyncIterable<string>;
  /** The services (names or ARNs) of one cluster; missing ones are left out. */
  describeServices(cluster: string, services: readonly string[]): Promise<readonly EcsService[]>;
  /** A task definition by ARN (or `family:revision`) with its container definitions. */
  describeTaskDefinition(taskDefinition: string): Promise<EcsTaskDefinition>;
  /** Starts a new deployment of the service; answers the service with its deployments after the update. */
  updateService(cluster: string, service: string, update: ForceNewDeployment): Promise<EcsService>;
}
