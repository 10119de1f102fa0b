import { constants } from 'node:fs';
import { lstat, open, readdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { SourceError } from '../../core/scanning/image/errors';
import type { FileTreeSource, TreeFile } from '../../core/scanning/image/ports';
import { readRange } from './local-blobs';

/** Entries of a folder whose lstat calls are made at once. */
const STAT_BATCH = 32;

/**
 * A FileTreeSource over a plain folder. It follows no symlink at all (so nothing outside the root and no
 * loops), skips devices, FIFOs and sockets, and opens files with O_NOFOLLOW | O_NONBLOCK and checks them
 * again after opening, so a file swapped for a symlink or a FIFO mid-walk is not read. Entries are sorted
 * so that scans are reproducible. A folder that cannot be listed is reported as one unreadable entry.
 */
export function directorySource(root: string): FileTreeSource {
  return {
    async *files(): AsyncGenerator<TreeFile> {
      let base: string;
      try {
        base = await realpath(root);
      } catch (cause) {
        throw new SourceError(
          `cannot read folder ${root} (${(cause as NodeJS.ErrnoException).code ?? 'error'})`,
          { cause },
        );
      }
      if (!(await lstat(base)).isDirectory()) throw new SourceError(`${root} is not a folder`);
      const stack: string[] = [''];
      while (stack.length > 0) {
        const relative = stack.pop()!;
        let names: string[];
        try {
          names = (await readdir(join(base, relative))).sort();
        } catch (cause) {
          yield unreadable(relative, cause);
          continue;
        }
        const subfolders: string[] = [];
        // The entries' lstat calls go out STAT_BATCH at a time (each is a round trip to the OS, mostly waited
        // on); the files are still yielded in sorted order.
        for (let at = 0; at < names.length; at += STAT_BATCH) {
          const paths = names
            .slice(at, at + STAT_BATCH)
            .map((name) => (relative === '' ? name : `${relative}/${name}`));
          const batch = await Promise.all(
            paths.map((path) => lstat(join(base, path)).catch(() => undefined)),
          );
          for (let i = 0; i < paths.length; i++) {
            const stats = batch[i];
            if (stats === undefined) continue; // gone since the listing
            if (stats.isDirectory()) subfolders.push(paths[i]!);
            else if (stats.isFile()) yield treeFile(base, paths[i]!, stats.size);
            // symlinks, devices, FIFOs, sockets: not read
          }
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
        let handle;
        try {
          handle = await open(
            join(base, path),
            constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK,
          );
        } catch (cause) {
          throw new SourceError(`cannot open ${path} (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, {
            cause,
            context: { path },
          });
        }
        const stats = await handle.stat();
        if (!stats.isFile()) {
          await handle.close();
          throw new SourceError(`${path} is no longer a regular file`, { context: { path } });
        }
        yield* readRange(handle, 0, stats.size);
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
