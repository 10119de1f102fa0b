import { RotorError, TransientError } from '../../errors';

/**
 * The task definition scanner's errors. Messages and context name families, revisions, containers,
 * variables and AWS error codes, never an environment value.
 */

/** The input is neither a CloudTrail `RegisterTaskDefinition` event nor a scan or sweep request. Not retried. */
export class InvalidTaskDefinitionScanRequestError extends RotorError {}

/** A task definition document is not what ECS describes (no family, no container list...). */
export class InvalidTaskDefinitionError extends RotorError {}

/** ECS does not know the task definition (deleted, or a wrong name). An expected outcome for an old event. */
export class TaskDefinitionNotFoundError extends RotorError {
  constructor(
    readonly taskDefinition: string,
    cause?: unknown,
  ) {
    super(`task definition ${taskDefinition} was not found`, { cause, context: { taskDefinition } });
  }
}

/** ECS throttled a call (after the SDK's own retries): retry later with backoff. */
export class TaskDefinitionThrottlingError extends TransientError {
  constructor(operation: string, context: Record<string, string | undefined> = {}, cause?: unknown) {
    super(`ECS throttled ${operation}`, {
      cause,
      context: { ...context, operation, code: 'ThrottlingException' },
    });
  }
}

/** ECS could not answer (5xx, network): retry later with backoff. */
export class TaskDefinitionUnavailableError extends TransientError {
  constructor(
    operation: string,
    code: string,
    context: Record<string, string | undefined> = {},
    cause?: unknown,
  ) {
    super(`ECS could not answer ${operation} (${code})`, { cause, context: { ...context, operation, code } });
  }
}

/** ECS refused a call (access denied, a bad parameter): retrying will not help. */
export class TaskDefinitionRequestError extends RotorError {
  constructor(
    operation: string,
    code: string,
    context: Record<string, string | undefined> = {},
    cause?: unknown,
  ) {
    super(`ECS refused ${operation} (${code})`, { cause, context: { ...context, operation, code } });
  }
}
