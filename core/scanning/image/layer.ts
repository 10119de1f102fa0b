import { RotorError } from '../../errors';
import type { Finding } from '../types';
import { DigestMismatchError, LayerLimitExceededError } from './errors';
import { scanFileEntry } from './file-scan';
import type { Descriptor } from './manifest';
import { normalizeEntryPath, parseWhiteout } from './paths';
import type { BlobSource, LayerScan } from './ports';
import { decompress, verifyDigest } from './streams';
import { OrderedFindings } from './ordered-findings';
import { isDeferring } from './ports';
import { walkTar } from './tar-walk';
import type { WalkContext } from './walk-context';

/** A layer's scan and, when it could not be completed, why. */
export interface LayerOutcome {
  readonly scan: LayerScan;
  readonly error?: RotorError;
}

/** Byte counts as a layer streams, for progress bars. */
export type LayerProgress = (compressedBytes: number, uncompressedBytes: number) => void;

/**
 * Streams one layer blob (never to disk): hashes it as read and checks digest and size, decompresses by
 * magic bytes (gzip, zstd, none), walks the tar, scans each regular file and records whiteouts. Symlinks,
 * hard links and devices are not followed or read. A failure ends this layer only: the findings so far are
 * kept (except on a digest mismatch, where the bytes are not the layer the manifest names) and the error
 * returned for the result.
 */
export async function scanLayer(
  walk: WalkContext,
  source: BlobSource,
  layer: Descriptor,
  onBytes: LayerProgress,
): Promise<LayerOutcome> {
  const digest = layer.digest;
  const what = `layer ${digest}`;
  const findings: Finding[] = [];
  const whiteouts: string[] = [];
  const opaqueDirs: string[] = [];
  let files = 0;
  let compressedBytes = 0;
  let uncompressedBytes = 0;
  const limit = walk.limits.maxLayerBytes;
  // With a detector that answers later, files are handed over as the tar streams and answered in the order walked.
  const later = isDeferring(walk.detector) ? new OrderedFindings() : undefined;
  const ctx: WalkContext = later === undefined ? walk : { ...walk, later };

  async function* countUncompressed(stream: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of stream) {
      uncompressedBytes += chunk.byteLength;
      if (uncompressedBytes > limit) {
        throw new LayerLimitExceededError(
          `${what}: decompresses to more than maxLayerBytes (${limit}); scan stopped there`,
          {
            context: { digest, limit },
          },
        );
      }
      onBytes(0, chunk.byteLength);
      yield chunk;
    }
  }

  let error: RotorError | undefined;
  try {
    const blob = await source.openBlob(digest);
    const verified = verifyDigest(blob, digest, what, layer.size, (n) => {
      compressedBytes += n;
      onBytes(n, 0);
    });
    const tarStream = countUncompressed(await decompress(verified, what));
    await walkTar(tarStream, what, async (entry) => {
      const path = normalizeEntryPath(entry.header.name);
      if (path === '') return;
      const whiteout = parseWhiteout(path);
      if (whiteout !== undefined) {
        if (whiteout.kind === 'delete') whiteouts.push(whiteout.path);
        else opaqueDirs.push(whiteout.dir);
        return;
      }
      if (entry.header.type !== 'file' && entry.header.type !== 'contiguous-file') return;
      files += 1;
      findings.push(
        ...(await scanFileEntry(ctx, { layerDigest: digest, path }, entry.header.size, entry.chunks)),
      );
    });
  } catch (cause) {
    error =
      cause instanceof RotorError
        ? cause
        : new RotorError(
            `${what}: could not be scanned (${cause instanceof Error ? cause.name : 'unknown error'})`,
            {
              cause,
              context: { digest },
            },
          );
  }
  if (later !== undefined) findings.push(...(await later.all()));
  const kept = error instanceof DigestMismatchError ? [] : findings;
  return {
    scan: { digest, findings: kept, whiteouts, opaqueDirs, files, compressedBytes, uncompressedBytes },
    ...(error === undefined ? {} : { error }),
  };
}
