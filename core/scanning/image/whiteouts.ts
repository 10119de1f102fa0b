import type { Finding } from '../types';
import { selfAndAncestors } from './paths';
import type { LayerScan } from './ports';

/**
 * Annotates the findings of one image's layers (in manifest order) with `deletedBy`: the first later layer
 * whose whiteout deletes the file or a folder above it, or makes a folder above it opaque. A whiteout only
 * hides lower layers (OCI image spec), so a layer's own whiteouts never apply to itself. A layer listed
 * twice counts at its last position (where its files are visible again).
 */
export function mergeLayerFindings(layers: readonly LayerScan[]): Finding[] {
  const deleted = layers.map((l) => new Set(l.whiteouts));
  const opaque = layers.map((l) => new Set(l.opaqueDirs));
  const lastIndex = new Map<string, number>();
  layers.forEach((l, i) => lastIndex.set(l.digest, i));
  const out: Finding[] = [];
  for (const index of lastIndex.values()) {
    const layer = layers[index]!;
    for (const finding of layer.findings) {
      const by = hiddenBy(finding.location.path, index);
      out.push(by === undefined ? finding : { ...finding, deletedBy: { layerDigest: by } });
    }
  }
  return out;

  function hiddenBy(path: string, index: number): string | undefined {
    const chain = selfAndAncestors(path);
    for (let j = index + 1; j < layers.length; j += 1) {
      if (chain.some((p) => deleted[j]!.has(p))) return layers[j]!.digest;
      // An opaque folder hides what lower layers had *inside* it; '' is the root folder.
      if (chain.slice(1).some((p) => opaque[j]!.has(p)) || opaque[j]!.has('')) return layers[j]!.digest;
    }
    return undefined;
  }
}
