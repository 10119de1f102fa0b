import { serveStandIn, standInScope, type RunningStandIn, type StandInOptions } from '../stand-in';
import { secretsManagerOperations } from './operations';
import { RotationRunner, type RotationHandler } from './rotation';
import { SecretsStore } from './store';

/** How to start the emulator. Every option has a default that suits a test. */
export interface SecretsManagerEmulatorOptions extends StandInOptions {
  /** Rotation functions by the Lambda ARN they stand for. @default none */
  readonly rotationHandlers?: Readonly<Record<string, RotationHandler>>;
  /** Versions kept per secret before deprecated ones are removed. @default 100 */
  readonly maxVersions?: number;
}

/** A running emulator. */
export interface SecretsManagerEmulator extends RunningStandIn {
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
  const scope = standInScope(options);
  const { region, accountId, log } = scope;
  const store = new SecretsStore({
    scope: { region, accountId },
    clock: scope.clock,
    maxVersions: options.maxVersions,
  });
  const rotations = new RotationRunner(store, log);
  for (const [lambdaArn, handler] of Object.entries(options.rotationHandlers ?? {}))
    rotations.register(lambdaArn, handler);
  const server = await serveStandIn(
    scope,
    options.port,
    'secretsmanager',
    secretsManagerOperations(store, rotations),
  );
  return {
    ...server,
    store,
    rotations,
    registerRotationHandler: (lambdaArn, handler) => rotations.register(lambdaArn, handler),
  };
}
