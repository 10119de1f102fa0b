import { serveStandIn, standInScope, type RunningStandIn, type StandInOptions } from '../stand-in';
import { ecsOperations } from './operations';
import { EcsState, type ServiceInput, type TaskDefinitionInput } from './state';
import { taskDefinitionOperations } from './task-definitions';

/** How to start the ECS stand-in. Every option has a default that suits a test. */
export interface EcsStandInOptions extends StandInOptions {
  /** From UpdateService to the new deployment completing (or failing). @default 100 */
  readonly rolloutDelayMs?: number;
  /** From a failed rollout to the circuit breaker's rollback completing. @default 1000 */
  readonly rollbackDelayMs?: number;
}

/** A running ECS stand-in. */
export interface EcsStandIn extends RunningStandIn {
  /** Creates a cluster (name or ARN) and answers its ARN; adding an existing one is a no-op. */
  addCluster(name: string): string;
  /** Registers a revision of a task definition and answers its ARN (`...:task-definition/<family>:<n>`). */
  addTaskDefinition(definition: TaskDefinitionInput): string;
  /** Creates a service (and its cluster when missing) with one COMPLETED deployment; answers its ARN. */
  addService(service: ServiceInput): string;
  /** The next forced rollout of the service fails: the circuit breaker marks it FAILED and rolls back. */
  failNextRollout(service: string, cluster?: string): void;
  /** The next forced rollout of the service stays IN_PROGRESS until another update replaces it. */
  neverStabilise(service: string, cluster?: string): void;
}

/**
 * Starts an ECS stand-in on 127.0.0.1 that the real `@aws-sdk/client-ecs` talks to through `endpoint`
 * (AWS JSON 1.1, target prefix `AmazonEC2ContainerServiceV20141113`), for the five calls Rotor makes.
 *
 * @example
 *   const ecs = await startEcsStandIn({ region: 'eu-west-1' });
 *   const td = ecs.addTaskDefinition({ family: 'api', containerDefinitions: [{ name: 'app', image: 'api',
 *     secrets: [{ name: 'DB', valueFrom: secretArn }] }] });
 *   ecs.addService({ cluster: 'prod', serviceName: 'api', taskDefinition: td, desiredCount: 2 });
 *   const client = new ECSClient({ endpoint: ecs.endpoint, region: ecs.region,
 *     credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
 *   await ecs.close();
 */
export async function startEcsStandIn(options: EcsStandInOptions = {}): Promise<EcsStandIn> {
  const scope = standInScope(options);
  const state = new EcsState(scope.region, scope.accountId, scope.clock, {
    rolloutDelayMs: options.rolloutDelayMs ?? 100,
    rollbackDelayMs: options.rollbackDelayMs ?? 1000,
  });
  const server = await serveStandIn(scope, options.port, 'AmazonEC2ContainerServiceV20141113', {
    ...ecsOperations(state),
    ...taskDefinitionOperations(state),
  });
  return {
    ...server,
    addCluster: (name) => state.addCluster(name),
    addTaskDefinition: (definition) => state.addTaskDefinition(definition),
    addService: (service) => state.addService(service),
    failNextRollout: (service, cluster) => {
      state.serviceFor(service, cluster).next = 'fail';
    },
    neverStabilise: (service, cluster) => {
      state.serviceFor(service, cluster).next = 'never';
    },
    close: async () => {
      state.close();
      await server.close();
    },
  };
}
