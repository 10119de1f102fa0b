import { RotorError } from '../../core/errors';

/** The pool could not start: a worker failed to build its detector (a bad rule file) or to load at all. */
export class DetectorPoolStartError extends RotorError {}

/** The pool was closed, or one of its workers died: no more files can be scanned with it. */
export class DetectorPoolClosedError extends RotorError {}

/** The detector threw in a worker; the message names the error class and says what failed, never content. */
export class WorkerDetectorError extends RotorError {}
