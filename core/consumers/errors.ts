import { RotorError, TransientError } from '../errors';

/** Where a consumer error happened: identifiers only (cluster, service, deployment, secret ARN). */
export interface ConsumerErrorContext {
  readonly cluster?: string;
  readonly service?: string;
  readonly deploymentId?: string;
  readonly secretId?: string;
  readonly operation?: string;
  readonly code?: string;
}

/** The secret given to discovery is not a full Secrets Manager ARN that agrees with its name. */
export class InvalidSecretReferenceError extends RotorError {
  constructor(message: string, context: ConsumerErrorContext) {
    super(message, { context: { ...context } });
  }
}

/** Discovery would scan more services than its cap allows: restrict it to clusters or raise the cap. */
export class TooManyServicesError extends RotorError {
  constructor(
    readonly limit: number,
    context: ConsumerErrorContext,
  ) {
    super(
      `consumer discovery stopped: more than ${limit} services to scan; restrict it to clusters (clusters option) or raise maxServices`,
      { context: { ...context, limit } },
    );
  }
}

/** A consumer's new deployment failed: the circuit breaker rolled it back, or it was replaced before it completed. */
export class ConsumerRolloutFailedError extends RotorError {
  constructor(
    readonly cluster: string,
    readonly service: string,
    readonly reason: string,
    deploymentId?: string,
  ) {
    super(`service ${service} in cluster ${cluster}: the new deployment failed: ${reason}`, {
      context: { cluster, service, deploymentId },
    });
  }
}

/** A consumer's new deployment was still in progress when the refresh ran out of time. */
export class ConsumerTimeoutError extends RotorError {
  constructor(
    readonly cluster: string,
    readonly service: string,
    readonly timeoutMs: number,
    deploymentId?: string,
  ) {
    super(
      `service ${service} in cluster ${cluster}: the new deployment did not stabilise within ${formatSeconds(timeoutMs)} s`,
      { context: { cluster, service, deploymentId, timeoutMs } },
    );
  }
}

/** ECS throttled a call (after the SDK's own retries): retry later with backoff. */
export class EcsThrottlingError extends TransientError {
  constructor(operation: string, context: ConsumerErrorContext = {}, cause?: unknown) {
    super(`ECS throttled ${operation}`, {
      cause,
      context: { ...context, operation, code: 'ThrottlingException' },
    });
  }
}

/** ECS could not answer (5xx, network): retry later with backoff. */
export class EcsUnavailableError extends TransientError {
  constructor(operation: string, code: string, context: ConsumerErrorContext = {}, cause?: unknown) {
    super(`ECS could not answer ${operation} (${code})`, { cause, context: { ...context, operation, code } });
  }
}

/** ECS refused a call (a missing cluster or service, access denied, a bad parameter). */
export class EcsRequestError extends RotorError {
  constructor(operation: string, code: string, context: ConsumerErrorContext = {}, cause?: unknown) {
    const where = [
      context.cluster && `cluster ${context.cluster}`,
      context.service && `service ${context.service}`,
    ]
      .filter(Boolean)
      .join(', ');
    super(`ECS refused ${operation}${where ? ` (${where})` : ''}: ${code}`, {
      cause,
      context: { ...context, operation, code },
    });
  }
}

function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return Number.isInteger(seconds) ? String(seconds) : seconds.toFixed(1);
}
