/**
 * Worker threads for detection when `--workers` is not given: one a core but one, at most 3. The main thread
 * keeps a core for reading, gunzip and tar. Measured on 2 cores (bench/RESULTS.md, 1.1 GiB image): one worker
 * is as fast as two (6.7-7.0 s against 6.7-7.1 s) with 1 s less CPU and 40 MiB less memory; 3.1x the floor in
 * this thread. Past 3, the one main thread that feeds them is likely the limit (not measured: no machine here
 * has more than 2 cores).
 */
export function defaultWorkers(cores: number): number {
  return Math.min(3, Math.max(0, cores - 1));
}
