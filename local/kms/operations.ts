import { constants, createHash, privateDecrypt, publicEncrypt, randomBytes, sign, verify } from 'node:crypto';
import type { Clock } from '../../core/clock';
import { AwsServiceError, type Operation } from '../aws-json-server';
import { blobKeyId, canonicalContext, open, seal } from './ciphertext';
import type { Denials } from './denials';
import { invalidState, type KeyStore, type StoredKey } from './key-store';
import { signDigest, verifyDigest } from './prehashed';
import {
  ALL_SIGNING_ALGORITHMS,
  KEY_SPECS,
  isKeySpec,
  signingScheme,
  type EncryptionAlgorithm,
  type KeyUsage,
  type SigningAlgorithm,
} from './specs';

/** The KMS operations the stand-in answers, over a key store, a clock and the test's denials. */
export function kmsOperations(store: KeyStore, clock: Clock, denials: Denials): Record<string, Operation> {
  /** Resolves the key named by `KeyId` and applies denials. */
  const keyFor = (operation: string, input: Record<string, unknown>, field = 'KeyId'): StoredKey => {
    const key = store.resolve(input[field]);
    denials.check(operation, store.accountId, key);
    return key;
  };

  return {
    CreateKey: async (input) => {
      denials.check('CreateKey', store.accountId);
      const spec = input.KeySpec ?? input.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT';
      if (!isKeySpec(spec)) throw validation(`KeySpec ${String(spec)} is not supported`);
      const usage = (input.KeyUsage ?? 'ENCRYPT_DECRYPT') as KeyUsage;
      if (!KEY_SPECS[spec].usages.includes(usage)) {
        throw validation(`KeyUsage ${String(usage)} is not compatible with KeySpec ${spec}`);
      }
      if (input.Origin !== undefined && input.Origin !== 'AWS_KMS') {
        throw new AwsServiceError(
          'UnsupportedOperationException',
          `Origin ${String(input.Origin)} is not supported`,
        );
      }
      const description = optionalString(input.Description, 'Description', 8192) ?? '';
      const key = await store.create(spec, usage, description, parseTags(input.Tags), clock.now());
      return { KeyMetadata: metadata(store, key) };
    },

    DescribeKey: (input) => ({ KeyMetadata: metadata(store, keyFor('DescribeKey', input)) }),

    ListKeys: () => ({
      Keys: store.list().map((key) => ({ KeyId: key.keyId, KeyArn: key.arn })),
      Truncated: false,
    }),

    GetPublicKey: (input) => {
      const key = usable(keyFor('GetPublicKey', input));
      if (!key.publicKey)
        throw new AwsServiceError(
          'UnsupportedOperationException',
          `${key.arn} key usage is not supported for this operation.`,
        );
      return {
        KeyId: key.arn,
        PublicKey: key.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
        CustomerMasterKeySpec: key.spec,
        KeySpec: key.spec,
        KeyUsage: key.usage,
        ...algorithms(key),
      };
    },

    Sign: (input) => {
      const key = usable(keyFor('Sign', input));
      const { algorithm, message, messageType } = signingInput(key, input);
      const { hash, scheme } = signingScheme(algorithm);
      const signature =
        messageType === 'DIGEST'
          ? signDigest(key.material, scheme, hash, message)
          : sign(hash, message, nodeSignOptions(key, scheme));
      return { KeyId: key.arn, Signature: signature.toString('base64'), SigningAlgorithm: algorithm };
    },

    Verify: (input) => {
      const key = usable(keyFor('Verify', input));
      const { algorithm, message, messageType } = signingInput(key, input);
      const signature = blob(input.Signature, 'Signature', 1, 6144);
      const { hash, scheme } = signingScheme(algorithm);
      let valid: boolean;
      try {
        valid =
          messageType === 'DIGEST'
            ? verifyDigest(key.publicKey!, scheme, hash, message, signature)
            : verify(hash, message, nodeSignOptions(key, scheme, key.publicKey), signature);
      } catch {
        valid = false;
      }
      if (!valid) throw new AwsServiceError('KMSInvalidSignatureException', 'The signature is not valid');
      return { KeyId: key.arn, SignatureValid: true, SigningAlgorithm: algorithm };
    },

    Encrypt: (input) => {
      const key = usable(keyFor('Encrypt', input));
      const plaintext = blob(input.Plaintext, 'Plaintext', 1, 4096);
      const algorithm = encryptionAlgorithm(key, input.EncryptionAlgorithm);
      const ciphertext =
        algorithm === 'SYMMETRIC_DEFAULT'
          ? seal(key.keyId, key.material, plaintext, canonicalContext(input.EncryptionContext))
          : publicEncrypt(oaep(key, algorithm, 'public'), plaintext);
      return {
        CiphertextBlob: ciphertext.toString('base64'),
        KeyId: key.arn,
        EncryptionAlgorithm: algorithm,
      };
    },

    Decrypt: (input) => {
      const ciphertext = blob(input.CiphertextBlob, 'CiphertextBlob', 1, 6144);
      const named = input.KeyId === undefined ? undefined : store.resolve(input.KeyId);
      const requested = (input.EncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT') as EncryptionAlgorithm;
      if (named && named.spec !== 'SYMMETRIC_DEFAULT') {
        denials.check('Decrypt', store.accountId, named);
        const algorithm = encryptionAlgorithm(usable(named), requested);
        let plaintext: Buffer;
        try {
          plaintext = privateDecrypt(oaep(named, algorithm, 'private'), ciphertext);
        } catch {
          throw new AwsServiceError('InvalidCiphertextException', 'The ciphertext is invalid');
        }
        return { KeyId: named.arn, Plaintext: plaintext.toString('base64'), EncryptionAlgorithm: algorithm };
      }
      const key = store.byId(blobKeyId(ciphertext));
      if (!key)
        throw new AwsServiceError(
          'InvalidCiphertextException',
          'The ciphertext refers to a key that does not exist',
        );
      if (named && named.keyId !== key.keyId) {
        throw new AwsServiceError(
          'IncorrectKeyException',
          'The key ID in the request does not identify the key used to encrypt the ciphertext',
        );
      }
      denials.check('Decrypt', store.accountId, key);
      encryptionAlgorithm(usable(key), requested);
      const plaintext = open(key.material, ciphertext, canonicalContext(input.EncryptionContext));
      return {
        KeyId: key.arn,
        Plaintext: plaintext.toString('base64'),
        EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      };
    },

    GenerateDataKey: (input) => {
      const { key, plaintext } = dataKey('GenerateDataKey', input);
      const ciphertext = seal(key.keyId, key.material, plaintext, canonicalContext(input.EncryptionContext));
      return {
        CiphertextBlob: ciphertext.toString('base64'),
        Plaintext: plaintext.toString('base64'),
        KeyId: key.arn,
      };
    },

    GenerateDataKeyWithoutPlaintext: (input) => {
      const { key, plaintext } = dataKey('GenerateDataKeyWithoutPlaintext', input);
      const ciphertext = seal(key.keyId, key.material, plaintext, canonicalContext(input.EncryptionContext));
      return { CiphertextBlob: ciphertext.toString('base64'), KeyId: key.arn };
    },

    ListResourceTags: (input) => ({ Tags: [...keyFor('ListResourceTags', input).tags], Truncated: false }),

    CreateAlias: (input) => {
      denials.check('CreateAlias', store.accountId);
      store.createAlias(input.AliasName, input.TargetKeyId, clock.now());
      return {};
    },

    DeleteAlias: (input) => {
      store.deleteAlias(input.AliasName);
      return {};
    },

    ListAliases: (input) => ({
      Aliases: store.aliases(input.KeyId === undefined ? undefined : store.resolve(input.KeyId).keyId),
      Truncated: false,
    }),

    DisableKey: (input) => {
      const key = keyFor('DisableKey', input);
      if (key.state === 'PendingDeletion') throw invalidState(key);
      key.state = 'Disabled';
      return {};
    },

    EnableKey: (input) => {
      const key = keyFor('EnableKey', input);
      if (key.state === 'PendingDeletion') throw invalidState(key);
      key.state = 'Enabled';
      return {};
    },

    ScheduleKeyDeletion: (input) => {
      const key = keyFor('ScheduleKeyDeletion', input);
      if (key.state === 'PendingDeletion') throw invalidState(key);
      const days = input.PendingWindowInDays ?? 30;
      if (typeof days !== 'number' || !Number.isInteger(days) || days < 7 || days > 30) {
        throw validation('PendingWindowInDays must be an integer between 7 and 30');
      }
      key.state = 'PendingDeletion';
      key.pendingWindowInDays = days;
      key.deletionDate = new Date(clock.now().getTime() + days * 86_400_000);
      return {
        KeyId: key.arn,
        DeletionDate: key.deletionDate.getTime() / 1000,
        KeyState: key.state,
        PendingWindowInDays: days,
      };
    },

    CancelKeyDeletion: (input) => {
      const key = keyFor('CancelKeyDeletion', input);
      if (key.state !== 'PendingDeletion') {
        throw new AwsServiceError('KMSInvalidStateException', `${key.arn} is not pending deletion.`);
      }
      key.state = 'Disabled'; // as in AWS: a key whose deletion is cancelled comes back disabled
      key.deletionDate = undefined;
      key.pendingWindowInDays = undefined;
      return { KeyId: key.arn };
    },
  };

  function dataKey(operation: string, input: Record<string, unknown>): { key: StoredKey; plaintext: Buffer } {
    const key = usable(keyFor(operation, input));
    if (key.spec !== 'SYMMETRIC_DEFAULT') {
      throw new AwsServiceError(
        'InvalidKeyUsageException',
        `${key.arn} key usage is not supported for this operation.`,
      );
    }
    const { KeySpec: spec, NumberOfBytes: count } = input;
    if ((spec === undefined) === (count === undefined)) {
      throw validation('Please specify either number of bytes or key spec.');
    }
    let length: number;
    if (spec !== undefined) {
      if (spec !== 'AES_256' && spec !== 'AES_128')
        throw validation(`KeySpec ${String(spec)} must be AES_256 or AES_128`);
      length = spec === 'AES_256' ? 32 : 16;
    } else {
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 1024) {
        throw validation('NumberOfBytes must be an integer between 1 and 1024');
      }
      length = count;
    }
    return { key, plaintext: randomBytes(length) };
  }
}

