import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateKeyCommand, KMSClient, type KeySpec } from '@aws-sdk/client-kms';
import { kmsSigner } from '../../../adapters/kms-signer';
import type { SignerAlgorithm } from '../../../core/rotation/certificate/signer';
import { startKmsStandIn, type KmsStandIn } from '../../../local/kms';

const execFileAsync = promisify(execFile);

/** The KMS stand-in, a real KMSClient over a socket, and a temp folder for PEM files handed to OpenSSL. */
export interface KmsCaFixture {
  readonly kms: KmsStandIn;
  readonly client: KMSClient;
  readonly dir: string;
  /** Creates a SIGN_VERIFY key and returns its id and a signer over it. */
  signingKey(
    spec: KeySpec,
    algorithm: SignerAlgorithm,
  ): Promise<{ keyId: string; signer: ReturnType<typeof kmsSigner> }>;
  /** Writes a file into the temp folder and returns its path. */
  write(name: string, content: string): Promise<string>;
  /** Runs openssl; resolves with stdout and stderr, rejects with them on a non-zero exit. */
  openssl(...args: string[]): Promise<{ stdout: string; stderr: string }>;
  close(): Promise<void>;
}

export async function startKmsCaFixture(): Promise<KmsCaFixture> {
  const kms = await startKmsStandIn({ region: 'eu-west-1' });
  const client = new KMSClient({
    endpoint: kms.endpoint,
    region: kms.region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  const dir = await mkdtemp(join(tmpdir(), 'rotor-ca-'));
  return {
    kms,
    client,
    dir,
    async signingKey(spec, algorithm) {
      const { KeyMetadata } = await client.send(
        new CreateKeyCommand({ KeySpec: spec, KeyUsage: 'SIGN_VERIFY', Description: 'rotor test CA' }),
      );
      const keyId = KeyMetadata!.KeyId!;
      return { keyId, signer: kmsSigner({ client, keyId, algorithm }) };
    },
    async write(name, content) {
      const path = join(dir, name);
      await writeFile(path, content);
      return path;
    },
    openssl: (...args) => execFileAsync('openssl', args, { encoding: 'utf8' }),
    async close() {
      client.destroy();
      await kms.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
