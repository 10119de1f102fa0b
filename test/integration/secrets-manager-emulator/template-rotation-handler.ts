import {
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { RotationEvent, RotationHandler, RotationStep } from '../../../local/secrets-manager';

/** What the test handler saw and can be told to do. */
export interface TemplateHandlerControl {
  readonly events: RotationEvent[];
  /** Throw at this step (after the stage checks), as a function whose setSecret cannot reach its database. */
  failAt?: RotationStep;
  /** Awaited at the start of each step, so a test can hold a rotation mid-way. */
  gate?: Promise<void>;
}

/**
 * A rotation function written like AWS's rotation Lambda templates, against the emulator over the SDK:
 * it checks the version's labels, createSecret puts an AWSPENDING value made with GetRandomPassword
 * (unless one is there already), setSecret and testSecret read it, finishSecret moves AWSCURRENT to it.
 */
export function templateRotationHandler(
  client: SecretsManagerClient,
  control: TemplateHandlerControl,
): RotationHandler {
  return async (event) => {
    control.events.push(event);
    await control.gate;
    const { SecretId: arn, ClientRequestToken: token, Step: step } = event;
    const metadata = await client.send(new DescribeSecretCommand({ SecretId: arn }));
    if (!metadata.RotationEnabled) throw new Error(`Secret ${arn} is not enabled for rotation`);
    const versions = metadata.VersionIdsToStages ?? {};
    if (!(token in versions))
      throw new Error(`Secret version ${token} has no stage for rotation of secret ${arn}.`);
    if (versions[token].includes('AWSCURRENT')) return;
    if (!versions[token].includes('AWSPENDING'))
      throw new Error(`Secret version ${token} not set as AWSPENDING for rotation.`);
    if (step === control.failAt) throw new Error(`simulated failure at ${step}`);
    switch (step) {
      case 'createSecret': {
        await client.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSCURRENT' }));
        try {
          await client.send(
            new GetSecretValueCommand({ SecretId: arn, VersionId: token, VersionStage: 'AWSPENDING' }),
          );
        } catch (error) {
          if (!(error instanceof ResourceNotFoundException)) throw error;
          const { RandomPassword } = await client.send(
            new GetRandomPasswordCommand({ ExcludeCharacters: '/@"\'\\' }),
          );
          await client.send(
            new PutSecretValueCommand({
              SecretId: arn,
              ClientRequestToken: token,
              SecretString: JSON.stringify({ password: RandomPassword }),
              VersionStages: ['AWSPENDING'],
              RotationToken: event.RotationToken,
            }),
          );
        }
        return;
      }
      case 'setSecret':
      case 'testSecret':
        await client.send(
          new GetSecretValueCommand({ SecretId: arn, VersionId: token, VersionStage: 'AWSPENDING' }),
        );
        return;
      case 'finishSecret': {
        const current = Object.entries(versions).find(([, stages]) => stages.includes('AWSCURRENT'))?.[0];
        await client.send(
          new UpdateSecretVersionStageCommand({
            SecretId: arn,
            VersionStage: 'AWSCURRENT',
            MoveToVersionId: token,
            RemoveFromVersionId: current,
          }),
        );
        return;
      }
    }
  };
}
