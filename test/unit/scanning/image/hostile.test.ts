import { zipSync } from 'fflate';
import { gzipSync } from 'node:zlib';
import { parseTarget } from '../../../../core/scanning/image/target';
import { scanTarget } from '../../../../core/scanning/image/scan';
import { ManifestError, BlobNotFoundError } from '../../../../core/scanning/image/errors';
import type { BlobSource } from '../../../../core/scanning/image/ports';
import { FakeDetector } from './support/fake-detector';
import { ImageStore, tarOf, chunked } from './support/image-builder';
import { fileHeader } from './support/generated-tar';

const target = parseTarget('registry.example/app:1');
const MiB = 1024 * 1024;

async function imageWith(
  layers:
    | Buffer[]
    | ((store: ImageStore) => Promise<ImageStore['blobs'] extends Map<string, infer B> ? B[] : never>),
) {
  const store = new ImageStore();
  const blobs = Array.isArray(layers) ? layers.map((b) => store.rawLayer(b)) : await layers(store);
  const manifest = store.manifest(store.config(blobs), blobs);
  return { store, blobs, manifest, source: store.source(manifest) };
}

function scan(source: BlobSource, extra: Partial<Parameters<typeof scanTarget>[1]> = {}) {
  return scanTarget(target, {
    detector: new FakeDetector(),
    source: { kind: 'image', blobs: source },
    ...extra,
  });
}

