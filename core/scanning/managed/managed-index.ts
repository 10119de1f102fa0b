import { alphabetGroup, forEachCandidate, type AlphabetGroup } from './candidates';
import { managedValueHmac, normaliseAlphabet, type ManagedSecretRecord, type ManagedStage } from './record';

/** A managed secret found in text. */
export interface ManagedMatch {
  readonly start: number;
  readonly end: number;
  readonly secretId: string;
  readonly stage: ManagedStage;
}

/**
 * Recognises the values of managed secrets from their records alone: it holds HMACs, lengths and alphabets,
 * and the HMAC key; never a value. Built once per scan from the records rotation stored.
 */
export class ManagedSecretIndex {
  readonly #key: string | Uint8Array;
  readonly #byHmac = new Map<string, ManagedSecretRecord>();
  readonly #groups: AlphabetGroup[];

  constructor(records: Iterable<ManagedSecretRecord>, key: string | Uint8Array) {
    this.#key = key;
    const lengthsByAlphabet = new Map<string, Set<number>>();
    for (const record of records) {
      if (!this.#byHmac.has(record.hmac)) this.#byHmac.set(record.hmac, record);
      const alphabet = normaliseAlphabet(record.alphabet);
      const lengths = lengthsByAlphabet.get(alphabet) ?? new Set<number>();
      lengths.add(record.length);
      lengthsByAlphabet.set(alphabet, lengths);
    }
    this.#groups = [...lengthsByAlphabet].map(([alphabet, lengths]) => alphabetGroup(alphabet, lengths));
  }

  /** How many records the index holds. */
  get size(): number {
    return this.#byHmac.size;
  }

  /** The longest value indexed (the detector's windows must fit it). */
  get maxLength(): number {
    return Math.max(0, ...this.#groups.flatMap((g) => g.lengths));
  }

  /** Managed values whose start lies in [from, to) of `text`. */
  find(text: string, from = 0, to = text.length, textIsComplete = true): ManagedMatch[] {
    const found: ManagedMatch[] = [];
    if (this.#byHmac.size === 0) return found;
    // Code repeats itself: a candidate seen before in this text is not hashed again.
    const seen = new Map<string, ManagedSecretRecord | null>();
    for (const group of this.#groups) {
      forEachCandidate(text, from, to, group, textIsComplete, (start, length) => {
        const candidate = text.slice(start, start + length);
        let record = seen.get(candidate);
        if (record === undefined) {
          record = this.#byHmac.get(managedValueHmac(this.#key, candidate)) ?? null;
          if (seen.size < 100_000) seen.set(candidate, record);
        }
        if (record !== null && record.length === length) {
          found.push({ start, end: start + length, secretId: record.secretId, stage: record.stage });
        }
      });
    }
    return found;
  }
}
