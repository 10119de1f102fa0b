import { createHash } from 'node:crypto';
import { MEDIA_TYPES } from '../../../../core/scanning/image/manifest';
import type { BlobSource } from '../../../../core/scanning/image/ports';
import { scanTarget } from '../../../../core/scanning/image/scan';
import { parseTarget } from '../../../../core/scanning/image/target';
import type { Detector, Finding, ScanFile } from '../../../../core/scanning/types';
import { digestOf } from './support/image-builder';
import { manyTinyFiles, oneHugeLine } from './support/generated-tar';

/** A one-layer image whose layer is generated on demand (twice: once to hash it, once to scan it). */
function generatedImage(generate: () => Iterable<Buffer>): BlobSource {
  const hash = createHash('sha256');
  let size = 0;
  for (const chunk of generate()) {
    hash.update(chunk);
    size += chunk.length;
  }
  const layer = { mediaType: MEDIA_TYPES.ociLayerTar, digest: `sha256:${hash.digest('hex')}`, size };
  const config = Buffer.from(
    JSON.stringify({ config: {}, rootfs: { type: 'layers', diff_ids: [layer.digest] } }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociManifest,
      config: { digest: digestOf(config), size: config.length },
      layers: [layer],
    }),
  );
  return {
    root: async () => ({ bytes: manifest, mediaType: MEDIA_TYPES.ociManifest }),
    manifest: async () => ({ bytes: manifest }),
    readBlob: async () => config,
    openBlob: async () =>
      (async function* stream() {
        yield* generate();
      })(),
  };
}

/** Counts bytes, keeps the largest chunk, and samples memory while it reads. */
class CountingDetector implements Detector {
  files = 0;
  bytes = 0;
  maxChunk = 0;
  peakMemory = 0;
  async scanFile(file: ScanFile): Promise<Finding[]> {
    let n = 0;
    this.files += 1;
    for await (const chunk of file.chunks) {
      this.bytes += chunk.byteLength;
      this.maxChunk = Math.max(this.maxChunk, chunk.byteLength);
      if ((n += 1) % 64 === 0) {
        const m = process.memoryUsage();
        this.peakMemory = Math.max(this.peakMemory, m.heapUsed + m.arrayBuffers);
      }
    }
    return [];
  }
  scanText(): Finding[] {
    return [];
  }
}

const target = parseTarget('oci:/generated');

describe('scale', () => {
  it('scans a layer of a million tiny files completely', async () => {
    const count = 1_000_000;
    const detector = new CountingDetector();
    const result = await scanTarget(target, {
      detector,
      source: { kind: 'image', blobs: generatedImage(() => manyTinyFiles(count)) },
    });
    expect(result.errors).toEqual([]);
    expect(result.stats.files).toBe(count);
    expect(detector.files).toBe(count);
    expect(detector.bytes).toBe(count);
    // About 10-20 s on an idle 2-core machine; the generous timeout is for a machine shared with other suites.
  }, 180_000);

  it('streams one 200 MB line without holding it (stands in for 5 GB: the walker never buffers a file)', async () => {
    const size = 200 * 1024 * 1024;
    const detector = new CountingDetector();
    global.gc?.();
    const before = process.memoryUsage();
    const result = await scanTarget(target, {
      detector,
      source: { kind: 'image', blobs: generatedImage(() => oneHugeLine(size, 'PLANTED-1')) },
      limits: { maxFileBytes: 1024 * 1024 * 1024 },
    });
    expect(result.errors).toEqual([]);
    expect(detector.bytes).toBe(size);
    expect(detector.maxChunk).toBeLessThanOrEqual(1024 * 1024);
    // Generous: the file is 200 MB; holding it would show.
    expect(detector.peakMemory - (before.heapUsed + before.arrayBuffers)).toBeLessThan(100 * 1024 * 1024);
  }, 60_000);
});
