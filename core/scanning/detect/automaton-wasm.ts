/**
 * The keyword automaton's inner loop as a tiny WebAssembly function (hand-assembled below: no toolchain,
 * no dependency). It walks the same automaton as the JavaScript loop in prefilter.ts, about twice as fast, and
 * writes an event (position, state) wherever a keyword ends; JavaScript then turns the few events into
 * positions. The 256-column table prefilter.ts builds is first folded into byte classes (bytes whose column is
 * the same in every state share one: about 45 for the built-in keywords, instead of 256), so the table is a
 * sixth of the size (764 KB to 137 KB for the built-ins). Memory layout: bytes 0-11 the two streams' newline
 * counts and the second stream's event count, at CLASSES_AT each byte's class (a byte), the table from
 * TABLE_AT (entries are byte addresses of rows), then the input, then the events of each stream (8 bytes
 * each, at most one a byte of input).
 */

const CLASSES_AT = 16;
const TABLE_AT = CLASSES_AT + 256;

// The function: scan(input, endA, startB, n, eventsA, eventsB, linesFromA, linesToA, linesFromB, linesToB,
// table) -> events of stream A; writes stream A's newline count at 0, B's at 4, B's event count at 8.
// Two streams: A walks input[0, endA), B walks input[startB, n), in the same loop. Each step's table load
// depends on the previous step's (the state), so one stream waits on memory latency at every byte; two
// independent streams overlap those waits (about 1.6x). B starts in state 0 early enough (prefilter.ts puts
// startB a longest keyword before endA) to be in A's state by endA; its events before endA are dropped by
// the caller. With startB = n, B is empty and A does all. (Folding the table into byte classes did not change
// the speed of one stream, which waits on latency; with two it saves about 12%.)
const I32 = 0x7f;
const get = (l: number) => [0x20, l];
const set = (l: number) => [0x21, l];
const tee = (l: number) => [0x22, l];
const constI32 = (v: number) => [0x41, ...sleb(v)];
const [
  INPUT,
  END_A,
  START_B,
  N,
  EVENTS_A,
  EVENTS_B,
  LINES_FROM_A,
  LINES_TO_A,
  LINES_FROM_B,
  LINES_TO_B,
  TABLE,
] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const PARAMS = 11;
const [I, J, STATE_A, STATE_B, ENTRY_A, ENTRY_B, COUNT_A, COUNT_B, NEWLINES_A, NEWLINES_B] = [
  11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
];
const LOCALS = 10;
const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  if: [0x04, 0x40],
  else: [0x05],
  end: [0x0b],
  br: (depth: number) => [0x0c, depth],
  brIf: (depth: number) => [0x0d, depth],
  load: [0x28, 0x02, 0x00], // i32.load align 4, offset 0
  load8: [0x2d, 0x00, 0x00], // i32.load8_u
  load8Classes: [0x2d, 0x00, ...uleb(CLASSES_AT)], // i32.load8_u at offset CLASSES_AT: a byte's class
  store: (offset: number) => [0x36, 0x02, offset], // i32.store align 4
  eq: [0x46],
  ltU: [0x49],
  geS: [0x4e],
  geU: [0x4f],
  add: [0x6a],
  sub: [0x6b],
  and: [0x71],
  shl: [0x74],
};

/** One stream's locals. */
interface Stream {
  readonly at: number;
  readonly state: number;
  readonly entry: number;
  readonly events: number;
  readonly count: number;
  readonly newlines: number;
  readonly linesFrom: number;
  readonly linesTo: number;
}
const A: Stream = {
  at: I,
  state: STATE_A,
  entry: ENTRY_A,
  events: EVENTS_A,
  count: COUNT_A,
  newlines: NEWLINES_A,
  linesFrom: LINES_FROM_A,
  linesTo: LINES_TO_A,
};
const B: Stream = {
  at: J,
  state: STATE_B,
  entry: ENTRY_B,
  events: EVENTS_B,
  count: COUNT_B,
  newlines: NEWLINES_B,
  linesFrom: LINES_FROM_B,
  linesTo: LINES_TO_B,
};

/** The table load of one step: entry = row(state)[class(input[at])]. */
// prettier-ignore
const load = (s: Stream) => [
  get(s.state), get(INPUT), get(s.at), op.add, op.load8, op.load8Classes, constI32(2), op.shl, op.add, op.load,
  set(s.entry),
];

