import { zipSync } from 'fflate';
import { gzipSync } from 'node:zlib';
import { DetectorPool } from '../../../../adapters/detector-pool';
import { createDetector } from '../../../../core/scanning/detect';
import { OrderedFindings } from '../../../../core/scanning/image/ordered-findings';
import { scanTarget } from '../../../../core/scanning/image/scan';
import { parseTarget } from '../../../../core/scanning/image/target';
import { withBase62Crc32Checksum } from '../../../../core/scanning/rules';
import { ALNUM, BASE32, password, rand, resetSampleSeed } from '../../../../core/scanning/rules/sample-kit';
import type { Finding } from '../../../../core/scanning/types';
import { DelayedDetector, FakeDetector } from './support/fake-detector';
import { ImageStore, Planted, tarOf } from './support/image-builder';

const target = parseTarget('oci:/images/app:1');

/** Answers each file after a pseudo-random delay of 0-6 ms. */
function shuffledDetector(failOn?: string): DelayedDetector {
  let seed = 7;
  return new DelayedDetector(() => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % 7;
  }, failOn);
}

async function image(planted: Planted) {
  const store = new ImageStore();
  const files = Array.from({ length: 60 }, (_, i) => ({
    path: `srv/f${i}.txt`,
    content: i % 3 === 0 ? `x ${planted.next(`f${i}`)} y ${planted.next(`g${i}`)}` : `nothing ${i}`,
  }));
  const inner = zipSync({ 'a.env': new TextEncoder().encode(`K=${planted.next('zip')}`) });
  const nested = gzipSync(await tarOf([{ path: 'n/one.txt', content: planted.next('nested') }]));
  const l1 = await store.layer([...files.slice(0, 30), { path: 'app/lib.jar', content: Buffer.from(inner) }]);
  const l2 = await store.layer([...files.slice(30), { path: 'opt/bundle.tgz', content: nested }], 'zstd');
  const manifest = store.manifest(store.config([l1, l2], { Env: [`A=${planted.next('env')}`] }), [l1, l2]);
  return { store, manifest };
}

describe('scanTarget with a detector that answers later', () => {
  it('reports the same findings in the same order as scanning file by file', async () => {
    const { store, manifest } = await image(new Planted());
    const direct = await scanTarget(target, {
      detector: new FakeDetector(),
      source: { kind: 'image', blobs: store.source(manifest) },
    });
    const deferred = await scanTarget(target, {
      detector: shuffledDetector(),
      source: { kind: 'image', blobs: store.source(manifest) },
    });
    expect(deferred.findings.length).toBeGreaterThan(40);
    expect(deferred.findings).toEqual(direct.findings);
    expect(deferred.errors).toEqual(direct.errors);
    expect({ ...deferred.stats, durationMs: 0 }).toEqual({ ...direct.stats, durationMs: 0 });
  });

  it('records a detector failure on one file as a DetectorFailedError and keeps the others', async () => {
    const { store, manifest } = await image(new Planted());
    const result = await scanTarget(target, {
      detector: shuffledDetector('srv/f3.txt'),
      source: { kind: 'image', blobs: store.source(manifest) },
    });
    expect(result.errors).toEqual([
      expect.objectContaining({ error: 'DetectorFailedError', path: 'srv/f3.txt' }),
    ]);
    expect(result.findings.some((f) => f.location.path === 'srv/f0.txt')).toBe(true);
    expect(result.findings.some((f) => f.location.path === 'srv/f3.txt')).toBe(false);
  });

  it('gives the findings of the real detector when the real worker pool scans an image', async () => {
    resetSampleSeed(9);
    const gh = () => withBase62Crc32Checksum('gh' + 'p_', rand(ALNUM, 30));
    const store = new ImageStore();
    const layers = [];
    for (let l = 0; l < 3; l++) {
      layers.push(
        await store.layer(
          Array.from({ length: 40 }, (_, i) => ({
            path: `app/${l}/${i}.env`,
            content: `A=${'AK' + 'IA' + rand(BASE32, 16)}\nT=${gh()}\npassword: "${password(13)}"\nplain ${i}\n`,
          })),
        ),
      );
    }
    const manifest = store.manifest(store.config(layers, {}), layers);
    const inThread = await scanTarget(target, {
      detector: createDetector(),
      source: { kind: 'image', blobs: store.source(manifest) },
    });
    const pool = DetectorPool.start({ workers: 2, batchBytes: 2048 });
    let pooled;
    try {
      pooled = await scanTarget(target, {
        detector: pool,
        source: { kind: 'image', blobs: store.source(manifest) },
      });
    } finally {
      await pool.close();
    }
    expect(inThread.findings.length).toBe(360);
    expect(pooled.findings).toEqual(inThread.findings);
  }, 60_000);
});

describe('OrderedFindings', () => {
  it('puts findings back in the order added, whatever order they settle in', async () => {
    const ordered = new OrderedFindings();
    const make = (id: string) => ({ ruleId: id }) as Finding;
    let release!: () => void;
    const slow = new Promise<Finding[]>((r) => (release = () => r([make('a1'), make('a2')])));
    ordered.add(slow);
    ordered.add(Promise.resolve([make('b')]));
    ordered.add(Promise.resolve([]));
    ordered.add(Promise.resolve([make('c')]));
    setTimeout(release, 5);
    expect((await ordered.all()).map((f) => f.ruleId)).toEqual(['a1', 'a2', 'b', 'c']);
  });
});
