import { RotorError, TransientError } from '../../errors';

/**
 * The errors of image sources and the layer walker. Each names what failed (target, manifest, layer digest,
 * path) and never holds file contents or credentials. A scan records most of them in `ScanResult.errors`
 * and goes on with the rest of the image; `scanTarget` throws only when nothing at all can be scanned.
 */

/** A target string that is not `oci:`, `docker-archive:`, `dir:` or a registry reference. */
export class TargetSyntaxError extends RotorError {}

/** Options that contradict each other or are out of range (a cache without a ruleset version...). */
export class ScanConfigError extends RotorError {}

/** A manifest or index that is not JSON, has an unknown media type, or lacks required fields. */
export class ManifestError extends RotorError {}

/** A manifest, config or layer that the source does not have. */
export class BlobNotFoundError extends RotorError {}

/** The bytes read do not hash to the digest the manifest names (or are longer than its declared size). */
export class DigestMismatchError extends RotorError {}

/** A layer decompressed to more bytes than `limits.maxLayerBytes`: a bomb, or an image too large to scan. */
export class LayerLimitExceededError extends RotorError {}

/** A file bigger than `limits.maxFileBytes`: only its first bytes were scanned. */
export class FileLimitExceededError extends RotorError {}

/** An archive inside a layer that decompressed to more than `limits.maxNestedArchiveBytes`. */
export class NestedArchiveLimitError extends RotorError {}

/** A layer whose compression is neither gzip, zstd nor none (bzip2, xz...). */
export class UnsupportedCompressionError extends RotorError {}

/** A layer that is not a valid (compressed) tar: a corrupt header, a truncated stream, bad gzip data. */
export class CorruptLayerError extends RotorError {}

/** An archive inside a layer that could not be read; the layer's other files are still scanned. */
export class NestedArchiveError extends RotorError {}

/** An image config that is not JSON or not an object. */
export class ConfigError extends RotorError {}

/** The detector threw on a file: recorded, and the walk goes on. */
export class DetectorFailedError extends RotorError {}

/** The registry refused the credentials, or asked for a scheme Rotor does not speak. */
export class RegistryAuthError extends RotorError {}

/** The registry answered with an unexpected status or an unusable body. */
export class RegistryResponseError extends RotorError {}

/** The registry did not answer in time, kept throttling, failed with 5xx, or dropped the connection. */
export class RegistryUnavailableError extends TransientError {}

/** A source (file, folder, archive) that cannot be read as the target says. */
export class SourceError extends RotorError {}

/** A manifest or config larger than its limit (`maxManifestBytes`, `maxConfigBytes`). */
export class BlobTooLargeError extends RotorError {}
