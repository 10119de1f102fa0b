import { createHash } from 'node:crypto';
import { Readable, pipeline, type Transform } from 'node:stream';
import { createGunzip, createZstdDecompress } from 'node:zlib';
import { CorruptLayerError, DigestMismatchError, UnsupportedCompressionError } from './errors';

/** The first bytes of a stream, and the whole stream again (those bytes first). */
export interface Peeked {
  readonly head: Uint8Array;
  readonly rest: AsyncIterable<Uint8Array>;
}

/** Reads at least `n` bytes (fewer at the end of the stream) without losing them. Holds at most one extra chunk. */
export async function peek(source: AsyncIterable<Uint8Array>, n: number): Promise<Peeked> {
  const iterator = source[Symbol.asyncIterator]();
  const held: Uint8Array[] = [];
  let length = 0;
  let done = false;
  while (length < n) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    held.push(next.value);
    length += next.value.byteLength;
  }
  const head = Buffer.concat(held);
  async function* rest(): AsyncGenerator<Uint8Array> {
    if (head.byteLength > 0) yield head;
    if (done) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  // The generator's return() (a consumer that stops early) passes on to the source.
  const generator = rest();
  const originalReturn = generator.return.bind(generator);
  generator.return = async (value) => {
    await iterator.return?.();
    return originalReturn(value);
  };
  return { head: head.subarray(0, Math.min(n, head.byteLength)), rest: generator };
}

/** The sha256 digest of some bytes, as `sha256:<hex>`. */
export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * Passes a blob's bytes through while hashing them; at the end compares with `digest` and, when given, the
 * declared size. Reading more bytes than declared fails at once, so a registry cannot stream forever.
 *
 * @throws DigestMismatchError naming `what` (the layer digest), never the content.
 */
export async function* verifyDigest(
  source: AsyncIterable<Uint8Array>,
  digest: string,
  what: string,
  expectedSize: number | undefined,
  onBytes?: (n: number) => void,
): AsyncGenerator<Uint8Array> {
  const [algorithm, expectedHex] = digest.split(':');
  if (algorithm !== 'sha256' || !expectedHex) {
    throw new DigestMismatchError(`${what}: unsupported digest algorithm`, { context: { digest } });
  }
  const hash = createHash('sha256');
  let count = 0;
  for await (const chunk of source) {
    count += chunk.byteLength;
    if (expectedSize !== undefined && count > expectedSize) {
      throw new DigestMismatchError(
        `${what}: the blob is longer than the ${expectedSize} bytes its descriptor declares`,
        {
          context: { digest, expectedSize },
        },
      );
    }
    hash.update(chunk);
    onBytes?.(chunk.byteLength);
    yield chunk;
  }
  const actual = hash.digest('hex');
  if (actual !== expectedHex) {
    throw new DigestMismatchError(
      `${what}: content does not match its digest (read ${count} bytes hashing to sha256:${actual})`,
      {
        context: { digest, actual: `sha256:${actual}`, bytes: count },
      },
    );
  }
  if (expectedSize !== undefined && count !== expectedSize) {
    throw new DigestMismatchError(
      `${what}: read ${count} bytes but the descriptor declares ${expectedSize}`,
      {
        context: { digest, expectedSize, bytes: count },
      },
    );
  }
}

/** Reads a whole small stream, refusing more than `maxBytes`. */
export async function readAll(
  source: AsyncIterable<Uint8Array>,
  maxBytes: number,
  tooBig: () => Error,
): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of source) {
    length += chunk.byteLength;
    if (length > maxBytes) throw tooBig();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** How a blob is compressed, from its magic bytes. */
export type Compression = 'gzip' | 'zstd' | 'none';

/** Recognises gzip (1f 8b) and zstd (28 b5 2f fd); refuses bzip2 and xz; anything else is taken as plain tar. */
export function sniffCompression(head: Uint8Array, what: string): Compression {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  if (head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) {
    throw new UnsupportedCompressionError(`${what}: bzip2 layers are not supported`);
  }
  if (head[0] === 0xfd && head[1] === 0x37 && head[2] === 0x7a && head[3] === 0x58 && head[4] === 0x5a) {
    throw new UnsupportedCompressionError(`${what}: xz layers are not supported`);
  }
  return 'none';
}

/**
 * Output chunk of the decompressors: 256 KiB, not zlib's 16 KiB, so each layer byte costs fewer callbacks and
 * hand-offs (measured against 64 KiB in bench/RESULTS.md).
 */
export const DECOMPRESSED_CHUNK_BYTES = 256 * 1024;

/**
 * Decompresses a stream by its magic bytes (gzip, zstd or none), streaming: memory stays at zlib's window
 * and its 256 KiB output chunks. Decompression errors (bad data, a truncated stream) become CorruptLayerError.
 */
export async function decompress(
  source: AsyncIterable<Uint8Array>,
  what: string,
): Promise<AsyncIterable<Uint8Array>> {
  const { head, rest } = await peek(source, 6);
  const compression = sniffCompression(head, what);
  if (compression === 'none') return rest;
  return throughTransform(
    rest,
    compression === 'gzip'
      ? createGunzip({ chunkSize: DECOMPRESSED_CHUNK_BYTES })
      : createZstdDecompress({ chunkSize: DECOMPRESSED_CHUNK_BYTES }),
    (cause) =>
      cause instanceof DigestMismatchError
        ? cause
        : new CorruptLayerError(`${what}: ${compression} data is corrupt or truncated`, { cause }),
  );
}

/** Runs a stream through a Node Transform as an async iterable, with backpressure, mapping its errors. */
export function throughTransform(
  source: AsyncIterable<Uint8Array>,
  transform: Transform,
  mapError: (cause: unknown) => unknown,
): AsyncIterable<Uint8Array> {
  const input = Readable.from(source, { objectMode: false });
  let firstError: unknown;
  input.on('error', (error) => (firstError ??= error));
  pipeline(input, transform, () => undefined);
  return {
    async *[Symbol.asyncIterator]() {
      try {
        for await (const chunk of transform) yield chunk as Uint8Array;
      } catch (cause) {
        // An error from upstream (a digest mismatch, a dropped connection) is the real cause: keep it.
        throw firstError !== undefined && !isPrematureClose(firstError) ? firstError : mapError(cause);
      } finally {
        if (!transform.destroyed) transform.destroy();
      }
    },
  };
}

function isPrematureClose(error: unknown): boolean {
  return (error as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE';
}
