import { ACMClient } from '@aws-sdk/client-acm';
import { ACMPCAClient } from '@aws-sdk/client-acm-pca';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { acmImportPort } from '../../adapters/acm-import';
import { acmPcaIssuer } from '../../adapters/acm-pca-issuer';
import { kmsSigner } from '../../adapters/kms-signer';
import { tagSecret } from '../../adapters/secrets-listing';
import { secretsManagerStore } from '../../adapters/secrets-store';
import { tlsHandshake } from '../../adapters/tls-check';
import { certificateRotatorFor } from '../../core/rotation/certificate/rotator';
import type { Signer } from '../../core/rotation/certificate/signer';
import { createLogger } from '../shared/logger';
import { rotationHandler, type RotationInvocation } from '../shared/rotation-handler';
import { recordCertificateValidity } from './record-validity';

// Renews TLS certificates (secrets tagged rotor:kind=certificate): a new key and certificate from the CA
// whose record the secret names (its key stays in KMS) or from ACM Private CA, re-imported into ACM when the
// secret names an ACM certificate, and proven by a TLS handshake before it becomes AWSCURRENT. After
// finishSecret the secret is tagged with the new certificate's validity, which the daily sweep renews by.
const kms = new KMSClient({});
const pca = new ACMPCAClient({});
const secrets = new SecretsManagerClient({});
const signers = new Map<string, Signer>(); // one per key: each caches its public key
const rotate = rotationHandler({
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
const logger = createLogger('rotate-certificate');
const validity = {
  store: secretsManagerStore(secrets),
  tag: (secretId: string, tags: Record<string, string>) => tagSecret(secrets, secretId, tags),
  warn: (message: string, fields: Record<string, string>) => logger.warn(message, fields),
};

export const handler = async (event: RotationInvocation, context: Context) => {
  const result = await rotate(event, context);
  if (event.Step === 'finishSecret') await recordCertificateValidity(event.SecretId, validity);
  return result;
};
