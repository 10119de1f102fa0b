import { ACMPCAClient } from '@aws-sdk/client-acm-pca';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Dummy credentials: the stand-ins check no signature. */
export const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/** The real SDK client for a stand-in, with no retries of its own (the tests count calls). */
export function pcaClient(standIn: { endpoint: string; region: string }): ACMPCAClient {
  return new ACMPCAClient({
    endpoint: standIn.endpoint,
    region: standIn.region,
    credentials: CREDENTIALS,
    maxAttempts: 1,
  });
}

/** A temp folder for PEM files and OpenSSL run on them. */
export interface OpensslKit {
  /** `openssl verify -CAfile ca [-untrusted chain] -purpose sslserver leaf`: stdout, or throws with stderr. */
  verify(leafPem: string, caPem: string, untrustedPem?: string): Promise<string>;
  /** `openssl x509 -noout -text` of a certificate. */
  text(certificatePem: string): Promise<string>;
  close(): Promise<void>;
}

export async function opensslKit(): Promise<OpensslKit> {
  const dir = await mkdtemp(join(tmpdir(), 'rotor-acm-'));
  const write = async (content: string) => {
    const path = join(dir, `${randomUUID()}.pem`);
    await writeFile(path, content);
    return path;
  };
  const run = async (...args: string[]) =>
    (await execFileAsync('openssl', args, { encoding: 'utf8' })).stdout;
  return {
    async verify(leafPem, caPem, untrustedPem) {
      const untrusted = untrustedPem ? ['-untrusted', await write(untrustedPem)] : [];
      return run(
        'verify',
        '-CAfile',
        await write(caPem),
        ...untrusted,
        '-purpose',
        'sslserver',
        await write(leafPem),
      );
    },
    text: async (certificatePem) => run('x509', '-noout', '-text', '-in', await write(certificatePem)),
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A clock a test moves by hand. */
export function manualClock(start = new Date()): { now(): Date; advance(ms: number): void } {
  let time = start.getTime();
  return { now: () => new Date(time), advance: (ms) => (time += ms) };
}
