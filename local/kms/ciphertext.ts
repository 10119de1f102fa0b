import { createCipheriv, createDecipheriv, randomBytes, type KeyObject } from 'node:crypto';
import { AwsServiceError } from '../aws-json-server';

/**
 * The stand-in's ciphertext blob for symmetric keys: AES-256-GCM with the key id inside, so Decrypt needs no
 * KeyId, as with AWS. Layout: magic "RKM1" | key id (36 ASCII bytes, a UUID) | IV (12) | tag (16) | data.
 * The key id and the canonical encryption context are additional authenticated data: changing either, or
 * any byte of the blob, fails authentication. AWS's real blob format is opaque and differs.
 */

const MAGIC = Buffer.from('RKM1', 'ascii');
const KEY_ID_LENGTH = 36;
const HEADER_LENGTH = MAGIC.length + KEY_ID_LENGTH + 12 + 16;

/** The encryption context as bytes that do not depend on key order. */
export function canonicalContext(context: unknown): Buffer {
  if (context === undefined || context === null) return Buffer.alloc(0);
  if (typeof context !== 'object' || Array.isArray(context)) {
    throw new AwsServiceError('ValidationException', 'EncryptionContext must be a map of strings');
  }
  const entries = Object.entries(context as Record<string, unknown>);
  if (entries.some(([, value]) => typeof value !== 'string')) {
    throw new AwsServiceError('ValidationException', 'EncryptionContext values must be strings');
  }
  return Buffer.from(JSON.stringify(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), 'utf8');
}

/** Encrypts `plaintext` under a symmetric key. */
export function seal(keyId: string, key: KeyObject, plaintext: Buffer, context: Buffer): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const keyIdBytes = Buffer.from(keyId, 'ascii');
  cipher.setAAD(Buffer.concat([keyIdBytes, context]));
  const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([MAGIC, keyIdBytes, iv, cipher.getAuthTag(), data]);
}

/** The key id a blob names, or InvalidCiphertextException when the blob is not one of ours. */
export function blobKeyId(blob: Buffer): string {
  if (blob.length < HEADER_LENGTH || !blob.subarray(0, MAGIC.length).equals(MAGIC)) throw invalidCiphertext();
  return blob.subarray(MAGIC.length, MAGIC.length + KEY_ID_LENGTH).toString('ascii');
}

/** Decrypts a blob; a wrong context or a changed byte is InvalidCiphertextException, as in AWS. */
export function open(key: KeyObject, blob: Buffer, context: Buffer): Buffer {
  const keyIdBytes = blob.subarray(MAGIC.length, MAGIC.length + KEY_ID_LENGTH);
  const iv = blob.subarray(MAGIC.length + KEY_ID_LENGTH, MAGIC.length + KEY_ID_LENGTH + 12);
  const tag = blob.subarray(MAGIC.length + KEY_ID_LENGTH + 12, HEADER_LENGTH);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(Buffer.concat([keyIdBytes, context]));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(blob.subarray(HEADER_LENGTH)), decipher.final()]);
  } catch {
    throw invalidCiphertext();
  }
}

function invalidCiphertext(): AwsServiceError {
  return new AwsServiceError(
    'InvalidCiphertextException',
    'The ciphertext is invalid or was not produced for this context',
  );
}
