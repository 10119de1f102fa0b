import type { Finding } from '../types';

/**
 * Findings that arrive out of order (files scanned in worker threads), put back in the order the files were
 * walked. Answered files at the head are folded into one array as more are added, so what is held is the
 * files still being scanned (bounded by the detector's files in flight), not one entry per file of the layer.
 */
export class OrderedFindings {
  readonly #done: Finding[] = [];
  readonly #queue: Array<{ findings?: Finding[]; readonly promise: Promise<void> }> = [];

  /** Adds the findings of the next file in walk order; `findings` must not reject. */
  add(findings: Promise<Finding[]>): void {
    const entry: { findings?: Finding[]; promise: Promise<void> } = { promise: Promise.resolve() };
    entry.promise = findings.then((f) => void (entry.findings = f));
    this.#queue.push(entry);
    this.#fold();
  }

  /** Every file's findings, in walk order, once all have arrived. */
  async all(): Promise<Finding[]> {
    for (const entry of this.#queue) await entry.promise;
    this.#fold();
    return this.#done;
  }

  #fold(): void {
    while (this.#queue.length > 0 && this.#queue[0]!.findings !== undefined) {
      const findings = this.#queue.shift()!.findings!;
      for (const f of findings) this.#done.push(f);
    }
  }
}
