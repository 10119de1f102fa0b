import { WasmAutomaton } from './automaton-wasm';

/**
 * Finds where keywords occur in a text in one pass, case-insensitively: an Aho–Corasick automaton over ASCII,
 * flattened into one Int32Array so that each character costs one table lookup. The text is first copied as
 * Latin-1 bytes into a reused buffer (a memory copy for the one-byte strings V8 makes of ASCII text), because
 * a loop over a Uint8Array runs about 1.7x faster than one over `charCodeAt`; a character above U+00FF keeps
 * its low byte, which can only add a spurious occurrence, never hide a real one (keywords are ASCII), and
 * positions are unchanged (one byte a character). Keywords with non-ASCII characters, which the automaton
 * cannot hold, are looked for with a lowercase search.
 */
export class KeywordPrefilter {
  readonly #keywords: string[];
  /**
   * table[state * 256 + byte] = next state * 256 (premultiplied, so the hot loop does one add), stored as
   * -(next * 256) - 1 when a keyword ends in the next state, so one load tells both.
   */
  readonly #table: Int32Array;
  /** For each state, the ids of the keywords that end there (including through suffix links). */
  readonly #outputs: number[][];
  /** Latin-1 copy of the text being scanned, reused (grown as needed). */
  #bytes = Buffer.alloc(0);
  /** The same table run by WebAssembly (about twice as fast); null where WebAssembly is missing. */
  readonly #wasm: WasmAutomaton | null;
  readonly #nonAscii: string[];
  readonly #lengths: Int32Array;
  /** By keyword id: the characters (1 at their codes below 128) after which an occurrence is left out. */
  readonly #notAfter: Array<Uint8Array | undefined>;

