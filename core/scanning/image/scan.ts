import { RotorError } from '../../errors';
import { systemClock, type Clock } from '../../clock';
import type { Detector, FileLocation, Finding } from '../types';
import { scanConfig } from './config';
import { DigestMismatchError, ScanConfigError } from './errors';
import { describe, scanFileEntry } from './file-scan';
import { scanLayer } from './layer';
import { DEFAULT_LIMITS, type ScanLimits } from './limits';
import { isScannableLayer } from './manifest';
import { OrderedFindings } from './ordered-findings';
import { isDeferring, type BlobSource, type FileTreeSource, type LayerCache, type LayerScan } from './ports';
import { resolveImages, type ResolvedImage } from './resolve';
import { sha256Digest } from './streams';
import type { Target } from './target';
import type { ProblemLocation, WalkContext } from './walk-context';
import { mergeLayerFindings } from './whiteouts';

/** What to scan, opened by adapters/registry/open-target.ts: an image's blobs, or a folder's files. */
export type OpenedSource =
  | { readonly kind: 'image'; readonly blobs: BlobSource }
  | { readonly kind: 'tree'; readonly tree: FileTreeSource };

/**
 * Progress for a progress bar: layers and bytes so far. A folder has no layers and no total known in
 * advance (it is walked as it is read): layersTotal and bytesTotal are 0 and `files` counts the files read.
 */
export interface ScanProgress {
  readonly layersTotal: number;
  readonly layersDone: number;
  /** Sum of the declared sizes of the layers to read (compressed). */
  readonly bytesTotal: number;
  readonly bytesRead: number;
  readonly bytesUncompressed: number;
  /** Folders only: files read so far. */
  readonly files?: number;
}

/** How to scan. */
export interface ScanOptions {
  readonly detector: Detector;
  readonly source: OpenedSource;
  /** Layers scanned at once. @default 3 */
  readonly concurrency?: number;
  /** Overrides of DEFAULT_LIMITS. */
  readonly limits?: Partial<ScanLimits>;
  /** Layer results by digest; `rulesetVersion` must change whenever the detector's rules do. */
  readonly cache?: { readonly store: LayerCache; readonly rulesetVersion: string };
  readonly onProgress?: (progress: ScanProgress) => void;
  /** @default systemClock */
  readonly clock?: Clock;
}

/** Something that could not be scanned, and why. Messages name digests and paths, never content. */
export interface ScanProblem {
  /** The error class name (`DigestMismatchError`, `LayerLimitExceededError`...). */
  readonly error: string;
  readonly message: string;
  readonly manifestDigest?: string;
  readonly layerDigest?: string;
  readonly path?: string;
  readonly innerPath?: string;
}

/** Counts of one scan. */
export interface ScanStats {
  /** Images (platforms) resolved. */
  readonly manifests: number;
  /** Distinct layers, cached ones included. */
  readonly layers: number;
  /** Layers taken from the cache, not read. */
  readonly layersCached: number;
  /** Layers that could not be scanned completely (see `errors`). */
  readonly layersFailed: number;
  /** Files handed to the detector in this run (files of cached layers are not counted). */
  readonly files: number;
  /** Blob bytes read, or for cached layers the bytes read when they were scanned. */
  readonly bytesCompressed: number;
  readonly bytesUncompressed: number;
  readonly durationMs: number;
}

/** What a scan found, what it could not scan, and how much it read. */
export interface ScanResult {
  readonly target: string;
  readonly findings: Finding[];
  readonly errors: ScanProblem[];
  readonly stats: ScanStats;
}

/**
 * Scans a target: for an image, every platform's config (Env, Labels, Entrypoint, Cmd, history) and every
 * distinct layer once (in parallel, `concurrency` at a time, cached by digest), then merges whiteouts so
 * that a file a later layer deleted is still reported with `deletedBy`. Findings of a layer shared by
 * several platforms are reported once per platform image (each with its `manifestDigest`), because
 * whether a file is deleted depends on the image. For a folder, every regular file, TREE_FILES_IN_FLIGHT
 * files read at once (the results in walk order).
 *
 * A broken layer, platform or config is a ScanProblem and the rest is still scanned; only a root that
 * cannot be read at all throws. Memory stays bounded: see ScanLimits.
 */
