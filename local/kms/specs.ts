/**
 * The key specs, key usages and algorithms the KMS stand-in knows, with the combinations AWS allows
 * (from the KMS API reference: CreateKey, Sign, Encrypt). One table, so validation and DescribeKey agree.
 */

export type KeySpec =
  'SYMMETRIC_DEFAULT' | 'ECC_NIST_P256' | 'ECC_NIST_P384' | 'RSA_2048' | 'RSA_3072' | 'RSA_4096';
export type KeyUsage = 'ENCRYPT_DECRYPT' | 'SIGN_VERIFY';
export type SigningAlgorithm =
  | 'ECDSA_SHA_256'
  | 'ECDSA_SHA_384'
  | 'RSASSA_PKCS1_V1_5_SHA_256'
  | 'RSASSA_PKCS1_V1_5_SHA_384'
  | 'RSASSA_PKCS1_V1_5_SHA_512'
  | 'RSASSA_PSS_SHA_256'
  | 'RSASSA_PSS_SHA_384'
  | 'RSASSA_PSS_SHA_512';
export type EncryptionAlgorithm = 'SYMMETRIC_DEFAULT' | 'RSAES_OAEP_SHA_1' | 'RSAES_OAEP_SHA_256';

const RSA_SIGNING: readonly SigningAlgorithm[] = [
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
];
const RSA_ENCRYPTION: readonly EncryptionAlgorithm[] = ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'];

interface SpecInfo {
  readonly usages: readonly KeyUsage[];
  readonly signing: readonly SigningAlgorithm[];
  readonly encryption: readonly EncryptionAlgorithm[];
}

/** What each key spec may be used for and with which algorithms. */
export const KEY_SPECS: Readonly<Record<KeySpec, SpecInfo>> = {
  SYMMETRIC_DEFAULT: { usages: ['ENCRYPT_DECRYPT'], signing: [], encryption: ['SYMMETRIC_DEFAULT'] },
  ECC_NIST_P256: { usages: ['SIGN_VERIFY'], signing: ['ECDSA_SHA_256'], encryption: [] },
  ECC_NIST_P384: { usages: ['SIGN_VERIFY'], signing: ['ECDSA_SHA_384'], encryption: [] },
  RSA_2048: { usages: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'], signing: RSA_SIGNING, encryption: RSA_ENCRYPTION },
  RSA_3072: { usages: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'], signing: RSA_SIGNING, encryption: RSA_ENCRYPTION },
  RSA_4096: { usages: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'], signing: RSA_SIGNING, encryption: RSA_ENCRYPTION },
};

/** Whether `value` names a key spec the stand-in supports. */
export function isKeySpec(value: unknown): value is KeySpec {
  return typeof value === 'string' && Object.hasOwn(KEY_SPECS, value);
}

/** The hash (Node name) and padding scheme a signing algorithm uses. */
export function signingScheme(algorithm: SigningAlgorithm): {
  hash: 'sha256' | 'sha384' | 'sha512';
  scheme: 'ecdsa' | 'pkcs1' | 'pss';
} {
  const hash = algorithm.endsWith('256') ? 'sha256' : algorithm.endsWith('384') ? 'sha384' : 'sha512';
  const scheme = algorithm.startsWith('ECDSA')
    ? 'ecdsa'
    : algorithm.startsWith('RSASSA_PSS')
      ? 'pss'
      : 'pkcs1';
  return { hash, scheme };
}

/** Every signing algorithm name, for request validation. */
export const ALL_SIGNING_ALGORITHMS: readonly SigningAlgorithm[] = [
  'ECDSA_SHA_256',
  'ECDSA_SHA_384',
  ...RSA_SIGNING,
];
