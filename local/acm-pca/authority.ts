import { webcrypto, createPrivateKey, type KeyObject } from 'node:crypto';
import {
  BasicConstraintsExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectKeyIdentifierExtension,
  X509Certificate,
  X509CertificateGenerator,
} from '../../core/rotation/certificate/x509';
import { randomSerialNumber } from '../../core/rotation/certificate/serial';

/** The CA key algorithms the stand-in can generate (ACM PCA's `KeyAlgorithm` names). */
export type CaKeyAlgorithm = 'EC_prime256v1' | 'EC_secp384r1' | 'RSA_2048';

/** The private CA behind the stand-in: its certificate and a WebCrypto signing key that never leaves it. */
export interface StandInCa {
  readonly certificate: X509Certificate;
  readonly signingKey: webcrypto.CryptoKey;
  /** `EC` or `RSA`: which SigningAlgorithm values the CA accepts. */
  readonly keyType: 'EC' | 'RSA';
  readonly keyAlgorithm: string;
}

/** A CA a test brings: its certificate (PEM) and its private key. */
export interface CaMaterial {
  readonly certificatePem: string;
  readonly privateKey: KeyObject;
}

const EC_CURVES = { EC_prime256v1: 'P-256', EC_secp384r1: 'P-384' } as const;
const CURVE_NAMES: Record<string, string> = {
  prime256v1: 'EC_prime256v1',
  secp384r1: 'EC_secp384r1',
  secp521r1: 'EC_secp521r1',
};

/**
 * Generates a root CA: a fresh key pair (ECDSA P-256 by default) and a self-signed certificate with
 * basicConstraints CA:true and keyCertSign/cRLSign, valid from an hour ago for `validityDays`.
 */
export async function generateCa(
  options: { keyAlgorithm?: CaKeyAlgorithm; commonName?: string; validityDays?: number; now?: Date } = {},
): Promise<StandInCa> {
  const keyAlgorithm = options.keyAlgorithm ?? 'EC_prime256v1';
  const algorithm =
    keyAlgorithm === 'RSA_2048'
      ? {
          name: 'RSASSA-PKCS1-v1_5',
          hash: 'SHA-256',
          modulusLength: 2048,
          publicExponent: new Uint8Array([1, 0, 1]),
        }
      : { name: 'ECDSA', namedCurve: EC_CURVES[keyAlgorithm], hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(algorithm, false, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const now = options.now ?? new Date();
  const subject = `CN=${options.commonName ?? 'Rotor Local ACM PCA Root'}`;
  const certificate = await X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialNumber(),
    name: subject,
    notBefore: new Date(now.getTime() - 3_600_000),
    notAfter: new Date(now.getTime() + (options.validityDays ?? 3650) * 86_400_000),
    keys,
    signingAlgorithm: algorithm,
    extensions: [
      new BasicConstraintsExtension(true, undefined, true),
      new KeyUsagesExtension(
        KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign | KeyUsageFlags.digitalSignature,
        true,
      ),
      await SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return {
    certificate,
    signingKey: keys.privateKey,
    keyType: keyAlgorithm === 'RSA_2048' ? 'RSA' : 'EC',
    keyAlgorithm,
  };
}

/** Adopts a CA a test made elsewhere (e.g. an intermediate under its own root). */
export async function adoptCa(material: CaMaterial): Promise<StandInCa> {
  const certificate = new X509Certificate(material.certificatePem);
  const key = createPrivateKey(material.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve ?? '';
    const webCurve = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' }[curve];
    if (!webCurve) throw new Error(`The CA key's curve ${curve} is not supported`);
    return {
      certificate,
      signingKey: key.toCryptoKey({ name: 'ECDSA', namedCurve: webCurve }, false, ['sign']),
      keyType: 'EC',
      keyAlgorithm: CURVE_NAMES[curve]!,
    };
  }
  if (key.asymmetricKeyType === 'rsa') {
    return {
      certificate,
      signingKey: key.toCryptoKey({ name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']),
      keyType: 'RSA',
      keyAlgorithm: `RSA_${key.asymmetricKeyDetails?.modulusLength ?? 2048}`,
    };
  }
  throw new Error(`The CA key type ${String(key.asymmetricKeyType)} is not supported`);
}
