import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { gzipSync } from 'node:zlib';
import { openTarget } from '../../../../adapters/registry/open-target';
import { scanTarget } from '../../../../core/scanning/image/scan';
import { parseTarget } from '../../../../core/scanning/image/target';
import { BlobNotFoundError, SourceError } from '../../../../core/scanning/image/errors';
import { FakeDetector } from './support/fake-detector';
import { ImageStore, Planted } from './support/image-builder';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'rotor-sources-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function scan(text: string) {
  const target = parseTarget(text);
  return scanTarget(target, { detector: new FakeDetector(), source: await openTarget(target) });
}

async function twoLayerImage(store: ImageStore, planted: Planted) {
  const l1 = await store.layer(
    [{ path: 'etc/secret.env', content: `A=${planted.next('l1 etc/secret.env')}` }],
    'gzip',
  );
  const l2 = await store.layer(
    [
      { path: 'etc/.wh.secret.env', content: '' },
      { path: 'app/run.sh', content: planted.next('l2 app/run.sh') },
    ],
    'none',
  );
  const config = store.config([l1, l2], { Env: [`K=${planted.next('config Env[0]')}`] });
  return { l1, l2, config };
}

describe('OCI layout source', () => {
  it('scans the tagged image of a layout and reports deleted files', async () => {
    const store = new ImageStore();
    const planted = new Planted();
    const { l1, l2, config } = await twoLayerImage(store, planted);
    const manifest = store.manifest(config, [l1, l2]);
    const other = store.manifest(store.config([l2]), [l2]);
    const dir = join(work, 'layout-tagged');
    await store.writeOciLayout(dir, [
      { manifest, tag: 'v1' },
      { manifest: other, tag: 'v2' },
    ]);

    const result = await scan(`oci:${dir}:v1`);

    expect(result.errors).toEqual([]);
    expect(
      result.findings
        .map((f) => [
          f.fingerprint,
          f.location.path,
          f.location.layerDigest ?? null,
          f.deletedBy?.layerDigest ?? null,
        ])
        .sort(),
    ).toEqual([
      ['PLANTED-1', 'etc/secret.env', l1.digest, l2.digest],
      ['PLANTED-2', 'app/run.sh', l2.digest, null],
      ['PLANTED-3', 'config:Env[0]', null, null],
    ]);
    expect(result.findings[0]!.location.manifestDigest).toBe(manifest.digest);
  });

  it('scans every image of the index when no tag is given, each layer once', async () => {
    const store = new ImageStore();
    const planted = new Planted();
    const { l1, l2, config } = await twoLayerImage(store, planted);
    const m1 = store.manifest(config, [l1, l2]);
    const m2 = store.manifest(store.config([l2]), [l2]);
    const dir = join(work, 'layout-all');
    await store.writeOciLayout(dir, [
      { manifest: m1, tag: 'a' },
      { manifest: m2, tag: 'b' },
    ]);
    const result = await scan(`oci:${dir}`);
    expect(result.stats).toMatchObject({ manifests: 2, layers: 2 });
  });

  it('fails clearly for a missing tag, a folder that is not a layout, and records a missing blob', async () => {
    const store = new ImageStore();
    const planted = new Planted();
    const { l1, l2, config } = await twoLayerImage(store, planted);
    const manifest = store.manifest(config, [l1, l2]);
    const dir = join(work, 'layout-broken');
    await store.writeOciLayout(dir, [{ manifest, tag: 'v1' }]);
    await expect(scan(`oci:${dir}:nope`)).rejects.toThrow(BlobNotFoundError);
    await expect(scan(`oci:${work}`)).rejects.toThrow(SourceError);
    await rm(join(dir, 'blobs', 'sha256', l1.digest.slice(7)));
    const result = await scan(`oci:${dir}:v1`);
    expect(result.errors).toEqual([
      expect.objectContaining({ error: 'BlobNotFoundError', layerDigest: l1.digest }),
    ]);
  });

  it('refuses a digest that would climb out of blobs/', async () => {
    const dir = join(work, 'layout-evil');
    await mkdir(dir);
    await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    await writeFile(
      join(dir, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [
          { digest: 'sha256:../../../etc/passwd', annotations: { 'org.opencontainers.image.ref.name': 'x' } },
        ],
      }),
    );
    await expect(scan(`oci:${dir}:x`)).rejects.toThrow(/not a sha256 digest/);
  });
});

