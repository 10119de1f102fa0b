export * from './errors';
export * from './target';
export * from './ports';
export * from './limits';
export * from './manifest';
export * from './scan';
export * from './memory-layer-cache';
export * from './registry-source';
export { mergeLayerFindings } from './whiteouts';
export { normalizeEntryPath, parseWhiteout } from './paths';
export { configTexts } from './config';
// The per-step pieces the scan workflow (core/scanning/pipeline/) runs one Lambda at a time.
export { scanLayer, type LayerOutcome, type LayerProgress } from './layer';
export { resolveImages, type ResolvedImage, type Resolution } from './resolve';
export { scanConfig } from './config';
export { sha256Digest } from './streams';
export type { WalkContext, ProblemLocation } from './walk-context';
