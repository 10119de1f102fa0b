import { zipSync } from 'fflate';
import { randomBytes } from 'node:crypto';
import { openTarget } from '../../../adapters/registry/open-target';
import { Sensitive } from '../../../core/sensitive';
import { BlobNotFoundError, RegistryAuthError } from '../../../core/scanning/image/errors';
import { MemoryLayerCache } from '../../../core/scanning/image/memory-layer-cache';
import { scanTarget, type ScanOptions } from '../../../core/scanning/image/scan';
import { parseTarget } from '../../../core/scanning/image/target';
import { FakeDetector } from '../../unit/scanning/image/support/fake-detector';
import { ImageStore, Planted, type StoredBlob } from '../../unit/scanning/image/support/image-builder';
import { pushImage, startRegistry, type RunningRegistry, type TestLogin } from '../../support/registry';

// The registry comes from the Debian package docker-registry, which .ci/run installs: missing, the suite fails and says so.

/** A multi-arch image: a shared base layer (gzip), per-arch layers (zstd, plain), whiteouts, config secrets. */
async function multiArchImage(flavour: 'oci' | 'docker') {
  const store = new ImageStore();
  const planted = new Planted();
  const base = await store.layer([
    { path: 'etc/', type: 'directory' },
    { path: 'etc/app.env', content: `DB_PASSWORD=${planted.next('base etc/app.env (deleted on arm64)')}\n` },
    {
      path: 'opt/tool.jar',
      content: Buffer.from(
        zipSync({ 'conf/key.txt': Buffer.from(planted.next('base opt/tool.jar!conf/key.txt')) }),
      ),
    },
  ]);
  const amd = await store.layer(
    [{ path: 'usr/bin/amd.sh', content: planted.next('amd64 usr/bin/amd.sh') }],
    flavour === 'oci' ? 'zstd' : 'gzip',
  );
  const arm = await store.layer(
    [
      { path: 'etc/.wh.app.env', content: '' },
      { path: 'usr/bin/arm.sh', content: planted.next('arm64 usr/bin/arm.sh') },
    ],
    flavour === 'oci' ? 'none' : 'gzip',
  );
  const amdConfig = store.config(
    [base, amd],
    { Env: ['PATH=/usr/bin', `TOKEN=${planted.next('amd64 config Env[1]')}`] },
    [{ created_by: `RUN echo ${planted.next('amd64 history[0]')}` }],
  );
  const armConfig = store.config([base, arm], { Labels: { note: planted.next('arm64 config Labels') } });
  const mAmd = store.manifest(amdConfig, [base, amd], flavour);
  const mArm = store.manifest(armConfig, [base, arm], flavour);
  const index = store.index(
    [
      { manifest: mAmd, architecture: 'amd64' },
      { manifest: mArm, architecture: 'arm64' },
    ],
    flavour,
  );
  return { store, planted, base, amd, arm, mAmd, mArm, index };
}

async function scanRef(text: string, extra: Partial<ScanOptions> & { login?: TestLogin } = {}) {
  const target = parseTarget(text);
  const { login, ...rest } = extra;
  const source = await openTarget(target, {
    insecure: true,
    requestTimeoutMs: 10_000,
    ...(login ? { credentials: { username: login.username, password: Sensitive.of(login.password) } } : {}),
  });
  return scanTarget(target, { detector: new FakeDetector(), source, ...rest });
}

