import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import {
  Name,
  Pkcs10CertificateRequestGenerator,
  SubjectAlternativeNameExtension,
} from '../../../core/rotation/certificate/x509';

/** A fresh key pair and a PEM CSR for `commonName` with DNS and IP SANs (test input, generated each run). */
export async function makeCsr(
  commonName: string,
  sans: { dns?: string[]; ip?: string[] } = {},
): Promise<{ csrPem: string; privateKey: KeyObject; publicKey: KeyObject }> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const csr = await Pkcs10CertificateRequestGenerator.create({
    name: new Name([{ CN: [commonName] }]),
    keys: {
      privateKey: privateKey.toCryptoKey(algorithm, false, ['sign']),
      publicKey: publicKey.toCryptoKey(algorithm, true, ['verify']),
    },
    signingAlgorithm: algorithm,
    extensions: [
      new SubjectAlternativeNameExtension([
        ...(sans.dns ?? []).map((value) => ({ type: 'dns' as const, value })),
        ...(sans.ip ?? []).map((value) => ({ type: 'ip' as const, value })),
      ]),
    ],
  });
  return { csrPem: csr.toString('pem'), privateKey, publicKey };
}
