import { ACMClient } from '@aws-sdk/client-acm';
import { ACMPCAClient } from '@aws-sdk/client-acm-pca';
import { KMSClient } from '@aws-sdk/client-kms';
import { acmImportPort } from '../../adapters/acm-import';
import { acmPcaIssuer } from '../../adapters/acm-pca-issuer';
import { kmsSigner } from '../../adapters/kms-signer';
import { tlsHandshake } from '../../adapters/tls-check';
import { certificateRotatorFor } from '../../core/rotation/certificate/rotator';
import type { Signer } from '../../core/rotation/certificate/signer';
import { rotationHandler } from '../shared/rotation-handler';

// Renews TLS certificates (secrets tagged rotor:kind=certificate): a new key and certificate from the CA
// whose record the secret names (its key stays in KMS) or from ACM Private CA, re-imported into ACM when the
// secret names an ACM certificate, and proven by a TLS handshake before it becomes AWSCURRENT.
const kms = new KMSClient({});
const pca = new ACMPCAClient({});
const signers = new Map<string, Signer>(); // one per key: each caches its public key
export const handler = rotationHandler({
  service: 'rotate-certificate',
  rotatorFor: certificateRotatorFor({
    signerFor: (record) => {
      const key = `${record.keyId}/${record.signingAlgorithm}`;
      let signer = signers.get(key);
      if (!signer) {
        signer = kmsSigner({ client: kms, keyId: record.keyId, algorithm: record.signingAlgorithm });
        signers.set(key, signer);
      }
      return signer;
    },
    pcaIssuerFor: (arn) => acmPcaIssuer({ client: pca, certificateAuthorityArn: arn }),
    acm: acmImportPort(new ACMClient({})),
    handshake: (pending, caPem) => tlsHandshake(pending, caPem),
  }),
});