function validation(message: string): AwsServiceError {
  return new AwsServiceError('ValidationException', message);
}

/** DisabledException or KMSInvalidStateException for a key that cannot be used now. */
function usable(key: StoredKey): StoredKey {
  if (key.state === 'Disabled') throw new AwsServiceError('DisabledException', `${key.arn} is disabled.`);
  if (key.state === 'PendingDeletion') throw invalidState(key);
  return key;
}

function blob(value: unknown, field: string, min: number, max: number): Buffer {
  if (typeof value !== 'string') throw validation(`${field} is required`);
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length < min || bytes.length > max) {
    throw validation(
      `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length between ${min} and ${max}`,
    );
  }
  return bytes;
}

function optionalString(value: unknown, field: string, max: number): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > max)
    throw validation(`${field} must be a string of at most ${max} characters`);
  return value;
}

function parseTags(value: unknown): StoredKey['tags'] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw validation('Tags must be a list');
  return value.map((tag: unknown) => {
    const { TagKey, TagValue } = (tag ?? {}) as Record<string, unknown>;
    if (typeof TagKey !== 'string' || TagKey.length === 0 || typeof TagValue !== 'string') {
      throw new AwsServiceError('TagException', 'Each tag needs a TagKey and a TagValue');
    }
    return { TagKey, TagValue };
  });
}

