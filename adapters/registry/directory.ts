import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readSync,
  readdirSync,
  realpathSync,
} from 'node:fs';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { SourceError } from '../../core/scanning/image/errors';
import type { FileTreeSource, TreeFile } from '../../core/scanning/image/ports';
import { READ_CHUNK } from './local-blobs';

/** Files put out between two returns to the event loop (see below). */
const FILES_PER_TURN = 64;

/**
 * A FileTreeSource over a plain folder. It follows no symlink at all (so nothing outside the root and no
 * loops), skips devices, FIFOs and sockets, and opens files with O_NOFOLLOW | O_NONBLOCK and checks them
 * again after opening, so a file swapped for a symlink or a FIFO mid-walk is not read. Entries are sorted
 * so that scans are reproducible. A folder that cannot be listed is reported as one unreadable entry.
 *
 * The file system is read with synchronous calls. Each asynchronous call is a round trip through libuv's
 * thread pool, and a folder means several per file (lstat, open, fstat, read, close): on the benchmark's
 * extracted tree (43,207 files, 1.1 GiB) Node's `readFile` took 7.4 s with 32 files in flight and 34 s
 * one at a time, against 1.1 s for the same reads made synchronously and 1.5 s for `cat` (`bench/RESULTS.md`).
 * A scan is not a server, but its event loop still carries worker threads' answers, the progress bar and
 * signals, so the walk returns to it every FILES_PER_TURN files.
 */
export function directorySource(root: string): FileTreeSource {
  return {
    async *files(): AsyncGenerator<TreeFile> {
      let base: string;
      try {
        base = realpathSync(root);
      } catch (cause) {
        throw new SourceError(
          `cannot read folder ${root} (${(cause as NodeJS.ErrnoException).code ?? 'error'})`,
          { cause },
        );
      }
      if (!lstatSync(base).isDirectory()) throw new SourceError(`${root} is not a folder`);
      let sinceTurn = 0;
      const stack: string[] = [''];
      while (stack.length > 0) {
        const relative = stack.pop()!;
        let names: string[];
        try {
          names = readdirSync(join(base, relative)).sort();
        } catch (cause) {
          yield unreadable(relative, cause);
          continue;
        }
        const subfolders: string[] = [];
        for (const name of names) {
          const path = relative === '' ? name : `${relative}/${name}`;
          const stats = lstatSync(join(base, path), { throwIfNoEntry: false });
          if (stats === undefined) continue; // gone since the listing
          if (stats.isDirectory()) subfolders.push(path);
          else if (stats.isFile()) {
            yield treeFile(base, path, stats.size);
            if (++sinceTurn >= FILES_PER_TURN) {
              sinceTurn = 0;
              await nextTurn();
            }
          }
          // symlinks, devices, FIFOs, sockets: not read
        }
        // Reverse so that the stack pops them in sorted order.
        stack.push(...subfolders.reverse());
      }
    },
  };
}

function treeFile(base: string, path: string, size: number): TreeFile {
  return {
    path,
    size,
    open: () =>
      (async function* read(): AsyncGenerator<Uint8Array> {
        let fd: number;
        try {
          fd = openSync(join(base, path), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
        } catch (cause) {
          throw new SourceError(`cannot open ${path} (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, {
            cause,
            context: { path },
          });
        }
        try {
          const stats = fstatSync(fd);
          if (!stats.isFile())
            throw new SourceError(`${path} is no longer a regular file`, { context: { path } });
          // Up to the size it has now: a file that grows while it is read is read as it was.
          for (let position = 0; position < stats.size;) {
            const buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK, stats.size - position));
            const bytesRead = readSync(fd, buffer, 0, buffer.length, position);
            if (bytesRead === 0) return;
            position += bytesRead;
            yield buffer.subarray(0, bytesRead);
          }
        } finally {
          closeSync(fd);
        }
      })(),
  };
}

function unreadable(path: string, cause: unknown): TreeFile {
  const error = new SourceError(
    `cannot list folder ${path || '.'} (${(cause as NodeJS.ErrnoException).code ?? 'error'})`,
    {
      cause,
      context: { path },
    },
  );
  return {
    path: path || '.',
    size: 0,
    open: () => ({ [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(error) }) }),
  };
}
