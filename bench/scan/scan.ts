// The sprawl scanner against its floor and against secretlint, on a generated image of realistic make-up
// (thousands of small text files, minified bundles, lockfiles, binaries; 7 gzip layers) with planted secrets.
// Run: npx tsx bench/scan/scan.ts
//   SCAN_BENCH_MB=1100      uncompressed image size in MiB (the recorded result uses >= 1 GiB; 100 for a quick run)
//   SCAN_BENCH_SEED=1       image seed (same seed, same image)
//   SCAN_BENCH_CONCURRENCY=3  layers at once, for the floor and for Rotor (scanTarget's default)
//   SCAN_BENCH_RUNS=2       rounds of each measurement; the fastest is reported
//   SCAN_BENCH_SECRETLINT=1 set 0 to skip secretlint
//   SCAN_BENCH_SECRETLINT_TIMEOUT_S=900
//   SCAN_BENCH_KEEP=1       keep the temp folder (default: removed)
//   SCAN_BENCH_WORKERS=n    worker threads of the DetectorPool rows (default: one a core)
//   SCAN_BENCH_NULL=1       Rotor rows with a detector that reads every byte and finds nothing (the walk alone)
// Rotor runs three times a round: detection in the calling thread (the scan-layer Lambda), in worker threads
// (DetectorPool, for the CLI) and in one worker thread; the floor also runs with Rotor's buffer sizes, so
// that the ratio can be read against a floor that streams the way Rotor does. Detection alone, without gunzip: bench/scan/detect-profile.ts.
// Every measurement runs in a fresh process (bench/scan/worker.ts), so its peak RSS is its own.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateImage, type GeneratedImage } from './image';
import type { TruthItem } from './planted';
import { extractLayers, runSecretlint, type Located } from './secretlint';
import type { WorkerResult } from './worker';

const MB = Number(process.env.SCAN_BENCH_MB ?? 1100);
const SEED = Number(process.env.SCAN_BENCH_SEED ?? 1);
const CONCURRENCY = Number(process.env.SCAN_BENCH_CONCURRENCY ?? 3);
const SECRETLINT = process.env.SCAN_BENCH_SECRETLINT !== '0';
const RUNS = Number(process.env.SCAN_BENCH_RUNS ?? 2);
const SECRETLINT_TIMEOUT_S = Number(process.env.SCAN_BENCH_SECRETLINT_TIMEOUT_S ?? 900);

/** The measurements of a round: the issue's floor, the floor with Rotor's buffer sizes, Rotor. */
const MODES = ['floor', 'rotor-pool', 'floor-sha256', 'rotor', 'floor-rotor-buffers', 'rotor-pool1'] as const;
type Mode = (typeof MODES)[number];

const TSX = join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');

function worker(mode: Mode | 'rotor-dir' | 'tree-floor', dir: string): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [join(__dirname, 'worker.ts'), mode, dir, String(CONCURRENCY)], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, SCAN_BENCH_THREADS: '1' }, // the CPU time of each run, reported beside it
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !last.startsWith('{')) reject(new Error(`worker ${mode} exited with ${code}`));
      else resolve(JSON.parse(last) as WorkerResult);
    });
  });
}

/** Which planted secrets a tool found: a finding on the secret's path and line. Plus findings on no secret. */
function score(truth: readonly TruthItem[], findings: readonly Located[]) {
  const key = (path: string, line: number) => `${path}:${line}`;
  const found = new Set(findings.map((f) => key(f.path, f.line)));
  const planted = new Set(truth.map((t) => key(t.path, t.line)));
  const hits = truth.filter((t) => found.has(key(t.path, t.line)));
  const extra = findings.filter((f) => !planted.has(key(f.path, f.line)));
  return { hits, missed: truth.filter((t) => !hits.includes(t)), extra };
}

const fmtS = (ms: number) => (ms / 1000).toFixed(1);
const mib = (bytes: number) => (bytes / 1024 ** 2).toFixed(0);

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'rotor-scan-bench-'));
  try {
    await run(work);
  } finally {
    if (process.env.SCAN_BENCH_KEEP !== '1') await rm(work, { recursive: true, force: true });
    else console.log(`kept ${work}`);
  }
}

