import { RotorError } from '../../errors';
import { DigestMismatchError, ManifestError } from './errors';
import type { ScanLimits } from './limits';
import {
  isPlatformImage,
  parseManifest,
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
} from './manifest';
import type { BlobSource, ManifestBytes } from './ports';
import { sha256Digest } from './streams';

/** One image (one platform of an index) ready to scan. */
export interface ResolvedImage {
  readonly manifestDigest: string;
  /** `linux/arm64/v8` when the index said. */
  readonly platform?: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
}

/** What resolving produced: the images, and the index entries that could not be read. */
export interface Resolution {
  readonly images: ResolvedImage[];
  readonly problems: { readonly manifestDigest: string; readonly error: RotorError }[];
}

const MAX_INDEX_DEPTH = 3;

/**
 * Reads the target's root and, for an index (or manifest list), every platform's manifest, nested indexes
 * included (depth ≤ 3, at most `limits.maxManifests` images). Digests are checked: the expected one
 * (from the reference or the index) against the bytes. A root that cannot be read throws; a platform that
 * cannot be read is a problem and the others are still returned.
 *
 * @param expectedRootDigest the digest the user named (`repo@sha256:…`), if any.
 */
export async function resolveImages(
  source: BlobSource,
  limits: ScanLimits,
  expectedRootDigest: string | undefined,
  targetText: string,
): Promise<Resolution> {
  const root = await source.root();
  const rootDigest = checkDigest(root, expectedRootDigest, `the root manifest of ${targetText}`, limits);
  const parsed = parseManifest(root.bytes, root.mediaType, rootDigest);
  const images: ResolvedImage[] = [];
  const problems: Resolution['problems'] = [];
  const seen = new Set<string>();
  await visit(parsed, rootDigest, undefined, 0);
  return { images, problems };

  async function visit(
    node: ImageManifest | ImageIndex,
    digest: string,
    platform: string | undefined,
    depth: number,
  ): Promise<void> {
    if (node.kind === 'manifest') {
      if (seen.has(digest)) return;
      seen.add(digest);
      images.push({
        manifestDigest: digest,
        ...(platform ? { platform } : {}),
        config: node.config,
        layers: node.layers,
      });
      return;
    }
    if (depth >= MAX_INDEX_DEPTH) {
      problems.push({
        manifestDigest: digest,
        error: new ManifestError(`index ${digest} nests deeper than ${MAX_INDEX_DEPTH} levels`),
      });
      return;
    }
    for (const entry of node.manifests.filter(isPlatformImage)) {
      if (seen.has(entry.digest)) continue;
      if (images.length >= limits.maxManifests) {
        problems.push({
          manifestDigest: entry.digest,
          error: new ManifestError(
            `index ${digest} lists more than maxManifests (${limits.maxManifests}) images; the rest were skipped`,
          ),
        });
        return;
      }
      try {
        const child = await source.manifest(entry.digest);
        checkDigest(child, entry.digest, `manifest ${entry.digest}`, limits);
        const parsedChild = parseManifest(child.bytes, child.mediaType ?? entry.mediaType, entry.digest);
        await visit(parsedChild, entry.digest, platformOf(entry), depth + 1);
      } catch (error) {
        if (!(error instanceof RotorError)) throw error;
        problems.push({ manifestDigest: entry.digest, error });
      }
    }
  }
}

function checkDigest(
  manifest: ManifestBytes,
  expected: string | undefined,
  what: string,
  limits: ScanLimits,
): string {
  if (manifest.bytes.byteLength > limits.maxManifestBytes) {
    throw new ManifestError(`${what} is larger than maxManifestBytes (${limits.maxManifestBytes})`);
  }
  const actual = sha256Digest(manifest.bytes);
  const want = expected ?? manifest.digest;
  if (want !== undefined && want.startsWith('sha256:') && want !== actual) {
    throw new DigestMismatchError(`${what}: content does not match its digest`, {
      context: { digest: want, actual },
    });
  }
  return actual;
}

function platformOf(entry: Descriptor): string | undefined {
  const p = entry.platform;
  if (!p?.os && !p?.architecture) return undefined;
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}
