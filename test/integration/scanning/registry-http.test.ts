import { randomBytes } from 'node:crypto';
import { HttpRegistryClient, type HttpRegistryOptions } from '../../../adapters/registry/http-registry';
import { registryBlobSource } from '../../../core/scanning/image/registry-source';
import { Sensitive } from '../../../core/sensitive';
import {
  ManifestError,
  RegistryAuthError,
  RegistryResponseError,
  RegistryUnavailableError,
} from '../../../core/scanning/image/errors';
import { MANIFEST_ACCEPT } from '../../../core/scanning/image/manifest';
import { scanTarget, type ScanResult } from '../../../core/scanning/image/scan';
import { parseTarget } from '../../../core/scanning/image/target';
import { FakeDetector } from '../../unit/scanning/image/support/fake-detector';
import { ImageStore, type StoredBlob } from '../../unit/scanning/image/support/image-builder';
import { FakeRegistry, type Fault, type FakeRegistryOptions } from './fake-registry';

interface Fixture {
  store: ImageStore;
  manifest: StoredBlob;
  layers: StoredBlob[];
}

async function threeLayerImage(): Promise<Fixture> {
  const store = new ImageStore();
  const layers = [
    await store.layer([{ path: 'one', content: 'PLANTED-1' }]),
    await store.layer([{ path: 'two', content: `${randomBytes(50_000).toString('hex')} PLANTED-2` }]),
    await store.layer([{ path: 'three', content: 'PLANTED-3' }], 'zstd'),
  ];
  const manifest = store.manifest(store.config(layers, { Env: ['K=PLANTED-4'] }), layers);
  return { store, manifest, layers };
}

const running: FakeRegistry[] = [];
afterAll(async () => {
  await Promise.all(running.map((r) => r.stop()));
});

async function serve(fixture: Fixture, options: Partial<FakeRegistryOptions> = {}): Promise<FakeRegistry> {
  const registry = new FakeRegistry({ store: fixture.store, tags: { v1: fixture.manifest }, ...options });
  await registry.start();
  running.push(registry);
  return registry;
}

const fast: Partial<HttpRegistryOptions> = {
  retryBaseDelayMs: 1,
  maxRetryDelayMs: 5,
  requestTimeoutMs: 2000,
  idleTimeoutMs: 2000,
};

async function scan(registry: FakeRegistry, options: Partial<HttpRegistryOptions> = {}): Promise<ScanResult> {
  const target = parseTarget(`${registry.host}/team/app:v1`);
  if (target.kind !== 'registry') throw new Error('unreachable');
  const client = new HttpRegistryClient({ registry: target.registry, insecure: true, ...fast, ...options });
  return scanTarget(target, {
    detector: new FakeDetector(),
    source: { kind: 'image', blobs: registryBlobSource(client, target.repository, target.reference) },
  });
}

function markers(result: ScanResult): string[] {
  return result.findings.map((f) => f.fingerprint).sort();
}

