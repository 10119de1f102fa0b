import type { FileLocation, Finding } from '../types';
import { DetectorFailedError, FileLimitExceededError } from './errors';
import { archiveKind, scanNestedArchive } from './nested-archive';
import { isDeferring } from './ports';
import { peek } from './streams';
import { drain } from './tar-walk';
import type { WalkContext } from './walk-context';

/**
 * Scans one regular file of a layer, a folder or an inner archive. An archive by name (`.tar`, `.tar.gz`,
 * `.tgz`, `.zip`, `.jar`, `.war`) whose magic bytes agree is opened one level deep (its files get
 * `innerPath`); anything else goes to the detector, at most `limits.maxFileBytes` of it. The iterator is
 * always read to its end, so the tar walk can go on whatever the detector did. Errors of the stream itself
 * (a limit, a digest, a dropped connection) propagate; a detector that throws is recorded and skipped.
 */
export async function scanFileEntry(
  ctx: WalkContext,
  location: FileLocation,
  size: number | undefined,
  chunks: AsyncIterator<Uint8Array>,
): Promise<Finding[]> {
  const nameKind = location.innerPath === undefined ? archiveKind(location.path) : undefined;
  let source: AsyncIterator<Uint8Array> = chunks;
  if (nameKind !== undefined) {
    const { head, rest } = await peek(iterable(chunks), 265);
    source = rest[Symbol.asyncIterator]();
    if (magicAgrees(nameKind, head)) {
      const findings = await scanNestedArchive(
        ctx,
        location,
        nameKind,
        iterable(source),
        (inner, innerSize, innerChunks) => scanFileEntry(ctx, inner, innerSize, innerChunks),
      );
      await drain(source);
      return findings;
    }
  }
  const findings = await detect(ctx, location, size, source);
  await drain(source);
  return findings;
}

async function detect(
  ctx: WalkContext,
  location: FileLocation,
  size: number | undefined,
  source: AsyncIterator<Uint8Array>,
): Promise<Finding[]> {
  const reader = new BoundedReader(source, ctx.limits.maxFileBytes);
  ctx.countFile();
  const failed = (cause: unknown): Finding[] => {
    ctx.report(
      new DetectorFailedError(`the detector failed on ${describe(location)}`, {
        cause,
        context: { path: location.path, innerPath: location.innerPath },
      }),
      location,
    );
    return [];
  };
  const file = { location, ...(size === undefined ? {} : { size }), chunks: reader };
  let findings: Finding[];
  try {
    if (ctx.later !== undefined && isDeferring(ctx.detector)) {
      // The detector answers later: the walk goes on, and the findings join the others in walk order.
      const submitted = await ctx.detector.submitFile(file);
      ctx.later.add(submitted.findings.catch(failed));
      findings = [];
    } else {
      findings = await ctx.detector.scanFile(file);
    }
  } catch (cause) {
    if (reader.sourceError !== undefined) throw reader.sourceError;
    return failed(cause);
  }
  if (reader.sourceError !== undefined) throw reader.sourceError;
  if (reader.exceeded) {
    ctx.report(
      new FileLimitExceededError(
        `${describe(location)} is larger than maxFileBytes (${ctx.limits.maxFileBytes}): only its first bytes were scanned`,
        { context: { path: location.path, innerPath: location.innerPath, limit: ctx.limits.maxFileBytes } },
      ),
      location,
    );
  }
  return findings;
}

/** What the detector reads: the file's chunks up to a limit; its `return()` does not stop the tar walk. */
class BoundedReader implements AsyncIterable<Uint8Array> {
  sourceError: unknown;
  exceeded = false;
  #bytes = 0;
  #done = false;

  constructor(
    private readonly source: AsyncIterator<Uint8Array>,
    private readonly limit: number,
  ) {}

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return {
      next: () => this.#next(),
      return: async () => {
        this.#done = true;
        return { value: undefined, done: true };
      },
    };
  }

  async #next(): Promise<IteratorResult<Uint8Array>> {
    if (this.#done) return { value: undefined, done: true };
    let next: IteratorResult<Uint8Array>;
    try {
      next = await this.source.next();
    } catch (error) {
      this.sourceError = error;
      this.#done = true;
      throw error;
    }
    if (next.done) {
      this.#done = true;
      return next;
    }
    const room = this.limit - this.#bytes;
    if (next.value.byteLength > room) {
      this.exceeded = true;
      this.#done = true;
      if (room <= 0) return { value: undefined, done: true };
      this.#bytes = this.limit;
      return { value: next.value.subarray(0, room), done: false };
    }
    this.#bytes += next.value.byteLength;
    return next;
  }
}

function iterable(iterator: AsyncIterator<Uint8Array>): AsyncIterable<Uint8Array> {
  return { [Symbol.asyncIterator]: () => iterator };
}

function magicAgrees(kind: 'tar' | 'tar.gz' | 'zip', head: Uint8Array): boolean {
  if (kind === 'tar.gz') return head[0] === 0x1f && head[1] === 0x8b;
  if (kind === 'zip') return head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
  // ustar magic at offset 257 (POSIX "ustar\0" and GNU "ustar  ").
  return Buffer.from(head.subarray(257, 262)).toString('latin1') === 'ustar';
}

/** `path` or `path!innerPath`, for messages. */
export function describe(location: FileLocation): string {
  const layer = location.layerDigest ? `layer ${location.layerDigest}: ` : '';
  return `${layer}${location.path}${location.innerPath ? `!${location.innerPath}` : ''}`;
}
