import { Unzip, UnzipInflate, UnzipPassThrough } from 'fflate';
import { createGunzip } from 'node:zlib';
import { RotorError } from '../../errors';
import type { FileLocation, Finding } from '../types';
import { ChunkQueue } from './chunk-queue';
import { NestedArchiveError, NestedArchiveLimitError } from './errors';
import { normalizeEntryPath } from './paths';
import { throughTransform } from './streams';
import { walkTar } from './tar-walk';
import type { WalkContext } from './walk-context';

/** The kinds of archive opened inside a layer. */
export type ArchiveKind = 'tar' | 'tar.gz' | 'zip';

/**
 * Package formats that are zip files: Java's jar, war and ear, Python's wheels and eggs (pip's wheel cache in
 * an image), NuGet packages (`~/.nuget/packages`).
 */
const ZIP_PACKAGE = /\.(?:zip|jar|war|ear|whl|egg|nupkg)$/;

/** The archive kind a file name suggests, or undefined. The magic bytes must agree before it is opened. */
export function archiveKind(path: string): ArchiveKind | undefined {
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  if (name.endsWith('.tar.gz') || name.endsWith('.tgz')) return 'tar.gz';
  if (name.endsWith('.tar')) return 'tar';
  if (ZIP_PACKAGE.test(name)) return 'zip';
  return undefined;
}

/** Scans one inner file; given by file-scan so that the two modules do not import each other. */
export type ScanInner = (
  location: FileLocation,
  size: number | undefined,
  chunks: AsyncIterator<Uint8Array>,
) => Promise<Finding[]>;

/** fflate pushes all the output of an input chunk at once: small input chunks bound that burst. */
const ZIP_INPUT_CHUNK = 16 * 1024;

/**
 * Opens an archive found inside a layer, streamed, and scans its regular files (with `innerPath`); archives
 * inside it are scanned as plain files, not opened. A broken archive or one over
 * `limits.maxNestedArchiveBytes` is recorded (NestedArchiveError, NestedArchiveLimitError) and the layer
 * walk goes on; errors of the layer stream itself propagate.
 */
export async function scanNestedArchive(
  ctx: WalkContext,
  location: FileLocation,
  kind: ArchiveKind,
  source: AsyncIterable<Uint8Array>,
  scanInner: ScanInner,
): Promise<Finding[]> {
  const tap = new ErrorTap(source);
  const findings: Finding[] = [];
  const what = `${location.layerDigest ? `layer ${location.layerDigest}: ` : ''}archive ${location.path}`;
  const budget = new Budget(ctx.limits.maxNestedArchiveBytes, what);
  try {
    if (kind === 'zip') {
      await walkZip(tap, budget, what, async (innerPath, size, chunks) => {
        findings.push(...(await scanInner({ ...location, innerPath }, size, chunks)));
      });
    } else {
      const raw: AsyncIterable<Uint8Array> =
        kind === 'tar.gz'
          ? throughTransform(
              tap,
              createGunzip(),
              (cause) => new NestedArchiveError(`${what}: gzip data is corrupt or truncated`, { cause }),
            )
          : tap;
      await walkTar(budget.count(raw), what, async (entry) => {
        if (entry.header.type !== 'file' && entry.header.type !== 'contiguous-file') return;
        const innerPath = normalizeEntryPath(entry.header.name);
        if (innerPath === '') return;
        findings.push(...(await scanInner({ ...location, innerPath }, entry.header.size, entry.chunks)));
      });
    }
  } catch (cause) {
    if (tap.error !== undefined) throw tap.error;
    const error =
      cause instanceof NestedArchiveLimitError || cause instanceof NestedArchiveError
        ? cause
        : new NestedArchiveError(`${what}: could not be read as ${kind}`, {
            cause,
            context: { path: location.path },
          });
    ctx.report(error, location);
  }
  return findings;
}

/** Counts uncompressed bytes of one inner archive against its limit. */
class Budget {
  #used = 0;
  constructor(
    private readonly limit: number,
    private readonly what: string,
  ) {}

  add(n: number): void {
    this.#used += n;
    if (this.#used > this.limit) {
      throw new NestedArchiveLimitError(
        `${this.what}: decompresses to more than maxNestedArchiveBytes (${this.limit})`,
        {
          context: { limit: this.limit },
        },
      );
    }
  }

