import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { BlobNotFoundError, BlobTooLargeError, SourceError } from '../../core/scanning/image/errors';

/** Blobs are read in 64 KiB chunks: the same order as zlib's window, so memory stays small. */
export const READ_CHUNK = 64 * 1024;

const DIGEST = /^sha256:[a-f0-9]{64}$/;

/**
 * Checks that a digest is `sha256:<64 hex>` before it becomes part of a file path, so a hostile index
 * (`sha256:../../etc/passwd`) cannot name a file outside `blobs/`.
 */
export function checkedHex(digest: string): string {
  if (!DIGEST.test(digest))
    throw new BlobNotFoundError(`not a sha256 digest: refusing to look it up`, { context: { digest } });
  return digest.slice('sha256:'.length);
}

/** Opens a file for reading; ENOENT becomes BlobNotFoundError naming the digest. */
export async function openBlobFile(path: string, digest: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new BlobNotFoundError(`blob ${digest} is not in the source`, { cause, context: { digest } });
    }
    throw new SourceError(
      `blob ${digest} could not be opened (${(cause as NodeJS.ErrnoException).code ?? 'error'})`,
      { cause, context: { digest } },
    );
  }
}

/** Streams a byte range of an open file in 64 KiB chunks, closing it at the end or on early return. */
export async function* readRange(
  handle: FileHandle,
  start: number,
  length: number,
): AsyncGenerator<Uint8Array> {
  try {
    let position = start;
    const end = start + length;
    while (position < end) {
      const buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK, end - position));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) return; // shorter than expected: the digest check reports it
      position += bytesRead;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/** Reads a small file range whole, refusing more than `maxBytes`. */
export async function readSmall(
  handle: FileHandle,
  start: number,
  length: number,
  maxBytes: number,
  digest: string,
): Promise<Buffer> {
  if (length > maxBytes) {
    await handle.close();
    throw new BlobTooLargeError(`blob ${digest} is ${length} bytes, more than the ${maxBytes} allowed`, {
      context: { digest },
    });
  }
  const chunks: Uint8Array[] = [];
  for await (const chunk of readRange(handle, start, length)) chunks.push(chunk);
  return Buffer.concat(chunks);
}
