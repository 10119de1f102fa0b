import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { inspect } from 'node:util';
import { randomBytes } from 'node:crypto';
import { ecrCredentialProvider, parseEcrRegistry } from '../../../../adapters/registry/ecr-auth';
import { openTarget } from '../../../../adapters/registry/open-target';
import { RegistryAuthError } from '../../../../core/scanning/image/errors';
import { parseTarget } from '../../../../core/scanning/image/target';

const ecr = mockClient(ECRClient);
beforeEach(() => ecr.reset());

function token(password: string): string {
  return Buffer.from(`AWS:${password}`).toString('base64');
}

describe('ecrCredentialProvider', () => {
  it('decodes the token into Basic credentials and never prints the password', async () => {
    const password = randomBytes(24).toString('hex');
    ecr.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [
        { authorizationToken: token(password), expiresAt: new Date(Date.now() + 12 * 3600_000) },
      ],
    });
    const credentials = await ecrCredentialProvider(new ECRClient({}), { registryId: '123456789012' })();
    expect(credentials?.username).toBe('AWS');
    expect(credentials?.password.reveal()).toBe(password);
    expect(inspect(credentials)).not.toContain(password);
    expect(JSON.stringify(credentials)).not.toContain(password);
    expect(ecr).toHaveReceivedCommandWith(GetAuthorizationTokenCommand, { registryIds: ['123456789012'] });
  });

  it('caches the token until shortly before it expires, then asks again', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const clock = { now: () => now };
    ecr
      .on(GetAuthorizationTokenCommand)
      .resolvesOnce({
        authorizationData: [
          { authorizationToken: token('first'), expiresAt: new Date('2026-01-01T12:00:00Z') },
        ],
      })
      .resolvesOnce({
        authorizationData: [
          { authorizationToken: token('second'), expiresAt: new Date('2026-01-02T00:00:00Z') },
        ],
      });
    const provider = ecrCredentialProvider(new ECRClient({}), { clock });
    expect((await provider())!.password.reveal()).toBe('first');
    now = new Date('2026-01-01T11:00:00Z');
    expect((await provider())!.password.reveal()).toBe('first');
    now = new Date('2026-01-01T11:56:00Z');
    expect((await provider())!.password.reveal()).toBe('second');
    expect(ecr).toHaveReceivedCommandTimes(GetAuthorizationTokenCommand, 2);
  });

  it('asks once when many callers want credentials at the same time', async () => {
    ecr.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [{ authorizationToken: token('p'), expiresAt: new Date(Date.now() + 3600_000) }],
    });
    const provider = ecrCredentialProvider(new ECRClient({}));
    await Promise.all([provider(), provider(), provider()]);
    expect(ecr).toHaveReceivedCommandTimes(GetAuthorizationTokenCommand, 1);
  });

  it('turns an ECR failure or an empty answer into RegistryAuthError', async () => {
    ecr
      .on(GetAuthorizationTokenCommand)
      .rejectsOnce(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }))
      .resolvesOnce({});
    const provider = ecrCredentialProvider(new ECRClient({}));
    await expect(provider()).rejects.toThrow(RegistryAuthError);
    await expect(provider()).rejects.toThrow(/no token/);
  });
});

describe('parseEcrRegistry', () => {
  it('reads account and region from an ECR host', () => {
    expect(parseEcrRegistry('123456789012.dkr.ecr.eu-west-1.amazonaws.com')).toEqual({
      accountId: '123456789012',
      region: 'eu-west-1',
    });
    expect(parseEcrRegistry('registry.example.com')).toBeUndefined();
  });
});

describe('openTarget for an ECR registry', () => {
  it('logs in with AWS and the GetAuthorizationToken password of the registry account and region', async () => {
    const password = randomBytes(16).toString('hex');
    ecr.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [
        { authorizationToken: token(password), expiresAt: new Date(Date.now() + 3600_000) },
      ],
    });
    const regions: string[] = [];
    const seen: (string | undefined)[] = [];
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [],
    });
    const fetch = (async (_url: URL, init: { headers: Record<string, string> }) => {
      seen.push(init.headers.Authorization);
      return init.headers.Authorization
        ? new Response(index, {
            status: 200,
            headers: { 'Content-Type': 'application/vnd.oci.image.index.v1+json' },
          })
        : new Response('{}', { status: 401, headers: { 'WWW-Authenticate': 'Basic realm="ecr"' } });
    }) as unknown as typeof globalThis.fetch;
    const target = parseTarget('123456789012.dkr.ecr.eu-central-1.amazonaws.com/svc/api:1');
    const source = await openTarget(target, {
      fetch,
      ecrClient: (region) => {
        regions.push(region);
        return new ECRClient({ region });
      },
    });
    if (source.kind !== 'image') throw new Error('expected an image source');

    await source.blobs.root();

    expect(regions).toEqual(['eu-central-1']);
    expect(ecr).toHaveReceivedCommandWith(GetAuthorizationTokenCommand, { registryIds: ['123456789012'] });
    expect(seen).toEqual([undefined, `Basic ${Buffer.from(`AWS:${password}`).toString('base64')}`]);
  });
});