  async *count(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of source) {
      this.add(chunk.byteLength);
      yield chunk;
    }
  }
}

/** Remembers an error of the outer (layer) stream, so it is told apart from the inner archive's own errors. */
class ErrorTap implements AsyncIterable<Uint8Array> {
  error: unknown;
  constructor(private readonly source: AsyncIterable<Uint8Array>) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    try {
      yield* this.source;
    } catch (error) {
      this.error = error;
      throw error;
    }
  }
}

type ZipEvent =
  | { readonly type: 'file'; readonly name: string; readonly size?: number }
  | { readonly type: 'data'; readonly data: Uint8Array }
  | { readonly type: 'end' }
  | { readonly type: 'error'; readonly error: unknown };

/**
 * Streams a zip with fflate's Unzip. fflate calls back synchronously during `push`, so events are queued and
 * handed to the current file's ChunkQueue; the next input chunk is pushed only after the detector has taken
 * them all.
 */
async function walkZip(
  source: AsyncIterable<Uint8Array>,
  budget: Budget,
  what: string,
  onFile: (innerPath: string, size: number | undefined, chunks: AsyncIterator<Uint8Array>) => Promise<void>,
): Promise<void> {
  const events: ZipEvent[] = [];
  const unzip = new Unzip((file) => {
    if (file.name.endsWith('/')) {
      // fflate buffers the data of entries nobody started: start even folders, and drop what they hold.
      file.ondata = () => undefined;
      file.start();
      return;
    }
    if (file.compression !== 0 && file.compression !== 8) {
      events.push({
        type: 'error',
        error: new NestedArchiveError(
          `${what}: an entry uses unsupported zip compression ${file.compression}`,
        ),
      });
      return;
    }
    events.push({
      type: 'file',
      name: file.name,
      ...(file.originalSize === undefined ? {} : { size: file.originalSize }),
    });
    file.ondata = (error, data, final) => {
      if (error) {
        events.push({ type: 'error', error });
        return;
      }
      if (data.byteLength > 0) events.push({ type: 'data', data });
      if (final) events.push({ type: 'end' });
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  unzip.register(UnzipPassThrough);

  let current: { queue: ChunkQueue; done: Promise<void> } | undefined;
  const settle = async (): Promise<void> => {
    while (events.length > 0) {
      const event = events.shift()!;
      if (event.type === 'file') {
        if (current !== undefined) {
          // An entry fflate ended without a final callback (an empty file): close it before the next.
          current.queue.end();
          await current.done;
        }
        const innerPath = normalizeEntryPath(event.name);
        const queue = new ChunkQueue();
        current = {
          queue,
          done: innerPath === '' ? drainQueue(queue) : onFile(innerPath, event.size, queue),
        };
      } else if (event.type === 'data') {
        budget.add(event.data.byteLength);
        current?.queue.push(event.data);
      } else if (event.type === 'end') {
        current?.queue.end();
        await current?.done;
        current = undefined;
      } else {
        throw event.error instanceof RotorError
          ? event.error
          : new NestedArchiveError(`${what}: corrupt zip data`, { cause: event.error });
      }
    }
    await current?.queue.drained();
  };

  try {
    for await (const chunk of source) {
      for (let offset = 0; offset < chunk.byteLength; offset += ZIP_INPUT_CHUNK) {
        pushZip(unzip, chunk.subarray(offset, offset + ZIP_INPUT_CHUNK), false, what);
        await settle();
      }
    }
    pushZip(unzip, new Uint8Array(0), true, what);
    await settle();
    if (current !== undefined)
      throw new NestedArchiveError(`${what}: the zip ends inside an entry: truncated`);
  } catch (error) {
    if (current !== undefined) {
      current.queue.fail(error);
      await current.done.catch(() => undefined);
    }
    throw error;
  }
}

function pushZip(unzip: Unzip, chunk: Uint8Array, final: boolean, what: string): void {
  try {
    unzip.push(chunk, final);
  } catch (cause) {
    throw new NestedArchiveError(`${what}: corrupt zip data`, { cause });
  }
}

async function drainQueue(queue: ChunkQueue): Promise<void> {
  for await (const _ of queue) {
    // discarded
  }
}
