import {
  CreateSecretCommand,
  GetRandomPasswordCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { resourcesOfType, type CfnTemplate } from './template';

/**
 * Creates the secrets the template lets CloudFormation name and generate (a `GenerateSecretString` and no
 * `Name`: the fingerprint key), as deployment would: a value from GetRandomPassword with the template's
 * settings, under the name the template's `Ref` resolves to locally. Named secrets (the demo's) are left to
 * whoever gives them their real value. Answers the names created.
 */
export async function createGeneratedSecrets(
  template: CfnTemplate,
  sm: SecretsManagerClient,
  physical: (logicalId: string) => string,
): Promise<string[]> {
  const created: string[] = [];
  for (const [logicalId, props] of resourcesOfType(template, 'AWS::SecretsManager::Secret')) {
    const generate = props.GenerateSecretString as Record<string, unknown> | undefined;
    if (props.Name !== undefined || generate === undefined) continue;
    if (generate.GenerateStringKey !== undefined) {
      throw new Error(`${logicalId}: JSON secrets (GenerateStringKey) are not generated locally`);
    }
    const { RandomPassword } = await sm.send(
      new GetRandomPasswordCommand({
        PasswordLength: generate.PasswordLength as number | undefined,
        ExcludeCharacters: generate.ExcludeCharacters as string | undefined,
        ExcludePunctuation: generate.ExcludePunctuation as boolean | undefined,
        ExcludeNumbers: generate.ExcludeNumbers as boolean | undefined,
        ExcludeUppercase: generate.ExcludeUppercase as boolean | undefined,
        ExcludeLowercase: generate.ExcludeLowercase as boolean | undefined,
        IncludeSpace: generate.IncludeSpace as boolean | undefined,
        RequireEachIncludedType: generate.RequireEachIncludedType as boolean | undefined,
      }),
    );
    const name = physical(logicalId);
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: RandomPassword }));
    created.push(name);
  }
  return created;
}
