import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * A secret value in transit. It prints, serializes and inspects as `[redacted]`; only the code that must
 * use the value (the adapter that writes it, the check that compares it) calls `reveal()`.
 *
 * @example
 *   const password = Sensitive.of(generated);
 *   console.log({ password });          // { password: [redacted] }
 *   await db.setPassword(password.reveal());
 */
export class Sensitive<T = string> {
  readonly #value: T;

  private constructor(value: T) {
    this.#value = value;
  }

  static of<T>(value: T): Sensitive<T> {
    return new Sensitive(value);
  }

  /** The value itself. Call it only where the value is used, never to log or report. */
  reveal(): T {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
