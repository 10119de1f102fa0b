import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

/**
 * An HTTP server speaking the AWS JSON 1.1 protocol (the one Secrets Manager and KMS use): a POST to `/`
 * with `X-Amz-Target: <prefix>.<Operation>` and a JSON body; errors as `{ "__type", "message" }` with the
 * `x-amzn-ErrorType` header, which is what the AWS SDK v3 clients parse. The local stand-ins under `local/`
 * are operation tables on top of it. It checks no signature: it serves loopback only.
 */

/** An error the service answers with: its AWS code (`ResourceNotFoundException`), message and HTTP status. */
export class AwsServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}

export type Operation = (input: Record<string, unknown>) => unknown | Promise<unknown>;

/** A fault to inject: which operations it hits, how many times, and what it does. */
export interface FaultRule {
  /** Operation names it applies to; all operations when omitted. */
  readonly operations?: readonly string[];
  /** How many matching calls it affects before it expires; unlimited when omitted. */
  times?: number;
  /** Skip this many matching calls first (so `{ skip: 2, times: 1 }` fails the 3rd call). */
  skip?: number;
  /** Answer with this error instead of running the operation. */
  readonly error?: { readonly code: string; readonly message?: string; readonly status?: number };
  /** Wait this long before answering (with the error or the real result). */
  readonly delayMs?: number;
}

/** Fault injection for tests: throttling, latency, failure of the Nth call. */
export class FaultInjector {
  readonly #rules: FaultRule[] = [];

  /** Adds a rule; returns a function that removes it. */
  add(rule: FaultRule): () => void {
    const copy = { ...rule };
    this.#rules.push(copy);
    return () => this.remove(copy);
  }

  /** Throttles the next `times` calls (of the given operations, or of all). */
  throttle(times = 1, operations?: readonly string[]): () => void {
    return this.add({ times, operations, error: { code: 'ThrottlingException', message: 'Rate exceeded' } });
  }

  /** Fails the Nth matching call (1-based) with an internal error, once. */
  failNth(n: number, operations?: readonly string[], code = 'InternalServiceError'): () => void {
    return this.add({
      skip: n - 1,
      times: 1,
      operations,
      error: { code, message: 'injected failure', status: 500 },
    });
  }

  /** Adds latency to every matching call until removed. */
  delay(delayMs: number, operations?: readonly string[]): () => void {
    return this.add({ delayMs, operations });
  }

  clear(): void {
    this.#rules.length = 0;
  }

  private remove(rule: FaultRule): void {
    const index = this.#rules.indexOf(rule);
    if (index >= 0) this.#rules.splice(index, 1);
  }

  /** The faults that apply to this call, consuming their counters. */
  take(operation: string): { delayMs: number; error?: FaultRule['error'] } {
    let delayMs = 0;
    let error: FaultRule['error'];
    for (const rule of [...this.#rules]) {
      if (rule.operations && !rule.operations.includes(operation)) continue;
      if (rule.skip && rule.skip > 0) {
        rule.skip--;
        continue;
      }
      delayMs += rule.delayMs ?? 0;
      if (rule.error && !error) error = rule.error;
      if (rule.times !== undefined && --rule.times <= 0) this.remove(rule);
    }
    return { delayMs, error };
  }
}

export interface AwsJsonServerOptions {
  /** The target prefix before the dot: `secretsmanager`, `TrentService`. */
  readonly targetPrefix: string;
  readonly operations: Readonly<Record<string, Operation>>;
  readonly faults?: FaultInjector;
  /** Called once per request after it is answered (for tests that count calls). */
  readonly onCall?: (operation: string, status: number) => void;
}

/** A running stand-in: its endpoint URL for the SDK's `endpoint` option, and `close()`. */
export interface RunningServer {
  readonly endpoint: string;
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 2 * 1024 * 1024;

/** Starts the server on 127.0.0.1 (port 0 picks a free one). */
export async function startAwsJsonServer(options: AwsJsonServerOptions, port = 0): Promise<RunningServer> {
  const server = createServer((req, res) => void handle(options, req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    port: address.port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(
  options: AwsJsonServerOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const requestId = randomUUID();
  const target = String(req.headers['x-amz-target'] ?? '');
  const [prefix, operationName = ''] = target.split('.');
  try {
    const body = await readBody(req);
    if (req.method !== 'POST' || prefix !== options.targetPrefix) {
      throw new AwsServiceError('UnknownOperationException', `Unknown target ${target || '(none)'}`);
    }
    const operation = Object.hasOwn(options.operations, operationName)
      ? options.operations[operationName]
      : undefined;
    if (!operation)
      throw new AwsServiceError('UnknownOperationException', `Unknown operation ${operationName}`);
    const fault = options.faults?.take(operationName) ?? { delayMs: 0 };
    if (fault.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (fault.error) {
      throw new AwsServiceError(
        fault.error.code,
        fault.error.message ?? 'injected fault',
        fault.error.status ?? 400,
      );
    }
    let input: Record<string, unknown>;
    try {
      input = body.length === 0 ? {} : (JSON.parse(body) as Record<string, unknown>);
    } catch {
      throw new AwsServiceError('SerializationException', 'The request body is not valid JSON');
    }
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      throw new AwsServiceError('SerializationException', 'The request body must be a JSON object');
    }
    const output = (await operation(input)) ?? {};
    send(res, 200, requestId, output);
    options.onCall?.(operationName, 200);
  } catch (error) {
    const failure =
      error instanceof AwsServiceError
        ? error
        : new AwsServiceError('InternalServiceError', 'An internal error occurred', 500);
    res.setHeader('x-amzn-ErrorType', failure.code);
    send(res, failure.status, requestId, { __type: failure.code, message: failure.message });
    options.onCall?.(operationName, failure.status);
  }
}

function send(res: ServerResponse, status: number, requestId: string, payload: unknown): void {
  const text = JSON.stringify(payload);
  res.writeHead(status, {
    'Content-Type': 'application/x-amz-json-1.1',
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-RequestId': requestId,
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new AwsServiceError('SerializationException', 'The request body is too large', 413));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
