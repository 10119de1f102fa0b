/**
 * Bounds on what one scan reads. The defaults let ordinary images through whole and stop bombs early.
 *
 * Memory: the walker never holds a whole file or layer. Per layer scanned in parallel it holds zlib's window
 * and output chunks (256 KiB), tar-stream's header buffer (up to 4 MiB for a long pax header), the chunk
 * the detector is reading, and for a zip inside a layer the output of one 16 KiB input push (deflate
 * expands at most ≈ 1032×, so ≤ 17 MiB). Per layer it also keeps its findings and the paths of its
 * whiteouts. So memory ≈ concurrency × ~20 MiB plus findings, whatever the layers hold.
 */
export interface ScanLimits {
  /** Uncompressed bytes of one layer's tar stream. @default 8 GiB */
  readonly maxLayerBytes: number;
  /** Bytes of one file handed to the detector; the rest is skipped and a FileLimitExceededError recorded. @default 256 MiB */
  readonly maxFileBytes: number;
  /** Uncompressed bytes of one archive inside a layer (`.tar.gz`, `.zip`...). @default 1 GiB */
  readonly maxNestedArchiveBytes: number;
  /** Bytes of a manifest or index. @default 4 MiB */
  readonly maxManifestBytes: number;
  /** Bytes of an image config. @default 8 MiB */
  readonly maxConfigBytes: number;
  /** Images (platforms) read from one index, nested indexes included. @default 64 */
  readonly maxManifests: number;
}

/** The default limits; see each field. */
export const DEFAULT_LIMITS: ScanLimits = Object.freeze({
  maxLayerBytes: 8 * 1024 ** 3,
  maxFileBytes: 256 * 1024 ** 2,
  maxNestedArchiveBytes: 1024 ** 3,
  maxManifestBytes: 4 * 1024 ** 2,
  maxConfigBytes: 8 * 1024 ** 2,
  maxManifests: 64,
});
