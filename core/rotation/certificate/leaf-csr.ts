import { Sensitive } from '../../sensitive';
import type { CertificateRequest } from './issue';
import { generateLeafKey } from './issue';
import { parseCertificateProfile } from './profile';
import { validateSubjectAltNames, type SubjectAltNames } from './subject-alt-names';
import {
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  Name,
  Pkcs10CertificateRequestGenerator,
  SubjectAlternativeNameExtension,
} from './x509';

/** A leaf key pair and its CSR, for issuers that sign CSRs (ACM Private CA). */
export interface LeafCsr {
  readonly csrPem: string;
  readonly privateKey: Sensitive<string>;
  readonly names: SubjectAltNames;
}

const WEB_KEY = {
  EC: (curve: string) => ({ name: 'ECDSA', namedCurve: curve, hash: 'SHA-256' }),
  RSA: () => ({ name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }),
};

/**
 * Makes a fresh key pair for `request` (per the profile: ECDSA P-256 by default) and a CSR with its CN,
 * SANs and extended key usages, signed by that key (proof of possession).
 */
export async function createLeafCsr(
  request: CertificateRequest,
  profileInput: unknown = {},
): Promise<LeafCsr> {
  const profile = parseCertificateProfile(profileInput);
  const names = validateSubjectAltNames(request);
  const keys = await generateLeafKey(profile.key);
  const algorithm = profile.key.type === 'EC' ? WEB_KEY.EC(profile.key.curve) : WEB_KEY.RSA();
  const csr = await Pkcs10CertificateRequestGenerator.create({
    name: new Name([{ CN: [request.commonName] }]),
    keys: {
      privateKey: keys.privateKey.toCryptoKey(algorithm, false, ['sign']),
      publicKey: keys.publicKey.toCryptoKey(algorithm, true, ['verify']),
    },
    signingAlgorithm: algorithm,
    extensions: [
      new SubjectAlternativeNameExtension([
        ...names.dnsNames.map((value) => ({ type: 'dns' as const, value })),
        ...names.ipAddresses.map((value) => ({ type: 'ip' as const, value })),
      ]),
      new ExtendedKeyUsageExtension(
        profile.extendedKeyUsage.map((usage) =>
          usage === 'serverAuth' ? ExtendedKeyUsage.serverAuth : ExtendedKeyUsage.clientAuth,
        ),
      ),
    ],
  });
  return {
    csrPem: csr.toString('pem'),
    privateKey: Sensitive.of(keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()),
    names,
  };
}
