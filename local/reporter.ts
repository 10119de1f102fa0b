/** One step of a local run, as reported to a person and recorded for `--json`. */
export interface StepRecord {
  readonly name: string;
  readonly ok: boolean;
  readonly skipped?: boolean;
  readonly ms: number;
  readonly detail?: string;
  readonly data?: unknown;
}

/** Reports the steps of a local run as they happen, and keeps them for the summary. */
export class Reporter {
  readonly steps: StepRecord[] = [];

  constructor(private readonly print: (line: string) => void) {}

  /** Runs a step, timing it; `fn` returns a one-line detail, optional data, and an optional block to show under it. */
  async step<T extends { detail: string; data?: unknown; block?: string }>(
    name: string,
    fn: () => Promise<T>,
  ): Promise<T> {
    const started = performance.now();
    try {
      const result = await fn();
      this.#record({
        name,
        ok: true,
        ms: performance.now() - started,
        detail: result.detail,
        data: result.data,
      });
      if (result.block) this.block(result.block);
      return result;
    } catch (error) {
      this.#record({
        name,
        ok: false,
        ms: performance.now() - started,
        detail: `${(error as Error).name}: ${(error as Error).message}`,
      });
      throw error;
    }
  }

  /** A step that could not run on this machine, and what to do about it. It does not fail the run. */
  skip(name: string, detail: string): void {
    this.steps.push({ name, ok: true, skipped: true, ms: 0, detail });
    this.print(`  - ${name} (skipped)\n      ${detail}`);
  }

  /** A step that is only worth a line (something started). */
  note(name: string, detail?: string, ms = 0): void {
    this.#record({ name, ok: true, ms, detail });
  }

  /** A block of text under the last step (a table, an explanation). */
  block(text: string): void {
    this.print(text.replace(/^/gm, '      '));
  }

  #record(step: StepRecord): void {
    this.steps.push(step);
    const mark = step.ok ? '✓' : '✗';
    const time = step.ms >= 1000 ? `${(step.ms / 1000).toFixed(1)} s` : `${Math.round(step.ms)} ms`;
    this.print(
      `  ${mark} ${step.name.padEnd(56)} ${time.padStart(8)}${step.detail ? `\n      ${step.detail}` : ''}`,
    );
  }
}