describe('hostile layers', () => {
  it('stops a gzip bomb at maxLayerBytes and still scans the other layers', async () => {
    const bomb = gzipSync(await tarOf([{ path: 'zeros', content: Buffer.alloc(64 * MiB) }]));
    expect(bomb.length).toBeLessThan(MiB);
    const { blobs, source } = await imageWith(async (s) => [
      s.rawLayer(bomb),
      await s.layer([{ path: 'ok', content: 'PLANTED-1' }]),
    ]);

    const result = await scan(source, { limits: { maxLayerBytes: 8 * MiB } });

    expect(result.errors).toEqual([
      expect.objectContaining({ error: 'LayerLimitExceededError', layerDigest: blobs[0]!.digest }),
    ]);
    expect(result.errors[0]!.message).toContain('maxLayerBytes');
    expect(result.findings.map((f) => f.fingerprint)).toEqual(['PLANTED-1']);
    expect(result.stats.layersFailed).toBe(1);
  });

  it('scans only the first maxFileBytes of a big file and goes on with the next file', async () => {
    const big = Buffer.alloc(3 * MiB, 'a');
    big.write('PLANTED-1', 10);
    big.write('PLANTED-2', 2 * MiB);
    const { source } = await imageWith(async (s) => [
      await s.layer([
        { path: 'big.log', content: big },
        { path: 'next.txt', content: 'PLANTED-3' },
      ]),
    ]);

    const result = await scan(source, { limits: { maxFileBytes: MiB } });

    expect(result.findings.map((f) => f.fingerprint).sort()).toEqual(['PLANTED-1', 'PLANTED-3']);
    expect(result.errors).toEqual([
      expect.objectContaining({ error: 'FileLimitExceededError', path: 'big.log' }),
    ]);
  });

  it('stops a zip bomb inside a layer at maxNestedArchiveBytes and goes on with the layer', async () => {
    const zip = Buffer.from(
      zipSync({ 'zeros.bin': new Uint8Array(40 * MiB), 'after.txt': Buffer.from('PLANTED-9') }),
    );
    const { source } = await imageWith(async (s) => [
      await s.layer([
        { path: 'a.zip', content: zip },
        { path: 'b.txt', content: 'PLANTED-1' },
      ]),
    ]);

    const result = await scan(source, { limits: { maxNestedArchiveBytes: 4 * MiB } });

    expect(result.errors).toEqual([
      expect.objectContaining({ error: 'NestedArchiveLimitError', path: 'a.zip' }),
    ]);
    expect(result.findings.map((f) => f.fingerprint)).toEqual(['PLANTED-1']);
  });

  it('normalises ../ and absolute paths without touching the filesystem', async () => {
    const { source } = await imageWith(async (s) => [
      await s.layer([
        { path: '../../etc/cron.d/evil', content: 'PLANTED-1' },
        { path: '/abs/file', content: 'PLANTED-2' },
        { path: 'a/../../b', content: 'PLANTED-3' },
      ]),
    ]);
    const result = await scan(source);
    expect(result.findings.map((f) => f.location.path).sort()).toEqual(['abs/file', 'b', 'etc/cron.d/evil']);
  });

  it('does not follow symlink loops or hard links to nothing', async () => {
    const { source } = await imageWith(async (s) => [
      await s.layer([
        { path: 'loop/a', type: 'symlink', linkname: 'b' },
        { path: 'loop/b', type: 'symlink', linkname: 'a' },
        { path: 'self', type: 'symlink', linkname: 'self' },
        { path: 'passwd', type: 'symlink', linkname: '/etc/passwd' },
        { path: 'dangling', type: 'link', linkname: 'does/not/exist' },
        { path: 'dev/null', type: 'character-device' },
        { path: 'real', content: 'PLANTED-1' },
      ]),
    ]);
    const result = await scan(source);
    expect(result.errors).toEqual([]);
    expect(result.stats.files).toBe(1);
    expect(result.findings.map((f) => f.fingerprint)).toEqual(['PLANTED-1']);
  });

  it('reports a truncated gzip layer as CorruptLayerError and scans the rest', async () => {
    const whole = gzipSync(
      await tarOf([
        { path: 'a', content: 'x'.repeat(50_000) },
        { path: 'b', content: 'PLANTED-7' },
      ]),
    );
    const { blobs, source } = await imageWith(async (s) => [
      s.rawLayer(whole.subarray(0, whole.length >> 1)),
      await s.layer([{ path: 'ok', content: 'PLANTED-1' }]),
    ]);
    const result = await scan(source);
    expect(result.errors).toEqual([
      expect.objectContaining({ error: 'CorruptLayerError', layerDigest: blobs[0]!.digest }),
    ]);
    expect(result.findings.map((f) => f.fingerprint)).toEqual(['PLANTED-1']);
  });

  it('reports a plain tar that ends inside an entry as truncated', async () => {
    const tar = await tarOf([{ path: 'a', content: 'y'.repeat(5000) }]);
    const { source } = await imageWith([tar.subarray(0, 2048)]);
    const result = await scan(source);
    expect(result.errors).toEqual([expect.objectContaining({ error: 'CorruptLayerError' })]);
    expect(result.errors[0]!.message).toContain('truncated');
  });

  it('goes past a directory entry whose header declares a size, as a layer and as a tar inside one', async () => {
    // Python's own tarfile tests ship one (`dirtype-with-size`): a directory has no data whatever its size
    // field says, and the tar parser never ended such an entry, so the scan used to hang there.
    const odd = Buffer.concat([
      fileHeader('etc/', 255, '5'),
      fileHeader('etc/app.env', 9),
      Buffer.from('PLANTED-1'.padEnd(512, '\0')),
      Buffer.alloc(1024),
    ]);
    const { source } = await imageWith([
      odd,
      await tarOf([
        { path: 'other', content: 'PLANTED-2' },
        { path: 'test/testtar.tar', content: odd },
      ]),
    ]);
    const result = await scan(source);
    expect(result.errors).toEqual([]);
    expect(
      result.findings.map((f) => [f.fingerprint, f.location.path, f.location.innerPath ?? null]),
    ).toEqual([
      ['PLANTED-1', 'etc/app.env', null],
      ['PLANTED-2', 'other', null],
      ['PLANTED-1', 'test/testtar.tar', 'etc/app.env'],
    ]);
  });

  it('reports a corrupt tar header and keeps what was found before it', async () => {
    const tar = await tarOf([
      { path: 'first', content: 'PLANTED-1' },
      { path: 'second', content: 'PLANTED-2' },
    ]);
    tar[1024 + 3] ^= 0xff; // the second header's name: its checksum no longer matches
    const { source } = await imageWith([tar]);
    const result = await scan(source);
    expect(result.errors).toEqual([expect.objectContaining({ error: 'CorruptLayerError' })]);
    expect(result.errors[0]!.message).toContain('header is corrupt');
    expect(result.findings.map((f) => f.fingerprint)).toEqual(['PLANTED-1']);
  });

  it('reports a digest mismatch naming the layer, drops its findings and scans the others', async () => {
    const { store, blobs, manifest } = await imageWith(async (s) => [
      await s.layer([{ path: 'tampered', content: 'PLANTED-1' }]),
      await s.layer([{ path: 'fine', content: 'PLANTED-2' }]),
    ]);
    const source = store.source(manifest);
    const other = await tarOf([{ path: 'tampered', content: 'PLANTED-3' }]);
    const open = source.openBlob;
    source.openBlob = async (digest) =>
      digest === blobs[0]!.digest ? chunked(gzipSync(other), 1000) : open(digest);

    const result = await scan(source);

    expect(result.errors).toEqual([
      expect.objectContaining({ error: 'DigestMismatchError', layerDigest: blobs[0]!.digest }),
    ]);
    expect(result.errors[0]!.message).toContain(blobs[0]!.digest);
    expect(result.findings.map((f) => f.fingerprint)).toEqual(['PLANTED-2']);
  });

  it('stops reading a blob that runs past its declared size', async () => {
    const { blobs, store, manifest } = await imageWith(async (s) => [
      await s.layer([{ path: 'a', content: 'b' }]),
    ]);
    const source = store.source(manifest);
    let served = 0;
    source.openBlob = async () =>
      (async function* endless() {
        for (;;) {
          served += 4096;
          yield new Uint8Array(4096);
        }
      })();
    const result = await scan(source);
    expect(result.errors).toEqual([
      expect.objectContaining({ error: 'DigestMismatchError', layerDigest: blobs[0]!.digest }),
    ]);
    expect(served).toBeLessThan(blobs[0]!.bytes.length + 3 * 4096);
  });

  it('passes on the error of a stream that drops mid-layer', async () => {
    const { blobs, store, manifest } = await imageWith(async (s) => [
      await s.layer([{ path: 'a', content: 'z'.repeat(200_000) }]),
    ]);
    const source = store.source(manifest);
    source.openBlob = async () =>
      (async function* dropping() {
        yield blobs[0]!.bytes.subarray(0, 1000);
        throw new BlobNotFoundError('connection reset while reading the blob');
      })();
    const result = await scan(source);
    expect(result.errors).toEqual([
      expect.objectContaining({ error: 'BlobNotFoundError', layerDigest: blobs[0]!.digest }),
    ]);
  });

  it('refuses bzip2 layers by their magic bytes', async () => {
    const { source } = await imageWith([Buffer.from('BZh91AY&SY-not-really')]);
    const result = await scan(source);
    expect(result.errors).toEqual([expect.objectContaining({ error: 'UnsupportedCompressionError' })]);
  });

  it('records a corrupt zip inside a layer and goes on', async () => {
    const zip = Buffer.from(zipSync({ 'x.txt': Buffer.from('q'.repeat(10_000)) }));
    zip.fill(0x55, 40, 60); // compressed data garbled
    const { source } = await imageWith(async (s) => [
      await s.layer([
        { path: 'broken.zip', content: zip },
        { path: 'ok', content: 'PLANTED-1' },
      ]),
    ]);
    const result = await scan(source);
    expect(result.errors).toEqual([
      expect.objectContaining({ error: 'NestedArchiveError', path: 'broken.zip' }),
    ]);
    expect(result.findings.map((f) => f.fingerprint)).toEqual(['PLANTED-1']);
  });

  it('records a detector failure on one file and scans the next', async () => {
    const { source } = await imageWith(async (s) => [
      await s.layer([
        { path: 'bad', content: 'PLANTED-1' },
        { path: 'good', content: 'PLANTED-2' },
      ]),
    ]);
    const result = await scanTarget(target, {
      detector: new FakeDetector({ failOn: 'bad' }),
      source: { kind: 'image', blobs: source },
    });
    expect(result.errors).toEqual([expect.objectContaining({ error: 'DetectorFailedError', path: 'bad' })]);
    expect(result.findings.map((f) => f.fingerprint)).toEqual(['PLANTED-2']);
  });
});

