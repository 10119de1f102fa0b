import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openTarget } from '../../../adapters/registry/open-target';
import { scanTarget } from '../../../core/scanning/image/scan';
import { parseTarget } from '../../../core/scanning/image/target';
import { FakeDetector } from '../../unit/scanning/image/support/fake-detector';
import { ImageStore } from '../../unit/scanning/image/support/image-builder';
import { pushImage, startRegistry, type RunningRegistry } from '../../support/registry';

const run = promisify(execFile);
// The registry and skopeo come from Debian packages that .ci/run installs: missing, the suite fails and says so.

/**
 * The local sources read what a real tool writes: skopeo copies an image from the registry into an OCI
 * layout and a docker-archive, and both scans find what the registry scan finds.
 */
describe('layouts written by skopeo', () => {
  let registry: RunningRegistry;
  let work: string;
  beforeAll(async () => {
    registry = await startRegistry();
    work = await mkdtemp(join(tmpdir(), 'rotor-skopeo-'));
    const store = new ImageStore();
    const l1 = await store.layer([{ path: 'etc/secret', content: 'PLANTED-1' }]);
    const l2 = await store.layer([
      { path: 'etc/.wh.secret', content: '' },
      { path: 'app/main', content: 'PLANTED-2' },
    ]);
    const manifest = store.manifest(store.config([l1, l2], { Env: ['A=PLANTED-3'] }), [l1, l2], 'docker');
    await pushImage(registry.url, 'interop/app', 'v1', store, manifest);
  });
  afterAll(async () => {
    await registry?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function scanText(text: string) {
    const target = parseTarget(text);
    return scanTarget(target, {
      detector: new FakeDetector(),
      source: await openTarget(target, { insecure: true }),
    });
  }

  function summary(result: Awaited<ReturnType<typeof scanText>>) {
    return result.findings.map((f) => [f.fingerprint, f.location.path, f.deletedBy !== undefined]).sort();
  }

  it('finds the same markers in the registry, an OCI layout and a docker-archive', async () => {
    const source = `docker://${registry.host}/interop/app:v1`;
    const oci = join(work, 'oci');
    const archive = join(work, 'app.tar');
    const common = ['--insecure-policy', 'copy', '--src-tls-verify=false'];
    await run('skopeo', [...common, source, `oci:${oci}:v1`]);
    await run('skopeo', [...common, source, `docker-archive:${archive}:interop/app:v1`]);

    const fromRegistry = await scanText(`${registry.host}/interop/app:v1`);
    const fromOci = await scanText(`oci:${oci}:v1`);
    const fromArchive = await scanText(`docker-archive:${archive}`);

    const expected = [
      ['PLANTED-1', 'etc/secret', true],
      ['PLANTED-2', 'app/main', false],
      ['PLANTED-3', 'config:Env[0]', false],
    ];
    expect(summary(fromRegistry)).toEqual(expected);
    expect(summary(fromOci)).toEqual(expected);
    expect(summary(fromArchive)).toEqual(expected);
    expect([fromRegistry.errors, fromOci.errors, fromArchive.errors]).toEqual([[], [], []]);
  });
});
