// Generates the benchmark image as an OCI image layout folder, streaming each layer (tar -> gzip -> file, with
// the diff id and blob digest hashed on the way) so a gigabyte never sits in memory. Deterministic for a seed
// (except the bytes of the two private keys, which node:crypto makes).
import { createHash, type Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, type Gzip } from 'node:zlib';
import { Filler, type TextKind } from './filler';
import { plantedSnippets, SecretMaker, type Snippet, type TruthItem } from './planted';
import { HEX, LOWER, Random } from './random';

/** How big and which image. */
export interface ImageOptions {
  readonly totalBytes: number;
  readonly seed: number;
  /** gzip level of the layers. @default 6 (what docker and buildkit use) */
  readonly gzipLevel?: number;
}

/** A written layer. */
export interface LayerInfo {
  readonly name: string;
  readonly digest: string;
  readonly diffId: string;
  readonly compressedBytes: number;
  readonly uncompressedBytes: number;
  readonly files: number;
}

/** The generated image and what was planted in it. */
export interface GeneratedImage {
  readonly dir: string;
  readonly layers: readonly LayerInfo[];
  readonly truth: readonly TruthItem[];
  /** Paths of the layer blobs, in manifest order. */
  readonly blobPaths: readonly string[];
}

type Mix = ReadonlyArray<{ weight: number; make: (r: Random, n: number) => FileSpec }>;

interface FileSpec {
  readonly path: string;
  readonly body: Buffer;
}

/** Writes ustar entries into a gzip stream, honouring its backpressure. */
class LayerWriter {
  files = 0;
  bytes = 0;

  constructor(
    private readonly gzip: Gzip,
    private readonly diffHash: Hash,
  ) {}

  async add(path: string, body: Buffer): Promise<void> {
    this.files += 1;
    const pad = (512 - (body.length % 512)) % 512;
    await this.write(Buffer.concat([tarHeader(path, body.length), body, Buffer.alloc(pad)]));
  }

  async end(): Promise<void> {
    await this.write(Buffer.alloc(1024));
    this.gzip.end();
  }

  private async write(chunk: Buffer): Promise<void> {
    this.bytes += chunk.length;
    this.diffHash.update(chunk);
    if (!this.gzip.write(chunk)) await new Promise((resolve) => this.gzip.once('drain', resolve));
  }
}

function tarHeader(path: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  let name = path;
  let prefix = '';
  if (Buffer.byteLength(path) > 100) {
    const cut = path.lastIndexOf('/', 155);
    prefix = path.slice(0, cut);
    name = path.slice(cut + 1);
  }
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  h.write(`${(1767225600).toString(8).padStart(11, '0')}\0`, 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\0' + '00', 257);
  h.write('root', 265);
  h.write('root', 297);
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

function hashing(hash: Hash, counter: { n: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      counter.n += chunk.length;
      done(null, chunk);
    },
  });
}