describe('docker save archive source', () => {
  it.each(['legacy', 'oci'] as const)(
    'scans a %s docker save archive with whiteouts and config',
    async (layout) => {
      const store = new ImageStore();
      const planted = new Planted();
      const { l1, l2, config } = await twoLayerImage(store, planted);
      const file = join(work, `image-${layout}.tar`);
      await writeFile(file, await store.dockerArchive(config, [l1, l2], layout));

      const result = await scan(`docker-archive:${file}`);

      expect(result.errors).toEqual([]);
      const byMarker = new Map(result.findings.map((f) => [f.fingerprint, f]));
      expect(byMarker.get('PLANTED-1')!.location.path).toBe('etc/secret.env');
      expect(byMarker.get('PLANTED-1')!.deletedBy).toBeDefined();
      expect(byMarker.get('PLANTED-2')!.deletedBy).toBeUndefined();
      expect(byMarker.get('PLANTED-3')!.location.path).toBe('config:Env[0]');
      // Legacy layers are the uncompressed tars, named by their diff ids; the OCI layout keeps blob digests.
      const expected = layout === 'legacy' ? store.diffIds.get(l1.digest) : l1.digest;
      expect(byMarker.get('PLANTED-1')!.location.layerDigest).toBe(expected);
    },
  );

  it('asks for a gunzipped archive when given docker save | gzip', async () => {
    const store = new ImageStore();
    const layer = await store.layer([{ path: 'a', content: 'b' }]);
    const file = join(work, 'image.tar.gz');
    await writeFile(file, gzipSync(await store.dockerArchive(store.config([layer]), [layer], 'legacy')));
    await expect(scan(`docker-archive:${file}`)).rejects.toThrow(/gunzip it first/);
  });

  it('fails clearly on a file that is not a tar', async () => {
    const file = join(work, 'garbage.tar');
    await writeFile(file, Buffer.alloc(4096, 7));
    await expect(scan(`docker-archive:${file}`)).rejects.toThrow(SourceError);
  });
});

describe('directory source', () => {
  it('walks regular files, opens archives, and follows no symlink and no FIFO', async () => {
    const root = join(work, 'tree');
    const outside = join(work, 'outside.txt');
    await writeFile(outside, 'PLANTED-99');
    await mkdir(join(root, 'a', 'b'), { recursive: true });
    await writeFile(join(root, 'a', 'one.txt'), 'PLANTED-1');
    await writeFile(join(root, 'a', 'b', 'two.txt'), 'x PLANTED-2');
    await writeFile(join(root, 'bundle.zip'), zipSync({ 'in/side.txt': Buffer.from('PLANTED-3') }));
    await symlink(outside, join(root, 'escape.txt'));
    await symlink(work, join(root, 'escape-dir'));
    await symlink('loop2', join(root, 'loop1'));
    await symlink('loop1', join(root, 'loop2'));
    execFileSync('mkfifo', [join(root, 'a', 'pipe')]);

    const result = await scan(`dir:${root}`);

    expect(result.errors).toEqual([]);
    expect(
      result.findings.map((f) => [f.fingerprint, f.location.path, f.location.innerPath ?? null]).sort(),
    ).toEqual([
      ['PLANTED-1', 'a/one.txt', null],
      ['PLANTED-2', 'a/b/two.txt', null],
      ['PLANTED-3', 'bundle.zip', 'in/side.txt'],
    ]);
    expect(result.findings[0]!.location.target).toBe(`dir:${root}`);
  });

  it('fails clearly for a path that is not a folder', async () => {
    await expect(scan(`dir:${join(work, 'does-not-exist')}`)).rejects.toThrow(SourceError);
  });

  it('reads with synchronous calls but returns to the event loop while walking many files', async () => {
    const root = join(work, 'many');
    await mkdir(root);
    for (let i = 0; i < 640; i++)
      await writeFile(join(root, `f${String(i).padStart(3, '0')}.txt`), `line ${i}\n`);
    await writeFile(join(root, 'f999.txt'), 'PLANTED-9');
    // With the fake detector the whole scan is promise continuations: without the walk's own turns, a timer
    // (the progress bar, a worker's answer) would wait until the end.
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    try {
      const result = await scan(`dir:${root}`);
      expect(result.findings.map((f) => f.location.path)).toEqual(['f999.txt']);
      expect(result.stats.files).toBe(641);
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThanOrEqual(5);
  });
});