describe('hostile manifests', () => {
  it('records a layer the source does not have and scans the config and other layers', async () => {
    const store = new ImageStore();
    const present = await store.layer([{ path: 'a', content: 'PLANTED-1' }]);
    const missing = await store.layer([{ path: 'b', content: 'PLANTED-2' }]);
    const manifest = store.manifest(store.config([present, missing], { Env: ['X=PLANTED-3'] }), [
      present,
      missing,
    ]);
    store.blobs.delete(missing.digest);
    const result = await scan(store.source(manifest));
    expect(result.errors).toEqual([
      expect.objectContaining({ error: 'BlobNotFoundError', layerDigest: missing.digest }),
    ]);
    expect(result.findings.map((f) => f.fingerprint).sort()).toEqual(['PLANTED-1', 'PLANTED-3']);
  });

  it('records a platform whose manifest is missing and scans the other platform', async () => {
    const store = new ImageStore();
    const l = await store.layer([{ path: 'a', content: 'PLANTED-1' }]);
    const m1 = store.manifest(store.config([l]), [l]);
    const m2 = store.manifest(store.config([l], { Env: ['gone'] }), [l]);
    const index = store.index([{ manifest: m1 }, { manifest: m2, architecture: 'arm64' }]);
    store.blobs.delete(m2.digest);
    const result = await scan(store.source(index));
    expect(result.errors).toEqual([
      expect.objectContaining({ error: 'BlobNotFoundError', manifestDigest: m2.digest }),
    ]);
    expect(result.findings.map((f) => f.fingerprint)).toEqual(['PLANTED-1']);
  });

  it('throws ManifestError for a root that is not a manifest', async () => {
    const store = new ImageStore();
    const garbage = store.add(Buffer.from('<html>502 Bad Gateway</html>'), 'text/html');
    await expect(scan(store.source(garbage))).rejects.toThrow(ManifestError);
    const schema1 = store.add(
      Buffer.from(JSON.stringify({ schemaVersion: 1, fsLayers: [] })),
      'application/vnd.docker.distribution.manifest.v1+prettyjws',
    );
    await expect(scan(store.source(schema1))).rejects.toThrow(/unsupported media type/);
    const noLayers = store.add(
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: {},
        }),
      ),
      'x',
    );
    await expect(scan(store.source(noLayers))).rejects.toThrow(/malformed/);
  });

  it('records a config that is not JSON and still scans the layers', async () => {
    const store = new ImageStore();
    const l = await store.layer([{ path: 'a', content: 'PLANTED-1' }]);
    const config = store.add(Buffer.from('not json'), 'application/vnd.oci.image.config.v1+json');
    const manifest = store.manifest(config, [l]);
    const result = await scan(store.source(manifest));
    expect(result.errors).toEqual([expect.objectContaining({ error: 'ConfigError' })]);
    expect(result.findings).toHaveLength(1);
  });
});
