import { constants, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { Signer, SignerAlgorithm } from '../../../core/rotation/certificate/signer';
import { signerHash } from '../../../core/rotation/certificate/signer';

/** A Signer over a Node key held in memory, shaped like KMS answers (DER ECDSA signatures). */
export function memorySigner(
  algorithm: SignerAlgorithm = 'ECDSA_SHA_256',
  privateKey?: KeyObject,
): Signer & { calls: number } {
  const key =
    privateKey ??
    (algorithm.startsWith('ECDSA')
      ? generateKeyPairSync('ec', { namedCurve: algorithm.endsWith('384') ? 'P-384' : 'P-256' }).privateKey
      : generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
  const spki = new Uint8Array(
    (key.type === 'private' ? require('node:crypto').createPublicKey(key) : key).export({
      type: 'spki',
      format: 'der',
    }),
  );
  const options = algorithm.startsWith('ECDSA')
    ? { key, dsaEncoding: 'der' as const }
    : algorithm.startsWith('RSASSA_PSS')
      ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
      : { key, padding: constants.RSA_PKCS1_PADDING };
  const signer = {
    algorithm,
    calls: 0,
    publicKeySpki: async () => spki,
    sign: async (data: Uint8Array) => {
      signer.calls++;
      return new Uint8Array(sign(signerHash(algorithm), data, options));
    },
  };
  return signer;
}
