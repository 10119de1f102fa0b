/**
 * A hand-over point between a producer that pushes chunks (fflate's callbacks) and a consumer that pulls them
 * (a detector's `for await`). The producer waits on `drained()` before pushing more, which is the
 * backpressure fflate lacks.
 */
export class ChunkQueue implements AsyncIterableIterator<Uint8Array> {
  readonly #buffer: Uint8Array[] = [];
  #ended = false;
  #error: unknown;
  #wakeConsumer: (() => void) | undefined;
  #wakeProducer: (() => void) | undefined;

  push(chunk: Uint8Array): void {
    this.#buffer.push(chunk);
    this.#wake();
  }

  end(): void {
    this.#ended = true;
    this.#wake();
  }

  fail(error: unknown): void {
    this.#error = error;
    this.#ended = true;
    this.#wake();
  }

  /** Resolves when the consumer has taken every pushed chunk (or stopped reading). */
  drained(): Promise<void> {
    if (this.#buffer.length === 0) return Promise.resolve();
    return new Promise((resolve) => (this.#wakeProducer = resolve));
  }

  async next(): Promise<IteratorResult<Uint8Array>> {
    for (;;) {
      const chunk = this.#buffer.shift();
      if (chunk !== undefined) {
        if (this.#buffer.length === 0) this.#releaseProducer();
        return { value: chunk, done: false };
      }
      if (this.#error !== undefined) throw this.#error;
      if (this.#ended) return { value: undefined, done: true };
      await new Promise<void>((resolve) => (this.#wakeConsumer = resolve));
    }
  }

  async return(): Promise<IteratorResult<Uint8Array>> {
    this.#buffer.length = 0;
    this.#ended = true;
    this.#releaseProducer();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Uint8Array> {
    return this;
  }

  #wake(): void {
    const wake = this.#wakeConsumer;
    this.#wakeConsumer = undefined;
    wake?.();
  }

  #releaseProducer(): void {
    const wake = this.#wakeProducer;
    this.#wakeProducer = undefined;
    wake?.();
  }
}