function algorithms(key: StoredKey): { SigningAlgorithms?: string[]; EncryptionAlgorithms?: string[] } {
  const spec = KEY_SPECS[key.spec];
  return key.usage === 'SIGN_VERIFY'
    ? { SigningAlgorithms: [...spec.signing] }
    : { EncryptionAlgorithms: [...spec.encryption] };
}

function metadata(store: KeyStore, key: StoredKey): Record<string, unknown> {
  return {
    AWSAccountId: store.accountId,
    KeyId: key.keyId,
    Arn: key.arn,
    CreationDate: key.createdAt.getTime() / 1000,
    Enabled: key.state === 'Enabled',
    Description: key.description,
    KeyUsage: key.usage,
    KeyState: key.state,
    ...(key.deletionDate
      ? {
          DeletionDate: key.deletionDate.getTime() / 1000,
          PendingDeletionWindowInDays: key.pendingWindowInDays,
        }
      : {}),
    Origin: 'AWS_KMS',
    KeyManager: 'CUSTOMER',
    CustomerMasterKeySpec: key.spec,
    KeySpec: key.spec,
    ...algorithms(key),
    MultiRegion: false,
  };
}

function signingInput(
  key: StoredKey,
  input: Record<string, unknown>,
): { algorithm: SigningAlgorithm; message: Buffer; messageType: 'RAW' | 'DIGEST' } {
  if (key.usage !== 'SIGN_VERIFY') {
    throw new AwsServiceError(
      'InvalidKeyUsageException',
      `${key.arn} key usage is ${key.usage} which is not valid for signing.`,
    );
  }
  const algorithm = input.SigningAlgorithm;
  if (!ALL_SIGNING_ALGORITHMS.includes(algorithm as SigningAlgorithm)) {
    throw validation(`SigningAlgorithm ${String(algorithm)} is not a valid signing algorithm`);
  }
  if (!KEY_SPECS[key.spec].signing.includes(algorithm as SigningAlgorithm)) {
    throw new AwsServiceError(
      'InvalidKeyUsageException',
      `Algorithm ${String(algorithm)} is incompatible with key spec ${key.spec}.`,
    );
  }
  const messageType = input.MessageType ?? 'RAW';
  if (messageType !== 'RAW' && messageType !== 'DIGEST')
    throw validation(`MessageType ${String(messageType)} is not supported`);
  const message = blob(input.Message, 'Message', 1, 4096);
  if (messageType === 'DIGEST') {
    const expected = createHash(signingScheme(algorithm as SigningAlgorithm).hash).digest().length;
    if (message.length !== expected) {
      throw validation(
        `Digest is invalid length for algorithm ${String(algorithm)}: expected ${expected} bytes`,
      );
    }
  }
  return { algorithm: algorithm as SigningAlgorithm, message, messageType };
}

