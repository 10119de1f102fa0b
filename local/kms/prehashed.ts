import {
  constants,
  createHash,
  privateEncrypt,
  publicDecrypt,
  randomBytes,
  type KeyObject,
} from 'node:crypto';

/**
 * Signing and verifying a message digest (KMS `MessageType: DIGEST`). Node's `crypto.sign` always hashes
 * its input, so a pre-hashed digest needs the schemes spelled out: ECDSA over P-256/P-384 in BigInt
 * arithmetic, and RSA PKCS#1 v1.5 / PSS encodings (RFC 8017) around a raw RSA operation. Slow next to
 * OpenSSL, fine for a test stand-in; RAW messages go through Node's crypto instead.
 */

type Hash = 'sha256' | 'sha384' | 'sha512';

interface Curve {
  readonly p: bigint;
  readonly n: bigint;
  readonly a: bigint;
  readonly gx: bigint;
  readonly gy: bigint;
  readonly bytes: number;
}

const P256: Curve = {
  p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
  n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  a: 0xffffffff00000001000000000000000000000000fffffffffffffffffffffffcn,
  gx: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
  gy: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
  bytes: 32,
};

const P384: Curve = {
  p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
  n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  a: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000fffffffcn,
  gx: 0xaa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7n,
  gy: 0x3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5fn,
  bytes: 48,
};

type Point = { x: bigint; y: bigint } | null;

const mod = (a: bigint, m: bigint): bigint => ((a % m) + m) % m;

function invert(a: bigint, m: bigint): bigint {
  let [oldR, r] = [mod(a, m), m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return mod(oldS, m);
}

function add(c: Curve, p1: Point, p2: Point): Point {
  if (!p1) return p2;
  if (!p2) return p1;
  let lambda: bigint;
  if (p1.x === p2.x) {
    if (mod(p1.y + p2.y, c.p) === 0n) return null;
    lambda = mod((3n * p1.x * p1.x + c.a) * invert(2n * p1.y, c.p), c.p);
  } else {
    lambda = mod((p2.y - p1.y) * invert(p2.x - p1.x, c.p), c.p);
  }
  const x = mod(lambda * lambda - p1.x - p2.x, c.p);
  return { x, y: mod(lambda * (p1.x - x) - p1.y, c.p) };
}

function multiply(c: Curve, k: bigint, point: Point): Point {
  let result: Point = null;
  let addend = point;
  for (let bits = k; bits > 0n; bits >>= 1n) {
    if (bits & 1n) result = add(c, result, addend);
    addend = add(c, addend, addend);
  }
  return result;
}

const toBigInt = (bytes: Uint8Array): bigint =>
  bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
const fromBase64Url = (value: string | undefined): bigint => toBigInt(Buffer.from(value ?? '', 'base64url'));

function curveOf(key: KeyObject): Curve {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (curve === 'prime256v1') return P256;
  if (curve === 'secp384r1') return P384;
  throw new Error(`unsupported curve ${curve}`);
}

/** The digest as the integer ECDSA signs: its leftmost `n`-bit-length bits. */
function digestInteger(c: Curve, digest: Uint8Array): bigint {
  const z = toBigInt(digest);
  const excess = digest.length * 8 - c.n.toString(2).length;
  return excess > 0 ? z >> BigInt(excess) : z;
}

function derInteger(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
}

function derLength(length: number): Buffer {
  return length < 0x80 ? Buffer.from([length]) : Buffer.from([0x81, length]);
}

/** Encodes (r, s) as the DER `ECDSA-Sig-Value` KMS returns. */
function derSignature(r: bigint, s: bigint): Buffer {
  const body = Buffer.concat([derInteger(r), derInteger(s)]);
  return Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]);
}

/** Decodes a DER `ECDSA-Sig-Value`; undefined when it is malformed. */
function parseDerSignature(signature: Uint8Array): { r: bigint; s: bigint } | undefined {
  const bytes = Buffer.from(signature);
  let offset = 0;
  const readLength = (): number => {
    const first = bytes[offset++]!;
    if (first < 0x80) return first;
    if (first === 0x81) return bytes[offset++]!;
    return -1;
  };
  if (bytes[offset++] !== 0x30) return undefined;
  if (readLength() !== bytes.length - offset) return undefined;
  const integers: bigint[] = [];
  for (let i = 0; i < 2; i++) {
    if (bytes[offset++] !== 0x02) return undefined;
    const length = readLength();
    if (length <= 0 || offset + length > bytes.length) return undefined;
    integers.push(toBigInt(bytes.subarray(offset, offset + length)));
    offset += length;
  }
  if (offset !== bytes.length) return undefined;
  return { r: integers[0]!, s: integers[1]! };
}

function ecdsaSignDigest(key: KeyObject, digest: Uint8Array): Buffer {
  const c = curveOf(key);
  const d = fromBase64Url(key.export({ format: 'jwk' }).d);
  const z = digestInteger(c, digest);
  for (;;) {
    const k = mod(toBigInt(randomBytes(c.bytes + 8)), c.n - 1n) + 1n;
    const point = multiply(c, k, { x: c.gx, y: c.gy });
    const r = mod(point!.x, c.n);
    if (r === 0n) continue;
    let s = mod(invert(k, c.n) * (z + r * d), c.n);
    if (s === 0n) continue;
    if (s > c.n / 2n) s = c.n - s; // low-s, as most signers produce
    return derSignature(r, s);
  }
}

