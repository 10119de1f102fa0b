import type { ManagedSecretRecord } from '../../core/scanning/managed';
import type { FileLocation, Finding } from '../../core/scanning/types';

/**
 * The messages between a DetectorPool and its worker threads. Files travel in batches: one transferred
 * ArrayBuffer holding the bytes of many chunks (of many files), and a list of operations that slice it, so
 * that a thousand small files cost one message, not three thousand.
 */

/** How each worker builds its detector: only data crosses the thread boundary, so rules travel as JSON. */
export interface WorkerDetectorConfig {
  /** Whether the built-in rules run. @default true */
  readonly builtin?: boolean;
  /** A user rule file's text (`parseUserRules`), run after the built-ins. */
  readonly userRules?: string;
  readonly fingerprintKey?: string | Uint8Array;
  readonly managed?: { readonly records: readonly ManagedSecretRecord[]; readonly key: string | Uint8Array };
  readonly windowChars?: number;
}

/** One step of a batch: a file starts, some of its bytes (a slice of the batch buffer), or it ends. */
export type FileOp =
  | { readonly op: 'begin'; readonly id: number; readonly location: FileLocation; readonly size?: number }
  | { readonly op: 'data'; readonly id: number; readonly offset: number; readonly length: number }
  | { readonly op: 'end'; readonly id: number }
  /** The source failed mid-file: the worker drops the file without a result. */
  | { readonly op: 'abort'; readonly id: number };

/** To a worker. */
export type ToWorker = {
  readonly type: 'batch';
  readonly ops: readonly FileOp[];
  readonly buffer: ArrayBuffer;
};

/** From a worker. */
export type FromWorker =
  | { readonly type: 'ready' }
  /** The detector could not be built (a bad user rule file...): the pool fails to start. */
  | { readonly type: 'init-failed'; readonly name: string; readonly message: string }
  | { readonly type: 'findings'; readonly id: number; readonly findings: Finding[] }
  | { readonly type: 'failed'; readonly id: number; readonly name: string; readonly message: string }
  /** A batch's bytes have all been read by the detectors: the pool may send that many more. */
  | { readonly type: 'consumed'; readonly bytes: number };
