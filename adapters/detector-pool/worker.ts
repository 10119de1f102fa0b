// The body of a DetectorPool worker thread: builds the detector from the config in workerData, then scans
// the files that batches bring and posts each file's findings. Started through worker-entry.js.
import { parentPort, workerData } from 'node:worker_threads';
// The detector's own modules, not the detect/ index: a worker's start-up is paid on every scan, and the index
// also loads the user-rule schema (zod), which only a user rule file needs.
import { createTextDetector } from '../../core/scanning/detect/detector';
import { BUILTIN_RULES } from '../../core/scanning/rules/builtin';
import type { Rule } from '../../core/scanning/rules/rule';
import type { Detector, FileLocation, Finding } from '../../core/scanning/types';
import { ChunkQueue } from '../../core/scanning/image/chunk-queue';
import type { FromWorker, ToWorker, WorkerDetectorConfig } from './protocol';

const port = parentPort!;
const post = (message: FromWorker): void => port.postMessage(message);

function build(config: WorkerDetectorConfig): Detector {
  const rules = [
    ...(config.builtin === false ? [] : BUILTIN_RULES),
    ...(config.userRules === undefined ? [] : userRules(config.userRules)),
  ];
  // The pool made the binary check before sending the file (the same check): it is not made twice.
  return createTextDetector({
    rules,
    ...(config.fingerprintKey === undefined ? {} : { fingerprintKey: config.fingerprintKey }),
    ...(config.managed === undefined ? {} : { managed: config.managed }),
    ...(config.windowChars === undefined ? {} : { windowChars: config.windowChars }),
  });
}

function userRules(json: string): Rule[] {
  type Schema = typeof import('../../core/scanning/rules/schema');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when there is a rule file
  const schema = require('../../core/scanning/rules/schema') as Schema;
  return schema.parseUserRules(json);
}

let detector: Detector;
try {
  detector = build(workerData as WorkerDetectorConfig);
  post({ type: 'ready' });
} catch (error) {
  post({
    type: 'init-failed',
    name: error instanceof Error ? error.name : 'Error',
    message: error instanceof Error ? error.message : 'the detector could not be built',
  });
  process.exit(1);
}

const open = new Map<number, ChunkQueue>();
/** Files whose source failed: their detector's error is expected and not reported. */
const aborted = new Set<number>();

function begin(id: number, location: FileLocation, size: number | undefined): void {
  const queue = new ChunkQueue();
  open.set(id, queue);
  detector.scanFile({ location, ...(size === undefined ? {} : { size }), chunks: queue }).then(
    (findings: Finding[]) => {
      // A binary file's detector stops early: the rest of its bytes still arrive, and are dropped.
      void queue.return();
      if (open.get(id) === queue) open.delete(id);
      if (aborted.delete(id)) return;
      post({ type: 'findings', id, findings });
    },
    (error: unknown) => {
      void queue.return();
      if (open.get(id) === queue) open.delete(id);
      if (aborted.delete(id)) return;
      post({
        type: 'failed',
        id,
        name: error instanceof Error ? error.name : 'Error',
        message: error instanceof Error ? error.message : 'the detector failed',
      });
    },
  );
}

// Batches are handled one after another: a batch's chunks are pushed, then the worker waits until the
// detectors have taken them before it tells the pool those bytes are free.
let chain = Promise.resolve();
port.on('message', (message: ToWorker) => {
  chain = chain.then(() => handle(message));
});

async function handle(message: ToWorker): Promise<void> {
  const bytes = new Uint8Array(message.buffer);
  const touched = new Set<ChunkQueue>();
  for (const op of message.ops) {
    if (op.op === 'begin') begin(op.id, op.location, op.size);
    else {
      const queue = open.get(op.id);
      if (queue === undefined) continue;
      if (op.op === 'data') {
        queue.push(bytes.subarray(op.offset, op.offset + op.length));
        touched.add(queue);
      } else if (op.op === 'end') {
        queue.end();
        open.delete(op.id);
      } else {
        aborted.add(op.id);
        queue.fail(new Error('the file could not be read'));
        open.delete(op.id);
      }
    }
  }
  for (const queue of touched) await queue.drained();
  post({ type: 'consumed', bytes: message.buffer.byteLength });
}
