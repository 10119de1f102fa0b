/** Detection in worker threads, for scans that should use every core (the CLI). */
export { DetectorPool, type DetectorPoolOptions } from './pool';
export type { WorkerDetectorConfig } from './protocol';
export { DetectorPoolClosedError, DetectorPoolStartError, WorkerDetectorError } from './errors';