/** The rest of one step: the next state, and an event or a newline where the entry is flagged; then at++. */
// prettier-ignore
const advance = (s: Stream) => [
  get(s.entry), constI32(0), op.geS, op.if, // entry >= 0: no event
  get(s.entry), set(s.state),
  op.else,
  constI32(-1), get(s.entry), op.sub, tee(s.state), get(TABLE), op.eq, op.if, // state = -1 - entry; state 0: a newline
  get(s.at), get(s.linesFrom), op.geU, get(s.at), get(s.linesTo), op.ltU, op.and, op.if,
  get(s.newlines), constI32(1), op.add, set(s.newlines),
  op.end,
  op.else, // a keyword ends here: events[count] = (at, state)
  get(s.events), get(s.count), constI32(3), op.shl, op.add, get(s.at), op.store(0),
  get(s.events), get(s.count), constI32(3), op.shl, op.add, get(s.state), op.store(4),
  get(s.count), constI32(1), op.add, set(s.count),
  op.end,
  op.end,
  get(s.at), constI32(1), op.add, set(s.at),
];

/** Steps one stream alone until its end. */
// prettier-ignore
const rest = (s: Stream, end: number) => [
  op.block, op.loop,
  get(s.at), get(end), op.geU, op.brIf(1),
  ...load(s), ...advance(s),
  op.br(0),
  op.end, op.end,
];

// prettier-ignore
const body = [
  [0x01, LOCALS, I32],
  get(TABLE), set(STATE_A), get(TABLE), set(STATE_B), // state 0's row
  get(START_B), set(J),
  // Both streams, a step each, while both have bytes left.
  op.block, op.loop,
  get(I), get(END_A), op.geU, op.brIf(1),
  get(J), get(N), op.geU, op.brIf(1),
  ...load(A), ...load(B), ...advance(A), ...advance(B),
  op.br(0),
  op.end, op.end,
  rest(A, END_A),
  rest(B, N),
  constI32(0), get(NEWLINES_A), op.store(0),
  constI32(0), get(NEWLINES_B), op.store(4),
  constI32(0), get(COUNT_B), op.store(8),
  get(COUNT_A),
  op.end,
].flat(2);

function sleb(value: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    const done = (value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    const byte = value & 0x7f;
    value >>>= 7;
    out.push(value === 0 ? byte : byte | 0x80);
  } while (value !== 0);
  return out;
}

const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
const name = (text: string) => [text.length, ...[...text].map((c) => c.charCodeAt(0))];

const MODULE_BYTES = new Uint8Array([
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00,
  ...section(1, [0x01, 0x60, PARAMS, ...Array<number>(PARAMS).fill(I32), 0x01, I32]),
  ...section(2, [0x01, ...name('env'), ...name('mem'), 0x02, 0x00, 0x01]),
  ...section(3, [0x01, 0x00]),
  ...section(7, [0x01, ...name('scan'), 0x00, 0x00]),
  ...section(10, [0x01, ...uleb(body.length), ...body]),
]);

/** The part of the WebAssembly global used here (the project's TypeScript lib has no DOM types). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}
const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

let compiled: object | null | undefined;

function wasmModule(): object | null {
  if (compiled === undefined) {
    try {
      compiled = wasm === undefined ? null : new wasm.Module(MODULE_BYTES);
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

type ScanFunction = (
  input: number,
  endA: number,
  startB: number,
  n: number,
  eventsA: number,
  eventsB: number,
  linesFromA: number,
  linesToA: number,
  linesFromB: number,
  linesToB: number,
  table: number,
) => number;

/** Texts shorter than this are walked as one stream (two would save nothing worth the set-up). */
const TWO_STREAMS_FROM = 4096;

/** The result of one pass: event i is a keyword-ending state at a position. */
export interface AutomatonEvents {
  readonly count: number;
  /** positions[k], states[k] of event k: interleaved, `count` pairs. */
  readonly events: Int32Array;
  readonly newlines: number;
}

/** One automaton table in WebAssembly memory; null when WebAssembly is not available. */
export class WasmAutomaton {
  readonly #memory: WasmMemory;
  readonly #scan: ScanFunction;
  readonly #inputAt: number;
  /** Bytes a row of the folded table takes (classes * 4). */
  readonly #rowBytes: number;
  /** The longest keyword's length, less one: how far back stream B starts before stream A's end. */
  readonly #longest: number;