async function run(work: string): Promise<void> {
  console.log(
    `machine: ${cpus().length} cores, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} at start`,
  );
  let t = performance.now();
  const image: GeneratedImage = await generateImage(join(work, 'image'), {
    totalBytes: MB * 1024 ** 2,
    seed: SEED,
  });
  const uncompressed = image.layers.reduce((n, l) => n + l.uncompressedBytes, 0);
  const compressed = image.layers.reduce((n, l) => n + l.compressedBytes, 0);
  const files = image.layers.reduce((n, l) => n + l.files, 0);
  console.log(
    `image: ${image.layers.length} gzip layers, ${files} files, ${mib(uncompressed)} MiB uncompressed, ${mib(compressed)} MiB compressed, ${image.truth.length} planted secrets (generated in ${fmtS(performance.now() - t)} s)`,
  );
  for (const l of image.layers)
    console.log(
      `  layer ${l.name}: ${l.files} files, ${mib(l.uncompressedBytes)} MiB -> ${mib(l.compressedBytes)} MiB`,
    );

  const dir = image.dir;
  // Interleaved rounds, the fastest of each kept: on a shared machine the slow runs are other people's work.
  const runs = Object.fromEntries(MODES.map((m) => [m, [] as WorkerResult[]])) as Record<
    Mode,
    WorkerResult[]
  >;
  for (let round = 0; round < RUNS; round++) {
    for (const mode of MODES) runs[mode].push(await worker(mode, dir));
  }
  const fastest = (results: WorkerResult[]) => results.reduce((a, b) => (b.ms < a.ms ? b : a));
  const floor = fastest(runs.floor);
  const rotor = fastest(runs.rotor);
  const pooled = fastest(runs['rotor-pool']);
  const floorSha = fastest(runs['floor-sha256']);
  const floorBuffers = fastest(runs['floor-rotor-buffers']);
  const pooledOne = fastest(runs['rotor-pool1']);
  const oneScore = score(image.truth, pooledOne.findings ?? []);
  const floorMs = floor.ms;
  const rotorScore = score(image.truth, pooled.findings ?? []);
  const inThreadScore = score(image.truth, rotor.findings ?? []);

  let secretlint: Awaited<ReturnType<typeof runSecretlint>> | undefined;
  let extractMs = 0;
  let slTimes = '';
  let rotorDir: WorkerResult | undefined;
  let rotorDirTimes = '';
  let treeFloor: WorkerResult | undefined;
  if (SECRETLINT) {
    t = performance.now();
    const tree = join(work, 'tree');
    await extractLayers(image, tree);
    extractMs = performance.now() - t;
    const slRuns: Array<Awaited<ReturnType<typeof runSecretlint>>> = [];
    for (let round = 0; round < RUNS; round++)
      slRuns.push(await runSecretlint(work, tree, SECRETLINT_TIMEOUT_S * 1000));
    secretlint = slRuns.reduce((a, b) => (b.ms < a.ms ? b : a));
    slTimes = slRuns.map((r) => fmtS(r.ms)).join(', ');
    // Rotor on the same extracted files secretlint reads: the same input for both, no gunzip.
    const dirRuns: WorkerResult[] = [];
    const treeFloorRuns: WorkerResult[] = [];
    for (let round = 0; round < RUNS; round++) {
      treeFloorRuns.push(await worker('tree-floor', tree));
      dirRuns.push(await worker('rotor-dir', tree));
    }
    rotorDir = fastest(dirRuns);
    treeFloor = fastest(treeFloorRuns);
    rotorDirTimes = dirRuns.map((r) => fmtS(r.ms)).join(', ');
  }
  // In the extracted tree a path is <n>-<layer>/<path in the image>.
  const dirScore = rotorDir
    ? score(
        image.truth,
        (rotorDir.findings ?? []).map((f) => ({ ...f, path: f.path.split('/').slice(1).join('/') })),
      )
    : undefined;
  const slScore = secretlint && !secretlint.timedOut ? score(image.truth, secretlint.findings) : undefined;

  const n = image.truth.length;
  /** A table row: label, seconds, ratio to the floor, and recall and extra findings when scored. */
  const row = (label: string, r: WorkerResult, scored?: ReturnType<typeof score>): string[] => [
    label,
    fmtS(r.ms),
    (r.ms / floorMs).toFixed(2),
    scored ? `${scored.hits.length}/${n}` : '-',
    scored ? String(scored.extra.length) : '-',
    r.maxRssMb.toFixed(0),
  ];
  const rows: string[][] = [
    row('floor: gunzip + tar-stream, every byte read', floor),
    row('floor + sha256 of the blobs (Rotor verifies digests)', floorSha),
    row("floor with Rotor's buffer sizes (64 KiB reads, 256 KiB gunzip output)", floorBuffers),
    row('Rotor `scanTarget`, detection in worker threads (`DetectorPool`, as the CLI)', pooled, rotorScore),
    row('Rotor `scanTarget`, detection in 1 worker thread', pooledOne, oneScore),
    row(
      'Rotor `scanTarget`, detection in the calling thread (as the scan-layer Lambda)',
      rotor,
      inThreadScore,
    ),
  ];
  if (rotorDir && dirScore && treeFloor) {
    rows.push(
      row('floor for the extracted tree: every file listed and read whole (synchronous calls)', treeFloor),
    );
    rows.push(
      row(
        `Rotor on the extracted tree (\`dir:\`), as secretlint reads it (${(rotorDir.ms / treeFloor.ms).toFixed(2)}x the tree's floor)`,
        rotorDir,
        dirScore,
      ),
    );
  }
  if (secretlint) {
    rows.push([
      `secretlint, recommend preset, extracted tree${secretlint.timedOut ? ` (stopped at ${SECRETLINT_TIMEOUT_S} s)` : ''}${secretlint.exitCode !== null && secretlint.exitCode > 1 ? ` (FAILED: exit ${secretlint.exitCode})` : ''}`,
      secretlint.timedOut ? `> ${SECRETLINT_TIMEOUT_S}` : fmtS(secretlint.ms),
      (secretlint.ms / floorMs).toFixed(2),
      slScore ? `${slScore.hits.length}/${n}` : '?',
      slScore ? String(slScore.extra.length) : '?',
      secretlint.maxRssMb.toFixed(0),
    ]);
  }
  const times = (mode: Mode) =>
    runs[mode].map((r) => `${fmtS(r.ms)} (CPU ${r.cpu?.process?.toFixed(1) ?? '?'})`).join(', ');
  console.log(
    `\nruns (s, and CPU s of the whole process, start-up included; the fastest of each is in the table): floor ${times('floor')}; floor with Rotor's buffers ${times('floor-rotor-buffers')}; rotor (pool) ${times('rotor-pool')}; rotor (1 worker) ${times('rotor-pool1')}; rotor (in-thread) ${times('rotor')}; floor+sha256 ${times('floor-sha256')}${slTimes ? `; secretlint ${slTimes}; rotor dir: ${rotorDirTimes}` : ''}. Concurrency ${CONCURRENCY} layers.`,
  );
  console.log(
    `ratios to the floor with Rotor's buffer sizes: pool ${(pooled.ms / floorBuffers.ms).toFixed(2)}, 1 worker ${(pooledOne.ms / floorBuffers.ms).toFixed(2)}, calling thread ${(rotor.ms / floorBuffers.ms).toFixed(2)}`,
  );
  console.log(
    `Rotor read ${pooled.files} files, ${mib(pooled.bytesUncompressed)} MiB, ${pooled.errors} scan problems; floor read ${floor.files} files, ${mib(floor.bytesUncompressed)} MiB`,
  );
  if (secretlint)
    console.log(
      `secretlint: extraction (not counted) ${fmtS(extractMs)} s, exit code ${secretlint.exitCode}`,
    );
  console.log(
    `\n| ${mib(uncompressed)} MiB, ${files} files, ${image.layers.length} layers | s | ratio to floor | recall | findings on no planted secret | peak RSS (MiB) |`,
  );
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);

  console.log('\nplanted secret (kind, where) | Rotor | secretlint');
  for (const item of image.truth) {
    const inRotor = rotorScore.hits.includes(item) ? 'found' : 'MISSED';
    const inSl = slScore ? (slScore.hits.includes(item) ? 'found' : 'MISSED') : '-';
    console.log(`  ${item.kind} (${item.context}, ${item.path}:${item.line}) | ${inRotor} | ${inSl}`);
  }
  const rules = (found: readonly Located[]) => [...new Set(found.map((f) => f.ruleId))].sort().join(', ');
  console.log(`\nRotor rules that fired: ${rules(pooled.findings ?? [])}`);
  if (rotorScore.extra.length > 0)
    console.log(`Rotor findings on no planted secret: ${summarise(rotorScore.extra)}`);
  if (secretlint && slScore) {
    console.log(`secretlint rules that fired: ${rules(secretlint.findings)}`);
    if (slScore.extra.length > 0)
      console.log(`secretlint findings on no planted secret: ${summarise(slScore.extra)}`);
  }
  console.log(`\nload average at end: ${execFileSync('uptime').toString().trim()}`);
}

function summarise(found: readonly Located[]): string {
  const byRule = new Map<string, number>();
  for (const f of found) byRule.set(f.ruleId, (byRule.get(f.ruleId) ?? 0) + 1);
  return [...byRule].map(([rule, count]) => `${rule} x${count}`).join(', ');
}

void main();
