import { IAMClient } from '@aws-sdk/client-iam';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { secretsManagerStore } from '../../adapters/secrets-store';
import { httpApiKeyProvider, parseHttpProviderConfig } from '../../adapters/http-api-key-provider';
import { iamAccessKeyProvider } from '../../adapters/iam-access-keys';
import { apiKeyRevoker } from '../../core/rotation/api-key/revoker';
import { apiKeyRotatorFor } from '../../core/rotation/api-key/select';
import type { ApiKeyProviderRegistry } from '../../core/rotation/api-key/registry';
import { rotationHandler } from '../shared/rotation-handler';

// Rotates API keys (secrets tagged rotor:kind=api-key): IAM user access keys, and SaaS keys through an
// HTTP admin API whose configuration the secret names. Each HTTP request reads the admin credential from
// its own secret, so rotating that credential needs no restart.
const providers: ApiKeyProviderRegistry = {
  awsIam: iamAccessKeyProvider({ iam: new IAMClient({}) }),
  http: (config, adminCredential) => httpApiKeyProvider(parseHttpProviderConfig(config), { adminCredential }),
};
export const handler = rotationHandler({
  service: 'rotate-api-key',
  rotatorFor: apiKeyRotatorFor({ providers }),
  revoker: apiKeyRevoker({ store: secretsManagerStore(new SecretsManagerClient({})), providers }),
});
