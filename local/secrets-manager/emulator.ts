import { systemClock, type Clock } from '../../core/clock';
import { FaultInjector, startAwsJsonServer } from '../aws-json-server';
import { secretsManagerOperations } from './operations';
import { RotationRunner, type RotationHandler } from './rotation';
import { SecretsStore } from './store';

/** How to start the emulator. Every option has a default that suits a test. */
export interface SecretsManagerEmulatorOptions {
  /** @default 0 (a free port) */
  readonly port?: number;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '000000000000' */
  readonly accountId?: string;
  /** The time the emulator sees: dates it records and deletion windows. @default systemClock */
  readonly clock?: Clock;
  /** Faults to inject into the HTTP layer. @default a new, empty FaultInjector */
  readonly faults?: FaultInjector;
  /** Rotation functions by the Lambda ARN they stand for. @default none */
  readonly rotationHandlers?: Readonly<Record<string, RotationHandler>>;
  /** Versions kept per secret before deprecated ones are removed. @default 100 */
  readonly maxVersions?: number;
  /**
   * Where to write one line per call (`GetSecretValue -> 200`) and per rotation run. Lines hold operation
   * names, secret names, version ids and status codes, never a value. @default no output
   */
  readonly log?: (line: string) => void;
}

/** A running emulator. */
export interface SecretsManagerEmulator {
  /** The URL for the SDK's `endpoint` option. */
  readonly endpoint: string;
  readonly port: number;
  readonly region: string;
  readonly accountId: string;
  /** Fault injection: `throttle(n)`, `failNth(n)`, `delay(ms)`, `clear()`. */
  readonly faults: FaultInjector;
  /** The state behind the API, for tests that look beneath it. */
  readonly store: SecretsStore;
  /** The rotation runs RotateSecret started: `waitFor(versionId)`, `settled()`, `all()`, `startDue()`. */
  readonly rotations: RotationRunner;
  /** Registers the function that stands for the Lambda function `lambdaArn` in RotateSecret. */
  registerRotationHandler(lambdaArn: string, handler: RotationHandler): void;
  /** Stops the server (runs still in progress are not awaited: await `rotations.settled()` first). */
  close(): Promise<void>;
}

/**
 * Starts the Secrets Manager emulator on 127.0.0.1.
 *
 * @example
 *   const sm = await startSecretsManagerEmulator();
 *   const client = new SecretsManagerClient({ endpoint: sm.endpoint, region: sm.region,
 *     credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
 *   ...
 *   await sm.close();
 */
export async function startSecretsManagerEmulator(
  options: SecretsManagerEmulatorOptions = {},
): Promise<SecretsManagerEmulator> {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const faults = options.faults ?? new FaultInjector();
  const log = options.log ?? (() => undefined);
  const store = new SecretsStore({
    scope: { region, accountId },
    clock: options.clock ?? systemClock,
    maxVersions: options.maxVersions,
  });
  const rotations = new RotationRunner(store, log);
  for (const [lambdaArn, handler] of Object.entries(options.rotationHandlers ?? {}))
    rotations.register(lambdaArn, handler);
  const server = await startAwsJsonServer(
    {
      targetPrefix: 'secretsmanager',
      operations: secretsManagerOperations(store, rotations),
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
    store,
    rotations,
    registerRotationHandler: (lambdaArn, handler) => rotations.register(lambdaArn, handler),
    close: () => server.close(),
  };
}
