import { IAMClient } from '@aws-sdk/client-iam';
import { httpApiKeyProvider, parseHttpProviderConfig } from '../../adapters/http-api-key-provider';
import { iamAccessKeyProvider } from '../../adapters/iam-access-keys';
import { apiKeyRotatorFor } from '../../core/rotation/api-key/select';
import { rotationHandler } from '../shared/rotation-handler';

// Rotates API keys (secrets tagged rotor:kind=api-key): IAM user access keys, and SaaS keys through an
// HTTP admin API whose configuration the secret names. Each HTTP request reads the admin credential from
// its own secret, so rotating that credential needs no restart.
export const handler = rotationHandler({
  service: 'rotate-api-key',
  rotatorFor: apiKeyRotatorFor({
    providers: {
      awsIam: iamAccessKeyProvider({ iam: new IAMClient({}) }),
      http: (config, adminCredential) =>
        httpApiKeyProvider(parseHttpProviderConfig(config), { adminCredential }),
    },
  }),
});
