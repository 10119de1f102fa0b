import * as path from 'node:path';
import { resolveIntrinsics } from './template';
import type { SynthesizedFunction } from './synth';

export type LocalHandler = (event: unknown, context?: unknown) => Promise<unknown>;

/**
 * Loads a function's bundle, as `cdk synth` produced it, with the environment its template gives it
 * (intrinsics resolved to the local physical ids). Rotor's handlers read their own variables once, when
 * they load, as on Lambda, so those are set while it loads and then restored. What the AWS SDK reads
 * lazily (region, credentials, the stand-ins' endpoints) is the same for every function: the caller sets
 * it for the whole local run (`withEnvironment`).
 */
export function loadFunction(
  fn: SynthesizedFunction,
  physical: (logicalId: string, attribute?: string) => string,
  options: { quiet?: boolean } = {},
): LocalHandler {
  const environment = {
    ...(resolveIntrinsics(fn.environment, physical) as Record<string, string>),
    AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
  };
  const [file, exportName] = splitHandler(fn.handler);
  const entry = path.join(fn.assetDir, `${file}.js`);
  const saved = { ...process.env };
  Object.assign(process.env, environment);
  try {
    delete require.cache[require.resolve(entry)];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const handler = require(entry)[exportName] as LocalHandler | undefined;
    if (typeof handler !== 'function') throw new Error(`${fn.logicalId}: ${entry} exports no ${exportName}`);
    return options.quiet
      ? (event) => silenced(() => handler(event, localContext(fn.logicalId)))
      : (event) => handler(event, localContext(fn.logicalId));
  } finally {
    restore(saved);
  }
}

/** Sets variables for the whole process and returns a function that puts the previous ones back. */
export function withEnvironment(variables: Record<string, string>): () => void {
  const saved = { ...process.env };
  Object.assign(process.env, variables);
  return () => restore(saved);
}

function restore(saved: NodeJS.ProcessEnv): void {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
}

let silencedDepth = 0;
let savedWrites: { out: typeof process.stdout.write; err: typeof process.stderr.write } | undefined;

/**
 * Runs `fn` with stdout and stderr quiet: the functions' own output (Powertools JSON logs and warnings,
 * which write to the streams directly) is for --verbose.
 */
async function silenced<T>(fn: () => Promise<T>): Promise<T> {
  // Invocations overlap (a Map state runs several at once): only the first saves the streams, the last restores them.
  if (silencedDepth++ === 0) {
    savedWrites = { out: process.stdout.write, err: process.stderr.write };
    process.stdout.write = (() => true) as typeof process.stdout.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
  }
  try {
    return await fn();
  } finally {
    if (--silencedDepth === 0 && savedWrites) {
      process.stdout.write = savedWrites.out;
      process.stderr.write = savedWrites.err;
    }
  }
}

function splitHandler(handler: string): [string, string] {
  const dot = handler.lastIndexOf('.');
  return [handler.slice(0, dot), handler.slice(dot + 1)];
}

function localContext(functionName: string) {
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: crypto.randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 30_000,
  };
}
