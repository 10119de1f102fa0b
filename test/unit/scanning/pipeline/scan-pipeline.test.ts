import { systemClock } from '../../../../core/clock';
import type { MergeInput, ScanLayerOutput } from '../../../../core/contracts/scanning';
import {
  mergeStep,
  resolveStep,
  scanLayerStep,
  type BlobSourceFactory,
} from '../../../../core/scanning/pipeline';
import type { Detector, Finding } from '../../../../core/scanning/types';
import { FakeDetector } from '../image/support/fake-detector';
import { ImageStore, Planted, type StoredBlob } from '../image/support/image-builder';
import {
  managedFake,
  MemoryFindingsStore,
  MemoryLayerResultStore,
  RecordingAudit,
  RecordingLeaks,
} from './memory-ports';

const REGISTRY = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const VERSION = 'rules-test';

/** A two-platform image: a shared base layer whose env file the arm64 layer deletes, and config secrets. */
async function multiArch() {
  const store = new ImageStore();
  const planted = new Planted();
  const base = await store.layer([
    { path: 'etc/', type: 'directory' },
    { path: 'etc/app.env', content: `TOKEN=${planted.next('base etc/app.env')}\n` },
  ]);
  const amd = await store.layer([{ path: 'bin/amd', content: planted.next('amd64 bin/amd') }]);
  const arm = await store.layer([{ path: 'etc/.wh.app.env', content: '' }], 'zstd');
  const amdConfig = store.config([base, amd], { Env: [`KEY=${planted.next('amd64 Env')}`] });
  const armConfig = store.config([base, arm]);
  const mAmd = store.manifest(amdConfig, [base, amd]);
  const mArm = store.manifest(armConfig, [base, arm]);
  const index = store.index([
    { manifest: mAmd, architecture: 'amd64' },
    { manifest: mArm, architecture: 'arm64' },
  ]);
  return { store, base, amd, arm, mAmd, mArm, index };
}

function blobsOf(store: ImageStore, root: StoredBlob): BlobSourceFactory {
  return () => store.source(root);
}

async function runPipeline(
  image: Awaited<ReturnType<typeof multiArch>>,
  ports: {
    layers: MemoryLayerResultStore;
    findings: MemoryFindingsStore;
    audit: RecordingAudit;
    leaks: RecordingLeaks;
    detector?: Detector;
  },
) {
  const blobs = blobsOf(image.store, image.index);
  const detector = ports.detector ?? new FakeDetector();
  const request = { registry: REGISTRY, repository: 'shop/api', digest: image.index.digest };
  const resolve = await resolveStep(request, { blobs, store: ports.layers, rulesetVersion: VERSION });
  const layers: ScanLayerOutput[] = [];
  for (const layer of resolve.layers) {
    layers.push(
      await scanLayerStep(
        { registry: REGISTRY, repository: 'shop/api', rulesetVersion: VERSION, layer },
        { blobs, store: ports.layers, detector },
      ),
    );
  }
  const input: MergeInput = { resolve, layers };
  const merge = await mergeStep(input, {
    blobs,
    layers: ports.layers,
    findings: ports.findings,
    audit: ports.audit,
    leaks: ports.leaks,
    detector,
    clock: systemClock,
  });
  return { resolve, layers, merge };
}

function freshPorts() {
  return {
    layers: new MemoryLayerResultStore(),
    findings: new MemoryFindingsStore(),
    audit: new RecordingAudit(),
    leaks: new RecordingLeaks(),
  };
}

describe('resolveStep', () => {
  it('lists every platform and each distinct layer once', async () => {
    const image = await multiArch();
    const ports = freshPorts();
    const out = await resolveStep(
      { registry: REGISTRY, repository: 'shop/api', digest: image.index.digest },
      { blobs: blobsOf(image.store, image.index), store: ports.layers, rulesetVersion: VERSION },
    );
    expect(out.images.map((i) => [i.platform, i.layers])).toEqual([
      ['linux/amd64', [image.base.digest, image.amd.digest]],
      ['linux/arm64', [image.base.digest, image.arm.digest]],
    ]);
    expect(out.layers.map((l) => l.digest)).toEqual([image.base.digest, image.amd.digest, image.arm.digest]);
    expect(out.layers[0]).toEqual({
      digest: image.base.digest,
      size: image.base.bytes.byteLength,
      mediaType: image.base.mediaType,
    });
    expect(out).toMatchObject({ rulesetVersion: VERSION, layersCached: 0, problems: [] });
  });

  it('skips layers cached for the same ruleset version, not for another', async () => {
    const image = await multiArch();
    const ports = freshPorts();
    await ports.layers.put(image.base.digest, VERSION, {
      digest: image.base.digest,
      findings: [],
      whiteouts: [],
      opaqueDirs: [],
      files: 0,
      compressedBytes: 0,
      uncompressedBytes: 0,
    });
    const request = { registry: REGISTRY, repository: 'shop/api', digest: image.index.digest };
    const blobs = blobsOf(image.store, image.index);
    const same = await resolveStep(request, { blobs, store: ports.layers, rulesetVersion: VERSION });
    expect(same.layers.map((l) => l.digest)).toEqual([image.amd.digest, image.arm.digest]);
    expect(same.layersCached).toBe(1);
    const other = await resolveStep(request, { blobs, store: ports.layers, rulesetVersion: 'rules-new' });
    expect(other.layers).toHaveLength(3);
  });
});

