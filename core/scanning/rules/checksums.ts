const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE) of an ASCII string. */
export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) crc = (crc >>> 8) ^ CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff]!;
  return (crc ^ 0xffffffff) >>> 0;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Base62 of a non-negative integer, left-padded with `0` to `width`. */
export function base62(value: number, width: number): string {
  let out = '';
  let v = value;
  do {
    out = BASE62[v % 62] + out;
    v = Math.floor(v / 62);
  } while (v > 0);
  return out.padStart(width, '0');
}

/**
 * The checksum of GitHub's and npm's token formats: the last 6 characters are the base62 of the CRC-32 of the
 * random body (the characters between the 4-character prefix and the checksum).
 * See https://github.blog/2021-04-05-behind-githubs-new-authentication-token-formats/
 */
export function hasBase62Crc32Checksum(token: string, prefixLength = 4): boolean {
  if (token.length < prefixLength + 7) return false;
  const body = token.slice(prefixLength, -6);
  return base62(crc32(body), 6) === token.slice(-6);
}

/** Appends the checksum to a token body: the inverse of hasBase62Crc32Checksum, for generated samples. */
export function withBase62Crc32Checksum(prefix: string, body: string): string {
  return prefix + body + base62(crc32(body), 6);
}
