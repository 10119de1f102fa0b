// Builds OCI images in memory (layers, configs, manifests, indexes) for the tests and `rotor local`.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync, zstdCompressSync, zstdDecompressSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { BlobNotFoundError } from '../core/scanning/image/errors';
import { MEDIA_TYPES } from '../core/scanning/image/manifest';
import type { BlobSource, ManifestBytes } from '../core/scanning/image/ports';

/** One tar entry of a generated layer. */
export interface EntrySpec {
  readonly path: string;
  readonly content?: string | Uint8Array;
  readonly type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'fifo';
  readonly linkname?: string;
}

export type Compression = 'gzip' | 'zstd' | 'none';

/** A blob as stored: its digest, bytes and the media type its descriptor gives. */
export interface StoredBlob {
  readonly digest: string;
  readonly bytes: Buffer;
  readonly mediaType: string;
}

/** The sha256 digest of bytes. */
export function digestOf(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** A tar of the given entries, made with tar-stream. */
export async function tarOf(entries: readonly EntrySpec[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of p) chunks.push(Buffer.from(chunk as Uint8Array));
  })();
  for (const e of entries) {
    const type = e.type ?? 'file';
    const body =
      typeof e.content === 'string' ? Buffer.from(e.content) : Buffer.from(e.content ?? new Uint8Array(0));
    await new Promise<void>((resolve, reject) => {
      const header = {
        name: e.path,
        type,
        ...(e.linkname ? { linkname: e.linkname } : {}),
        mode: type === 'directory' ? 0o755 : 0o644,
      };
      const size = type === 'file' ? body.byteLength : 0;
      p.entry({ ...header, size }, type === 'file' ? body : Buffer.alloc(0), (err) =>
        err ? reject(err) : resolve(),
      );
    });
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** Compresses a tar as a layer blob would be. */
export function compress(tar: Buffer, compression: Compression): Buffer {
  if (compression === 'gzip') return gzipSync(tar);
  if (compression === 'zstd') return zstdCompressSync(tar);
  return tar;
}

const LAYER_TYPES: Record<Compression, string> = {
  gzip: MEDIA_TYPES.ociLayerGzip,
  zstd: MEDIA_TYPES.ociLayerZstd,
  none: MEDIA_TYPES.ociLayerTar,
};

/** A content-addressed store of generated blobs, with helpers to build layers, configs, manifests and indexes. */
export class ImageStore {
  readonly blobs = new Map<string, StoredBlob>();
  readonly diffIds = new Map<string, string>();

  add(bytes: Buffer, mediaType: string): StoredBlob {
    const blob = { digest: digestOf(bytes), bytes, mediaType };
    this.blobs.set(blob.digest, blob);
    return blob;
  }

  async layer(entries: readonly EntrySpec[], compression: Compression = 'gzip'): Promise<StoredBlob> {
    const tar = await tarOf(entries);
    const blob = this.add(compress(tar, compression), LAYER_TYPES[compression]);
    this.diffIds.set(blob.digest, digestOf(tar));
    return blob;
  }

  /** A layer from bytes as they are (for hostile blobs). */
  rawLayer(bytes: Buffer, mediaType: string = MEDIA_TYPES.ociLayerGzip): StoredBlob {
    return this.add(bytes, mediaType);
  }

  config(
    layers: readonly StoredBlob[],
    config: Record<string, unknown> = {},
    history: unknown[] = [],
  ): StoredBlob {
    const body = {
      architecture: 'amd64',
      os: 'linux',
      config,
      rootfs: { type: 'layers', diff_ids: layers.map((l) => this.diffIds.get(l.digest) ?? l.digest) },
      history,
    };
    return this.add(Buffer.from(JSON.stringify(body)), MEDIA_TYPES.ociConfig);
  }

  manifest(config: StoredBlob, layers: readonly StoredBlob[], flavour: 'oci' | 'docker' = 'oci'): StoredBlob {
    const mediaType = flavour === 'oci' ? MEDIA_TYPES.ociManifest : MEDIA_TYPES.dockerManifest;
    const layerType = (l: StoredBlob): string =>
      flavour === 'oci'
        ? l.mediaType
        : l.mediaType.endsWith('gzip')
          ? MEDIA_TYPES.dockerLayerGzip
          : MEDIA_TYPES.dockerLayerTar;
    const body = {
      schemaVersion: 2,
      mediaType,
      config: {
        mediaType: flavour === 'oci' ? MEDIA_TYPES.ociConfig : MEDIA_TYPES.dockerConfig,
        digest: config.digest,
        size: config.bytes.byteLength,
      },
      layers: layers.map((l) => ({ mediaType: layerType(l), digest: l.digest, size: l.bytes.byteLength })),
    };
    return this.add(Buffer.from(JSON.stringify(body)), mediaType);
  }

  index(
    entries: readonly { manifest: StoredBlob; os?: string; architecture?: string }[],
    flavour: 'oci' | 'docker' = 'oci',
  ): StoredBlob {
    const mediaType = flavour === 'oci' ? MEDIA_TYPES.ociIndex : MEDIA_TYPES.dockerManifestList;
    const body = {
      schemaVersion: 2,
      mediaType,
      manifests: entries.map((e) => ({
        mediaType: e.manifest.mediaType,
        digest: e.manifest.digest,
        size: e.manifest.bytes.byteLength,
        platform: { os: e.os ?? 'linux', architecture: e.architecture ?? 'amd64' },
      })),
    };
    return this.add(Buffer.from(JSON.stringify(body)), mediaType);
  }

  /** A BlobSource over this store, rooted at `root`; `chunkSize` splits blobs into chunks as a network would. */
  source(root: StoredBlob, chunkSize = 64 * 1024): BlobSource & { opened: string[] } {
    const opened: string[] = [];
    const get = (digest: string): StoredBlob => {
      const blob = this.blobs.get(digest);
      if (!blob) throw new BlobNotFoundError(`blob ${digest} not found`, { context: { digest } });
      return blob;
    };
    return {
      opened,
      root: async (): Promise<ManifestBytes> => ({
        bytes: root.bytes,
        mediaType: root.mediaType,
        digest: root.digest,
      }),
      manifest: async (digest) => {
        const blob = get(digest);
        return { bytes: blob.bytes, mediaType: blob.mediaType, digest };
      },
      readBlob: async (digest) => get(digest).bytes,
      openBlob: async (digest) => {
        const blob = get(digest);
        opened.push(digest);
        return chunked(blob.bytes, chunkSize);
      },
    };
  }

  /** Writes an OCI image layout folder holding every blob, with `index.json` listing `refs`. */
  async writeOciLayout(dir: string, refs: readonly { manifest: StoredBlob; tag?: string }[]): Promise<void> {
    await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
    await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    for (const blob of this.blobs.values())
      await writeFile(join(dir, 'blobs', 'sha256', blob.digest.slice(7)), blob.bytes);
    const index = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociIndex,
      manifests: refs.map((r) => ({
        mediaType: r.manifest.mediaType,
        digest: r.manifest.digest,
        size: r.manifest.bytes.byteLength,
        ...(r.tag ? { annotations: { 'org.opencontainers.image.ref.name': r.tag } } : {}),
      })),
    };
    await writeFile(join(dir, 'index.json'), JSON.stringify(index));
  }

  /**
   * A `docker save` tar for one image. `legacy`: `<id>/layer.tar` (uncompressed) and `<hex>.json`;
   * `oci`: the Docker 25+ layout (`blobs/sha256/…`, `index.json`, `oci-layout`, and `manifest.json`).
   */
  async dockerArchive(
    config: StoredBlob,
    layers: readonly StoredBlob[],
    layout: 'legacy' | 'oci',
    repoTag = 'app:latest',
  ): Promise<Buffer> {
    const entries: EntrySpec[] = [];
    if (layout === 'legacy') {
      const layerPaths: string[] = [];
      for (const layer of layers) {
        const tar = decompressForArchive(layer);
        const id = digestOf(tar).slice(7);
        entries.push(
          { path: `${id}/`, type: 'directory' },
          { path: `${id}/VERSION`, content: '1.0' },
          { path: `${id}/layer.tar`, content: tar },
        );
        layerPaths.push(`${id}/layer.tar`);
      }
      entries.push({ path: `${config.digest.slice(7)}.json`, content: config.bytes });
      entries.push({
        path: 'manifest.json',
        content: JSON.stringify([
          { Config: `${config.digest.slice(7)}.json`, RepoTags: [repoTag], Layers: layerPaths },
        ]),
      });
    } else {
      const manifest = this.manifest(config, layers, 'oci');
      entries.push({ path: 'blobs/', type: 'directory' }, { path: 'blobs/sha256/', type: 'directory' });
      for (const blob of [config, ...layers, manifest])
        entries.push({ path: `blobs/sha256/${blob.digest.slice(7)}`, content: blob.bytes });
      entries.push({ path: 'oci-layout', content: JSON.stringify({ imageLayoutVersion: '1.0.0' }) });
      entries.push({
        path: 'index.json',
        content: JSON.stringify({
          schemaVersion: 2,
          mediaType: MEDIA_TYPES.ociIndex,
          manifests: [
            { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.bytes.byteLength },
          ],
        }),
      });
      entries.push({
        path: 'manifest.json',
        content: JSON.stringify([
          {
            Config: `blobs/sha256/${config.digest.slice(7)}`,
            RepoTags: [repoTag],
            Layers: layers.map((l) => `blobs/sha256/${l.digest.slice(7)}`),
          },
        ]),
      });
    }
    return tarOf(entries);
  }
}

// docker save (legacy) writes layers uncompressed; the store keeps their tar digests as diff ids.
function decompressForArchive(layer: StoredBlob): Buffer {
  if (layer.bytes[0] === 0x1f && layer.bytes[1] === 0x8b) return gunzipSync(layer.bytes);
  if (layer.bytes[0] === 0x28 && layer.bytes[1] === 0xb5) return zstdDecompressSync(layer.bytes);
  return layer.bytes;
}

/** Bytes as an async stream of chunks. */
export async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.byteLength; i += size) yield bytes.subarray(i, i + size);
}

/** Makes a marker and remembers where it was planted. */
export class Planted {
  #n = 0;
  readonly truth: { marker: string; where: string }[] = [];
  next(where: string): string {
    this.#n += 1;
    const marker = `PLANTED-${this.#n}`;
    this.truth.push({ marker, where });
    return marker;
  }
}
