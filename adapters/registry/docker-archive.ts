import { open, type FileHandle } from 'node:fs/promises';
import { BlobNotFoundError, ManifestError, SourceError } from '../../core/scanning/image/errors';
import { MEDIA_TYPES } from '../../core/scanning/image/manifest';
import type { BlobSource, ManifestBytes } from '../../core/scanning/image/ports';
import { sha256Digest } from '../../core/scanning/image/streams';
import { checkedHex, openBlobFile, readRange, readSmall } from './local-blobs';

/** Where a member of the archive lies. */
interface Member {
  readonly offset: number;
  readonly size: number;
}

const MAX_SMALL = 16 * 1024 * 1024;

/**
 * A BlobSource over a `docker save` tar, read in place (never extracted): one pass over the tar headers
 * indexes its members, and blobs are then streamed from their byte ranges, several at once.
 *
 * - Docker 25+ (OCI inside): `index.json` and `blobs/sha256/<hex>` are used as an OCI layout, so manifest
 *   digests are the real ones.
 * - Legacy: `manifest.json` lists `Config` (`<hex>.json`) and `Layers` (`<id>/layer.tar`, uncompressed).
 *   The scanner builds an OCI manifest from it; each layer's digest is its diff id from the config's
 *   `rootfs.diff_ids` (the sha256 of the uncompressed tar, which is what the file is), so it is verified.
 *   Several images in one archive become an index.
 *
 * @throws SourceError when the file is not a readable tar or has neither index.json nor manifest.json.
 */
export async function dockerArchiveSource(file: string): Promise<BlobSource> {
  const members = await indexTar(file);
  const readMember = async (path: string, maxBytes: number, what: string): Promise<Buffer> => {
    const member = members.get(path);
    if (!member)
      throw new BlobNotFoundError(`${what} (${path}) is not in the archive`, { context: { path } });
    return readSmall(await openBlobFile(file, what), member.offset, member.size, maxBytes, what);
  };
  // Synthesised manifests (legacy layout) and blob digest → member path.
  const synthetic = new Map<string, ManifestBytes>();
  const blobPaths = new Map<string, string>();
  let root: ManifestBytes;

  if (members.has('index.json') && members.has('oci-layout')) {
    const index = parseJson(await readMember('index.json', MAX_SMALL, 'index.json'), 'index.json') as {
      manifests?: { digest?: unknown; mediaType?: unknown }[];
    };
    const entries = Array.isArray(index.manifests) ? index.manifests : [];
    const only = entries.length === 1 ? entries[0] : undefined;
    if (only && typeof only.digest === 'string') {
      const bytes = await readMember(`blobs/sha256/${checkedHex(only.digest)}`, MAX_SMALL, only.digest);
      root = {
        bytes,
        digest: only.digest,
        ...(typeof only.mediaType === 'string' ? { mediaType: only.mediaType } : {}),
      };
    } else {
      root = {
        bytes: await readMember('index.json', MAX_SMALL, 'index.json'),
        mediaType: MEDIA_TYPES.ociIndex,
      };
    }
  } else if (members.has('manifest.json')) {
    const list = parseJson(await readMember('manifest.json', MAX_SMALL, 'manifest.json'), 'manifest.json');
    if (!Array.isArray(list) || list.length === 0)
      throw new ManifestError('manifest.json of the archive is not a non-empty list');
    const manifests: ManifestBytes[] = [];
    for (const [i, entry] of list.entries()) {
      manifests.push(await synthesise(entry as LegacyEntry, i));
    }
    if (manifests.length === 1) {
      root = manifests[0]!;
    } else {
      const index = {
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.ociIndex,
        manifests: manifests.map((m) => ({
          mediaType: MEDIA_TYPES.ociManifest,
          digest: m.digest,
          size: m.bytes.byteLength,
        })),
      };
      root = { bytes: Buffer.from(JSON.stringify(index)), mediaType: MEDIA_TYPES.ociIndex };
    }
  } else {
    throw new SourceError(
      `${file} is not a docker save archive: it has neither index.json nor manifest.json`,
    );
  }

  async function synthesise(entry: LegacyEntry, i: number): Promise<ManifestBytes> {
    if (
      typeof entry?.Config !== 'string' ||
      !Array.isArray(entry.Layers) ||
      !entry.Layers.every((l) => typeof l === 'string')
    ) {
      throw new ManifestError(`manifest.json entry ${i} lacks Config or Layers`);
    }
    const configBytes = await readMember(entry.Config, MAX_SMALL, `config of image ${i}`);
    const configDigest = sha256Digest(configBytes);
    blobPaths.set(configDigest, entry.Config);
    const diffIds = (parseJson(configBytes, entry.Config) as { rootfs?: { diff_ids?: unknown } }).rootfs
      ?.diff_ids;
    const layers = entry.Layers.map((path, j) => {
      const member = members.get(path);
      if (!member)
        throw new BlobNotFoundError(`layer ${path} of image ${i} is not in the archive`, {
          context: { path },
        });
      const fromPath = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(path)?.[1];
      const digest = fromPath
        ? `sha256:${fromPath}`
        : Array.isArray(diffIds) && typeof diffIds[j] === 'string'
          ? (diffIds[j] as string)
          : undefined;
      if (digest === undefined)
        throw new ManifestError(`layer ${path} of image ${i} has no diff id in its config`);
      blobPaths.set(digest, path);
      return { mediaType: MEDIA_TYPES.ociLayerTar, digest, size: member.size };
    });
    const manifest = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociManifest,
      config: { mediaType: MEDIA_TYPES.dockerConfig, digest: configDigest, size: configBytes.byteLength },
      layers,
    };
    const bytes = Buffer.from(JSON.stringify(manifest));
    const result = { bytes, digest: sha256Digest(bytes), mediaType: MEDIA_TYPES.ociManifest };
    synthetic.set(result.digest, result);
    return result;
  }

  const pathOf = (digest: string): string => blobPaths.get(digest) ?? `blobs/sha256/${checkedHex(digest)}`;
  const memberOf = (digest: string): Member => {
    const member = members.get(pathOf(digest));
    if (!member) throw new BlobNotFoundError(`blob ${digest} is not in the archive`, { context: { digest } });
    return member;
  };
  return {
    root: async () => root,
    manifest: async (digest) =>
      synthetic.get(digest) ?? { bytes: await readMember(pathOf(digest), MAX_SMALL, digest), digest },
    readBlob: async (digest, maxBytes) => {
      const member = memberOf(digest);
      return readSmall(await openBlobFile(file, digest), member.offset, member.size, maxBytes, digest);
    },
    openBlob: async (digest) => {
      const member = memberOf(digest);
      return readRange(await openBlobFile(file, digest), member.offset, member.size);
    },
  };
}