describe('scanning images in a real registry (docker-registry 2.8)', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it.each(['oci', 'docker'] as const)(
    'finds every planted marker of a %s multi-arch image pushed through the v2 API',
    async (flavour) => {
      const image = await multiArchImage(flavour);
      await pushImage(registry.url, `team/${flavour}-app`, 'v1', image.store, image.index);

      const result = await scanRef(`${registry.host}/team/${flavour}-app:v1`, { concurrency: 2 });

      expect(result.errors).toEqual([]);
      expect(result.stats).toMatchObject({ manifests: 2, layers: 3, layersFailed: 0 });
      const markers = new Set(result.findings.map((f) => f.fingerprint));
      expect([...markers].sort()).toEqual(image.planted.truth.map((t) => t.marker).sort());
      const dbPassword = result.findings.filter((f) => f.fingerprint === 'PLANTED-1');
      expect(
        dbPassword.map((f) => [
          f.location.manifestDigest,
          f.location.layerDigest,
          f.location.path,
          f.deletedBy?.layerDigest ?? null,
        ]),
      ).toEqual(
        expect.arrayContaining([
          [image.mAmd.digest, image.base.digest, 'etc/app.env', null],
          [image.mArm.digest, image.base.digest, 'etc/app.env', image.arm.digest],
        ]),
      );
      const jar = result.findings.find((f) => f.fingerprint === 'PLANTED-2')!;
      expect(jar.location).toMatchObject({ path: 'opt/tool.jar', innerPath: 'conf/key.txt' });
      const history = result.findings.find((f) => f.location.path === 'config:history[0].created_by');
      expect(history?.location.manifestDigest).toBe(image.mAmd.digest);
    },
  );

  it('scans one platform by digest and skips cached layers on a rescan', async () => {
    const image = await multiArchImage('oci');
    await pushImage(registry.url, 'team/by-digest', 'v1', image.store, image.index);
    const cache = { store: new MemoryLayerCache(), rulesetVersion: 'test-1' };

    const first = await scanRef(`${registry.host}/team/by-digest@${image.mArm.digest}`, { cache });
    const again = await scanRef(`${registry.host}/team/by-digest@${image.mArm.digest}`, { cache });

    expect(first.stats).toMatchObject({ manifests: 1, layers: 2, layersCached: 0 });
    expect(again.stats).toMatchObject({
      manifests: 1,
      layers: 2,
      layersCached: 2,
      bytesCompressed: first.stats.bytesCompressed,
    });
    expect(again.findings).toEqual(first.findings);
  });

  it('throws BlobNotFoundError for a tag the registry does not have', async () => {
    await expect(scanRef(`${registry.host}/team/nothing:here`)).rejects.toThrow(BlobNotFoundError);
  });

  it('records a layer whose blob was deleted from the registry and scans the rest', async () => {
    const store = new ImageStore();
    const kept = await store.layer([{ path: 'a', content: 'PLANTED-1' }]);
    const gone = await store.layer([{ path: 'b', content: 'PLANTED-2' }]);
    const manifest = store.manifest(store.config([kept, gone]), [kept, gone]);
    await pushImage(registry.url, 'team/holes', 'v1', store, manifest);
    const del = await fetch(`${registry.url}/v2/team/holes/blobs/${gone.digest}`, { method: 'DELETE' });
    expect(del.status).toBe(202);

    const result = await scanRef(`${registry.host}/team/holes:v1`);

    expect(result.errors).toEqual([
      expect.objectContaining({ error: 'BlobNotFoundError', layerDigest: gone.digest }),
    ]);
    expect(result.findings.map((f) => f.fingerprint)).toEqual(['PLANTED-1']);
  });
});

describe('a registry behind htpasswd (Basic auth)', () => {
  let registry: RunningRegistry;
  const login: TestLogin = { username: 'scanner', password: randomBytes(12).toString('hex') };
  let index: StoredBlob;
  beforeAll(async () => {
    registry = await startRegistry({ login });
    const image = await multiArchImage('oci');
    index = image.index;
    await pushImage(registry.url, 'private/app', 'v1', image.store, image.index, login);
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('scans with the right login', async () => {
    const result = await scanRef(`${registry.host}/private/app:v1`, { login });
    expect(result.errors).toEqual([]);
    expect(result.stats.manifests).toBe(2);
    expect(index.digest).toMatch(/^sha256:/);
  });

  it('fails with RegistryAuthError without a login or with a wrong one, never echoing the password', async () => {
    await expect(scanRef(`${registry.host}/private/app:v1`)).rejects.toThrow(RegistryAuthError);
    const wrong = { username: 'scanner', password: randomBytes(12).toString('hex') };
    const error = await scanRef(`${registry.host}/private/app:v1`, { login: wrong }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryAuthError);
    expect(
      JSON.stringify({ message: (error as Error).message, context: (error as RegistryAuthError).context }),
    ).not.toContain(wrong.password);
  });
});
