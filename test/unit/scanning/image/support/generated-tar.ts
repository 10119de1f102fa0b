/**
 * Tar streams generated on the fly, never held whole: for the scale tests (a million tiny files, one huge
 * file). Headers are written by hand (ustar, checksummed) because tar-stream's pack is too slow for a
 * million entries.
 */

const BLOCK = 512;

/** A ustar header for a regular file, or for another type flag (`5`: a directory). */
export function fileHeader(name: string, size: number, typeFlag = '0'): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  h.write(size.toString(8).padStart(11, '0') + '\0', 124, 'latin1');
  h.write('00000000000\0', 136, 'latin1');
  h.write('        ', 148, 'latin1');
  h.write(typeFlag, 156, 'latin1');
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'latin1');
  let sum = 0;
  for (let i = 0; i < BLOCK; i += 1) sum += h[i]!;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return h;
}

/**
 * `count` files of one byte each (`f/0000000`...), in chunks of 512 KiB, then the end-of-archive blocks.
 * Headers are patched from a template (name digits and checksum), so a million cost little to generate.
 */
export function* manyTinyFiles(count: number): Generator<Buffer> {
  const template = fileHeader('f/0000000', 1);
  let baseSum = 0;
  for (let i = 0; i < BLOCK; i += 1) baseSum += i >= 148 && i < 156 ? 0x20 : template[i]!;
  const perChunk = 256;
  const entry = 2 * BLOCK;
  for (let start = 0; start < count; start += perChunk) {
    const n = Math.min(count, start + perChunk) - start;
    const out = Buffer.alloc(n * entry);
    for (let k = 0; k < n; k += 1) {
      const at = k * entry;
      template.copy(out, at);
      const digits = String(start + k).padStart(7, '0');
      let sum = baseSum;
      for (let d = 0; d < 7; d += 1) {
        const c = digits.charCodeAt(d);
        out[at + 2 + d] = c;
        sum += c - 0x30;
      }
      out.write(sum.toString(8).padStart(6, '0') + '\0 ', at + 148, 'latin1');
      out[at + BLOCK] = 0x78; // 'x'
    }
    yield out;
  }
  yield Buffer.alloc(2 * BLOCK);
}

/** One file of `size` bytes of one long line (no newline), with `marker` at its very end, in 1 MiB chunks. */
export function* oneHugeLine(size: number, marker: string): Generator<Buffer> {
  yield fileHeader('var/log/one-line.txt', size);
  const chunk = Buffer.alloc(1024 * 1024, 'a');
  let left = size - marker.length;
  while (left > 0) {
    const n = Math.min(left, chunk.length);
    yield n === chunk.length ? chunk : chunk.subarray(0, n);
    left -= n;
  }
  yield Buffer.from(marker);
  const pad = (BLOCK - (size % BLOCK)) % BLOCK;
  yield Buffer.alloc(pad + 2 * BLOCK);
}
