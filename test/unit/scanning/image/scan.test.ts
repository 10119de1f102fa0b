import { zipSync } from 'fflate';
import { gzipSync } from 'node:zlib';
import { parseTarget } from '../../../../core/scanning/image/target';
import { scanTarget, type ScanProgress, type ScanResult } from '../../../../core/scanning/image/scan';
import { MemoryLayerCache } from '../../../../core/scanning/image/memory-layer-cache';
import type { Finding } from '../../../../core/scanning/types';
import { FakeDetector } from './support/fake-detector';
import { ImageStore, Planted, tarOf } from './support/image-builder';

const target = parseTarget('oci:/images/app:1');

function byMarker(result: ScanResult): Map<string, Finding[]> {
  const map = new Map<string, Finding[]>();
  for (const f of result.findings) map.set(f.fingerprint, [...(map.get(f.fingerprint) ?? []), f]);
  return map;
}

describe('scanTarget over an image', () => {
  it('finds markers in gzip, zstd and plain layers and in the config, with layer and path', async () => {
    const store = new ImageStore();
    const planted = new Planted();
    const l1 = await store.layer(
      [{ path: 'etc/app/one.env', content: `TOKEN=${planted.next('l1')}\n` }],
      'gzip',
    );
    const l2 = await store.layer([{ path: './srv/two.txt', content: `x ${planted.next('l2')} y` }], 'zstd');
    const l3 = await store.layer([{ path: '/opt/three', content: planted.next('l3') }], 'none');
    const envMarker = planted.next('env');
    const historyMarker = planted.next('history');
    const config = store.config([l1, l2, l3], { Env: ['PATH=/bin', `SECRET=${envMarker}`] }, [
      { created_by: 'RUN true' },
      { created_by: `RUN echo ${historyMarker}` },
    ]);
    const manifest = store.manifest(config, [l1, l2, l3]);

    const result = await scanTarget(target, {
      detector: new FakeDetector(),
      source: { kind: 'image', blobs: store.source(manifest) },
    });

    expect(result.errors).toEqual([]);
    const found = byMarker(result);
    expect(found.get('PLANTED-1')![0]!.location).toMatchObject({
      layerDigest: l1.digest,
      path: 'etc/app/one.env',
      manifestDigest: manifest.digest,
      target: 'oci:/images/app:1',
    });
    expect(found.get('PLANTED-2')![0]!.location).toMatchObject({
      layerDigest: l2.digest,
      path: 'srv/two.txt',
    });
    expect(found.get('PLANTED-3')![0]!.location).toMatchObject({ layerDigest: l3.digest, path: 'opt/three' });
    expect(found.get(envMarker)![0]!.location).toMatchObject({
      path: 'config:Env[1]',
      manifestDigest: manifest.digest,
    });
    expect(found.get(historyMarker)![0]!.location).toMatchObject({ path: 'config:history[1].created_by' });
    expect(result.stats).toMatchObject({
      manifests: 1,
      layers: 3,
      layersCached: 0,
      layersFailed: 0,
      files: 3,
    });
    expect(result.stats.bytesCompressed).toBe(l1.bytes.length + l2.bytes.length + l3.bytes.length);
  });

  it('reports a file deleted by a later whiteout with deletedBy naming the deleting layer', async () => {
    const store = new ImageStore();
    const l1 = await store.layer([
      { path: 'app/', type: 'directory' },
      { path: 'app/secret.txt', content: 'PLANTED-1' },
      { path: 'app/keep.txt', content: 'PLANTED-2' },
      { path: 'cache/', type: 'directory' },
      { path: 'cache/deep/file', content: 'PLANTED-3' },
      { path: 'data/blob', content: 'PLANTED-4' },
    ]);
    const l2 = await store.layer([
      { path: 'app/.wh.secret.txt', content: '' },
      { path: 'cache/.wh..wh..opq', content: '' },
      { path: 'data/.wh.blob', content: '' },
      // A whiteout hides only lower layers: this file in the same layer stays visible.
      { path: 'new/.wh.x', content: '' },
      { path: 'new/x', content: 'PLANTED-5' },
    ]);
    const l3 = await store.layer([{ path: 'data/blob', content: 'fresh' }]);
    const config = store.config([l1, l2, l3]);
    const manifest = store.manifest(config, [l1, l2, l3], 'docker');

    const result = await scanTarget(target, {
      detector: new FakeDetector(),
      source: { kind: 'image', blobs: store.source(manifest) },
    });

    const found = byMarker(result);
    expect(found.get('PLANTED-1')![0]!.deletedBy).toEqual({ layerDigest: l2.digest });
    expect(found.get('PLANTED-2')![0]!.deletedBy).toBeUndefined();
    expect(found.get('PLANTED-3')![0]!.deletedBy).toEqual({ layerDigest: l2.digest });
    expect(found.get('PLANTED-4')![0]!.deletedBy).toEqual({ layerDigest: l2.digest });
    expect(found.get('PLANTED-5')![0]!.deletedBy).toBeUndefined();
    expect(result.stats.files).toBe(6);
  });

  it('scans every platform of an index and a shared layer only once', async () => {
    const store = new ImageStore();
    const shared = await store.layer([{ path: 'base/secret', content: 'PLANTED-1' }]);
    const amd = await store.layer([{ path: 'bin/amd', content: 'PLANTED-2' }]);
    const arm = await store.layer([
      { path: 'bin/arm', content: 'PLANTED-3' },
      { path: 'base/.wh.secret', content: '' },
    ]);
    const mAmd = store.manifest(store.config([shared, amd], { Env: ['A=PLANTED-4'] }), [shared, amd]);
    const mArm = store.manifest(store.config([shared, arm], { Env: ['A=PLANTED-5'] }), [shared, arm]);
    const index = store.index([
      { manifest: mAmd, architecture: 'amd64' },
      { manifest: mArm, architecture: 'arm64' },
    ]);
    const source = store.source(index);

    const result = await scanTarget(target, {
      detector: new FakeDetector(),
      source: { kind: 'image', blobs: source },
      concurrency: 2,
    });

    expect(source.opened.filter((d) => d === shared.digest)).toHaveLength(1);
    expect(result.stats).toMatchObject({ manifests: 2, layers: 3 });
    const sharedFindings = byMarker(result).get('PLANTED-1')!;
    expect(sharedFindings.map((f) => [f.location.manifestDigest, f.deletedBy?.layerDigest])).toEqual(
      expect.arrayContaining([
        [mAmd.digest, undefined],
        [mArm.digest, arm.digest],
      ]),
    );
    expect([...byMarker(result).keys()].sort()).toEqual([
      'PLANTED-1',
      'PLANTED-2',
      'PLANTED-3',
      'PLANTED-4',
      'PLANTED-5',
    ]);
  });

  it('opens tar, tar.gz and zip archives one level deep and names the inner path', async () => {
    const store = new ImageStore();
    const innerTar = await tarOf([{ path: 'conf/inner.properties', content: 'k=PLANTED-1' }]);
    const innerTgz = gzipSync(
      await tarOf([
        { path: 'a/b.txt', content: 'PLANTED-2' },
        { path: 'nested.tar', content: innerTar },
      ]),
    );
    const zip = Buffer.from(
      zipSync({
        'META-INF/creds.txt': Buffer.from('PLANTED-3'),
        'stored.txt': [Buffer.from('PLANTED-4'), { level: 0 }],
      }),
    );
    const layer = await store.layer([
      { path: 'opt/bundle.tar', content: innerTar },
      { path: 'opt/bundle.tgz', content: innerTgz },
      { path: 'opt/app.jar', content: zip },
      { path: 'opt/not-really.zip', content: 'plain text PLANTED-5' },
    ]);
    const manifest = store.manifest(store.config([layer]), [layer]);
    const detector = new FakeDetector({ recordPaths: true });

    const result = await scanTarget(target, {
      detector,
      source: { kind: 'image', blobs: store.source(manifest) },
    });

    expect(result.errors).toEqual([]);
    const found = byMarker(result);
    expect(found.get('PLANTED-1')!.map((f) => f.location)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'opt/bundle.tar', innerPath: 'conf/inner.properties' }),
      ]),
    );
    expect(found.get('PLANTED-2')![0]!.location).toMatchObject({
      path: 'opt/bundle.tgz',
      innerPath: 'a/b.txt',
    });
    expect(found.get('PLANTED-3')![0]!.location).toMatchObject({
      path: 'opt/app.jar',
      innerPath: 'META-INF/creds.txt',
    });
    expect(found.get('PLANTED-4')![0]!.location).toMatchObject({
      path: 'opt/app.jar',
      innerPath: 'stored.txt',
    });
    expect(found.get('PLANTED-5')![0]!.location).toMatchObject({ path: 'opt/not-really.zip' });
    // The tar inside the tgz is handed over as a file, not opened.
    expect(detector.seenPaths).toContain('opt/bundle.tgz!nested.tar');
    expect(detector.seenPaths).not.toContain('opt/bundle.tgz!conf/inner.properties');
  });

  it('opens the package formats that are zip files (ear, whl, egg, nupkg) and no other name', async () => {
    const store = new ImageStore();
    const zipWith = (marker: string) => Buffer.from(zipSync({ 'inside.txt': Buffer.from(marker) }));
    const layer = await store.layer([
      { path: 'srv/app.ear', content: zipWith('PLANTED-1') },
      { path: 'root/.cache/pip/wheels/ab/internal-1.0-py3-none-any.whl', content: zipWith('PLANTED-2') },
      { path: 'usr/lib/python3/site.egg', content: zipWith('PLANTED-3') },
      { path: 'root/.nuget/packages/internal/1.0.0/internal.1.0.0.nupkg', content: zipWith('PLANTED-4') },
      { path: 'opt/data.bin', content: zipWith('PLANTED-5') },
    ]);
    const manifest = store.manifest(store.config([layer]), [layer]);
    const result = await scanTarget(target, {
      detector: new FakeDetector(),
      source: { kind: 'image', blobs: store.source(manifest) },
    });
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => [f.fingerprint, f.location.innerPath ?? null])).toEqual([
      ['PLANTED-1', 'inside.txt'],
      ['PLANTED-2', 'inside.txt'],
      ['PLANTED-3', 'inside.txt'],
      ['PLANTED-4', 'inside.txt'],
    ]);
  });

  it('skips layers found in the cache on a rescan and still merges their findings', async () => {
    const store = new ImageStore();
    const l1 = await store.layer([{ path: 'a', content: 'PLANTED-1' }]);
    const l2 = await store.layer([{ path: '.wh.a', content: '' }]);
    const manifest = store.manifest(store.config([l1, l2]), [l1, l2]);
    const cache = new MemoryLayerCache();
    const first = await scanTarget(target, {
      detector: new FakeDetector(),
      source: { kind: 'image', blobs: store.source(manifest) },
      cache: { store: cache, rulesetVersion: 'r1' },
    });
    const source = store.source(manifest);
    const second = await scanTarget(target, {
      detector: new FakeDetector(),
      source: { kind: 'image', blobs: source },
      cache: { store: cache, rulesetVersion: 'r1' },
    });
    const third = await scanTarget(target, {
      detector: new FakeDetector(),
      source: { kind: 'image', blobs: store.source(manifest) },
      cache: { store: cache, rulesetVersion: 'r2' },
    });

    expect(first.stats.layersCached).toBe(0);
    expect(second.stats.layersCached).toBe(2);
    expect(source.opened).toEqual([]);
    expect(second.findings).toEqual(first.findings);
    expect(second.findings[0]!.deletedBy).toEqual({ layerDigest: l2.digest });
    expect(third.stats.layersCached).toBe(0);
  });

  it('reports progress in layers and bytes', async () => {
    const store = new ImageStore();
    const l1 = await store.layer([{ path: 'a', content: 'x'.repeat(100_000) }]);
    const manifest = store.manifest(store.config([l1]), [l1]);
    const seen: ScanProgress[] = [];
    await scanTarget(target, {
      detector: new FakeDetector(),
      source: { kind: 'image', blobs: store.source(manifest) },
      onProgress: (p) => seen.push(p),
    });
    expect(seen.at(-1)).toMatchObject({
      layersTotal: 1,
      layersDone: 1,
      bytesRead: l1.bytes.length,
      bytesTotal: l1.bytes.length,
    });
    expect(seen.at(-1)!.bytesUncompressed).toBeGreaterThan(100_000);
  });
});