interface LegacyEntry {
  Config?: unknown;
  Layers?: unknown[];
}

/**
 * One pass over the tar's 512-byte headers (pax `path` and GNU long names honoured), skipping contents.
 * Paths are normalised (`./` dropped) and used only as keys, never to open files.
 */
async function indexTar(file: string): Promise<Map<string, Member>> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (cause) {
    throw new SourceError(`cannot open ${file} (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, {
      cause,
    });
  }
  const members = new Map<string, Member>();
  try {
    const { size: fileSize } = await handle.stat();
    const header = Buffer.alloc(512);
    let position = 0;
    let longName: string | undefined;
    await handle.read(header, 0, Math.min(512, fileSize), 0);
    if (header[0] === 0x1f && header[1] === 0x8b) {
      throw new SourceError(
        `${file} is gzip-compressed: docker-archive targets are read in place, so gunzip it first`,
      );
    }
    while (position + 512 <= fileSize) {
      await handle.read(header, 0, 512, position);
      if (header.every((b) => b === 0)) break;
      if (!checksumOk(header))
        throw new SourceError(`${file} is not a valid tar: bad header checksum at byte ${position}`);
      const size = parseOctal(header.subarray(124, 136));
      const type = String.fromCharCode(header[156] || 0x30);
      const dataStart = position + 512;
      if (dataStart + size > fileSize)
        throw new SourceError(`${file} is truncated: an entry runs past the end of the file`);
      if (type === 'L' || type === 'x') {
        const data = Buffer.alloc(Math.min(size, 1024 * 1024));
        await handle.read(data, 0, data.length, dataStart);
        longName = type === 'L' ? data.toString('utf8').replace(/\0.*$/s, '') : (paxPath(data) ?? longName);
      } else {
        const prefix = header.subarray(345, 500).toString('utf8').replace(/\0.*$/s, '');
        const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
        const full = longName ?? (prefix ? `${prefix}/${name}` : name);
        longName = undefined;
        if (type === '0' || type === '\0' || type === '7')
          members.set(full.replace(/^(\.\/)+/, ''), { offset: dataStart, size });
      }
      position = dataStart + Math.ceil(size / 512) * 512;
    }
  } finally {
    await handle.close();
  }
  return members;
}

function checksumOk(header: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < 512; i += 1) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
  return sum === parseOctal(header.subarray(148, 156));
}

function parseOctal(field: Buffer): number {
  if (field[0]! & 0x80) {
    // base-256 (GNU) for sizes over 8 GiB
    let value = 0;
    for (let i = 1; i < field.length; i += 1) value = value * 256 + field[i]!;
    return value;
  }
  const text = field
    .toString('latin1')
    .replace(/[\0 ]+.*$/s, '')
    .trim();
  return text === '' ? 0 : parseInt(text, 8);
}

function paxPath(data: Buffer): string | undefined {
  let at = 0;
  const text = data.toString('latin1'); // pax lengths count bytes
  while (at < text.length) {
    const space = text.indexOf(' ', at);
    if (space < 0) break;
    const length = parseInt(text.slice(at, space), 10);
    if (!(length > 0)) break;
    const record = text.slice(space + 1, at + length - 1);
    if (record.startsWith('path=')) return Buffer.from(record.slice(5), 'latin1').toString('utf8');
    at += length;
  }
  return undefined;
}

function parseJson(bytes: Buffer, what: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (cause) {
    throw new ManifestError(`${what} in the archive is not JSON`, { cause });
  }
}
