import { extract as tarExtract, type Header } from 'tar-stream';
import { RotorError } from '../../errors';
import { CorruptLayerError } from './errors';

/** One entry of a tar stream. `chunks` must be read to its end (walkTar drains what the callback leaves). */
export interface TarEntry {
  readonly header: Header;
  readonly chunks: AsyncIterator<Uint8Array>;
}

/**
 * Walks a tar stream entry by entry with tar-stream, one entry at a time, with backpressure: at most the
 * current chunk and tar-stream's header buffer are held. Errors of the source (a digest mismatch, a limit)
 * come out as they are; tar errors (a bad header checksum, a stream that ends inside an entry) become
 * CorruptLayerError naming `what`. (tar-stream's event API, not its async iterator: a million entries cost
 * a third less.)
 */
export function walkTar(
  source: AsyncIterable<Uint8Array>,
  what: string,
  onEntry: (entry: TarEntry) => Promise<void>,
): Promise<void> {
  const extract = tarExtract();
  return new Promise<void>((resolve, reject) => {
    let failed = false;
    let sourceError: unknown;
    const fail = (error: unknown): void => {
      if (failed) return;
      failed = true;
      extract.destroy();
      reject(sourceError ?? classify(error, what));
    };
    extract.on('entry', (header, stream, next) => {
      const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
      // Ending an entry's iterator early would destroy the whole extractor (tar-stream destroys its parent):
      // a consumer's return() is ignored here, and the rest of the entry is drained below.
      // Once the entry has ended, later next() calls answer at once (a million entries: fewer round trips).
      // A directory has no data whatever its size field says, and tar-stream never ends the stream it gives
      // for one whose size is not 0 (Python's test archive has `dirtype-with-size`): waiting on it would hang
      // the walk, so such an entry counts as ended from the start.
      let ended = header.type === 'directory';
      const chunks: AsyncIterator<Uint8Array> = {
        next: async () => {
          if (ended) return { value: undefined, done: true };
          const result = await iterator.next();
          if (result.done) ended = true;
          return result;
        },
        return: async () => ({ value: undefined, done: true }),
      };
      onEntry({ header, chunks })
        .then(() => (ended ? undefined : drain(chunks)))
        .then(() => next(), fail);
    });
    extract.on('error', fail);
    extract.on('finish', () => {
      if (!failed) resolve();
    });
    void (async () => {
      try {
        for await (const chunk of source) {
          if (failed) return;
          if (!extract.write(chunk)) await drainOrClose(extract);
        }
        if (!failed) extract.end(undefined as unknown as Uint8Array); // streamx's typings want an argument
      } catch (error) {
        sourceError = error;
        fail(error);
      }
    })();
  });
}

function classify(error: unknown, what: string): unknown {
  if (error instanceof RotorError) return error;
  return new CorruptLayerError(`${what}: not a valid tar stream (${describeTarError(error)})`, {
    cause: error,
  });
}

/** Reads an iterator to its end, discarding the bytes. */
export async function drain(chunks: AsyncIterator<Uint8Array>): Promise<void> {
  for (;;) {
    const next = await chunks.next();
    if (next.done) return;
  }
}

function drainOrClose(stream: NodeJS.EventEmitter): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

// tar-stream's messages are fixed strings about structure ("Invalid tar header...", "Unexpected end of data").
function describeTarError(cause: unknown): string {
  const message = cause instanceof Error ? cause.message : String(cause);
  if (/unexpected end/i.test(message)) return 'the stream ends inside an entry: truncated';
  if (/invalid tar header|invalid header|unknown format/i.test(message)) return 'a header is corrupt';
  if (/header exceeds max size/i.test(message)) return 'a pax or long-name header is too large';
  return 'unreadable';
}
