/**
 * The keyword automaton's inner loop as a tiny WebAssembly function (hand-assembled below: no toolchain,
 * no dependency). It walks the same table as the JavaScript loop in prefilter.ts, about twice as fast, and
 * writes an event (position, state) wherever a keyword ends; JavaScript then turns the few events into
 * positions. Memory layout: bytes 0-3 the newline count, the table from TABLE_AT, then the input, then the
 * events (8 bytes each, at most one a byte of input).
 */

const TABLE_AT = 16;

// The function: scan(input, n, events, linesFrom, linesTo, table) -> number of events.
// Locals: 6 i, 7 state, 8 entry, 9 count, 10 newlines.
const I32 = 0x7f;
const get = (l: number) => [0x20, l];
const set = (l: number) => [0x21, l];
const tee = (l: number) => [0x22, l];
const constI32 = (v: number) => [0x41, ...sleb(v)];
const [INPUT, N, EVENTS, LINES_FROM, LINES_TO, TABLE, I, STATE, ENTRY, COUNT, NEWLINES] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
];
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
  store: (offset: number) => [0x36, 0x02, offset], // i32.store align 4
  eqz: [0x45],
  ltU: [0x49],
  geS: [0x4e],
  geU: [0x4f],
  add: [0x6a],
  sub: [0x6b],
  and: [0x71],
  shl: [0x74],
};
const eventAddress = [get(EVENTS), get(COUNT), constI32(3), op.shl, op.add];

// prettier-ignore
const body = [
  [0x01, 0x05, I32], // five i32 locals
  op.block, op.loop,
  get(I), get(N), op.geU, op.brIf(1), // i >= n: done
  get(TABLE), get(STATE), get(INPUT), get(I), op.add, op.load8, op.add, constI32(2), op.shl, op.add, op.load,
  tee(ENTRY), constI32(0), op.geS, op.if, // entry = table[state + input[i]]; entry >= 0: no event
  get(ENTRY), set(STATE),
  op.else,
  constI32(-1), get(ENTRY), op.sub, tee(STATE), op.eqz, op.if, // state = -1 - entry; state 0: a newline
  get(I), get(LINES_FROM), op.geU, get(I), get(LINES_TO), op.ltU, op.and, op.if,
  get(NEWLINES), constI32(1), op.add, set(NEWLINES),
  op.end,
  op.else, // a keyword ends here: events[count] = (i, state)
  ...eventAddress, get(I), op.store(0),
  ...eventAddress, get(STATE), op.store(4),
  get(COUNT), constI32(1), op.add, set(COUNT),
  op.end,
  op.end,
  get(I), constI32(1), op.add, set(I),
  op.br(0),
  op.end, op.end, // loop, block
  constI32(0), get(NEWLINES), op.store(0),
  get(COUNT),
  op.end,
].flat();

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
  ...section(1, [0x01, 0x60, 0x06, I32, I32, I32, I32, I32, I32, 0x01, I32]),
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
  n: number,
  events: number,
  linesFrom: number,
  linesTo: number,
  table: number,
) => number;

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

  private constructor(table: Int32Array, api: WasmApi, module: object) {
    this.#inputAt = TABLE_AT + table.byteLength;
    this.#memory = new api.Memory({
      initial: Math.ceil((this.#inputAt + 65536) / 65536),
    });
    const instance = new api.Instance(module, { env: { mem: this.#memory } });
    this.#scan = instance.exports.scan as ScanFunction;
    new Int32Array(this.#memory.buffer, TABLE_AT, table.length).set(table);
  }

  /** Builds one for this table (entries as prefilter.ts makes them), or null without WebAssembly. */
  static create(table: Int32Array): WasmAutomaton | null {
    const module = wasmModule();
    return module === null || wasm === undefined ? null : new WasmAutomaton(table, wasm, module);
  }

  /** Runs the table over text (as Latin-1 bytes, one a character); newlines counted in [linesFrom, linesTo). */
  run(text: string, linesFrom: number, linesTo: number): AutomatonEvents {
    const n = text.length;
    const eventsAt = (this.#inputAt + n + 7) & ~7;
    const needed = eventsAt + 8 * n;
    if (needed > this.#memory.buffer.byteLength)
      this.#memory.grow(Math.ceil((needed - this.#memory.buffer.byteLength) / 65536));
    const buffer = this.#memory.buffer;
    Buffer.from(buffer, this.#inputAt, n).write(text, 0, 'latin1');
    const count = this.#scan(this.#inputAt, n, eventsAt, linesFrom, linesTo, TABLE_AT);
    return {
      count,
      events: new Int32Array(buffer, eventsAt, 2 * count),
      newlines: new Int32Array(buffer, 0, 1)[0]!,
    };
  }
}
