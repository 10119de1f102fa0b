import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { BUILTIN_RULES, createDetector, parseUserRules } from '../../core/scanning/detect';
import { looksBinary } from '../../core/scanning/detect/binary';
import { SNIFF_BYTES } from '../../core/scanning/detect/limits';
import type { DeferringDetector, SubmittedFile } from '../../core/scanning/image/ports';
import type { Detector, FileLocation, Finding, ScanFile } from '../../core/scanning/types';
import { DetectorPoolClosedError, DetectorPoolStartError, WorkerDetectorError } from './errors';
import type { FileOp, FromWorker, ToWorker, WorkerDetectorConfig } from './protocol';

/** Options of DetectorPool.start: the detector's configuration (as data) and the pool's bounds. */
export interface DetectorPoolOptions extends WorkerDetectorConfig {
  /** Worker threads. @default os.availableParallelism() */
  readonly workers?: number;
  /** Bytes sent to one worker and not yet read by its detectors; beyond it, submitFile waits. @default 8 MiB */
  readonly maxBytesInFlight?: number;
  /** Files submitted and not yet answered, over all workers; beyond it, submitFile waits. @default 2048 */
  readonly maxFilesInFlight?: number;
  /** Bytes a batch gathers before it is sent (a batch is also sent once the thread goes idle). @default 256 KiB */
  readonly batchBytes?: number;
  /** The worker's script. @default worker-entry.js beside this file (it loads the TypeScript sources) */
  readonly entry?: string;
}

interface Pending {
  resolve(findings: Finding[]): void;
  reject(error: unknown): void;
  /** Settles with the file, whatever the outcome. */
  readonly settled: Promise<unknown>;
}

/** One worker thread and the batch being gathered for it. */
class Slot {
  ops: FileOp[] = [];
  parts: Uint8Array[] = [];
  batched = 0;
  /** Bytes sent and not yet reported consumed. */
  inFlight = 0;
  readonly waiting: Array<() => void> = [];

  constructor(readonly worker: Worker) {}

  get load(): number {
    return this.inFlight + this.batched;
  }
}

/**
 * Runs the detector in worker threads, so that detection uses every core while the calling thread reads,
 * decompresses and walks tars. A file goes whole to one worker (its windows need its bytes in order), in
 * batches of many small files; findings are exactly those of `createDetector` with the same configuration.
 * Memory: at most `maxBytesInFlight` per worker in transit, plus each worker's detector windows.
 *
 * `submitFile` returns once the file's bytes are handed over, with a promise of its findings, so a layer
 * walk can go on to the next file (see DeferringDetector); `scanFile` waits for the findings. `scanText`
 * (image config fields) runs in the calling thread. Call `close()` when done: the workers keep the process
 * alive while files are pending.
 *
 * @example
 *   const pool = await DetectorPool.start({ userRules, fingerprintKey });
 *   try { await scanTarget(target, { detector: pool, source }); } finally { await pool.close(); }
 */
export class DetectorPool implements DeferringDetector {
  readonly #slots: Slot[];
  readonly #pending = new Map<number, Pending>();
  readonly #local: Detector;
  readonly #maxBytes: number;
  readonly #maxFiles: number;
  readonly #batchBytes: number;
  readonly #fileWaiters: Array<() => void> = [];
  #nextId = 1;
  #flushScheduled = false;
  #closed: Error | undefined;
  readonly #ready: Promise<void>;
  #started = false;
  #closing = false;
  readonly #submitting = new Set<Promise<SubmittedFile>>();