export async function scanTarget(target: Target, options: ScanOptions): Promise<ScanResult> {
  const clock = options.clock ?? systemClock;
  const started = clock.now().getTime();
  const limits: ScanLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const concurrency = options.concurrency ?? 3;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new ScanConfigError('concurrency must be a positive integer');
  for (const [name, value] of Object.entries(limits)) {
    if (!(typeof value === 'number' && value > 0))
      throw new ScanConfigError(`limits.${name} must be a positive number`);
  }
  if (options.cache && options.cache.rulesetVersion === '')
    throw new ScanConfigError('cache.rulesetVersion must not be empty');

  const errors: ScanProblem[] = [];
  let files = 0;
  const ctx: WalkContext = {
    detector: options.detector,
    limits,
    report: (error, where) => errors.push(problem(error, where)),
    countFile: () => (files += 1),
  };
  const partial =
    options.source.kind === 'tree'
      ? await scanTree(options.source.tree, ctx, target, errors, options.onProgress)
      : await scanImage(options.source.blobs, ctx, target, options, concurrency, errors);
  return {
    target: target.text,
    findings: partial.findings,
    errors,
    stats: { ...partial.stats, files, durationMs: clock.now().getTime() - started },
  };
}

type PartialResult = { findings: Finding[]; stats: Omit<ScanStats, 'files' | 'durationMs'> };

/**
 * Files of a folder in flight at once. The folder source reads synchronously, so this overlaps reading with
 * a detector that answers later (worker threads) rather than waits on the OS.
 */
export const TREE_FILES_IN_FLIGHT = 8;

/** One file of a folder being scanned: its findings and problems, put out in walk order once it is done. */
interface TreeFileScan {
  done: Promise<void>;
  findings: Finding[];
  readonly problems: ScanProblem[];
  /** Set once put out: problems reported after that (a worker's failure, later) go straight to the result. */
  taken: boolean;
  /** With a deferring detector: the file's findings that come later. */
  readonly later?: OrderedFindings;
}

async function scanTree(
  tree: FileTreeSource,
  walk: WalkContext,
  target: Target,
  errors: ScanProblem[],
  onProgress: ScanOptions['onProgress'],
): Promise<PartialResult> {
  const findings: Finding[] = [];
  const later = isDeferring(walk.detector) ? new OrderedFindings() : undefined;
  let bytes = 0;
  let files = 0;
  // Up to TREE_FILES_IN_FLIGHT files are read at once; each keeps its own findings and problems, and they are
  // taken in walk order, so the result is that of reading one file at a time. Memory: that many files'
  // detector windows (or, with worker threads, the pool's own bounds).
  const inFlight: TreeFileScan[] = [];
  const takeFirst = async (): Promise<void> => {
    const scan = inFlight.shift()!;
    await scan.done;
    scan.taken = true;
    findings.push(...scan.findings);
    errors.push(...scan.problems);
    if (later !== undefined && scan.later !== undefined) later.add(scan.later.all());
  };
  for await (const file of tree.files()) {
    const location: FileLocation = { target: target.text, path: file.path };
    bytes += file.size;
    const fileLater = later === undefined ? undefined : new OrderedFindings();
    const scan: TreeFileScan = {
      problems: [],
      findings: [],
      taken: false,
      done: Promise.resolve(),
      ...(fileLater === undefined ? {} : { later: fileLater }),
    };
    const ctx: WalkContext = {
      ...walk,
      report: (error, where) => (scan.taken ? errors : scan.problems).push(problem(error, where)),
      ...(fileLater === undefined ? {} : { later: fileLater }),
    };
    scan.done = scanFileEntry(ctx, location, file.size, file.open()[Symbol.asyncIterator]()).then(
      (found) => void (scan.findings = found),
      (error: unknown) =>
        void scan.problems.push(
          problem(asRotorError(error, `could not read ${describe(location)}`), location),
        ),
    );
    inFlight.push(scan);
    files += 1;
    onProgress?.({
      layersTotal: 0,
      layersDone: 0,
      bytesTotal: 0,
      bytesRead: bytes,
      bytesUncompressed: bytes,
      files,
    });
    if (inFlight.length >= TREE_FILES_IN_FLIGHT) await takeFirst();
  }
  while (inFlight.length > 0) await takeFirst();
  if (later !== undefined) findings.push(...(await later.all()));
  return {
    findings,
    stats: {
      manifests: 0,
      layers: 0,
      layersCached: 0,
      layersFailed: 0,
      bytesCompressed: bytes,
      bytesUncompressed: bytes,
    },
  };
}

