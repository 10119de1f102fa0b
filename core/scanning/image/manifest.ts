import { z } from 'zod';
import { ManifestError } from './errors';

/** The media types of manifests and indexes the scanner reads. */
export const MEDIA_TYPES = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociLayerTar: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerLayerTar: 'application/vnd.docker.image.rootfs.diff.tar',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
} as const;

/** The Accept list for manifest requests: without one a registry answers 404 MANIFEST_UNKNOWN. */
export const MANIFEST_ACCEPT: readonly string[] = [
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.dockerManifestList,
  MEDIA_TYPES.dockerManifest,
];

const Descriptor = z.object({
  mediaType: z.string().optional(),
  digest: z.string().regex(/^sha256:[a-f0-9]{64}$/, 'digest must be sha256:<64 hex>'),
  size: z.number().int().nonnegative().optional(),
  platform: z
    .object({
      os: z.string().optional(),
      architecture: z.string().optional(),
      variant: z.string().optional(),
    })
    .optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  urls: z.array(z.string()).optional(),
});

/** A content descriptor: what a manifest or index says about a blob. */
export type Descriptor = z.infer<typeof Descriptor>;

const ImageManifestSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  config: Descriptor,
  layers: z.array(Descriptor),
});

const IndexSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  manifests: z.array(Descriptor),
});

/** An image manifest (OCI or Docker v2 schema 2). */
export interface ImageManifest {
  readonly kind: 'manifest';
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
}

/** An index (OCI image index or Docker manifest list). */
export interface ImageIndex {
  readonly kind: 'index';
  readonly manifests: readonly Descriptor[];
}

/**
 * Parses manifest bytes as an index or an image manifest, from the `mediaType` field, else the media type the
 * source reported, else the shape. Docker schema 1 and unknown types are refused.
 *
 * @param what names the manifest in errors (its digest or the target).
 * @throws ManifestError
 */
export function parseManifest(
  bytes: Uint8Array,
  reportedMediaType: string | undefined,
  what: string,
): ImageManifest | ImageIndex {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (cause) {
    throw new ManifestError(`manifest ${what} is not JSON`, { cause, context: { manifest: what } });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ManifestError(`manifest ${what} is not a JSON object`, { context: { manifest: what } });
  }
  const declared = (json as { mediaType?: unknown }).mediaType;
  const reported = reportedMediaType?.split(';')[0]?.trim();
  const mediaType = typeof declared === 'string' ? declared : reported;
  const isIndex =
    mediaType === MEDIA_TYPES.ociIndex ||
    mediaType === MEDIA_TYPES.dockerManifestList ||
    ((mediaType === undefined || mediaType === '' || mediaType === 'application/json') &&
      'manifests' in json);
  const isManifest =
    mediaType === MEDIA_TYPES.ociManifest ||
    mediaType === MEDIA_TYPES.dockerManifest ||
    ((mediaType === undefined || mediaType === '' || mediaType === 'application/json') && 'layers' in json);
  if (isIndex) {
    const parsed = IndexSchema.safeParse(json);
    if (!parsed.success) throw invalid(what, parsed.error);
    return { kind: 'index', manifests: parsed.data.manifests };
  }
  if (isManifest) {
    const parsed = ImageManifestSchema.safeParse(json);
    if (!parsed.success) throw invalid(what, parsed.error);
    return { kind: 'manifest', config: parsed.data.config, layers: parsed.data.layers };
  }
  throw new ManifestError(
    `manifest ${what} has an unsupported media type (${mediaType ?? 'none'}); schema 1 is not supported`,
    {
      context: { manifest: what, mediaType },
    },
  );
}

function invalid(what: string, error: z.ZodError): ManifestError {
  // Zod's issue paths and messages describe structure only; a manifest holds no secret values anyway.
  const fields = error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).slice(0, 5);
  return new ManifestError(`manifest ${what} is malformed (${fields.join('; ')})`, {
    context: { manifest: what },
  });
}

/** Whether a layer descriptor is a filesystem layer the scanner can read (not foreign, not an attestation). */
export function isScannableLayer(layer: Descriptor): boolean {
  const type = layer.mediaType ?? '';
  if (type.includes('foreign') || type.includes('nondistributable')) return false;
  return type === '' || type.includes('tar') || type.includes('layer');
}

/** Whether an index entry is an image for a platform, not an attestation or signature manifest. */
export function isPlatformImage(entry: Descriptor): boolean {
  if (entry.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest') return false;
  return true;
}
