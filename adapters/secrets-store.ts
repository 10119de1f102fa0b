import {
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { Sensitive } from '../core/sensitive';
import {
  SecretStoreRequestError,
  SecretStoreUnavailableError,
  VersionExistsError,
} from '../core/rotation/errors';
import type {
  RandomPasswordRequest,
  SecretDescription,
  SecretStore,
  SecretVersion,
  VersionSelector,
} from '../core/rotation/ports';
import { awsErrorInfo } from './aws-errors';

/**
 * The SecretStore port over Secrets Manager. Throttling, 5xx and network errors (after the SDK's own
 * retries) become `SecretStoreUnavailableError` (retryable); other refusals `SecretStoreRequestError`
 * naming the operation and the AWS error code, never a service message or a value.
 *
 * @example
 *   const store = secretsManagerStore(new SecretsManagerClient({}));
 */
export function secretsManagerStore(
  client: SecretsManagerClient = new SecretsManagerClient({}),
): SecretStore {
  const fail = (operation: string, secretId: string, error: unknown): never => {
    const { code, retryable } = awsErrorInfo(error);
    const where = { secretId, check: operation };
    if (retryable)
      throw new SecretStoreUnavailableError(
        `Secrets Manager could not answer ${operation} (${code})`,
        where,
        error,
      );
    if (code === 'ResourceNotFoundException') {
      throw new SecretStoreRequestError(
        `Secrets Manager cannot find the secret (${operation})`,
        { secretId, check: 'secret-exists' },
        error,
      );
    }
    throw new SecretStoreRequestError(`Secrets Manager refused ${operation} (${code})`, where, error);
  };

  return {
    async describe(secretId: string): Promise<SecretDescription> {
      try {
        const out = await client.send(new DescribeSecretCommand({ SecretId: secretId }));
        return {
          arn: out.ARN ?? secretId,
          name: out.Name ?? secretId,
          ...(out.RotationEnabled === undefined ? {} : { rotationEnabled: out.RotationEnabled }),
          ...(out.RotationLambdaARN ? { rotationLambdaArn: out.RotationLambdaARN } : {}),
          versionIdsToStages: out.VersionIdsToStages ?? {},
          tags: Object.fromEntries(
            (out.Tags ?? []).filter((t) => t.Key !== undefined).map((t) => [t.Key!, t.Value ?? '']),
          ),
        };
      } catch (error) {
        return fail('DescribeSecret', secretId, error);
      }
    },

    async getValue(secretId: string, selector: VersionSelector): Promise<SecretVersion | undefined> {
      try {
        const out = await client.send(
          new GetSecretValueCommand({
            SecretId: secretId,
            ...(selector.versionId === undefined ? {} : { VersionId: selector.versionId }),
            ...(selector.stage === undefined ? {} : { VersionStage: selector.stage }),
          }),
        );
        if (out.SecretString === undefined) {
          throw new SecretStoreRequestError(
            'the version holds a binary secret; rotation needs SecretString',
            {
              secretId,
              ...(out.VersionId === undefined ? {} : { versionId: out.VersionId }),
              check: 'secret-string',
            },
          );
        }
        return {
          versionId: out.VersionId ?? selector.versionId ?? '',
          secretString: Sensitive.of(out.SecretString),
          stages: out.VersionStages ?? [],
        };
      } catch (error) {
        if (error instanceof SecretStoreRequestError) throw error;
        // No such version, stage, or a version without a value yet: the contract treats these as absent.
        if (awsErrorInfo(error).code === 'ResourceNotFoundException') return undefined;
        return fail('GetSecretValue', secretId, error);
      }
    },

    async putValue(secretId, put): Promise<void> {
      try {
        await client.send(
          new PutSecretValueCommand({
            SecretId: secretId,
            ClientRequestToken: put.token,
            SecretString: put.secretString.reveal(),
            VersionStages: [...put.stages],
          }),
        );
      } catch (error) {
        if (awsErrorInfo(error).code === 'ResourceExistsException') {
          throw new VersionExistsError(
            'the version already exists with another value',
            { secretId, versionId: put.token, check: 'version-unique' },
            error,
          );
        }
        fail('PutSecretValue', secretId, error);
      }
    },

    async updateVersionStage(secretId, update): Promise<void> {
      try {
        await client.send(
          new UpdateSecretVersionStageCommand({
            SecretId: secretId,
            VersionStage: update.stage,
            ...(update.moveToVersionId === undefined ? {} : { MoveToVersionId: update.moveToVersionId }),
            ...(update.removeFromVersionId === undefined
              ? {}
              : { RemoveFromVersionId: update.removeFromVersionId }),
          }),
        );
      } catch (error) {
        fail('UpdateSecretVersionStage', secretId, error);
      }
    },

    async getRandomPassword(request: RandomPasswordRequest): Promise<Sensitive<string>> {
      try {
        const out = await client.send(
          new GetRandomPasswordCommand({
            PasswordLength: request.length,
            ExcludeCharacters: request.excludeCharacters,
            ExcludeNumbers: request.excludeNumbers,
            ExcludePunctuation: request.excludePunctuation,
            ExcludeUppercase: request.excludeUppercase,
            ExcludeLowercase: request.excludeLowercase,
            IncludeSpace: request.includeSpace,
            RequireEachIncludedType: request.requireEachIncludedType,
          }),
        );
        if (out.RandomPassword === undefined)
          throw new SecretStoreRequestError('GetRandomPassword returned no password', {
            secretId: '*',
            check: 'GetRandomPassword',
          });
        return Sensitive.of(out.RandomPassword);
      } catch (error) {
        if (error instanceof SecretStoreRequestError) throw error;
        return fail('GetRandomPassword', '*', error);
      }
    },
  };
}
