import { systemClock, type Clock } from '../../core/clock';
import { FaultInjector, startAwsJsonServer } from '../aws-json-server';
import { ecsOperations } from './operations';
import { EcsState, type ServiceInput, type TaskDefinitionInput } from './state';
import { taskDefinitionOperations } from './task-definitions';

/** How to start the ECS stand-in. Every option has a default that suits a test. */
export interface EcsStandInOptions {
  /** @default 0 (a free port) */
  readonly port?: number;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '000000000000' */
  readonly accountId?: string;
  /** From UpdateService to the new deployment completing (or failing). @default 100 */
  readonly rolloutDelayMs?: number;
  /** From a failed rollout to the circuit breaker's rollback completing. @default 1000 */
  readonly rollbackDelayMs?: number;
  /** The time deployments record (createdAt, updatedAt). @default systemClock */
  readonly clock?: Clock;
  /** Faults to inject into the HTTP layer. @default a new, empty FaultInjector */
  readonly faults?: FaultInjector;
  /** One line per call (`UpdateService -> 200`). @default none */
  readonly log?: (line: string) => void;
}

/** A running ECS stand-in. */
export interface EcsStandIn {
  /** The URL for the SDK's `endpoint` option. */
  readonly endpoint: string;
  readonly port: number;
  readonly region: string;
  readonly accountId: string;
  /** Generic fault injection: `throttle(n)`, `failNth(n)`, `delay(ms)`, `clear()`. */
  readonly faults: FaultInjector;
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
  close(): Promise<void>;
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
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const faults = options.faults ?? new FaultInjector();
  const log = options.log ?? (() => undefined);
  const state = new EcsState(region, accountId, options.clock ?? systemClock, {
    rolloutDelayMs: options.rolloutDelayMs ?? 100,
    rollbackDelayMs: options.rollbackDelayMs ?? 1000,
  });
  const server = await startAwsJsonServer(
    {
      targetPrefix: 'AmazonEC2ContainerServiceV20141113',
      operations: { ...ecsOperations(state), ...taskDefinitionOperations(state) },
      faults,
      onCall: (operation, status) => log(`${operation} -> ${status}`),
    },
    options.port ?? 0,
  );
  return {
    endpoint: server.endpoint,
    port: server.port,
    region,
    accountId,
    faults,
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
