import { randomBytes } from 'node:crypto';

/**
 * A random 128-bit certificate serial number as lower-case hex. The top bit is cleared (a positive
 * INTEGER) and the next one set, so the DER encoding is always exactly 16 bytes; 126 bits stay random,
 * well above the 64 bits of entropy the CA/Browser Forum asks for.
 */
export function randomSerialNumber(random: (size: number) => Uint8Array = randomBytes): string {
  const bytes = Uint8Array.from(random(16));
  bytes[0] = (bytes[0]! & 0x7f) | 0x40;
  return Buffer.from(bytes).toString('hex');
}