/** Generates the image into `dir` (created). */
export async function generateImage(dir: string, options: ImageOptions): Promise<GeneratedImage> {
  const r = new Random(options.seed);
  const filler = new Filler(r);
  const snippets = plantedSnippets(new SecretMaker(r));
  const pool = r.bytes(16 * 1024 * 1024); // binaries are slices of this: random, incompressible, cheap to make
  const blobsDir = join(dir, 'blobs', 'sha256');
  await mkdir(blobsDir, { recursive: true });
  const truth: TruthItem[] = [];
  const total = options.totalBytes;

  const binary = (magic: string, size: number): Buffer => {
    const at = r.int(pool.length - size);
    return Buffer.concat([Buffer.from(magic, 'latin1'), pool.subarray(at, at + size - magic.length)]);
  };
  const text = (kind: TextKind, size: number) => Buffer.from(filler.text(kind, size));
  const pkg = () =>
    `${r.pick(['fast', 'tiny', 'node', 'io', 'web', 'core', 'micro'])}-${r.chars(LOWER, 2 + r.int(6))}`;
  /** A file of filler with a snippet planted at a line boundary near `at` (0..1) of it. */
  const planted = (
    path: string,
    kind: TextKind,
    size: number,
    snippet: Snippet,
    at: number,
    context: string,
  ): FileSpec => {
    const body = filler.text(kind, size);
    let cut = body.indexOf('\n', Math.floor(body.length * at));
    if (cut < 0) cut = body.length;
    const oneLine = kind === 'min.js';
    const split = oneLine ? Math.floor(body.length * at) : cut;
    const before = oneLine ? body.slice(0, split) : body.slice(0, split) + (split > 0 ? '\n' : '');
    const line = before.split('\n').length; // 1-based line where the snippet starts
    for (const s of snippet.secrets)
      truth.push({ kind: s.kind, path, line: line + s.lineInSnippet, context });
    const after = body.slice(split);
    return { path, body: Buffer.from(before + snippet.text + (oneLine ? '' : '\n') + after) };
  };

  // Layers as a real Node.js image has them: OS, runtime, tools, dependencies, app build, assets, config.
  const layers: Array<{ name: string; share: number; mix: Mix; extra: () => FileSpec[] }> = [
    {
      name: 'os',
      share: 0.2,
      mix: [
        {
          weight: 0.15,
          make: (_r, n) => ({
            path: `usr/lib/x86_64-linux-gnu/lib${pkg()}.so.${n % 9}`,
            body: binary('\x7fELF', r.logSize(8e3, 4e6)),
          }),
        },
        {
          weight: 0.45,
          make: (_r, n) => ({ path: `etc/${pkg()}/${n}.conf`, body: text('conf', r.logSize(100, 8e3)) }),
        },
        {
          weight: 0.4,
          make: (_r, n) => ({
            path: `usr/share/doc/${pkg()}-${n}/README.md`,
            body: text('md', r.logSize(300, 30e3)),
          }),
        },
      ],
      extra: () => [
        planted(
          'etc/ssl/private/server.key',
          'conf',
          0,
          snippets.serverKey!,
          0,
          'PEM key file (RSA, PKCS#8)',
        ),
        planted('root/.aws/credentials', 'conf', 0, snippets.awsCredentials!, 0, 'AWS credentials file'),
      ],
    },
    {
      name: 'runtime',
      share: 0.15,
      mix: [
        {
          weight: 0.35,
          make: (_r, n) => ({
            path: `usr/local/lib/node/npm/lib/${pkg()}/${n}.js`,
            body: text('js', r.logSize(300, 40e3)),
          }),
        },
        {
          weight: 0.05,
          make: (_r, n) => ({
            path: `usr/local/include/node/${pkg()}${n}.h`,
            body: text('js', r.logSize(500, 60e3)),
          }),
        },
      ],
      extra: () => [{ path: 'usr/local/bin/node', body: binary('\x7fELF', Math.floor(total * 0.15 * 0.6)) }],
    },
    {
      name: 'tools',
      share: 0.1,
      mix: [
        {
          weight: 0.9,
          make: (_r, n) => ({
            path: `usr/lib/python3/dist-packages/${pkg()}/${n}.py`,
            body: text('py', r.logSize(300, 50e3)),
          }),
        },
        {
          weight: 0.1,
          make: (_r, n) => ({
            path: `usr/lib/python3/dist-packages/${pkg()}/_speedups${n}.so`,
            body: binary('\x7fELF', r.logSize(20e3, 2e6)),
          }),
        },
      ],
      extra: () => [],
    },
    {
      name: 'dependencies',
      share: 0.35,
      mix: [
        {
          weight: 0.6,
          make: (_r, n) => ({
            path: `usr/src/app/packages/${pkg()}/lib/${n}.js`,
            body: text('js', r.logSize(200, 60e3)),
          }),
        },
        {
          weight: 0.05,
          make: (_r, n) => ({
            path: `usr/src/app/packages/${pkg()}-${n}/package.json`,
            body: text('json', 0),
          }),
        },
        {
          weight: 0.1,
          make: (_r, n) => ({
            path: `usr/src/app/packages/${pkg()}/README.${n}.md`,
            body: text('md', r.logSize(500, 20e3)),
          }),
        },
        {
          weight: 0.15,
          make: (_r, n) => ({
            path: `usr/src/app/packages/${pkg()}/index.d.ts.${n}.ts`,
            body: text('ts', r.logSize(200, 30e3)),
          }),
        },
        {
          weight: 0.03,
          make: (_r, n) => ({
            path: `usr/src/app/packages/${pkg()}/dist/${n}.min.js`,
            body: text('min.js', r.logSize(20e3, 1e6)),
          }),
        },
        {
          weight: 0.02,
          make: (_r, n) => ({
            path: `usr/src/app/packages/${pkg()}/dist/${n}.min.js.map`,
            body: text('map', r.logSize(10e3, 600e3)),
          }),
        },
        {
          weight: 0.01,
          make: (_r, n) => ({
            path: `usr/src/app/packages/${pkg()}/build/Release/addon${n}.node`,
            body: binary('\x7fELF', r.logSize(20e3, 3e6)),
          }),
        },
      ],
      extra: () => [],
    },
    {
      name: 'app',
      share: 0.12,
      mix: [
        {
          weight: 0.1,
          make: (_r, n) => ({
            path: `usr/src/app/dist/chunk-${n}.${r.chars(HEX, 8)}.min.js`,
            body: text('min.js', r.logSize(50e3, 3e6)),
          }),
        },
        {
          weight: 0.05,
          make: (_r, n) => ({
            path: `usr/src/app/dist/chunk-${n}.min.js.map`,
            body: text('map', r.logSize(50e3, 2e6)),
          }),
        },
        {
          weight: 0.85,
          make: (_r, n) => ({
            path: `usr/src/app/src/${r.pick(['api', 'domain', 'infra', 'ui'])}/${pkg()}-${n}.ts`,
            body: text('ts', r.logSize(200, 20e3)),
          }),
        },
      ],
      extra: () => [
        { path: 'usr/src/app/package-lock.json', body: text('lock', 3e6) },
        { path: 'usr/src/app/package.json', body: text('json', 0) },
        planted(
          `usr/src/app/dist/main.${r.chars(HEX, 8)}.min.js`,
          'min.js',
          1.5e6,
          snippets.bundle!,
          0.63,
          'minified bundle (one long line)',
        ),
        planted('usr/src/app/src/config/default.js', 'js', 30e3, snippets.jsConfig!, 0.5, 'JS source'),
      ],
    },
    {
      name: 'assets',
      share: 0.07,
      mix: [
        {
          weight: 0.8,
          make: (_r, n) => ({
            path: `usr/src/app/public/img/${pkg()}-${n}.png`,
            body: binary('\x89PNG\r\n\x1a\n', r.logSize(2e3, 800e3)),
          }),
        },
        {
          weight: 0.2,
          make: (_r, n) => ({
            path: `usr/src/app/public/fonts/${pkg()}-${n}.woff2`,
            body: binary('wOF2', r.logSize(20e3, 200e3)),
          }),
        },
      ],
      extra: () => [],
    },
    {
      name: 'config',
      share: 0.01,
      mix: [
        {
          weight: 1,
          make: (_r, n) => ({
            path: `usr/src/app/config/${pkg()}-${n}.yaml`,
            body: text('yaml', r.logSize(200, 5e3)),
          }),
        },
      ],
      extra: () => [
        planted('usr/src/app/.env', 'conf', 0, snippets.dotenv!, 0, '.env file'),
        planted(
          'usr/src/app/config/production.json',
          'conf',
          0,
          snippets.productionJson!,
          0,
          'JSON config (key with escaped newlines)',
        ),
      ],
    },
  ];

  const infos: LayerInfo[] = [];
  const blobPaths: string[] = [];
  for (const layer of layers) {
    const budget = Math.floor(total * layer.share);
    const gzip = createGzip({ level: options.gzipLevel ?? 6 });
    const blob = { n: 0 };
    const diffHash = createHash('sha256');
    const blobHash = createHash('sha256');
    const tmp = join(blobsDir, `.tmp-${layer.name}`);
    // The diff id is hashed from what enters gzip, the digest from what leaves it.
    const writer = new LayerWriter(gzip, diffHash);
    const written = pipeline(gzip, hashing(blobHash, blob), createWriteStream(tmp));
    for (const f of layer.extra()) await writer.add(f.path, f.body);
    const weights = layer.mix.reduce((s, m) => s + m.weight, 0);
    let n = 0;
    while (writer.bytes < budget) {
      let pickW = r.next() * weights;
      const m = layer.mix.find((x) => (pickW -= x.weight) < 0) ?? layer.mix[0]!;
      const f = m.make(r, n++);
      await writer.add(f.path, f.body);
    }
    await writer.end();
    await written;
    const digest = `sha256:${blobHash.digest('hex')}`;
    const path = join(blobsDir, digest.slice(7));
    await rename(tmp, path);
    blobPaths.push(path);
    infos.push({
      name: layer.name,
      digest,
      compressedBytes: blob.n,
      uncompressedBytes: writer.bytes,
      files: writer.files,
      diffId: `sha256:${diffHash.digest('hex')}`,
    });
  }

  const put = async (body: unknown): Promise<{ digest: string; size: number }> => {
    const bytes = Buffer.from(JSON.stringify(body));
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    await writeFile(join(blobsDir, digest.slice(7)), bytes);
    return { digest, size: bytes.length };
  };
  const config = await put({
    architecture: 'amd64',
    os: 'linux',
    config: {
      Env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'NODE_ENV=production'],
      Cmd: ['node', 'dist/server.js'],
      WorkingDir: '/usr/src/app',
    },
    rootfs: { type: 'layers', diff_ids: infos.map((l) => l.diffId) },
    history: infos.map((l) => ({ created_by: `/bin/sh -c #(nop) ${l.name} layer` })),
  });
  const manifest = await put({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers: infos.map((l) => ({
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      digest: l.digest,
      size: l.compressedBytes,
    })),
  });
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...manifest,
          annotations: { 'org.opencontainers.image.ref.name': 'latest' },
        },
      ],
    }),
  );
  return { dir, layers: infos, truth, blobPaths };
}
