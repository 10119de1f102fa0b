// One measurement in a fresh process, so peak memory (maxRSS) is its own: `floor`, `floor-sha256`,
// `floor-rotor-buffers` (the floor with the read and gunzip buffer sizes Rotor uses), `tree-floor` (every
// file of a folder read whole with synchronous calls: the floor for `dir:`), `rotor`
// (detection in the calling thread, as the scan-layer Lambda runs it) or `rotor-pool` (detection in worker
// threads, as the CLI runs it; `rotor-pool1` with one worker) over the OCI layout in argv[3] (or `rotor-dir` over a folder, with the pool),
// `concurrency` layers at once. Prints one JSON line: wall time of the
// work (process start-up excluded), maxRSS, bytes and files read, and for rotor the findings' rule, path
// and line (never excerpts: they are censored anyway, but the report needs no more).
import { createHash } from 'node:crypto';
import { createReadStream, lstatSync, readFileSync, readdirSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { DetectorPool } from '../../adapters/detector-pool';
import { READ_CHUNK } from '../../adapters/registry/local-blobs';
import { openTarget } from '../../adapters/registry/open-target';
import { createDetector } from '../../core/scanning/detect';
import { scanTarget } from '../../core/scanning/image';
import { DECOMPRESSED_CHUNK_BYTES } from '../../core/scanning/image/streams';
import { parseTarget } from '../../core/scanning/image/target';
import { sampleThreads } from './threads';

/** What a worker prints. */
export interface WorkerResult {
  readonly ms: number;
  readonly maxRssMb: number;
  readonly bytesUncompressed: number;
  readonly files: number;
  readonly findings?: ReadonlyArray<{ ruleId: string; path: string; line: number }>;
  readonly errors?: number;
  /** With SCAN_BENCH_THREADS=1: CPU seconds by thread (main, detector workers, libuv's pool) and in all. */
  readonly cpu?: Record<string, number>;
}

/** The buffer sizes Rotor streams layers with: blob reads (adapters/registry/local-blobs.ts) and gunzip output. */
const ROTOR_BUFFERS = { read: READ_CHUNK, gunzip: DECOMPRESSED_CHUNK_BYTES };

/** The floor: gunzip and tar-parse every layer blob, reading every file's bytes, nothing else. */
async function floor(
  dir: string,
  concurrency: number,
  sha256: boolean,
  buffers?: { readonly read: number; readonly gunzip: number },
): Promise<Omit<WorkerResult, 'ms' | 'maxRssMb'>> {
  // The floor uses Node's defaults (64 KiB reads, 16 KiB gunzip output); `buffers` gives Rotor's.
  const readOptions = buffers === undefined ? {} : { highWaterMark: buffers.read };
  const gunzipOptions = buffers === undefined ? {} : { chunkSize: buffers.gunzip };
  const blobsDir = join(dir, 'blobs', 'sha256');
  const blobs = (await readdir(blobsDir)).map((name) => join(blobsDir, name));
  let bytesUncompressed = 0;
  let files = 0;
  const readLayer = async (path: string): Promise<void> => {
    // Non-gzip blobs (config, manifest) are JSON: the scanner reads them too, but they are a few KB.
    const head = await new Promise<Buffer>((resolve) => {
      const s = createReadStream(path, { start: 0, end: 1 });
      const parts: Buffer[] = [];
      s.on('data', (c) => parts.push(c as Buffer)).on('end', () => resolve(Buffer.concat(parts)));
    });
    if (head[0] !== 0x1f || head[1] !== 0x8b) return;
    const tar = extract();
    tar.on('entry', (header, stream, next) => {
      if (header.type === 'file') files += 1;
      stream.on('data', (chunk: unknown) => void (bytesUncompressed += (chunk as Uint8Array).length));
      stream.on('end', next);
      stream.resume();
    });
    const hash = createHash('sha256');
    const stages = sha256
      ? [
          createReadStream(path),
          new Transform({ transform: (c, _e, done) => (hash.update(c), done(null, c)) }),
          createGunzip(gunzipOptions),
          tar,
        ]
      : [createReadStream(path, readOptions), createGunzip(gunzipOptions), tar];
    await (pipeline as (...s: unknown[]) => Promise<void>)(...stages);
    if (sha256) hash.digest('hex');
  };
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < blobs.length) await readLayer(blobs[next++]!);
    }),
  );
  return { bytesUncompressed, files };
}

/** The floor for a folder: list it, lstat each entry, read each regular file whole; synchronous calls. */
function treeFloor(root: string): Omit<WorkerResult, 'ms' | 'maxRssMb'> {
  let bytesUncompressed = 0;
  let files = 0;
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const stats = lstatSync(path);
      if (stats.isDirectory()) walk(path);
      else if (stats.isFile()) {
        bytesUncompressed += readFileSync(path).length;
        files += 1;
      }
    }
  };
  walk(root);
  return { bytesUncompressed, files };
}

async function rotor(
  target: ReturnType<typeof parseTarget>,
  concurrency: number,
  pooled: boolean,
  oneWorker = false,
): Promise<Omit<WorkerResult, 'ms' | 'maxRssMb'>> {
  const workers = oneWorker ? '1' : process.env.SCAN_BENCH_WORKERS;
  const pool = pooled
    ? DetectorPool.start(workers === undefined ? {} : { workers: Number(workers) })
    : undefined;
  // SCAN_BENCH_NULL=1: a detector that reads every byte and finds nothing, to measure the walk alone.
  const nothing = {
    async scanFile(file: { chunks: AsyncIterable<Uint8Array> }) {
      for await (const _chunk of file.chunks);
      return [];
    },
    scanText: () => [],
  };
  const result = await scanTarget(target, {
    detector: process.env.SCAN_BENCH_NULL === '1' ? nothing : (pool ?? createDetector()),
    source: await openTarget(target),
    concurrency,
  }).finally(() => pool?.close());
  return {
    bytesUncompressed: result.stats.bytesUncompressed,
    files: result.stats.files,
    findings: result.findings.map((f) => ({
      ruleId: f.ruleId,
      path: f.location.path,
      line: f.location.line,
    })),
    errors: result.errors.length,
  };
}

async function main(): Promise<void> {
  const [mode, dir, concurrencyText] = process.argv.slice(2);
  const concurrency = Number(concurrencyText ?? 3);
  const threads = process.env.SCAN_BENCH_THREADS === '1' ? sampleThreads() : undefined;
  const started = performance.now();
  const work =
    mode === 'rotor' || mode === 'rotor-pool' || mode === 'rotor-pool1' || mode === 'rotor-dir'
      ? await rotor(
          parseTarget(`${mode === 'rotor-dir' ? 'dir' : 'oci'}:${dir}`),
          concurrency,
          mode !== 'rotor',
          mode === 'rotor-pool1',
        )
      : mode === 'tree-floor'
        ? treeFloor(dir!)
        : await floor(
            dir!,
            concurrency,
            mode === 'floor-sha256',
            mode === 'floor-rotor-buffers' ? ROTOR_BUFFERS : undefined,
          );
  const ms = performance.now() - started;
  const result: WorkerResult = {
    ms,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    ...work,
    ...(threads === undefined ? {} : { cpu: threads() }),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

void main();
