import { CreateKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { kmsSigner } from '../../adapters/kms-signer';
import { createRootCaCertificate } from '../../core/rotation/certificate/authority';
import { buildCaRecord, createCaRecord } from '../../core/rotation/certificate/ca-record';
import { ROTATION_TAGS } from '../../core/contracts/rotation';
import type { LocalHandler } from '../lambda-runner';
import type { Reporter } from '../reporter';
import type { SecretsManagerEmulator } from '../secrets-manager';
import type { SynthesizedStack } from '../synth';
import { resourcesOfType } from '../template';
import { DEMO_CERTIFICATE_ID } from './demo-stack';

/**
 * The certificate part of `rotor local`: a private CA whose key is created in the KMS stand-in and never
 * leaves it (the CA certificate is self-signed through KMS Sign, as `rotor ca init` does), and the demo's
 * TLS certificate issued by the bundled rotate-certificate function through RotateSecret. testSecret
 * completes a real TLS handshake with the new certificate; the function then tags the secret with the
 * certificate's validity, from which the daily sweep renews it.
 */
export async function certificateDemo(options: {
  reporter: Reporter;
  stack: SynthesizedStack;
  emulator: SecretsManagerEmulator;
  sm: SecretsManagerClient;
  kms: KMSClient;
  rotateCertificate: { arn: string; handler: LocalHandler };
}): Promise<void> {
  const { reporter, sm } = options;
  const props = (suffix: string) =>
    resourcesOfType(options.stack.template, 'AWS::SecretsManager::Secret').find(([id]) =>
      id.startsWith(`${DEMO_CERTIFICATE_ID}${suffix}`),
    )![1];
  const caName = String(props('CaRecord').Name);
  const secretProps = props('Secret');
  const name = String(secretProps.Name);

  await reporter.step(
    `created a private CA whose key stays in KMS (rotor ca init), stored as ${caName}`,
    async () => {
      const { KeyMetadata } = await options.kms.send(
        new CreateKeyCommand({
          KeySpec: 'ECC_NIST_P256',
          KeyUsage: 'SIGN_VERIFY',
          Description: 'rotor local CA',
        }),
      );
      const keyId = KeyMetadata!.KeyId!;
      const signer = kmsSigner({ client: options.kms, keyId, algorithm: 'ECDSA_SHA_256' });
      const certificate = await createRootCaCertificate(signer, {
        subject: 'CN=Rotor local demo CA',
        now: new Date(),
        validityDays: 365,
      });
      const record = createCaRecord({ certificate, keyId, signingAlgorithm: signer.algorithm });
      await sm.send(new CreateSecretCommand({ Name: caName, SecretString: buildCaRecord(record) }));
      return {
        detail: `${record.subject}, ECDSA P-256 key ${keyId} in the KMS stand-in, valid until ${record.notAfter}`,
      };
    },
  );

  await reporter.step(
    `issued ${name}: RotateSecret ran the bundled rotate-certificate function`,
    async () => {
      const { ARN: arn } = await sm.send(
        new CreateSecretCommand({
          Name: name,
          Tags: (secretProps.Tags as Array<{ Key: string; Value: string }>) ?? [],
          SecretString: JSON.stringify({
            subject: 'CN=payments.internal',
            subjectAltNames: ['DNS:payments.internal', 'IP:127.0.0.1'],
            issuer: caName,
            profile: { validityDays: 30 },
          }),
        }),
      );
      options.emulator.registerRotationHandler(
        options.rotateCertificate.arn,
        async (event) => void (await options.rotateCertificate.handler(event)),
      );
      const out = await sm.send(
        new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: options.rotateCertificate.arn }),
      );
      const run = await options.emulator.rotations.waitFor(out.VersionId!);
      if (run.status !== 'succeeded') {
        throw new Error(
          `the rotation failed at ${run.failedStep}: ${(run.error as Error | undefined)?.name}`,
        );
      }
      const current = JSON.parse(
        (await sm.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString!,
      ) as {
        subject: string;
        subjectAltNames: string[];
        serialNumber: string;
        notAfter: string;
      };
      const tags = Object.fromEntries(
        ((await sm.send(new DescribeSecretCommand({ SecretId: arn }))).Tags ?? []).map((t) => [
          t.Key,
          t.Value,
        ]),
      );
      return {
        detail:
          'testSecret verified the chain and the key and completed a TLS handshake trusting only the CA',
        block: [
          `${current.subject} (${current.subjectAltNames.join(', ')}), serial ${current.serialNumber}`,
          `valid until ${current.notAfter}; tagged ${ROTATION_TAGS.notAfter}=${tags[ROTATION_TAGS.notAfter] ?? '?'} for the sweep`,
          'the private key went to Secrets Manager only: it is in no log and no output',
        ].join('\n'),
      };
    },
  );
}
