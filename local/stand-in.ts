// What every AWS JSON stand-in (Secrets Manager, KMS, ECS, ACM, ACM PCA) shares: the options a test may
// give, their defaults, and the running server's public face. Each stand-in adds its own state and hooks.
import { systemClock, type Clock } from '../core/clock';
import { FaultInjector, startAwsJsonServer, type Operation } from './aws-json-server';

/** Options every stand-in takes. Every one has a default that suits a test. */
export interface StandInOptions {
  /** @default 0 (a free port) */
  readonly port?: number;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '000000000000' */
  readonly accountId?: string;
  /** The time the stand-in sees: dates it records and checks. @default systemClock */
  readonly clock?: Clock;
  /** Faults to inject into the HTTP layer. @default a new, empty FaultInjector */
  readonly faults?: FaultInjector;
  /** One line per call (`Sign -> 200`): operation names and status codes only, never a value. @default none */
  readonly log?: (line: string) => void;
}

/** The options with their defaults filled in, for building a stand-in's state before it listens. */
export interface StandInScope {
  readonly region: string;
  readonly accountId: string;
  readonly clock: Clock;
  readonly faults: FaultInjector;
  readonly log: (line: string) => void;
}

/** What every running stand-in offers. */
export interface RunningStandIn {
  /** The URL for the SDK's `endpoint` option (or `AWS_ENDPOINT_URL_<SERVICE>`). */
  readonly endpoint: string;
  readonly port: number;
  readonly region: string;
  readonly accountId: string;
  /** Fault injection: `throttle(n)`, `failNth(n)`, `delay(ms)`, `clear()`. */
  readonly faults: FaultInjector;
  close(): Promise<void>;
}

/** Fills in the defaults of `options`. */
export function standInScope(options: StandInOptions): StandInScope {
  return {
    region: options.region ?? 'us-east-1',
    accountId: options.accountId ?? '000000000000',
    clock: options.clock ?? systemClock,
    faults: options.faults ?? new FaultInjector(),
    log: options.log ?? (() => undefined),
  };
}

/**
 * Serves `operations` under the AWS JSON target prefix (`TrentService`, `secretsmanager`) on 127.0.0.1,
 * logging one line per call through the scope's `log`.
 */
export async function serveStandIn(
  scope: StandInScope,
  port: number | undefined,
  targetPrefix: string,
  operations: Readonly<Record<string, Operation>>,
): Promise<RunningStandIn> {
  const server = await startAwsJsonServer(
    {
      targetPrefix,
      operations,
      faults: scope.faults,
      onCall: (operation, status) => scope.log(`${operation} -> ${status}`),
    },
    port ?? 0,
  );
  return {
    endpoint: server.endpoint,
    port: server.port,
    region: scope.region,
    accountId: scope.accountId,
    faults: scope.faults,
    close: () => server.close(),
  };
}
