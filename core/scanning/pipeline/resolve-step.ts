import type { LayerRef, ResolveOutput, ResolvedImageRef, ScanRequest } from '../../contracts/scanning';
import { DEFAULT_LIMITS, type ScanLimits } from '../image/limits';
import { isScannableLayer } from '../image/manifest';
import { resolveImages } from '../image/resolve';
import { targetText } from './ecr-event';
import type { BlobSourceFactory, LayerResultStore } from './ports';
import { problemRef } from './problems';

/** What Resolve needs. */
export interface ResolveDeps {
  readonly blobs: BlobSourceFactory;
  readonly store: LayerResultStore;
  readonly rulesetVersion: string;
  readonly limits?: Partial<ScanLimits>;
}

/**
 * Step 1 of the scan workflow: reads the pushed manifest (every platform of an index, digests checked) and
 * lists the distinct layers not yet cached for this ruleset version, which the Map then scans. Platforms
 * that cannot be read are problems; a root that cannot be read throws (the workflow's Catch records it).
 */
export async function resolveStep(request: ScanRequest, deps: ResolveDeps): Promise<ResolveOutput> {
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const source = deps.blobs(request.registry, request.repository, request.digest);
  const { images, problems } = await resolveImages(source, limits, request.digest, targetText(request));
  const refs: ResolvedImageRef[] = images.map((image) => ({
    manifestDigest: image.manifestDigest,
    ...(image.platform ? { platform: image.platform } : {}),
    config: layerRef(image.config),
    layers: image.layers.filter(isScannableLayer).map((l) => l.digest),
  }));
  const distinct = new Map<string, LayerRef>();
  for (const image of images)
    for (const layer of image.layers.filter(isScannableLayer)) distinct.set(layer.digest, layerRef(layer));
  const toScan: LayerRef[] = [];
  for (const layer of distinct.values()) {
    if (!(await deps.store.has(layer.digest, deps.rulesetVersion))) toScan.push(layer);
  }
  return {
    ...request,
    rulesetVersion: deps.rulesetVersion,
    images: refs,
    layers: toScan,
    layersCached: distinct.size - toScan.length,
    problems: problems.map((p) => problemRef(p.error, { manifestDigest: p.manifestDigest })),
  };
}

function layerRef(d: { digest: string; size?: number; mediaType?: string }): LayerRef {
  return {
    digest: d.digest,
    ...(d.size !== undefined ? { size: d.size } : {}),
    mediaType: d.mediaType ?? '',
  };
}
