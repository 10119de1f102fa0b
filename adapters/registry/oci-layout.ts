import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BlobNotFoundError, SourceError } from '../../core/scanning/image/errors';
import { MEDIA_TYPES } from '../../core/scanning/image/manifest';
import type { BlobSource, ManifestBytes } from '../../core/scanning/image/ports';
import { checkedHex, openBlobFile, readRange, readSmall } from './local-blobs';

const REF_NAME = 'org.opencontainers.image.ref.name';

interface IndexJson {
  manifests?: { digest?: unknown; mediaType?: unknown; annotations?: Record<string, unknown> }[];
}

/**
 * A BlobSource over an OCI image layout folder (`oci-layout`, `index.json`, `blobs/sha256/<hex>`). With a
 * tag, the root is the manifest `index.json` names with that `org.opencontainers.image.ref.name`; without
 * one, the only manifest, or `index.json` itself (every image in it) when it lists several.
 *
 * @throws SourceError when the folder is not an OCI layout; BlobNotFoundError when the tag is not in it.
 */
export async function ociLayoutSource(dir: string, tag?: string): Promise<BlobSource> {
  const layout = await readJson(join(dir, 'oci-layout'), dir);
  if (typeof (layout as { imageLayoutVersion?: unknown }).imageLayoutVersion !== 'string') {
    throw new SourceError(`${dir} is not an OCI image layout: oci-layout has no imageLayoutVersion`);
  }
  const indexBytes = await readBytes(join(dir, 'index.json'), dir);
  const blobPath = (digest: string): string => join(dir, 'blobs', 'sha256', checkedHex(digest));
  const manifest = async (digest: string, mediaType?: string): Promise<ManifestBytes> => {
    const handle = await openBlobFile(blobPath(digest), digest);
    const { size } = await handle.stat();
    const bytes = await readSmall(handle, 0, size, 16 * 1024 * 1024, digest);
    return { bytes, digest, ...(mediaType ? { mediaType } : {}) };
  };
  return {
    root: async () => {
      const index = parseJson(indexBytes, `${dir}/index.json`) as IndexJson;
      const entries = Array.isArray(index.manifests) ? index.manifests : [];
      const chosen =
        tag === undefined
          ? entries.length === 1
            ? entries[0]
            : undefined
          : entries.find((m) => m.annotations?.[REF_NAME] === tag);
      if (tag !== undefined && chosen === undefined) {
        throw new BlobNotFoundError(`${dir} has no image tagged ${tag} (index.json ${REF_NAME})`, {
          context: { tag },
        });
      }
      if (chosen === undefined) return { bytes: indexBytes, mediaType: MEDIA_TYPES.ociIndex };
      if (typeof chosen.digest !== 'string')
        throw new SourceError(`${dir}/index.json names a manifest without a digest`);
      return manifest(chosen.digest, typeof chosen.mediaType === 'string' ? chosen.mediaType : undefined);
    },
    manifest: (digest) => manifest(digest),
    readBlob: async (digest, maxBytes) => {
      const handle = await openBlobFile(blobPath(digest), digest);
      const { size } = await handle.stat();
      return readSmall(handle, 0, size, maxBytes, digest);
    },
    openBlob: async (digest) => {
      const handle = await openBlobFile(blobPath(digest), digest);
      const { size } = await handle.stat();
      return readRange(handle, 0, size);
    },
  };
}

async function readBytes(path: string, dir: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (cause) {
    throw new SourceError(`${dir} is not an OCI image layout: cannot read ${path.slice(dir.length + 1)}`, {
      cause,
    });
  }
}

async function readJson(path: string, dir: string): Promise<unknown> {
  return parseJson(await readBytes(path, dir), path);
}

function parseJson(bytes: Buffer, what: string): unknown {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    if (typeof value !== 'object' || value === null) throw new Error('not an object');
    return value;
  } catch (cause) {
    throw new SourceError(`${what} is not a JSON object`, { cause });
  }
}
