import { SourceError } from '../../../../core/scanning/image/errors';
import type { FileTreeSource, TreeFile } from '../../../../core/scanning/image/ports';
import { TREE_FILES_IN_FLIGHT, scanTarget, type ScanProgress } from '../../../../core/scanning/image/scan';
import { parseTarget } from '../../../../core/scanning/image/target';
import { DelayedDetector, FakeDetector } from './support/fake-detector';

const target = parseTarget('dir:/srv');

/** A folder of `count` files whose chunks arrive after pseudo-random delays, so files finish out of order. */
function slowTree(count: number, options: { failing?: ReadonlySet<number> } = {}) {
  let seed = 11;
  const delay = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return new Promise<void>((r) => setTimeout(r, seed % 5));
  };
  let open = 0;
  let maxOpen = 0;
  const file = (i: number): TreeFile => {
    const text = i % 4 === 0 ? `a PLANTED-${i}0 b\nc PLANTED-${i}1 d\n` : `nothing ${i}\n`;
    return {
      path: `f${String(i).padStart(3, '0')}.txt`,
      size: text.length,
      open: () =>
        (async function* () {
          open += 1;
          maxOpen = Math.max(maxOpen, open);
          try {
            await delay();
            yield Buffer.from(text.slice(0, 5));
            await delay();
            if (options.failing?.has(i)) throw new SourceError(`cannot read f${i}`);
            yield Buffer.from(text.slice(5));
          } finally {
            open -= 1;
          }
        })(),
    };
  };
  const source: FileTreeSource = {
    async *files() {
      for (let i = 0; i < count; i++) yield file(i);
    },
  };
  return { source, maxOpen: () => maxOpen };
}

describe('scanTarget on a folder', () => {
  const failing = new Set([8, 21, 22]);
  const expectedFindings = Array.from({ length: 40 }, (_, i) => i)
    .filter((i) => i % 4 === 0 && !failing.has(i))
    .flatMap((i) => [`PLANTED-${i}0`, `PLANTED-${i}1`]);

  it('reads several files at once and reports findings and problems in walk order', async () => {
    const tree = slowTree(40, { failing });
    const result = await scanTarget(target, {
      detector: new FakeDetector(),
      source: { kind: 'tree', tree: tree.source },
    });
    expect(tree.maxOpen()).toBeGreaterThan(1);
    expect(tree.maxOpen()).toBeLessThanOrEqual(TREE_FILES_IN_FLIGHT);
    expect(result.findings.map((f) => f.fingerprint)).toEqual(expectedFindings);
    expect(result.errors.map((e) => [e.error, e.path])).toEqual([
      ['SourceError', 'f008.txt'],
      ['SourceError', 'f021.txt'],
      ['SourceError', 'f022.txt'],
    ]);
    expect(result.stats.files).toBe(40);
  });

  it('gives the same result with a detector that answers later', async () => {
    const direct = await scanTarget(target, {
      detector: new FakeDetector(),
      source: { kind: 'tree', tree: slowTree(40, { failing }).source },
    });
    const late = await scanTarget(target, {
      detector: new DelayedDetector((chunks) => chunks.length % 3),
      source: { kind: 'tree', tree: slowTree(40, { failing }).source },
    });
    expect(late.findings).toEqual(direct.findings);
    expect(late.errors).toEqual(direct.errors);
    expect(late.findings.map((f) => f.fingerprint)).toEqual(expectedFindings);
  });

  it('reports progress as files and bytes, with no layers and no total', async () => {
    const seen: ScanProgress[] = [];
    await scanTarget(target, {
      detector: new FakeDetector(),
      source: { kind: 'tree', tree: slowTree(12).source },
      onProgress: (p) => seen.push(p),
    });
    expect(seen.map((p) => p.files)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    const sizes = Array.from({ length: 12 }, (_, i) =>
      i % 4 === 0 ? `a PLANTED-${i}0 b\nc PLANTED-${i}1 d\n`.length : `nothing ${i}\n`.length,
    );
    expect(seen.at(-1)).toEqual({
      layersTotal: 0,
      layersDone: 0,
      bytesTotal: 0,
      bytesRead: sizes.reduce((a, b) => a + b, 0),
      bytesUncompressed: sizes.reduce((a, b) => a + b, 0),
      files: 12,
    });
  });
});
