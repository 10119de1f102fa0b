import { webcrypto } from 'node:crypto';
import type { Signer, SignerAlgorithm } from './signer';

type Crypto = webcrypto.Crypto;
type CryptoKey = webcrypto.CryptoKey;
type Algorithm = webcrypto.Algorithm;
type AlgorithmIdentifier = webcrypto.AlgorithmIdentifier;
type BufferSource = webcrypto.BufferSource;

/**
 * Makes @peculiar/x509 sign through a `Signer`. x509's generators take a `crypto` argument and a signing
 * key; they call `crypto.subtle.sign(algorithm, key, tbs)` and, for ECDSA, turn WebCrypto's raw r||s into
 * DER. This shim hands x509 two opaque key handles: `sign` with the private handle goes to the Signer (KMS
 * DER signatures are converted to r||s on the way, and x509 converts them back), `exportKey('spki')` with
 * the public handle returns the Signer's public key, and everything else goes to Node's WebCrypto. It is
 * passed per call, so no global crypto provider is replaced.
 */

/** WebCrypto parameters of each signer algorithm, which also pick the signature OID in x509. */
const WEB_ALGORITHMS: Record<SignerAlgorithm, Record<string, unknown>> = {
  ECDSA_SHA_256: { name: 'ECDSA', namedCurve: 'P-256', hash: { name: 'SHA-256' } },
  ECDSA_SHA_384: { name: 'ECDSA', namedCurve: 'P-384', hash: { name: 'SHA-384' } },
  RSASSA_PKCS1_V1_5_SHA_256: { name: 'RSASSA-PKCS1-v1_5', hash: { name: 'SHA-256' } },
  RSASSA_PKCS1_V1_5_SHA_384: { name: 'RSASSA-PKCS1-v1_5', hash: { name: 'SHA-384' } },
  RSASSA_PKCS1_V1_5_SHA_512: { name: 'RSASSA-PKCS1-v1_5', hash: { name: 'SHA-512' } },
  RSASSA_PSS_SHA_256: { name: 'RSA-PSS', hash: { name: 'SHA-256' }, saltLength: 32 },
  RSASSA_PSS_SHA_384: { name: 'RSA-PSS', hash: { name: 'SHA-384' }, saltLength: 48 },
  RSASSA_PSS_SHA_512: { name: 'RSA-PSS', hash: { name: 'SHA-512' }, saltLength: 64 },
};

/** What x509 needs to sign with a Signer: the crypto to pass, and the key handles to pass to it. */
export interface SignerCrypto {
  readonly crypto: Crypto;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  /** The signing algorithm in WebCrypto form (for `signingAlgorithm`). */
  readonly algorithm: Algorithm;
}

/** Builds the shim for one signer. */
export function signerCrypto(signer: Signer): SignerCrypto {
  const algorithm = WEB_ALGORITHMS[signer.algorithm];
  const handle = (type: 'private' | 'public'): CryptoKey =>
    Object.freeze({
      algorithm,
      type,
      extractable: type === 'public',
      usages: type === 'private' ? ['sign'] : ['verify'],
    }) as unknown as CryptoKey;
  const privateKey = handle('private');
  const publicKey = handle('public');
  const base = webcrypto as unknown as Crypto;

  const subtle = new Proxy(base.subtle, {
    get(target, property) {
      if (property === 'sign') {
        return async (alg: AlgorithmIdentifier, key: CryptoKey, data: BufferSource): Promise<ArrayBuffer> => {
          if (key !== privateKey) return target.sign(alg, key, data);
          const signature = await signer.sign(toBytes(data));
          const web =
            algorithm.name === 'ECDSA'
              ? derToRaw(signature, algorithm.namedCurve === 'P-384' ? 48 : 32)
              : signature;
          return toArrayBuffer(web);
        };
      }
      if (property === 'exportKey') {
        return async (format: string, key: CryptoKey) => {
          if (key !== publicKey && key !== privateKey) return target.exportKey(format as 'spki', key);
          if (format !== 'spki')
            throw new Error(`the signer's key can be exported only as spki, not ${format}`);
          return toArrayBuffer(await signer.publicKeySpki());
        };
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const crypto = {
    subtle,
    getRandomValues: (array: Uint8Array) => base.getRandomValues(array),
    randomUUID: () => base.randomUUID(),
  } as unknown as Crypto;
  return { crypto, privateKey, publicKey, algorithm: algorithm as unknown as Algorithm };
}

function toBytes(data: BufferSource): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** DER `ECDSA-Sig-Value` to WebCrypto's fixed-width r||s. */
export function derToRaw(der: Uint8Array, size: number): Uint8Array {
  let offset = 0;
  const fail = (): never => {
    throw new Error('the signer returned a malformed ECDSA signature');
  };
  const length = (): number => {
    const first = der[offset++] ?? fail();
    if (first < 0x80) return first;
    if (first === 0x81) return der[offset++] ?? fail();
    return fail();
  };
  if (der[offset++] !== 0x30) fail();
  length();
  const out = new Uint8Array(size * 2);
  for (let i = 0; i < 2; i++) {
    if (der[offset++] !== 0x02) fail();
    let n = length();
    let start = offset;
    offset += n;
    while (n > size && der[start] === 0) {
      start++;
      n--;
    }
    if (n > size || offset > der.length) fail();
    out.set(der.subarray(start, start + n), i * size + (size - n));
  }
  return out;
}