async function scanImage(
  blobs: BlobSource,
  ctx: WalkContext,
  target: Target,
  options: ScanOptions,
  concurrency: number,
  errors: ScanProblem[],
): Promise<PartialResult> {
  const expectedRoot = target.kind === 'registry' ? target.digest : undefined;
  const { images, problems } = await resolveImages(blobs, ctx.limits, expectedRoot, target.text);
  for (const p of problems) errors.push(problem(p.error, { manifestDigest: p.manifestDigest }));

  const findings: Finding[] = [];
  await scanConfigs(blobs, ctx, target, images, findings, errors);

  // Each distinct layer once, whatever the number of platforms sharing it.
  const unique = new Map<string, ResolvedImage['layers'][number]>();
  for (const image of images)
    for (const layer of image.layers) if (isScannableLayer(layer)) unique.set(layer.digest, layer);
  const layers = [...unique.values()];
  const progress = {
    layersTotal: layers.length,
    layersDone: 0,
    bytesTotal: layers.reduce((n, l) => n + (l.size ?? 0), 0),
    bytesRead: 0,
    bytesUncompressed: 0,
  };
  const report = (): void => options.onProgress?.({ ...progress });
  const scans = new Map<string, LayerScan>();
  let layersCached = 0;
  let layersFailed = 0;

  await forEachLimited(layers, concurrency, async (layer) => {
    const cached = options.cache
      ? await options.cache.store.get(layer.digest, options.cache.rulesetVersion)
      : undefined;
    if (cached !== undefined) {
      scans.set(layer.digest, cached);
      layersCached += 1;
    } else {
      const outcome = await scanLayer(ctx, blobs, layer, (compressed, uncompressed) => {
        progress.bytesRead += compressed;
        progress.bytesUncompressed += uncompressed;
        report();
      });
      scans.set(layer.digest, outcome.scan);
      if (outcome.error !== undefined) {
        layersFailed += 1;
        errors.push(problem(outcome.error, { layerDigest: layer.digest }));
      } else if (options.cache && !errors.some((e) => e.layerDigest === layer.digest)) {
        await options.cache.store.put(layer.digest, options.cache.rulesetVersion, outcome.scan);
      }
    }
    progress.layersDone += 1;
    report();
  });

  let bytesCompressed = 0;
  let bytesUncompressed = 0;
  for (const scan of scans.values()) {
    bytesCompressed += scan.compressedBytes;
    bytesUncompressed += scan.uncompressedBytes;
  }
  for (const image of images) {
    const ordered = image.layers
      .map((l) => scans.get(l.digest))
      .filter((s): s is LayerScan => s !== undefined);
    for (const finding of mergeLayerFindings(ordered)) {
      findings.push({
        ...finding,
        location: { ...finding.location, target: target.text, manifestDigest: image.manifestDigest },
      });
    }
  }
  return {
    findings,
    stats: {
      manifests: images.length,
      layers: layers.length,
      layersCached,
      layersFailed,
      bytesCompressed,
      bytesUncompressed,
    },
  };
}

async function scanConfigs(
  blobs: BlobSource,
  ctx: WalkContext,
  target: Target,
  images: readonly ResolvedImage[],
  findings: Finding[],
  errors: ScanProblem[],
): Promise<void> {
  for (const image of images) {
    const digest = image.config.digest;
    try {
      const bytes = await blobs.readBlob(digest, ctx.limits.maxConfigBytes);
      const actual = sha256Digest(bytes);
      if (actual !== digest) {
        throw new DigestMismatchError(`config ${digest}: content does not match its digest`, {
          context: { digest, actual },
        });
      }
      findings.push(
        ...scanConfig(
          bytes,
          ctx.detector,
          { target: target.text, manifestDigest: image.manifestDigest },
          `config ${digest}`,
        ),
      );
    } catch (error) {
      errors.push(
        problem(asRotorError(error, `config ${digest} could not be scanned`), {
          manifestDigest: image.manifestDigest,
        }),
      );
    }
  }
}

/** Runs `work` over items with at most `limit` at once. */
async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next]!;
      next += 1;
      await work(item);
    }
  });
  await Promise.all(runners);
}

function asRotorError(error: unknown, message: string): RotorError {
  if (error instanceof RotorError) return error;
  return new RotorError(`${message} (${error instanceof Error ? error.name : 'unknown error'})`, {
    cause: error,
  });
}

function problem(error: RotorError, where: ProblemLocation): ScanProblem {
  return {
    error: error.name,
    message: error.message,
    ...(where.manifestDigest ? { manifestDigest: where.manifestDigest } : {}),
    ...(where.layerDigest ? { layerDigest: where.layerDigest } : {}),
    ...(where.path ? { path: where.path } : {}),
    ...(where.innerPath ? { innerPath: where.innerPath } : {}),
  };
}