function nodeSignOptions(key: StoredKey, scheme: 'ecdsa' | 'pkcs1' | 'pss', publicKey = key.material) {
  if (scheme === 'ecdsa') return { key: publicKey, dsaEncoding: 'der' as const };
  if (scheme === 'pkcs1') return { key: publicKey, padding: constants.RSA_PKCS1_PADDING };
  return {
    key: publicKey,
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
  };
}

function encryptionAlgorithm(key: StoredKey, requested: unknown): EncryptionAlgorithm {
  if (key.usage !== 'ENCRYPT_DECRYPT') {
    throw new AwsServiceError(
      'InvalidKeyUsageException',
      `${key.arn} key usage is ${key.usage} which is not valid for encryption.`,
    );
  }
  const algorithm = (requested ?? 'SYMMETRIC_DEFAULT') as EncryptionAlgorithm;
  if (!KEY_SPECS[key.spec].encryption.includes(algorithm)) {
    throw new AwsServiceError(
      'InvalidKeyUsageException',
      `Algorithm ${String(algorithm)} is incompatible with key spec ${key.spec}.`,
    );
  }
  return algorithm;
}

function oaep(key: StoredKey, algorithm: EncryptionAlgorithm, side: 'public' | 'private') {
  return {
    key: side === 'public' ? key.publicKey! : key.material,
    padding: constants.RSA_PKCS1_OAEP_PADDING,
    oaepHash: algorithm === 'RSAES_OAEP_SHA_1' ? 'sha1' : 'sha256',
  };
}
