import { RotorError } from '../../errors';
import type { ScanProblemRef } from '../../contracts/scanning';

/** A problem as the workflow carries it: class name and a message naming digests and paths only. */
export function problemRef(
  error: unknown,
  where: { manifestDigest?: string; layerDigest?: string } = {},
): ScanProblemRef {
  const rotor = error instanceof RotorError;
  return {
    error: rotor ? error.name : 'Error',
    // Foreign errors may carry anything in their message (a URL with a signature): keep only their class.
    message: rotor ? error.message : `unexpected ${(error as Error)?.name ?? 'error'}`,
    ...(where.manifestDigest ? { manifestDigest: where.manifestDigest } : {}),
    ...(where.layerDigest ? { layerDigest: where.layerDigest } : {}),
  };
}
