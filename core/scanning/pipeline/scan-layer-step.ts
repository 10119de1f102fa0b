import type { RotorError } from '../../errors';
import type { ScanLayerInput, ScanLayerOutput } from '../../contracts/scanning';
import { DEFAULT_LIMITS, type ScanLimits } from '../image/limits';
import { scanLayer } from '../image/layer';
import type { WalkContext } from '../image/walk-context';
import type { Detector } from '../types';
import type { BlobSourceFactory, LayerResultStore } from './ports';
import { problemRef } from './problems';

/** What ScanLayer needs. */
export interface ScanLayerDeps {
  readonly blobs: BlobSourceFactory;
  readonly store: LayerResultStore;
  readonly detector: Detector;
  readonly limits?: Partial<ScanLimits>;
}

/**
 * Step 2 (one Map item): streams one layer blob, scans every file, and stores the result (findings and
 * whiteouts) in the layer store, returning only counts: a layer's findings may be larger than a Step
 * Functions payload. A layer scanned completely becomes the cache; a partial one is stored for Merge but
 * not cached, and its problem is returned.
 */
export async function scanLayerStep(input: ScanLayerInput, deps: ScanLayerDeps): Promise<ScanLayerOutput> {
  const problems: RotorError[] = [];
  const ctx: WalkContext = {
    detector: deps.detector,
    limits: { ...DEFAULT_LIMITS, ...deps.limits },
    report: (error) => problems.push(error),
    countFile: () => undefined,
  };
  const source = deps.blobs(input.registry, input.repository, input.layer.digest);
  const descriptor = {
    digest: input.layer.digest,
    mediaType: input.layer.mediaType,
    ...(input.layer.size !== undefined ? { size: input.layer.size } : {}),
  };
  const outcome = await scanLayer(ctx, source, descriptor, () => undefined);
  if (outcome.error) problems.unshift(outcome.error);
  if (problems.length === 0) await deps.store.put(input.layer.digest, input.rulesetVersion, outcome.scan);
  else await deps.store.putPartial(input.layer.digest, input.rulesetVersion, outcome.scan);
  return {
    digest: input.layer.digest,
    findings: outcome.scan.findings.length,
    files: outcome.scan.files,
    ...(problems[0] ? { error: problemRef(problems[0], { layerDigest: input.layer.digest }) } : {}),
  };
}