function ecdsaVerifyDigest(key: KeyObject, digest: Uint8Array, signature: Uint8Array): boolean {
  const c = curveOf(key);
  const parsed = parseDerSignature(signature);
  if (!parsed) return false;
  const { r, s } = parsed;
  if (r <= 0n || r >= c.n || s <= 0n || s >= c.n) return false;
  const jwk = key.export({ format: 'jwk' });
  const q = { x: fromBase64Url(jwk.x), y: fromBase64Url(jwk.y) };
  const w = invert(s, c.n);
  const u1 = mod(digestInteger(c, digest) * w, c.n);
  const u2 = mod(r * w, c.n);
  const point = add(c, multiply(c, u1, { x: c.gx, y: c.gy }), multiply(c, u2, q));
  return point !== null && mod(point.x, c.n) === r;
}

// DER DigestInfo prefixes of RFC 8017 section 9.2, note 1.
const DIGEST_INFO: Record<Hash, string> = {
  sha256: '3031300d060960864801650304020105000420',
  sha384: '3041300d060960864801650304020205000430',
  sha512: '3051300d060960864801650304020305000440',
};

function mgf1(hash: Hash, seed: Buffer, length: number): Buffer {
  const chunks: Buffer[] = [];
  for (let counter = 0; Buffer.concat(chunks).length < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    chunks.push(createHash(hash).update(seed).update(c).digest());
  }
  return Buffer.concat(chunks).subarray(0, length);
}

function modulusBits(key: KeyObject): number {
  return key.asymmetricKeyDetails?.modulusLength ?? 0;
}

/** EMSA-PSS-ENCODE with a salt as long as the hash, as KMS uses. */
function pssEncode(hash: Hash, digest: Buffer, modBits: number): Buffer {
  const hLen = digest.length;
  const emBits = modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  const salt = randomBytes(hLen);
  const h = createHash(hash).update(Buffer.alloc(8)).update(digest).update(salt).digest();
  const db = Buffer.concat([Buffer.alloc(emLen - 2 * hLen - 2), Buffer.from([1]), salt]);
  const masked = mgf1(hash, h, db.length);
  for (let i = 0; i < db.length; i++) masked[i]! ^= db[i]!;
  masked[0]! &= 0xff >> (8 * emLen - emBits);
  const em = Buffer.concat([masked, h, Buffer.from([0xbc])]);
  const k = Math.ceil(modBits / 8);
  return em.length === k ? em : Buffer.concat([Buffer.alloc(k - em.length), em]);
}

function pssVerify(hash: Hash, digest: Buffer, encoded: Buffer, modBits: number): boolean {
  const hLen = digest.length;
  const emBits = modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  const em = encoded.subarray(encoded.length - emLen);
  if (em[em.length - 1] !== 0xbc) return false;
  const masked = Buffer.from(em.subarray(0, emLen - hLen - 1));
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  const mask = mgf1(hash, h, masked.length);
  for (let i = 0; i < masked.length; i++) masked[i]! ^= mask[i]!;
  masked[0]! &= 0xff >> (8 * emLen - emBits);
  const separator = emLen - 2 * hLen - 2;
  if (masked.subarray(0, separator).some((b) => b !== 0) || masked[separator] !== 1) return false;
  const salt = masked.subarray(separator + 1);
  const expected = createHash(hash).update(Buffer.alloc(8)).update(digest).update(salt).digest();
  return expected.equals(h);
}

/** Signs a digest; the signature is what `crypto.sign(hash, message, ...)` would make for that message. */
export function signDigest(
  key: KeyObject,
  scheme: 'ecdsa' | 'pkcs1' | 'pss',
  hash: Hash,
  digest: Uint8Array,
): Buffer {
  if (scheme === 'ecdsa') return ecdsaSignDigest(key, digest);
  const data = Buffer.from(digest);
  if (scheme === 'pkcs1') {
    const info = Buffer.concat([Buffer.from(DIGEST_INFO[hash], 'hex'), data]);
    return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, info);
  }
  return privateEncrypt({ key, padding: constants.RSA_NO_PADDING }, pssEncode(hash, data, modulusBits(key)));
}

/** Verifies a signature over a digest; false for a wrong or malformed signature. */
export function verifyDigest(
  key: KeyObject,
  scheme: 'ecdsa' | 'pkcs1' | 'pss',
  hash: Hash,
  digest: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (scheme === 'ecdsa') return ecdsaVerifyDigest(key, digest, signature);
  const k = Math.ceil(modulusBits(key) / 8);
  if (signature.length !== k) return false;
  try {
    if (scheme === 'pkcs1') {
      const info = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
      return info.equals(Buffer.concat([Buffer.from(DIGEST_INFO[hash], 'hex'), Buffer.from(digest)]));
    }
    const encoded = publicDecrypt({ key, padding: constants.RSA_NO_PADDING }, signature);
    return pssVerify(hash, Buffer.from(digest), encoded, modulusBits(key));
  } catch {
    return false;
  }
}