describe('scanLayerStep', () => {
  it('stores the layer result and returns only counts', async () => {
    const image = await multiArch();
    const ports = freshPorts();
    const out = await scanLayerStep(
      {
        registry: REGISTRY,
        repository: 'shop/api',
        rulesetVersion: VERSION,
        layer: {
          digest: image.base.digest,
          mediaType: image.base.mediaType,
          size: image.base.bytes.byteLength,
        },
      },
      { blobs: blobsOf(image.store, image.index), store: ports.layers, detector: new FakeDetector() },
    );
    expect(out).toEqual({ digest: image.base.digest, findings: 1, files: 1 });
    expect(await ports.layers.has(image.base.digest, VERSION)).toBe(true);
  });

  it('keeps a layer that fails midway as a partial result, not as cache, and names the error', async () => {
    const store = new ImageStore();
    const broken = store.rawLayer(Buffer.from('not a tar or gzip at all, just bytes'.repeat(20)));
    const ports = freshPorts();
    const out = await scanLayerStep(
      {
        registry: REGISTRY,
        repository: 'shop/api',
        rulesetVersion: VERSION,
        layer: { digest: broken.digest, mediaType: broken.mediaType },
      },
      { blobs: () => store.source(broken), store: ports.layers, detector: new FakeDetector() },
    );
    expect(out.error).toMatchObject({ layerDigest: broken.digest, error: expect.stringMatching(/Error$/) });
    expect(await ports.layers.has(broken.digest, VERSION)).toBe(false);
    expect((await ports.layers.getResult(broken.digest, VERSION))?.complete).toBe(false);
  });
});