describe('scanTarget edge cases', () => {
  it('decides compression by magic bytes, not by the media type', async () => {
    const store = new ImageStore();
    const zstdLayer = await store.layer([{ path: 'z', content: 'PLANTED-1' }], 'zstd');
    const plainLayer = await store.layer([{ path: 'p', content: 'PLANTED-2' }], 'none');
    const lying = [
      { ...zstdLayer, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' },
      { ...plainLayer, mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip' },
    ];
    const manifest = store.manifest(store.config(lying), lying);
    const result = await scanTarget(target, {
      detector: new FakeDetector(),
      source: { kind: 'image', blobs: store.source(manifest) },
    });
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => f.fingerprint).sort()).toEqual(['PLANTED-1', 'PLANTED-2']);
  });

  it('goes on with the layer when the detector stops reading a file early', async () => {
    const store = new ImageStore();
    const layer = await store.layer([
      { path: 'binary', content: Buffer.alloc(200_000, 0) },
      { path: 'after', content: 'PLANTED-1' },
    ]);
    const manifest = store.manifest(store.config([layer]), [layer]);
    const fake = new FakeDetector();
    const quitter = {
      scanText: fake.scanText.bind(fake),
      async scanFile(file: Parameters<FakeDetector['scanFile']>[0]) {
        if (file.location.path === 'binary') {
          for await (const _ of file.chunks) break; // "binary: skip"
          return [];
        }
        return fake.scanFile(file);
      },
    };
    const result = await scanTarget(target, {
      detector: quitter,
      source: { kind: 'image', blobs: store.source(manifest, 1000) },
    });
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => f.fingerprint)).toEqual(['PLANTED-1']);
  });

  it('reads zips written as a stream (data descriptors) and skips folder entries', async () => {
    const { Zip, ZipDeflate } = await import('fflate');
    const parts: Uint8Array[] = [];
    const zip = new Zip((err, data) => {
      if (err) throw err;
      parts.push(data);
    });
    const folder = new ZipDeflate('WEB-INF/', { level: 6 });
    zip.add(folder);
    folder.push(new Uint8Array(0), true);
    const file = new ZipDeflate('WEB-INF/web.xml', { level: 6 });
    zip.add(file);
    file.push(Buffer.from(`<x>${'y'.repeat(50_000)}PLANTED-1</x>`), true);
    zip.end();
    const store = new ImageStore();
    const layer = await store.layer([{ path: 'srv/app.war', content: Buffer.concat(parts) }]);
    const manifest = store.manifest(store.config([layer]), [layer]);
    const result = await scanTarget(target, {
      detector: new FakeDetector(),
      source: { kind: 'image', blobs: store.source(manifest) },
    });
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => f.location)).toEqual([
      expect.objectContaining({ path: 'srv/app.war', innerPath: 'WEB-INF/web.xml' }),
    ]);
  });

  it('skips attestation manifests of a buildx index', async () => {
    const store = new ImageStore();
    const layer = await store.layer([{ path: 'a', content: 'PLANTED-1' }]);
    const image = store.manifest(store.config([layer]), [layer]);
    const attestationLayer = store.add(
      Buffer.from('{"_type":"https://in-toto.io/Statement/v0.1"}'),
      'application/vnd.in-toto+json',
    );
    const attestation = store.manifest(store.config([]), [attestationLayer]);
    const index = store.add(
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.index.v1+json',
          manifests: [
            {
              mediaType: image.mediaType,
              digest: image.digest,
              size: image.bytes.length,
              platform: { os: 'linux', architecture: 'amd64' },
            },
            {
              mediaType: attestation.mediaType,
              digest: attestation.digest,
              size: attestation.bytes.length,
              platform: { os: 'unknown', architecture: 'unknown' },
              annotations: {
                'vnd.docker.reference.type': 'attestation-manifest',
                'vnd.docker.reference.digest': image.digest,
              },
            },
          ],
        }),
      ),
      'application/vnd.oci.image.index.v1+json',
    );
    const result = await scanTarget(target, {
      detector: new FakeDetector(),
      source: { kind: 'image', blobs: store.source(index) },
    });
    expect(result.errors).toEqual([]);
    expect(result.stats).toMatchObject({ manifests: 1, layers: 1 });
  });

  it('refuses a cache without a ruleset version and a concurrency below one', async () => {
    const store = new ImageStore();
    const layer = await store.layer([{ path: 'a', content: 'x' }]);
    const manifest = store.manifest(store.config([layer]), [layer]);
    const source = { kind: 'image' as const, blobs: store.source(manifest) };
    await expect(
      scanTarget(target, {
        detector: new FakeDetector(),
        source,
        cache: { store: new MemoryLayerCache(), rulesetVersion: '' },
      }),
    ).rejects.toThrow(/rulesetVersion/);
    await expect(
      scanTarget(target, { detector: new FakeDetector(), source, concurrency: 0 }),
    ).rejects.toThrow(/concurrency/);
  });
});