describe('HttpRegistryClient auth', () => {
  const login = { username: 'ci', password: randomBytes(12).toString('hex') };

  it('answers the Bearer challenge, follows blob redirects to another origin, and sends it no credentials', async () => {
    const fixture = await threeLayerImage();
    const registry = await serve(fixture, { bearer: login, redirectBlobs: true });

    const result = await scan(registry, {
      credentials: { username: login.username, password: Sensitive.of(login.password) },
    });

    expect(result.errors).toEqual([]);
    expect(markers(result)).toEqual(['PLANTED-1', 'PLANTED-2', 'PLANTED-3', 'PLANTED-4']);
    expect(registry.tokenRequests[0]!.query).toContain('scope=repository%3Ateam%2Fapp%3Apull');
    expect(registry.tokenRequests[0]!.authorization).toMatch(/^Basic /);
    expect(registry.tokenRequests).toHaveLength(1); // the token is reused for every request
    expect(registry.storageRequests.length).toBeGreaterThanOrEqual(4);
    expect(registry.storageRequests.every((r) => r.authorization === undefined)).toBe(true);
  });

  it('sends the OCI and Docker manifest types in Accept', async () => {
    const registry = await serve(await threeLayerImage());
    await scan(registry);
    const manifestRequest = registry.requests.find((r) => r.path.includes('/manifests/'))!;
    for (const type of MANIFEST_ACCEPT) expect(manifestRequest.accept).toContain(type);
  });

  it('gets an anonymous token when the token service allows it', async () => {
    const registry = await serve(await threeLayerImage(), { bearer: { ...login, anonymous: true } });
    const result = await scan(registry);
    expect(result.errors).toEqual([]);
    expect(registry.tokenRequests[0]!.authorization).toBeUndefined();
  });

  it('fails with RegistryAuthError when the token service refuses the login, without the password in the message', async () => {
    const registry = await serve(await threeLayerImage(), { bearer: login });
    const wrong = randomBytes(12).toString('hex');
    const error = await scan(registry, {
      credentials: { username: 'ci', password: Sensitive.of(wrong) },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryAuthError);
    expect((error as Error).message).not.toContain(wrong);
  });
});

describe('HttpRegistryClient against a misbehaving registry', () => {
  it('retries 429 with backoff and completes', async () => {
    const fixture = await threeLayerImage();
    const fault: Fault = { match: new RegExp(fixture.layers[1]!.digest), status: 429, times: 2 };
    const registry = await serve(fixture, { faults: [fault] });
    const result = await scan(registry);
    expect(result.errors).toEqual([]);
    expect(registry.requests.filter((r) => r.path.endsWith(fixture.layers[1]!.digest))).toHaveLength(3);
  });

  it('gives up on a root that keeps answering 503 with RegistryUnavailableError after bounded retries', async () => {
    const registry = await serve(await threeLayerImage(), { faults: [{ match: /manifests/, status: 503 }] });
    await expect(scan(registry, { maxRetries: 2 })).rejects.toThrow(RegistryUnavailableError);
    expect(registry.requests.filter((r) => r.path.includes('/manifests/'))).toHaveLength(3);
  });

  it('times out a layer request that never answers and still scans the other layers', async () => {
    const fixture = await threeLayerImage();
    const registry = await serve(fixture, {
      faults: [{ match: new RegExp(fixture.layers[0]!.digest), hang: true }],
    });
    const result = await scan(registry, { requestTimeoutMs: 1000, maxRetries: 1 });
    expect(result.errors).toEqual([
      expect.objectContaining({ error: 'RegistryUnavailableError', layerDigest: fixture.layers[0]!.digest }),
    ]);
    expect(result.errors[0]!.message).toContain('no response within 1000 ms');
    expect(markers(result)).toEqual(['PLANTED-2', 'PLANTED-3', 'PLANTED-4']);
  });

  it('times out a body that stalls mid-layer', async () => {
    const fixture = await threeLayerImage();
    const registry = await serve(fixture, {
      faults: [{ match: new RegExp(fixture.layers[1]!.digest), stallAfter: 100 }],
    });
    const result = await scan(registry, { idleTimeoutMs: 1000, maxRetries: 1 });
    expect(result.errors).toEqual([
      expect.objectContaining({ error: 'RegistryUnavailableError', layerDigest: fixture.layers[1]!.digest }),
    ]);
    expect(result.errors[0]!.message).toContain('no data for 1000 ms');
    expect(markers(result)).toEqual(['PLANTED-1', 'PLANTED-3', 'PLANTED-4']);
  });

  it('resumes a layer download that dropped, with a Range request from where it stopped', async () => {
    const fixture = await threeLayerImage();
    const digest = fixture.layers[1]!.digest;
    const registry = await serve(fixture, {
      faults: [{ match: new RegExp(digest), truncateAfter: 5000, times: 1 }],
    });
    const result = await scan(registry);
    expect(result.errors).toEqual([]);
    expect(markers(result)).toEqual(['PLANTED-1', 'PLANTED-2', 'PLANTED-3', 'PLANTED-4']);
    expect(registry.requests.filter((r) => r.path.endsWith(digest)).map((r) => r.range)).toEqual([
      undefined,
      expect.stringMatching(/^bytes=\d+-$/),
    ]);
  });

  it('resumes from a server that ignores Range by skipping what it already had', async () => {
    const fixture = await threeLayerImage();
    const digest = fixture.layers[1]!.digest;
    const registry = await serve(fixture, {
      ignoreRange: true,
      faults: [{ match: new RegExp(digest), truncateAfter: 5000, times: 1 }],
    });
    const result = await scan(registry);
    expect(result.errors).toEqual([]);
    expect(markers(result)).toEqual(['PLANTED-1', 'PLANTED-2', 'PLANTED-3', 'PLANTED-4']);
    expect(registry.requests.filter((r) => r.path.endsWith(digest))).toHaveLength(2);
  });

  it('reports a connection that keeps dropping mid-layer after bounded resumes', async () => {
    const fixture = await threeLayerImage();
    const registry = await serve(fixture, {
      faults: [{ match: new RegExp(fixture.layers[1]!.digest), truncateAfter: 200 }],
    });
    const result = await scan(registry);
    expect(result.errors).toEqual([expect.objectContaining({ layerDigest: fixture.layers[1]!.digest })]);
    expect(result.errors[0]!.error).toBe('RegistryUnavailableError');
    expect(result.errors[0]!.message).toContain('connection dropped');
    expect(markers(result)).toEqual(['PLANTED-1', 'PLANTED-3', 'PLANTED-4']);
  });

  it('throws ManifestError when the registry answers garbage for the manifest', async () => {
    const registry = await serve(await threeLayerImage(), {
      faults: [{ match: /manifests/, body: Buffer.from('<html>oops</html>') }],
    });
    await expect(scan(registry)).rejects.toThrow(ManifestError);
  });

  it('reports a layer whose bytes do not match the digest', async () => {
    const fixture = await threeLayerImage();
    const swapped = fixture.store.blobs.get(fixture.layers[2]!.digest)!;
    fixture.store.blobs.set(fixture.layers[0]!.digest, { ...swapped, digest: fixture.layers[0]!.digest });
    const registry = await serve(fixture);
    const result = await scan(registry);
    expect(result.errors).toEqual([
      expect.objectContaining({ error: 'DigestMismatchError', layerDigest: fixture.layers[0]!.digest }),
    ]);
    expect(markers(result)).toEqual(['PLANTED-2', 'PLANTED-3', 'PLANTED-4']);
  });

  it('stops following a redirect loop and refuses redirects to other schemes', async () => {
    const fixture = await threeLayerImage();
    const [a, b] = fixture.layers;
    const registry = await serve(fixture, {
      faults: [
        { match: new RegExp(a!.digest), redirectTo: `/v2/team/app/blobs/${a!.digest}` },
        { match: new RegExp(b!.digest), redirectTo: 'file:///etc/passwd' },
      ],
    });
    const result = await scan(registry, { maxRedirects: 3 });
    expect(result.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          error: 'RegistryResponseError',
          layerDigest: a!.digest,
          message: expect.stringContaining('more than 3 redirects'),
        }),
        expect.objectContaining({
          error: 'RegistryResponseError',
          layerDigest: b!.digest,
          message: expect.stringContaining('file:'),
        }),
      ]),
    );
    expect(markers(result)).toEqual(['PLANTED-3', 'PLANTED-4']);
  });

  it('never puts a presigned query string in an error message', async () => {
    const fixture = await threeLayerImage();
    const registry = await serve(fixture, { redirectBlobs: true });
    fixture.store.blobs.delete(fixture.layers[0]!.digest);
    const result = await scan(registry);
    expect(result.errors).toEqual([expect.objectContaining({ error: 'BlobNotFoundError' })]);
    expect(result.errors[0]!.message).not.toContain('Signature');
  });

  it('refuses plain HTTP to a registry that is not on loopback', () => {
    expect(() => new HttpRegistryClient({ registry: 'registry.example.com', insecure: true })).toThrow(
      /loopback/,
    );
    expect(RegistryResponseError).toBeDefined();
  });
});
