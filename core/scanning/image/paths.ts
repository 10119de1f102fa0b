/**
 * Normalises a path from a tar header or a zip entry: `/`-separated, no leading `/` or `./`, `..` resolved
 * without ever climbing above the root. The result names a file in a report; it never touches the disk.
 * Returns '' for the root itself.
 */
export function normalizeEntryPath(name: string): string {
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}

/** What a whiteout entry means (OCI image spec, "Representing Changes"). */
export type Whiteout =
  { readonly kind: 'delete'; readonly path: string } | { readonly kind: 'opaque'; readonly dir: string };

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE = '.wh..wh..opq';

/** Reads a normalised path as a whiteout: `a/.wh.b` deletes `a/b`, `a/.wh..wh..opq` makes `a` opaque. */
export function parseWhiteout(path: string): Whiteout | undefined {
  const slash = path.lastIndexOf('/');
  const dir = slash < 0 ? '' : path.slice(0, slash);
  const base = path.slice(slash + 1);
  if (base === OPAQUE) return { kind: 'opaque', dir };
  if (base.startsWith(WHITEOUT_PREFIX) && base.length > WHITEOUT_PREFIX.length) {
    const name = base.slice(WHITEOUT_PREFIX.length);
    return { kind: 'delete', path: dir === '' ? name : `${dir}/${name}` };
  }
  return undefined;
}

/** `a/b/c` → ['a/b/c', 'a/b', 'a']: the path and each folder above it. */
export function selfAndAncestors(path: string): string[] {
  const out = [path];
  let end = path.lastIndexOf('/');
  while (end > 0) {
    out.push(path.slice(0, end));
    end = path.lastIndexOf('/', end - 1);
  }
  return out;
}