describe('mergeStep', () => {
  it('marks the deleted file per image, scans configs and audits each finding', async () => {
    const image = await multiArch();
    const ports = freshPorts();
    const { merge } = await runPipeline(image, ports);
    const stored = [...ports.findings.items.values()];
    const appEnv = stored.filter((f) => f.path === 'etc/app.env');
    expect(appEnv.map((f) => [f.imageDigest, f.deletedBy])).toEqual(
      expect.arrayContaining([
        [image.mAmd.digest, undefined],
        [image.mArm.digest, image.arm.digest],
      ]),
    );
    expect(stored.find((f) => f.path === 'config:Env[0]')).toMatchObject({
      imageDigest: image.mAmd.digest,
      location: 'config:Env[0]:0:1',
    });
    expect(merge).toMatchObject({ findings: 4, newFindings: 4, managedLeaks: 0, problems: [] });
    expect(ports.audit.events).toHaveLength(4);
    expect(
      ports.audit.events.find((e) => e.type === 'scan.finding' && e.details.deletedInLayer),
    ).toMatchObject({
      subject: 'IMAGE#shop/api',
      versions: { to: image.mArm.digest },
      details: { layerDigest: image.base.digest, deletedInLayer: image.arm.digest },
    });
  });

  it('stores and audits nothing new when the same image is scanned again', async () => {
    const image = await multiArch();
    const ports = freshPorts();
    await runPipeline(image, ports);
    const again = await runPipeline(image, ports);
    expect(again.resolve.layers).toEqual([]);
    expect(again.merge).toMatchObject({ findings: 4, newFindings: 0 });
    expect(ports.audit.events).toHaveLength(4);
  });

  it('counts new findings per severity, and none on a rescan of the same image', async () => {
    const image = await multiArch();
    // Config findings critical, layer findings high: two severities to tell apart.
    const inner = new FakeDetector();
    const bySource = (f: Finding): Finding => ({
      ...f,
      severity: f.location.path.startsWith('config:') ? 'critical' : 'high',
    });
    const detector: Detector = {
      scanFile: async (file) => (await inner.scanFile(file)).map(bySource),
      scanText: (text, location) => inner.scanText(text, location).map(bySource),
    };
    const ports = freshPorts();
    const first = await runPipeline(image, { ...ports, detector });
    expect(first.merge.newBySeverity).toEqual({ critical: 1, high: 3 });
    const total = Object.values(first.merge.newBySeverity ?? {}).reduce((a, b) => a + b, 0);
    expect(total).toBe(first.merge.newFindings);
    const again = await runPipeline(image, { ...ports, detector });
    expect(again.merge.newBySeverity).toEqual({});
  });

  it('audits on the next run a finding whose audit append failed', async () => {
    const image = await multiArch();
    const ports = freshPorts();
    ports.audit.failNext = 1;
    await expect(runPipeline(image, ports)).rejects.toThrow('audit table unavailable');
    const again = await runPipeline(image, ports);
    expect(again.merge.newFindings).toBe(4);
    expect(ports.audit.events).toHaveLength(4);
  });

  it('tells remediation when a finding is a managed secret', async () => {
    const image = await multiArch();
    const ports = { ...freshPorts(), detector: managedFake('PLANTED-2', 'prod/shop-api') };
    const { merge } = await runPipeline(image, ports);
    expect(merge.managedLeaks).toBe(1);
    expect(ports.leaks.leaks).toEqual([
      expect.objectContaining({
        secretId: 'prod/shop-api',
        stage: 'AWSCURRENT',
        repository: 'shop/api',
        registry: REGISTRY,
        targetDigest: image.index.digest,
        imageDigest: image.mAmd.digest,
        deleted: false,
      }),
    ]);
    expect(
      ports.audit.events.filter((e) => e.type === 'scan.finding' && e.details.managedSecretId),
    ).toHaveLength(1);
  });

  it('tells people about each new finding that is no managed secret, once', async () => {
    const image = await multiArch();
    const ports = { ...freshPorts(), detector: managedFake('PLANTED-2', 'prod/shop-api') };
    const { merge } = await runPipeline(image, ports);
    expect(ports.leaks.found).toHaveLength(merge.newFindings - 1);
    expect(ports.leaks.found[0]).toEqual(
      expect.objectContaining({
        repository: 'shop/api',
        registry: REGISTRY,
        fingerprint: expect.any(String),
      }),
    );
    expect(ports.leaks.found[0]).not.toHaveProperty('secretId');
    await runPipeline(image, ports);
    expect(ports.leaks.found).toHaveLength(merge.newFindings - 1);
  });

  it('reports a layer whose result is missing instead of failing the image', async () => {
    const image = await multiArch();
    const ports = freshPorts();
    const blobs = blobsOf(image.store, image.index);
    const resolve = await resolveStep(
      { registry: REGISTRY, repository: 'shop/api', digest: image.index.digest },
      { blobs, store: ports.layers, rulesetVersion: VERSION },
    );
    const merge = await mergeStep(
      { resolve, layers: [] },
      {
        blobs,
        layers: ports.layers,
        findings: ports.findings,
        audit: ports.audit,
        leaks: ports.leaks,
        detector: new FakeDetector(),
        clock: systemClock,
      },
    );
    expect(merge.problems.map((p) => p.error)).toEqual([
      'LayerResultMissingError',
      'LayerResultMissingError',
      'LayerResultMissingError',
    ]);
    expect(merge.findings).toBe(1); // the amd64 config's Env
  });

  it('merges the other layers when one layer task failed, reporting that layer once', async () => {
    const image = await multiArch();
    const ports = freshPorts();
    const blobs = blobsOf(image.store, image.index);
    const detector = new FakeDetector();
    const resolve = await resolveStep(
      { registry: REGISTRY, repository: 'shop/api', digest: image.index.digest },
      { blobs, store: ports.layers, rulesetVersion: VERSION },
    );
    const layers: ScanLayerOutput[] = [];
    for (const layer of resolve.layers.filter((l) => l.digest !== image.amd.digest)) {
      layers.push(
        await scanLayerStep(
          { registry: REGISTRY, repository: 'shop/api', rulesetVersion: VERSION, layer },
          { blobs, store: ports.layers, detector },
        ),
      );
    }
    // What the LayerFailed Pass state puts in the Map's results.
    const failed = {
      error: 'Lambda.Unknown',
      message: 'the layer task failed',
      layerDigest: image.amd.digest,
    };
    layers.push({ digest: image.amd.digest, findings: 0, files: 0, error: failed });
    const merge = await mergeStep(
      { resolve, layers },
      {
        blobs,
        layers: ports.layers,
        findings: ports.findings,
        audit: ports.audit,
        leaks: ports.leaks,
        detector,
        clock: systemClock,
      },
    );
    expect(merge.problems).toEqual([failed]);
    // base's env file on both platforms, the amd64 config; the amd64 layer's own file is missing.
    expect(merge.findings).toBe(3);
  });
});
