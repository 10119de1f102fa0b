import { randomUUID } from 'node:crypto';
import type { RotationStart, SecretsStore } from './store';

/** The four steps of the rotation contract, in the order Secrets Manager invokes them. */
export const ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

/** The event a rotation function receives, as Secrets Manager sends it (SecretId is the secret's ARN). */
export interface RotationEvent {
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  readonly Step: RotationStep;
  readonly RotationToken: string;
}

/** A rotation function registered with the emulator in place of a Lambda function. */
export type RotationHandler = (event: RotationEvent) => Promise<void>;

/** One run of a rotation function started by RotateSecret: what it did and how it ended. */
export interface RotationRun {
  readonly secretArn: string;
  readonly secretName: string;
  /** The ClientRequestToken of the run: the id of the version staged AWSPENDING. */
  readonly versionId: string;
  readonly lambdaArn: string;
  /** False when RotateSecret was called with `RotateImmediately: false`: only testSecret runs. */
  readonly rotateImmediately: boolean;
  readonly status: 'running' | 'succeeded' | 'failed';
  /** The steps that completed, in order. */
  readonly completedSteps: readonly RotationStep[];
  /** The step that threw, when the run failed. */
  readonly failedStep?: RotationStep;
  /** What the handler threw (kept for tests to inspect; the emulator never prints it). */
  readonly error?: unknown;
}

interface MutableRun extends RotationRun {
  status: 'running' | 'succeeded' | 'failed';
  completedSteps: RotationStep[];
  failedStep?: RotationStep;
  error?: unknown;
}

/**
 * Runs rotation functions the way Secrets Manager does after RotateSecret has answered: asynchronously,
 * step by step, each step once (Secrets Manager retries a failed step a few times; the emulator does not),
 * stopping at the first failure and leaving the staging labels as the function left them. Every run is
 * recorded so tests can await it and look at its outcome.
 */
export class RotationRunner {
  readonly #handlers = new Map<string, RotationHandler>();
  readonly #runs: MutableRun[] = [];
  readonly #done = new Map<MutableRun, Promise<RotationRun>>();
  readonly #waiters: { match: (run: RotationRun) => boolean; resolve: (run: RotationRun) => void }[] = [];

  constructor(
    private readonly store: SecretsStore,
    private readonly log: (line: string) => void,
  ) {}

  /** Registers (or replaces) the function that stands for the Lambda function `lambdaArn`. */
  register(lambdaArn: string, handler: RotationHandler): void {
    this.#handlers.set(lambdaArn, handler);
  }

  /** Whether a function stands for `lambdaArn`. */
  has(lambdaArn: string): boolean {
    return this.#handlers.has(lambdaArn);
  }

  /**
   * Starts a run in the background; RotateSecret answers without waiting for it. A retried request
   * (`start.retry`) joins the run of its version while that run is going, and reattempts it otherwise.
   */
  start(start: RotationStart, rotateImmediately: boolean): void {
    if (start.retry && this.#latest(start.VersionId)?.status === 'running') return;
    const run: MutableRun = {
      secretArn: start.ARN,
      secretName: start.Name,
      versionId: start.VersionId,
      lambdaArn: start.lambdaArn,
      rotateImmediately,
      status: 'running',
      completedSteps: [],
    };
    this.#runs.push(run);
    // setImmediate: the HTTP answer to RotateSecret goes out before the first step runs, as on AWS.
    const done = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.#execute(run));
    this.#done.set(run, done);
  }

  /**
   * Starts the rotations that are due on the emulator's clock (see `SecretsStore.dueForRotation`), as
   * Secrets Manager's scheduler would; the emulator has no scheduler of its own, so a test or `rotor local`
   * calls this after moving the clock. Returns the version ids of the runs started; a secret whose
   * rotation cannot start (its function is not registered) is skipped.
   */
  startDue(): string[] {
    const started: string[] = [];
    for (const arn of this.store.dueForRotation()) {
      try {
        const start = this.store.beginRotation({ SecretId: arn }, (lambdaArn) => this.has(lambdaArn));
        this.start(start, true);
        started.push(start.VersionId);
      } catch {
        // Not startable now: RotateSecret would refuse it too; nothing to record.
      }
    }
    return started;
  }

  /** Every run so far, oldest first. */
  all(): readonly RotationRun[] {
    return [...this.#runs];
  }

  /**
   * Resolves with the latest run of this version (the VersionId RotateSecret returned) once it has ended,
   * successfully or not; waits for the run to start if it has not yet. Never rejects.
   */
  waitFor(versionId: string): Promise<RotationRun> {
    const run = this.#latest(versionId);
    if (run) return this.#done.get(run)!;
    return new Promise((resolve) => this.#waiters.push({ match: (r) => r.versionId === versionId, resolve }));
  }

  /** Resolves once no run is in progress. */
  async settled(): Promise<void> {
    while (this.#runs.some((r) => r.status === 'running')) {
      await Promise.all([...this.#done.values()]);
    }
  }

  #latest(versionId: string): MutableRun | undefined {
    return this.#runs.findLast((r) => r.versionId === versionId);
  }

  async #execute(run: MutableRun): Promise<RotationRun> {
    const handler = this.#handlers.get(run.lambdaArn);
    const steps: readonly RotationStep[] = run.rotateImmediately ? ROTATION_STEPS : ['testSecret'];
    const rotationToken = randomUUID();
    for (const step of steps) {
      try {
        if (!handler) throw new Error(`No rotation function is registered for ${run.lambdaArn}`);
        await handler({
          SecretId: run.secretArn,
          ClientRequestToken: run.versionId,
          Step: step,
          RotationToken: rotationToken,
        });
        run.completedSteps.push(step);
      } catch (error) {
        run.status = 'failed';
        run.failedStep = step;
        run.error = error;
        break;
      }
    }
    if (run.status === 'running') run.status = 'succeeded';
    this.store.endRotation(run.secretArn, run.versionId, {
      succeeded: run.status === 'succeeded',
      rotateImmediately: run.rotateImmediately,
    });
    // Names and steps only: what a handler threw may quote a value, so its message is not printed.
    this.log(
      run.status === 'succeeded'
        ? `rotation of ${run.secretName} (version ${run.versionId}) succeeded`
        : `rotation of ${run.secretName} (version ${run.versionId}) failed at ${run.failedStep}: ${errorName(run.error)}`,
    );
    const snapshot = { ...run, completedSteps: [...run.completedSteps] };
    for (const waiter of this.#waiters.filter((w) => w.match(run))) {
      waiter.resolve(snapshot);
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
    }
    return snapshot;
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
