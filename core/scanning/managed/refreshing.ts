import type { Clock } from '../../clock';

/** A value with the version of the data it was built from. */
export interface Versioned<T> {
  readonly version: number;
  readonly value: T;
}

/** Options of RefreshingValue. */
export interface RefreshingOptions {
  /** How long a loaded value is served before it is loaded again. */
  readonly ttlMs: number;
  readonly clock: Clock;
}

/**
 * A value loaded once and kept for a while, per container: the scan functions' records, keys and detector.
 * It is loaded again when older than the TTL, or at once when a caller needs a newer version than the one
 * held (a scan started after an update must see it). Concurrent callers share one load; a failed load is
 * not kept, so the next call tries again.
 */
export class RefreshingValue<T> {
  #held?: { at: number; versioned: Versioned<T> };
  #loading?: Promise<Versioned<T>>;

  constructor(
    private readonly load: () => Promise<Versioned<T>>,
    private readonly options: RefreshingOptions,
  ) {}

  /** The value, at least at `minVersion` when the store has it. */
  async get(minVersion = 0): Promise<Versioned<T>> {
    const held = this.#held;
    const now = this.options.clock.now().getTime();
    if (held && now - held.at < this.options.ttlMs && held.versioned.version >= minVersion) {
      return held.versioned;
    }
    const loaded = await this.#reload();
    // A load already under way when this call came may predate the version asked for: one more.
    return loaded.version >= minVersion ? loaded : this.#reload();
  }

  #reload(): Promise<Versioned<T>> {
    this.#loading ??= (async () => {
      try {
        const versioned = await this.load();
        this.#held = { at: this.options.clock.now().getTime(), versioned };
        return versioned;
      } finally {
        this.#loading = undefined;
      }
    })();
    return this.#loading;
  }
}
