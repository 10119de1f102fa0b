import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImageStore, StoredBlob } from './image-builder';
import { freePort } from './postgres';

/**
 * Debian's `docker-registry` (distribution 2.8) on loopback for integration tests: its own config in a
 * temp folder (filesystem storage, `127.0.0.1:<free port>`, optional htpasswd auth), ready when `GET /v2/`
 * answers. Stop it in `afterAll`.
 */
export const REGISTRY_BINARY = '/usr/bin/docker-registry';

/** Whether the registry binary is installed. */
export function registryInstalled(): boolean {
  return existsSync(REGISTRY_BINARY);
}

/** A running registry. */
export interface RunningRegistry {
  /** `127.0.0.1:<port>`. */
  readonly host: string;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  stop(): Promise<void>;
}

/** A login for an htpasswd-protected registry. */
export interface TestLogin {
  readonly username: string;
  readonly password: string;
}

/** Starts a registry; with `login`, it requires that login (htpasswd, bcrypt made by Python's crypt). */
export async function startRegistry(options: { login?: TestLogin } = {}): Promise<RunningRegistry> {
  if (!registryInstalled()) {
    throw new Error(
      `${REGISTRY_BINARY} not found: install the Debian package docker-registry (apt-get install -y docker-registry)`,
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 'rotor-registry-'));
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    const auth = options.login
      ? `auth:\n  htpasswd:\n    realm: rotor-test\n    path: ${join(dir, 'htpasswd')}\n`
      : '';
    if (options.login)
      await writeFile(join(dir, 'htpasswd'), `${options.login.username}:${bcrypt(options.login.password)}\n`);
    const config = [
      'version: 0.1',
      'log:',
      '  level: error',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'data')}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: ${host}`,
      auth,
    ].join('\n');
    await writeFile(join(dir, 'config.yml'), config);
    const child = spawn(REGISTRY_BINARY, ['serve', join(dir, 'config.yml')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    try {
      await waitReady(`http://${host}/v2/`, child);
      return {
        host,
        url: `http://${host}`,
        stop: async () => {
          await stop(child);
          await rm(dir, { recursive: true, force: true });
        },
      };
    } catch (error) {
      lastError = new Error(`registry did not start: ${(error as Error).message}\n${stderr}`);
      await stop(child);
    }
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError;
}

function bcrypt(password: string): string {
  // Debian's libxcrypt (behind Python's crypt module) makes $2b$ hashes; the password comes in on stdin.
  const script =
    'import crypt,sys; print(crypt.crypt(sys.stdin.read(), crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1<<4)))';
  return execFileSync('python3', ['-W', 'ignore', '-c', script], { input: password }).toString().trim();
}

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200 || res.status === 401) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('not ready within 20 s');
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

const MANIFEST_TYPES = new Set([
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
]);
const INDEX_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);

/**
 * Pushes every blob of a store, then its manifests, then its indexes, through the v2 API (POST an upload,
 * PUT the blob with `?digest=`, PUT the manifest), and tags `root`.
 */
export async function pushImage(
  registryUrl: string,
  repository: string,
  tag: string,
  store: ImageStore,
  root: StoredBlob,
  login?: TestLogin,
): Promise<void> {
  const auth: Record<string, string> = login
    ? { Authorization: `Basic ${Buffer.from(`${login.username}:${login.password}`).toString('base64')}` }
    : {};
  const blobs = [...store.blobs.values()];
  for (const blob of blobs.filter((b) => !MANIFEST_TYPES.has(b.mediaType) && !INDEX_TYPES.has(b.mediaType))) {
    const start = await fetch(`${registryUrl}/v2/${repository}/blobs/uploads/`, {
      method: 'POST',
      headers: auth,
    });
    if (start.status !== 202) throw new Error(`upload start: HTTP ${start.status}`);
    const location = new URL(start.headers.get('location')!, registryUrl);
    location.searchParams.set('digest', blob.digest);
    const put = await fetch(location, {
      method: 'PUT',
      headers: { ...auth, 'Content-Type': 'application/octet-stream' },
      body: blob.bytes,
    });
    if (put.status !== 201) throw new Error(`blob put: HTTP ${put.status} ${await put.text()}`);
  }
  const putManifest = async (blob: StoredBlob, reference: string): Promise<void> => {
    const res = await fetch(`${registryUrl}/v2/${repository}/manifests/${reference}`, {
      method: 'PUT',
      headers: { ...auth, 'Content-Type': blob.mediaType },
      body: blob.bytes,
    });
    if (res.status !== 201) throw new Error(`manifest put: HTTP ${res.status} ${await res.text()}`);
  };
  for (const blob of blobs.filter((b) => MANIFEST_TYPES.has(b.mediaType)))
    await putManifest(blob, blob.digest);
  for (const blob of blobs.filter((b) => INDEX_TYPES.has(b.mediaType))) await putManifest(blob, blob.digest);
  await putManifest(root, tag);
}
