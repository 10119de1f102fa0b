/**
 * The contract between the parts of the scanner: sources and walkers (core/scanning/image/, which find files
 * in images, archives and folders) hand each file's bytes to a detector (core/scanning/detect/), which turns
 * them into findings. Neither knows how the other works.
 */

import type { Severity } from '../contracts/scanning';

export { SEVERITIES, type Severity } from '../contracts/scanning';

/** Where a file was found. Every field but `path` is optional: a plain folder has no image or layer. */
export interface FileLocation {
  /** What was scanned, as the user named it: `oci:./dir`, `registry.example/app:1.2`, `dir:./src`. */
  readonly target?: string;
  /** The digest of the image manifest (per platform for a multi-arch index). */
  readonly manifestDigest?: string;
  /** The digest of the layer blob that holds the file (as in the manifest, so of the compressed blob). */
  readonly layerDigest?: string;
  /** The file's path in the layer or folder, normalised: no leading `/` or `./`. */
  readonly path: string;
  /** For a file inside an archive inside the layer (`.tar`, `.zip`, `.jar`...), its path in that archive. */
  readonly innerPath?: string;
}

/** A secret found somewhere. Holds no secret value: an excerpt with the secret censored, and a fingerprint. */
export interface Finding {
  readonly ruleId: string;
  /** What kind of secret, for people: "GitHub personal access token". */
  readonly title: string;
  readonly severity: Severity;
  readonly location: FileLocation & {
    /** 1-based line of the match's start; for image config fields, 0. */
    readonly line: number;
    /** 1-based column of the match's start on that line. */
    readonly column: number;
  };
  /** The matched text's surroundings with the secret itself replaced by a short prefix and `****`. */
  readonly excerpt: string;
  /**
   * A stable id for de-duplication: the same secret found by the same rule gives the same fingerprint in
   * any image, layer or path. A keyed hash of rule and secret, never reversible to the secret.
   */
  readonly fingerprint: string;
  /** Set when the secret is the live (or previous) value of a secret Rotor manages. */
  readonly managedSecret?: { readonly secretId: string; readonly stage: 'AWSCURRENT' | 'AWSPREVIOUS' };
  /** Set when a later layer deleted the file (a whiteout): the secret is still in the image. */
  readonly deletedBy?: { readonly layerDigest: string };
}

/** A file to scan: its location and its bytes, streamed in chunks of any size (a secret may straddle two). */
export interface ScanFile {
  readonly location: FileLocation;
  /** Size in bytes when known (tar headers carry it). */
  readonly size?: number;
  readonly chunks: AsyncIterable<Uint8Array>;
}

/** Turns one file's bytes into findings. Implemented by core/scanning/detect/. */
export interface Detector {
  /** Scans a streamed file. Skips binary content (decided by the bytes, not the name). Memory stays bounded. */
  scanFile(file: ScanFile): Promise<Finding[]>;
  /** Scans a short text that is not a file: an image config's `Env`, `Labels`, `history[].created_by`. */
  scanText(text: string, location: FileLocation): Finding[];
}
