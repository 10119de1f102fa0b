// CPU time per thread of this process (Linux only), for `worker.ts` with SCAN_BENCH_THREADS=1: which of the
// main thread, the detector workers and libuv's pool (gunzip, sha256 is on the main thread) burns what.
// Threads are sampled every 20 ms from /proc, so a worker that exits is counted up to its last sample.
import { readFileSync, readdirSync } from 'node:fs';

const TICKS_PER_SECOND = 100;
const threads = new Map<string, { name: string; cpu: number }>();

function sample(): void {
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return; // not Linux
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const fields = stat.slice(close + 2).split(' ');
      const cpu = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
      const name = tid === String(process.pid) ? 'main' : stat.slice(stat.indexOf('(') + 1, close);
      threads.set(tid, { name, cpu });
    } catch {
      // the thread ended between the listing and the read
    }
  }
}

/** Starts sampling; returns a function that gives CPU seconds by thread (`name:tid`). */
export function sampleThreads(): () => Record<string, number> {
  const timer = setInterval(sample, 20);
  timer.unref();
  return () => {
    sample();
    clearInterval(timer);
    const byName: Record<string, number> = {};
    // Threads that used under 10 ms (V8's and libuv's idle helpers) are left out.
    for (const [tid, { name, cpu }] of threads)
      if (cpu >= 0.01) byName[`${name}:${tid}`] = Math.round(cpu * 100) / 100;
    const used = process.cpuUsage();
    byName.process = Math.round((used.user + used.system) / 1e4) / 100;
    return byName;
  };
}
