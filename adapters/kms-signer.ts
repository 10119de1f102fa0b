import { createHash } from 'node:crypto';
import { GetPublicKeyCommand, SignCommand, type KMSClient } from '@aws-sdk/client-kms';
import { SignerDeniedError, SignerUnavailableError } from '../core/rotation/certificate/errors';
import { signerHash, type Signer, type SignerAlgorithm } from '../core/rotation/certificate/signer';

/** Options of the KMS signer. */
export interface KmsSignerOptions {
  readonly client: KMSClient;
  /** Key id, key ARN, alias name (`alias/rotor-ca`) or alias ARN of an asymmetric SIGN_VERIFY key. */
  readonly keyId: string;
  /** @default 'ECDSA_SHA_256' (an ECC_NIST_P256 key); 'RSASSA_PKCS1_V1_5_SHA_256' suits an RSA_3072 key */
  readonly algorithm?: SignerAlgorithm;
  /**
   * DIGEST hashes locally and sends only the digest (any message size, less data on the wire); RAW sends
   * the message, at most 4096 bytes, and lets KMS hash it. @default 'DIGEST'
   */
  readonly messageType?: 'RAW' | 'DIGEST';
}

// Errors that mean "this key will not sign for you", as opposed to a transient failure.
const DENIED = new Set([
  'AccessDeniedException',
  'DisabledException',
  'KMSInvalidStateException',
  'NotFoundException',
  'InvalidKeyUsageException',
]);
const TRANSIENT = new Set([
  'ThrottlingException',
  'KMSInternalException',
  'DependencyTimeoutException',
  'LimitExceededException',
]);

/**
 * The CA's Signer over AWS KMS: GetPublicKey (cached: a KMS key's public key never changes) and Sign. KMS
 * errors become SignerDeniedError or SignerUnavailableError with the key id and the KMS error code only.
 */
export function kmsSigner(options: KmsSignerOptions): Signer {
  const algorithm = options.algorithm ?? 'ECDSA_SHA_256';
  const messageType = options.messageType ?? 'DIGEST';
  let publicKey: Promise<Uint8Array> | undefined;

  const translate = (operation: string, error: unknown): Error => {
    const code = (error as { name?: string }).name ?? 'Error';
    const context = { keyId: options.keyId, operation, kmsError: code };
    if (DENIED.has(code)) {
      return new SignerDeniedError(`KMS refused ${operation} with key ${options.keyId} (${code})`, {
        cause: error,
        context,
      });
    }
    if (TRANSIENT.has(code)) {
      return new SignerUnavailableError(
        `KMS ${operation} with key ${options.keyId} failed transiently (${code})`,
        {
          cause: error,
          context,
        },
      );
    }
    return error instanceof Error ? error : new Error(String(error));
  };

  return {
    algorithm,
    publicKeySpki() {
      publicKey ??= options.client
        .send(new GetPublicKeyCommand({ KeyId: options.keyId }))
        .then((answer) => {
          if (!answer.PublicKey) throw new Error('KMS GetPublicKey returned no key');
          if (answer.SigningAlgorithms && !answer.SigningAlgorithms.includes(algorithm)) {
            throw new SignerDeniedError(`KMS key ${options.keyId} does not support ${algorithm}`, {
              context: { keyId: options.keyId, algorithm, keySpec: answer.KeySpec },
            });
          }
          return answer.PublicKey;
        })
        .catch((error: unknown) => {
          publicKey = undefined; // do not cache a failure
          throw error instanceof SignerDeniedError ? error : translate('GetPublicKey', error);
        });
      return publicKey;
    },
    async sign(data) {
      const message =
        messageType === 'DIGEST' ? createHash(signerHash(algorithm)).update(data).digest() : data;
      try {
        const answer = await options.client.send(
          new SignCommand({
            KeyId: options.keyId,
            Message: message,
            MessageType: messageType,
            SigningAlgorithm: algorithm,
          }),
        );
        if (!answer.Signature) throw new Error('KMS Sign returned no signature');
        return answer.Signature;
      } catch (error) {
        throw translate('Sign', error);
      }
    },
  };
}
