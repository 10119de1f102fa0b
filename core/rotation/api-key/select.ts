import { InvalidSecretError } from '../errors';
import type { SecretDescription } from '../ports';
import type { Rotator } from '../rotator';
import { API_KEY_KIND, apiKeyRotator, type ApiKeyRotatorOptions } from './rotator';
import type { ApiKeySecret } from './secret';

/** The tag naming the kind of secret, as the constructs write it. */
export const API_KEY_KIND_TAG = 'rotor:kind';

/**
 * A `rotatorFor` for the engine: the api-key rotator for secrets tagged `rotor:kind=api-key`, and
 * `InvalidSecretError` naming the tag for any other secret (a function must not rotate what it was not
 * deployed for). One rotator serves every secret; the provider is chosen per secret.
 *
 * @example
 *   rotationHandler({ service: 'rotate-api-key', rotatorFor: apiKeyRotatorFor({ providers }) });
 */
export function apiKeyRotatorFor(
  options: ApiKeyRotatorOptions,
): (secret: SecretDescription) => Rotator<ApiKeySecret> {
  const rotator = apiKeyRotator(options);
  return (secret) => {
    if (secret.tags[API_KEY_KIND_TAG] !== API_KEY_KIND) {
      throw new InvalidSecretError(`the ${API_KEY_KIND_TAG} tag is not ${API_KEY_KIND}`, {
        secretId: secret.arn,
        check: API_KEY_KIND_TAG,
      });
    }
    return rotator;
  };
}
