/**
 * The base of every error Rotor raises on purpose.
 *
 * `name` is the class name, so Step Functions `Retry`/`Catch` can match it; `context` carries only safe
 * identifiers (secret ids, version ids, digests), never a secret value; `cause` keeps the original error.
 */
export class RotorError extends Error {
  /** Safe identifiers that help an operator find the problem. Never a secret value. */
  readonly context: Readonly<Record<string, string | number | boolean | undefined>>;

  constructor(
    message: string,
    options: { cause?: unknown; context?: Record<string, string | number | boolean | undefined> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.context = Object.freeze({ ...(options.context ?? {}) });
  }

  /** Whether retrying the same operation later may succeed (throttling, contention, a database that is down). */
  get retryable(): boolean {
    return false;
  }
}

/** An error whose cause is transient: a retry with backoff is the right answer. */
export class TransientError extends RotorError {
  override get retryable(): boolean {
    return true;
  }
}