  constructor(keywords: Iterable<string>, options: PrefilterOptions = {}) {
    const unique = [...new Set([...keywords].map((k) => k.toLowerCase()))].filter((k) => k.length > 0);
    const ascii = (k: string) => [...k].every((ch) => ch.charCodeAt(0) < 128);
    this.#keywords = unique.filter(ascii);
    this.#nonAscii = unique.filter((k) => !ascii(k));
    this.#lengths = Int32Array.from(this.#keywords, (k) => k.length);
    this.#notAfter = this.#keywords.map((k) => options.notAfter?.get(k));

    const goto: Int32Array[] = [new Int32Array(128).fill(-1)];
    const outputs: number[][] = [[]];
    this.#keywords.forEach((keyword, id) => {
      let state = 0;
      for (let i = 0; i < keyword.length; i++) {
        const c = keyword.charCodeAt(i);
        if (goto[state]![c] === -1) {
          goto[state]![c] = goto.length;
          goto.push(new Int32Array(128).fill(-1));
          outputs.push([]);
        }
        state = goto[state]![c]!;
      }
      outputs[state]!.push(id);
    });
    // Breadth-first: failure links, and missing transitions filled in from them (a full DFA).
    const fail = new Int32Array(goto.length);
    const queue: number[] = [];
    for (let c = 0; c < 128; c++) {
      const next = goto[0]![c]!;
      if (next === -1) goto[0]![c] = 0;
      else queue.push(next);
    }
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head]!;
      for (let c = 0; c < 128; c++) {
        const next = goto[state]![c]!;
        if (next === -1) {
          goto[state]![c] = goto[fail[state]!]![c]!;
        } else {
          fail[next] = goto[fail[state]!]![c]!;
          outputs[next]!.push(...outputs[fail[next]!]!);
          queue.push(next);
        }
      }
    }
    this.#table = new Int32Array(goto.length * 256);
    for (let state = 0; state < goto.length; state++) {
      for (let c = 0; c < 128; c++) {
        const next = goto[state]![c >= 65 && c <= 90 ? c + 32 : c]!;
        this.#table[state * 256 + c] = outputs[next]!.length > 0 ? -(next * 256) - 1 : next * 256;
      }
      // A newline leads to state 0 (no keyword holds one) and is flagged, so the same pass counts lines.
      this.#table[state * 256 + 10] = -1;
    }
    this.#wasm =
      options.useWasm !== false ? WasmAutomaton.create(this.#table, Math.max(0, ...this.#lengths)) : null;
    this.#outputs = outputs;
  }

  /** The keywords, lowercase, ASCII ones in id order (the ids `occurrences` reports) then the others. */
  get keywords(): readonly string[] {
    return [...this.#keywords, ...this.#nonAscii];
  }

  /** The id `occurrences` uses for a keyword (lowercase), or -1 when it has none (non-ASCII or unknown). */
  idOf(keyword: string): number {
    return this.#keywords.indexOf(keyword.toLowerCase());
  }

  /** The keywords with non-ASCII characters (lowercase) that occur in text[from, to): `occurrences` has no ids for them. */
  presentNonAscii(text: string, from = 0, to = text.length): Set<string> {
    const found = new Set<string>();
    if (this.#nonAscii.length === 0) return found;
    const lower = text.slice(from, to).toLowerCase();
    for (const keyword of this.#nonAscii) if (lower.includes(keyword)) found.add(keyword);
    return found;
  }

  /** The keywords (lowercase) that occur in text[from, to). */
  present(text: string, from = 0, to = text.length): Set<string> {
    const hits = this.occurrences(text, from, to);
    const found = new Set<string>();
    for (const id of hits.seen) found.add(this.#keywords[id]!);
    for (const keyword of this.presentNonAscii(text, from, to)) found.add(keyword);
    return found;
  }

  /**
   * Where each ASCII keyword starts in text[from, to): `positions[id]` in ascending order (undefined when the
   * keyword does not occur), `seen` the ids that occur; and, in the same pass, how many newlines lie in
   * text[linesFrom, linesTo). One table lookup a character.
   */
  occurrences(text: string, from = 0, to = text.length, linesFrom = from, linesTo = to): KeywordOccurrences {
    const table = this.#table;
    const outputs = this.#outputs;
    const lengths = this.#lengths;
    const notAfter = this.#notAfter;
    const positions: Array<number[] | undefined> = new Array(this.#keywords.length);
    const seen: number[] = [];
    if (to <= from) return { positions, seen, newlines: 0 };
    const record = (end: number, state: number): void => {
      for (const id of outputs[state >> 8]!) {
        const start = from + end + 1 - lengths[id]!;
        const skip = notAfter[id];
        if (skip !== undefined && start > 0) {
          const before = text.charCodeAt(start - 1);
          if (before < 128 && skip[before] === 1) continue;
        }
        const list = positions[id];
        if (list === undefined) {
          positions[id] = [start];
          seen.push(id);
        } else list.push(start);
      }
    };
    if (this.#wasm !== null) {
      const slice = from === 0 && to === text.length ? text : text.slice(from, to);
      const { count, events, newlines } = this.#wasm.run(slice, linesFrom - from, linesTo - from);
      for (let k = 0; k < count; k++) record(events[2 * k]!, events[2 * k + 1]!);
      return { positions, seen, newlines };
    }
    if (this.#bytes.length < to - from)
      this.#bytes = Buffer.allocUnsafe(Math.max(to - from, 2 * this.#bytes.length));
    const bytes = this.#bytes;
    const n = bytes.write(from === 0 && to === text.length ? text : text.slice(from, to), 0, 'latin1');
    const lineStart = linesFrom - from;
    const lineEnd = linesTo - from;
    let newlines = 0;
    let state = 0;
    for (let i = 0; i < n; i++) {
      const entry = table[state + bytes[i]!]!;
      if (entry >= 0) {
        state = entry;
        continue;
      }
      state = -entry - 1;
      if (state === 0) {
        if (i >= lineStart && i < lineEnd) newlines++;
        continue;
      }
      record(i, state);
    }
    return { positions, seen, newlines };
  }
}

export interface PrefilterOptions {
  /** Run the automaton in WebAssembly when available (false: the JavaScript loop, for tests). @default true */
  readonly useWasm?: boolean;
  /**
   * Per keyword (lowercase): the characters (1 at their codes below 128) after which its occurrences are left
   * out of `occurrences` and `present`. The detector sets it for keywords that only rules tried at the
   * keyword itself use, when each of those rules' patterns refuses to start after those characters.
   */
  readonly notAfter?: ReadonlyMap<string, Uint8Array>;
}

/** Keyword occurrences in a text, by keyword id (see KeywordPrefilter.idOf). */
export interface KeywordOccurrences {
  readonly positions: ReadonlyArray<readonly number[] | undefined>;
  readonly seen: readonly number[];
  /** Newlines in the range asked for. */
  readonly newlines: number;
}
