import type { Detector, Finding, ScanFile } from '../types';

/**
 * The ports the image scanner needs. Core does no I/O of its own: adapters/registry/ implements these over
 * HTTP (a v2 registry), an OCI layout folder, a `docker save` tar and a plain folder.
 */

/** A manifest or index as stored: its bytes, and what the source says about them. */
export interface ManifestBytes {
  readonly bytes: Uint8Array;
  /** The media type the source reported (a registry's Content-Type, a descriptor's mediaType). */
  readonly mediaType?: string;
  /** The digest the source reported or the descriptor named; core checks it against the bytes when given. */
  readonly digest?: string;
}

/** Where an image's manifests and blobs come from. */
export interface BlobSource {
  /** The root of the target: the manifest or index the reference names. */
  root(): Promise<ManifestBytes>;
  /** A manifest (or nested index) named by digest in an index. @throws BlobNotFoundError */
  manifest(digest: string): Promise<ManifestBytes>;
  /** A small blob (the image config), whole, refusing more than `maxBytes`. @throws BlobNotFoundError */
  readBlob(digest: string, maxBytes: number): Promise<Uint8Array>;
  /** A blob as a stream of its bytes as stored (still compressed). Core hashes and checks them. */
  openBlob(digest: string): Promise<AsyncIterable<Uint8Array>>;
}

/** The part of the OCI distribution API the scanner uses. The HTTP adapter handles auth, retries, redirects. */
export interface RegistryClient {
  /** GET /v2/<repo>/manifests/<reference> with this Accept list. @throws BlobNotFoundError on 404 */
  getManifest(repository: string, reference: string, accept: readonly string[]): Promise<ManifestBytes>;
  /** GET /v2/<repo>/blobs/<digest>, following redirects. @throws BlobNotFoundError on 404 */
  getBlob(repository: string, digest: string): Promise<AsyncIterable<Uint8Array>>;
}

/** A file of a plain folder. */
export interface TreeFile {
  /** Relative to the folder's root, `/`-separated, no leading `./`. */
  readonly path: string;
  readonly size: number;
  open(): AsyncIterable<Uint8Array>;
}

/** A plain folder: its regular files, without following symlinks and without device files. */
export interface FileTreeSource {
  files(): AsyncIterable<TreeFile>;
}

/** What one layer's scan produced: enough to merge whiteouts later and to cache. */
export interface LayerScan {
  readonly digest: string;
  /** Findings with `layerDigest`, `path`, `innerPath` set; `target`, `manifestDigest`, `deletedBy` are merged in later. */
  readonly findings: readonly Finding[];
  /** Paths (normalised) that `.wh.<name>` entries of this layer delete from lower layers. */
  readonly whiteouts: readonly string[];
  /** Folders that `.wh..wh..opq` entries of this layer make opaque (their lower contents hidden). */
  readonly opaqueDirs: readonly string[];
  readonly files: number;
  readonly compressedBytes: number;
  readonly uncompressedBytes: number;
}

/**
 * Layer results by digest: layers are immutable, so a rescan skips what it has seen under the same rules.
 * Only layers scanned completely and without error are put.
 */
export interface LayerCache {
  get(digest: string, rulesetVersion: string): Promise<LayerScan | undefined>;
  put(digest: string, rulesetVersion: string, scan: LayerScan): Promise<void>;
}

/** A file handed to a DeferringDetector: its findings come later. */
export interface SubmittedFile {
  /** Rejects when the detector failed on the file (recorded as a DetectorFailedError, like scanFile's). */
  readonly findings: Promise<Finding[]>;
}

/**
 * A detector that takes a file's bytes now and answers later (a pool of worker threads): a layer walk hands
 * it a file and goes on to the next while the findings are computed elsewhere. Findings are still reported
 * in walk order, so the result equals that of `scanFile` one file at a time.
 */
export interface DeferringDetector extends Detector {
  /**
   * Reads the file's chunks to their end (or as far as it needs: a binary stops early), then returns. Errors
   * of the chunks themselves are thrown here.
   */
  submitFile(file: ScanFile): Promise<SubmittedFile>;
}

/** Whether the detector can take files without waiting for their findings. */
export function isDeferring(detector: Detector): detector is DeferringDetector {
  return typeof (detector as Partial<DeferringDetector>).submitFile === 'function';
}
