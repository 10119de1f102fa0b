import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { randomBytes } from 'node:crypto';
import { ecrCredentialProvider } from '../../../adapters/registry/ecr-auth';
import { openTarget } from '../../../adapters/registry/open-target';
import { RegistryAuthError } from '../../../core/scanning/image/errors';
import { scanTarget } from '../../../core/scanning/image/scan';
import { parseTarget } from '../../../core/scanning/image/target';
import { FakeDetector } from '../../unit/scanning/image/support/fake-detector';
import { ImageStore } from '../../unit/scanning/image/support/image-builder';
import { FakeRegistry } from './fake-registry';

const ecr = mockClient(ECRClient);
let registry: FakeRegistry;
const password = randomBytes(32).toString('base64url');

beforeAll(async () => {
  const store = new ImageStore();
  const layer = await store.layer([{ path: 'app/.env', content: 'PLANTED-1' }]);
  const manifest = store.manifest(store.config([layer]), [layer]);
  registry = new FakeRegistry({ store, tags: { v1: manifest }, basic: { username: 'AWS', password } });
  await registry.start();
});
afterAll(async () => {
  await registry?.stop();
});
beforeEach(() => ecr.reset());

async function scanWith(token: string) {
  ecr.on(GetAuthorizationTokenCommand).resolves({
    authorizationData: [
      {
        authorizationToken: Buffer.from(`AWS:${token}`).toString('base64'),
        expiresAt: new Date(Date.now() + 12 * 3600_000),
        proxyEndpoint: registry.url,
      },
    ],
  });
  const target = parseTarget(`${registry.host}/svc/api:v1`);
  const credentials = ecrCredentialProvider(new ECRClient({ region: 'eu-west-1' }), {
    registryId: '123456789012',
  });
  return scanTarget(target, {
    detector: new FakeDetector(),
    source: await openTarget(target, { insecure: true, credentials, retryBaseDelayMs: 1 }),
  });
}

describe('scanning an ECR-style registry with a GetAuthorizationToken token', () => {
  it('answers the Basic challenge with AWS and the token from ECR, asking ECR once', async () => {
    const result = await scanWith(password);
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => f.fingerprint)).toEqual(['PLANTED-1']);
    expect(ecr).toHaveReceivedCommandTimes(GetAuthorizationTokenCommand, 1);
    expect(ecr).toHaveReceivedCommandWith(GetAuthorizationTokenCommand, { registryIds: ['123456789012'] });
  });

  it('fails with RegistryAuthError when the token is refused', async () => {
    await expect(scanWith(randomBytes(32).toString('base64url'))).rejects.toThrow(RegistryAuthError);
  });
});
