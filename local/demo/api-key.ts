import {
  CreateSecretCommand,
  GetSecretValueCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { EcsStandIn } from '../ecs';
import { fakeSaasProviderConfig, startFakeSaas, type FakeSaas } from '../fake-saas';
import type { LocalHandler } from '../lambda-runner';
import type { Reporter } from '../reporter';
import type { SecretsManagerEmulator } from '../secrets-manager';
import { resourcesOfType } from '../template';
import type { SynthesizedStack } from '../synth';
import { DEMO_API_KEY_ID } from './demo-stack';

/** The API key the demo manages: where it lives, the SaaS that enforces it, and its value (to plant in an image). */
export interface DemoApiKey {
  readonly name: string;
  readonly arn: string;
  readonly saas: FakeSaas;
  /** The current key: the demo bakes it into an image to show remediation. */
  readonly leakedKey: string;
}

/**
 * The API key part of `rotor local`: a SaaS that issues and enforces keys (a local fake), the key secret
 * created with the tags the template gives it and the bundled rotate-api-key function attached, a service
 * that reads it, and Rotor learning its fingerprint (update-fingerprints, as after each rotation).
 */
export async function apiKeyDemo(options: {
  reporter: Reporter;
  stack: SynthesizedStack;
  emulator: SecretsManagerEmulator;
  sm: SecretsManagerClient;
  ecs: EcsStandIn;
  rotateApiKey: { arn: string; handler: LocalHandler };
  updateFingerprints: LocalHandler;
  /** Other managed secrets whose fingerprints to learn (the database demo's, when it ran). */
  alsoFingerprint: readonly string[];
  cleanups: Array<() => Promise<void> | void>;
}): Promise<DemoApiKey> {
  const { reporter, sm } = options;
  const saas = await startFakeSaas({ keyLimit: 3 });
  options.cleanups.push(() => saas.close());
  const [, secretProps] = resourcesOfType(options.stack.template, 'AWS::SecretsManager::Secret').find(
    ([id, props]) => id.startsWith(DEMO_API_KEY_ID) && props.Name === 'demo/billing-key',
  )!;
  const name = String(secretProps.Name);
  const tags = (secretProps.Tags as Array<{ Key: string; Value: string }>) ?? [];

  const { data: created } = await reporter.step(
    `created ${name}, a key of a local SaaS that enforces its keys`,
    async () => {
      const adminArn = (
        await sm.send(new CreateSecretCommand({ Name: 'demo/billing-admin', SecretString: saas.adminToken }))
      ).ARN!;
      const configArn = (
        await sm.send(
          new CreateSecretCommand({
            Name: 'demo/billing-config',
            SecretString: JSON.stringify(fakeSaasProviderConfig(saas.url)),
          }),
        )
      ).ARN!;
      const issued = saas.seedKey('billing');
      const arn = (
        await sm.send(
          new CreateSecretCommand({
            Name: name,
            Tags: tags,
            SecretString: JSON.stringify({
              provider: 'fake-saas',
              keyId: issued.id,
              apiKey: issued.key,
              name: 'billing',
              adminArn,
              providerConfigArn: configArn,
            }),
          }),
        )
      ).ARN!;
      options.emulator.registerRotationHandler(
        options.rotateApiKey.arn,
        async (event) => void (await options.rotateApiKey.handler(event)),
      );
      // Bring it under rotation the way Secrets Manager does: RotateSecret with the function, which rotates
      // once now (the seeded key is replaced and left as AWSPREVIOUS).
      const first = await sm.send(
        new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: options.rotateApiKey.arn }),
      );
      const run = await options.emulator.rotations.waitFor(first.VersionId!);
      if (run.status !== 'succeeded') {
        throw new Error(
          `the first rotation failed at ${run.failedStep}: ${(run.error as Error | undefined)?.name}`,
        );
      }
      options.ecs.addService({
        cluster: 'demo',
        serviceName: 'billing-worker',
        desiredCount: 2,
        taskDefinition: options.ecs.addTaskDefinition({
          family: 'billing-worker',
          containerDefinitions: [
            {
              name: 'worker',
              image: 'billing-worker',
              secrets: [{ name: 'BILLING_API_KEY', valueFrom: `${arn}:apiKey::` }],
            },
          ],
        }),
      });
      return {
        detail:
          'RotateSecret ran the bundled rotate-api-key function once; ECS service demo/billing-worker reads the key',
        data: { arn, key: await currentKey(sm, arn) },
      };
    },
  );

  await reporter.step(
    'Rotor learned the fingerprints of the secrets it manages (update-fingerprints)',
    async () => {
      const lines: string[] = [];
      for (const secretId of [...options.alsoFingerprint, name]) {
        const out = (await options.updateFingerprints({ secretId })) as {
          records: number;
          skipped: Array<{ field: string; reason: string }>;
        };
        lines.push(
          `${secretId}: ${out.records} keyed HMAC records (current and previous values; no value stored)` +
            (out.skipped.length
              ? `; skipped ${out.skipped.map((s) => `${s.field} (${s.reason})`).join(', ')}`
              : ''),
        );
      }
      return {
        detail: 'the scanner can now name these secrets when it sees their values',
        block: lines.join('\n'),
      };
    },
  );
  return { name, arn: created.arn, saas, leakedKey: created.key };
}

async function currentKey(sm: SecretsManagerClient, arn: string): Promise<string> {
  const out = await sm.send(new GetSecretValueCommand({ SecretId: arn }));
  return (JSON.parse(out.SecretString!) as { apiKey: string }).apiKey;
}