  private constructor(slots: Slot[], local: Detector, options: DetectorPoolOptions) {
    this.#slots = slots;
    // Workers keep the process alive while starting and while files are pending, not when idle.
    this.#ready = Promise.all(slots.map((s) => ready(s.worker))).then(
      () => {
        this.#started = true;
        if (this.#pending.size === 0) for (const slot of slots) slot.worker.unref();
      },
      (error: Error) => {
        this.#fail(error);
        throw error;
      },
    );
    this.#ready.catch(() => undefined); // also reported to every pending file
    this.#local = local;
    this.#maxBytes = options.maxBytesInFlight ?? 8 * 1024 ** 2;
    this.#maxFiles = options.maxFilesInFlight ?? 2048;
    this.#batchBytes = options.batchBytes ?? 256 * 1024;
    for (const slot of slots) {
      slot.worker.on('message', (message: FromWorker) => this.#onMessage(slot, message));
      slot.worker.on('error', (error) =>
        this.#fail(new DetectorPoolClosedError(`a detector worker failed (${error.name})`, { cause: error })),
      );
      slot.worker.on('exit', (code) =>
        this.#fail(new DetectorPoolClosedError(`a detector worker exited (code ${code})`)),
      );
    }
  }

  /**
   * Starts the workers without waiting for them (loading the detector takes a worker a few hundred
   * milliseconds, which overlaps with opening the target). The configuration is checked here, in the
   * calling thread, so a bad rule file throws the detector's own error at once.
   */
  static start(options: DetectorPoolOptions = {}): DetectorPool {
    const count = options.workers ?? availableParallelism();
    if (!Number.isInteger(count) || count < 1)
      throw new DetectorPoolStartError('workers must be a positive integer', { context: { workers: count } });
    const config: WorkerDetectorConfig = {
      ...(options.builtin === undefined ? {} : { builtin: options.builtin }),
      ...(options.userRules === undefined ? {} : { userRules: options.userRules }),
      ...(options.fingerprintKey === undefined ? {} : { fingerprintKey: options.fingerprintKey }),
      ...(options.managed === undefined ? {} : { managed: options.managed }),
      ...(options.windowChars === undefined ? {} : { windowChars: options.windowChars }),
    };
    // Built here first: a bad configuration fails in the caller's thread with the detector's own error.
    const local = createDetector({
      rules: [
        ...(config.builtin === false ? [] : BUILTIN_RULES),
        ...(config.userRules === undefined ? [] : parseUserRules(config.userRules)),
      ],
      ...(config.fingerprintKey === undefined ? {} : { fingerprintKey: config.fingerprintKey }),
      ...(config.managed === undefined ? {} : { managed: config.managed }),
      ...(config.windowChars === undefined ? {} : { windowChars: config.windowChars }),
    });
    const entry = options.entry ?? join(__dirname, 'worker-entry.js');
    const workers = Array.from({ length: count }, () => new Worker(entry, { workerData: config }));
    return new DetectorPool(
      workers.map((w) => new Slot(w)),
      local,
      options,
    );
  }

  /**
   * Resolves when every worker has built its detector (files submitted before then wait in their batches).
   * @throws DetectorPoolStartError when a worker cannot start; the pool is then closed.
   */
  ready(): Promise<void> {
    return this.#ready;
  }

  /** Scans a file in a worker and waits for its findings. */
  async scanFile(file: ScanFile): Promise<Finding[]> {
    return (await this.submitFile(file)).findings;
  }

  /** Scans a short text (an image config field) in the calling thread, as the contract wants it synchronous. */
  scanText(text: string, location: FileLocation): Finding[] {
    return this.#local.scanText(text, location);
  }

  /**
   * Hands a file to a worker: returns when its bytes have been read and queued (or the file was found to be
   * binary), with a promise of its findings. Errors of `file.chunks` are thrown here, as scanFile would.
   */
  submitFile(file: ScanFile): Promise<SubmittedFile> {
    try {
      this.#assertOpenOrReject();
    } catch (error) {
      return Promise.reject(error);
    }
    const submission = this.#submit(file);
    this.#submitting.add(submission);
    const forget = () => void this.#submitting.delete(submission);
    submission.then(forget, forget);
    return submission;
  }

  async #submit(file: ScanFile): Promise<SubmittedFile> {
    // The same binary check the detector makes, made here so a binary's bytes never cross threads.
    const head: Uint8Array[] = [];
    let sniffed = 0;
    const iterator = file.chunks[Symbol.asyncIterator]();
    let next = await iterator.next();
    while (!next.done && sniffed < SNIFF_BYTES) {
      head.push(next.value);
      sniffed += next.value.byteLength;
      if (sniffed < SNIFF_BYTES) next = await iterator.next();
    }
    const sample = concat(head);
    const complete = next.done === true;
    if (sniffed === 0 || looksBinary(sample.subarray(0, SNIFF_BYTES), complete && sniffed <= SNIFF_BYTES)) {
      await iterator.return?.();
      return { findings: Promise.resolve([]) };
    }

    while (this.#pending.size >= this.#maxFiles) await new Promise<void>((r) => this.#fileWaiters.push(r));
    this.#assertOpen();
    const id = this.#nextId++;
    const slot = this.#slots.reduce((a, b) => (b.load < a.load ? b : a));
    let pending: Omit<Pending, 'settled'> | undefined;
    const findings = new Promise<Finding[]>((resolve, reject) => (pending = { resolve, reject }));
    // Handled by whoever awaits `findings`; `settled` never rejects, so close() can wait on it.
    this.#pending.set(id, { ...pending!, settled: findings.catch(() => undefined) });
    this.#refWorkers();
    slot.ops.push({
      op: 'begin',
      id,
      location: file.location,
      ...(file.size === undefined ? {} : { size: file.size }),
    });
    try {
      await this.#append(slot, id, sample);
      if (!complete) {
        // The chunk that completed the sniff was already taken into `head`; read on from the next one.
        for (next = await iterator.next(); !next.done; next = await iterator.next())
          await this.#append(slot, id, next.value);
      }
    } catch (error) {
      slot.ops.push({ op: 'abort', id });
      this.#settle(id, undefined);
      this.#scheduleFlush();
      throw error;
    }
    slot.ops.push({ op: 'end', id });
    this.#scheduleFlush();
    return { findings };
  }

  /** Waits for the files submitted so far (those still being read included), then stops the workers. Idempotent. */
  async close(): Promise<void> {
    this.#closing = true;
    await Promise.allSettled([...this.#submitting]);
    this.#flushAll();
    await Promise.allSettled([...this.#pending.values()].map((p) => p.settled));
    this.#closed ??= new DetectorPoolClosedError('the detector pool is closed');
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }

  async #append(slot: Slot, id: number, bytes: Uint8Array): Promise<void> {
    if (bytes.byteLength === 0) return;
    while (slot.inFlight > 0 && slot.load + bytes.byteLength > this.#maxBytes) {
      this.#flush(slot);
      await new Promise<void>((r) => slot.waiting.push(r));
      this.#assertOpen();
    }
    slot.ops.push({ op: 'data', id, offset: slot.batched, length: bytes.byteLength });
    slot.parts.push(bytes);
    slot.batched += bytes.byteLength;
    if (slot.batched >= this.#batchBytes) this.#flush(slot);
    else this.#scheduleFlush();
  }

  #flush(slot: Slot): void {
    if (slot.ops.length === 0) return;
    const buffer = new ArrayBuffer(slot.batched);
    const view = new Uint8Array(buffer);
    let at = 0;
    for (const part of slot.parts) {
      view.set(part, at);
      at += part.byteLength;
    }
    const message: ToWorker = { type: 'batch', ops: slot.ops, buffer };
    slot.inFlight += slot.batched;
    slot.ops = [];
    slot.parts = [];
    slot.batched = 0;
    slot.worker.postMessage(message, [buffer]);
  }

  #flushAll(): void {
    this.#flushScheduled = false;
    for (const slot of this.#slots) this.#flush(slot);
  }

  /** Sends what is gathered once the current burst of work yields: small files ride together. */
  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => this.#flushAll());
  }

  #onMessage(slot: Slot, message: FromWorker): void {
    if (message.type === 'consumed') {
      slot.inFlight -= message.bytes;
      for (const wake of slot.waiting.splice(0)) wake();
    } else if (message.type === 'findings') {
      this.#settle(message.id, message.findings);
    } else if (message.type === 'failed') {
      this.#settle(
        message.id,
        new WorkerDetectorError(`the detector failed in a worker (${message.name}: ${message.message})`),
      );
    }
  }

  #settle(id: number, outcome: Finding[] | Error | undefined): void {
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    this.#pending.delete(id);
    if (Array.isArray(outcome)) pending.resolve(outcome);
    else pending.reject(outcome ?? new DetectorPoolClosedError('the file was abandoned'));
    this.#fileWaiters.shift()?.();
    if (this.#pending.size === 0 && this.#started) for (const slot of this.#slots) slot.worker.unref();
  }

  #refWorkers(): void {
    if (this.#pending.size === 1) for (const slot of this.#slots) slot.worker.ref();
  }

  #fail(error: Error): void {
    if (this.#closed !== undefined) return;
    this.#closed = error;
    for (const id of [...this.#pending.keys()]) this.#settle(id, error);
    for (const slot of this.#slots) for (const wake of slot.waiting.splice(0)) wake();
    for (const wake of this.#fileWaiters.splice(0)) wake();
    for (const slot of this.#slots) void slot.worker.terminate();
  }

  #assertOpenOrReject(): void {
    if (this.#closing && this.#closed === undefined)
      throw new DetectorPoolClosedError('the detector pool is closing');
    this.#assertOpen();
  }

  #assertOpen(): void {
    if (this.#closed !== undefined) throw this.#closed;
  }
}

function ready(worker: Worker): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: FromWorker) => {
      if (message.type === 'ready') done(resolve);
      else if (message.type === 'init-failed')
        done(() =>
          reject(
            new DetectorPoolStartError(
              `a detector worker could not start (${message.name}: ${message.message})`,
            ),
          ),
        );
    };
    const onError = (error: Error) =>
      done(() =>
        reject(
          new DetectorPoolStartError(`a detector worker could not start (${error.name})`, { cause: error }),
        ),
      );
    const onExit = (code: number) =>
      done(() =>
        reject(new DetectorPoolStartError(`a detector worker exited while starting (code ${code})`)),
      );
    const done = (settle: () => void) => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      settle();
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