  private constructor(
    { classes, folded, rowBytes }: FoldedTable,
    longestKeyword: number,
    api: WasmApi,
    module: object,
  ) {
    this.#rowBytes = rowBytes;
    this.#longest = Math.max(0, longestKeyword - 1);
    this.#inputAt = TABLE_AT + folded.byteLength;
    this.#memory = new api.Memory({
      initial: Math.ceil((this.#inputAt + 65536) / 65536),
    });
    const instance = new api.Instance(module, { env: { mem: this.#memory } });
    this.#scan = instance.exports.scan as ScanFunction;
    new Uint8Array(this.#memory.buffer, CLASSES_AT, 256).set(classes);
    new Int32Array(this.#memory.buffer, TABLE_AT, folded.length).set(folded);
  }

  /**
   * Builds one for this table (entries as prefilter.ts makes them) and the longest keyword's length, or null
   * without WebAssembly (the JavaScript loop runs then).
   */
  static create(table: Int32Array, longestKeyword: number): WasmAutomaton | null {
    const module = wasmModule();
    if (module === null || wasm === undefined) return null;
    return new WasmAutomaton(foldByteClasses(table), longestKeyword, wasm, module);
  }

  /**
   * Runs the table over text (as Latin-1 bytes, one a character); newlines counted in [linesFrom, linesTo).
   * Event states are given as prefilter.ts numbers them (state * 256), in order of position.
   */
  run(text: string, linesFrom: number, linesTo: number): AutomatonEvents {
    const n = text.length;
    // Stream A walks [0, endA), stream B [startB, n): B starts a longest keyword early, so that at endA it
    // is in the state A would be in (an automaton's state depends only on the last `longest` bytes).
    const endA = n < TWO_STREAMS_FROM ? n : n >> 1;
    const startB = endA === n ? n : Math.max(0, endA - this.#longest);
    const eventsA = (this.#inputAt + n + 7) & ~7;
    const eventsB = eventsA + 8 * endA;
    const needed = eventsB + 8 * (n - startB);
    if (needed > this.#memory.buffer.byteLength)
      this.#memory.grow(Math.ceil((needed - this.#memory.buffer.byteLength) / 65536));
    const buffer = this.#memory.buffer;
    Buffer.from(buffer, this.#inputAt, n).write(text, 0, 'latin1');
    const countA = this.#scan(
      this.#inputAt,
      endA,
      startB,
      n,
      eventsA,
      eventsB,
      linesFrom,
      Math.min(linesTo, endA),
      Math.max(linesFrom, endA),
      linesTo,
      TABLE_AT,
    );
    const header = new Int32Array(buffer, 0, 3);
    const words = new Int32Array(buffer);
    // B's events from endA on follow A's (a move towards lower addresses, in order: nothing is overwritten
    // before it is read); B's earlier events are A's, found again.
    let count = countA;
    const fromB = eventsB >> 2;
    const to = eventsA >> 2;
    for (let k = 0; k < header[2]!; k++) {
      const position = words[fromB + 2 * k]!;
      if (position < endA) continue;
      words[to + 2 * count] = position;
      words[to + 2 * count + 1] = words[fromB + 2 * k + 1]!;
      count++;
    }
    const events = new Int32Array(buffer, eventsA, 2 * count);
    // Row addresses back to the caller's state numbers.
    for (let k = 1; k < events.length; k += 2) events[k] = ((events[k]! - TABLE_AT) / this.#rowBytes) * 256;
    return { count, events, newlines: header[0]! + header[1]! };
  }
}

/** A table folded into byte classes. */
export interface FoldedTable {
  /** Each byte's class (its entry's index within a row). */
  readonly classes: Uint8Array;
  /** Rows of `rowBytes / 4` entries: byte addresses of the next row, negated minus one where flagged. */
  readonly folded: Int32Array;
  readonly rowBytes: number;
}

/**
 * Folds a 256-column table (entry: next state * 256, or -(next * 256) - 1 where a keyword ends or at a
 * newline) into byte classes: bytes whose columns are equal in every state share a class. The folded entries
 * are the byte addresses of the next state's row in WebAssembly memory, negated minus one when flagged.
 */
export function foldByteClasses(table: Int32Array): FoldedTable {
  const states = table.length / 256;
  const classOf = new Map<string, number>();
  const classes = new Uint8Array(256);
  const representative: number[] = [];
  for (let b = 0; b < 256; b++) {
    const column: number[] = [];
    for (let s = 0; s < states; s++) column.push(table[s * 256 + b]!);
    const key = column.join(',');
    let cls = classOf.get(key);
    if (cls === undefined) {
      cls = representative.length;
      classOf.set(key, cls);
      representative.push(b);
    }
    classes[b] = cls;
  }
  const width = representative.length;
  const rowBytes = width * 4;
  const folded = new Int32Array(states * width);
  for (let s = 0; s < states; s++) {
    for (let c = 0; c < width; c++) {
      const entry = table[s * 256 + representative[c]!]!;
      const next = (entry >= 0 ? entry : -entry - 1) / 256;
      const address = TABLE_AT + next * rowBytes;
      folded[s * width + c] = entry >= 0 ? address : -address - 1;
    }
  }
  return { classes, folded, rowBytes };
}
