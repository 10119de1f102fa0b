import type { LayerCache, LayerScan } from './ports';

/** A LayerCache in a Map, for the CLI's single run and for tests. Holds findings (no secret values). */
export class MemoryLayerCache implements LayerCache {
  readonly #entries = new Map<string, LayerScan>();

  async get(digest: string, rulesetVersion: string): Promise<LayerScan | undefined> {
    return this.#entries.get(key(digest, rulesetVersion));
  }

  async put(digest: string, rulesetVersion: string, scan: LayerScan): Promise<void> {
    this.#entries.set(key(digest, rulesetVersion), scan);
  }

  /** How many layers it holds. */
  get size(): number {
    return this.#entries.size;
  }
}

function key(digest: string, rulesetVersion: string): string {
  return `${rulesetVersion}\u0000${digest}`;
}
