import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ImageStore, StoredBlob } from '../../unit/scanning/image/support/image-builder';

/** A misbehaviour for requests whose path matches. */
export interface Fault {
  readonly match: RegExp;
  /** How many matching requests it hits. @default every one */
  times?: number;
  readonly status?: number;
  readonly hang?: boolean;
  /** Send headers (full Content-Length) and this many body bytes, then stall. */
  readonly stallAfter?: number;
  /** Send headers (full Content-Length) and this many body bytes, then drop the connection. */
  readonly truncateAfter?: number;
  /** Answer 200 with this body instead. */
  readonly body?: Buffer;
  readonly redirectTo?: string;
}

export interface FakeRegistryOptions {
  readonly store: ImageStore;
  readonly tags: Record<string, StoredBlob>;
  /** Bearer token auth with this login; `anonymous` also hands tokens to requests without one. */
  readonly bearer?: { username: string; password: string; anonymous?: boolean };
  /** Basic auth with this login (as ECR does, with `AWS` and a token). */
  readonly basic?: { username: string; password: string };
  /** Blobs answer 302 to a second server (another origin), as registries do with S3. */
  readonly redirectBlobs?: boolean;
  /** Answer range requests with the whole blob (200), as some servers do. */
  readonly ignoreRange?: boolean;
  readonly faults?: Fault[];
}

/**
 * A small v2 registry over an ImageStore, for what the real one cannot be made to do: the Bearer token
 * challenge, blob redirects to another origin, and faults (429, 5xx, hangs, stalls, truncation, garbage).
 * Like the real registry it answers 404 to a manifest GET without a matching Accept header.
 */
export class FakeRegistry {
  readonly requests: { path: string; authorization?: string; accept?: string; range?: string }[] = [];
  readonly storageRequests: { path: string; authorization?: string }[] = [];
  readonly tokenRequests: { query: string; authorization?: string }[] = [];
  #registry!: Server;
  #storage!: Server;
  readonly #sockets = new Set<Socket>();
  readonly #tokens = new Set<string>();
  host = '';
  url = '';
  #storageUrl = '';

  constructor(private readonly options: FakeRegistryOptions) {}

  async start(): Promise<void> {
    this.#registry = await this.#listen((req, res) => this.#handle(req, res));
    this.#storage = await this.#listen((req, res) => this.#handleStorage(req, res));
    this.host = `127.0.0.1:${(this.#registry.address() as AddressInfo).port}`;
    this.url = `http://${this.host}`;
    this.#storageUrl = `http://127.0.0.1:${(this.#storage.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await Promise.all(
      [this.#registry, this.#storage].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
    );
  }

  #listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Server> {
    const server = createServer(handler);
    server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url);
    this.requests.push({
      path: url.pathname,
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      ...(req.headers.accept ? { accept: req.headers.accept } : {}),
      ...(req.headers.range ? { range: req.headers.range } : {}),
    });
    if (url.pathname === '/token') return this.#token(req, url, res);
    if (this.#fault(url.pathname, res)) return;
    const bearer = this.options.bearer;
    if (bearer) {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!token || !this.#tokens.has(token)) {
        const repo = /^\/v2\/(.+?)\/(manifests|blobs)\//.exec(url.pathname)?.[1] ?? 'x';
        res.writeHead(401, {
          'WWW-Authenticate': `Bearer realm="${this.url}/token",service="fake-registry",scope="repository:${repo}:pull"`,
          'Content-Type': 'application/json',
        });
        return void res.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
      }
    }
    const basic = this.options.basic;
    if (
      basic &&
      req.headers.authorization !==
        `Basic ${Buffer.from(`${basic.username}:${basic.password}`).toString('base64')}`
    ) {
      res.writeHead(401, {
        'WWW-Authenticate': 'Basic realm="fake-ecr"',
        'Content-Type': 'application/json',
      });
      return void res.end('{"errors":[{"code":"DENIED"}]}');
    }
    if (url.pathname === '/v2/') return void res.writeHead(200).end('{}');
    const manifest = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname);
    if (manifest) {
      const ref = manifest[2]!;
      const blob = ref.startsWith('sha256:') ? this.options.store.blobs.get(ref) : this.options.tags[ref];
      if (!blob || !(req.headers.accept ?? '').includes(blob.mediaType))
        return void res.writeHead(404).end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
      res.writeHead(200, {
        'Content-Type': blob.mediaType,
        'Docker-Content-Digest': blob.digest,
        'Content-Length': blob.bytes.length,
      });
      return void res.end(blob.bytes);
    }
    const blobMatch = /^\/v2\/(.+)\/blobs\/(sha256:[a-f0-9]{64})$/.exec(url.pathname);
    if (blobMatch) {
      const digest = blobMatch[2]!;
      if (this.options.redirectBlobs) {
        res.writeHead(302, {
          Location: `${this.#storageUrl}/storage/${digest}?X-Amz-Signature=${'f'.repeat(16)}`,
        });
        return void res.end();
      }
      return this.#serveBlob(digest, req, res);
    }
    res.writeHead(404).end();
  }

  #handleStorage(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.#storageUrl);
    this.storageRequests.push({
      path: url.pathname,
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    });
    if (this.#fault(url.pathname, res)) return;
    // Like S3 with a presigned URL: an extra Authorization header is an error.
    if (req.headers.authorization) return void res.writeHead(400).end('<Error>InvalidArgument</Error>');
    this.#serveBlob(url.pathname.slice('/storage/'.length), req, res);
  }

  #serveBlob(digest: string, req: IncomingMessage, res: ServerResponse): void {
    const blob = this.options.store.blobs.get(digest);
    if (!blob) return void res.writeHead(404).end('{"errors":[{"code":"BLOB_UNKNOWN"}]}');
    const from = /^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1];
    if (from !== undefined && !this.options.ignoreRange) {
      const start = Number(from);
      res.writeHead(206, {
        'Content-Type': 'application/octet-stream',
        'Content-Length': blob.bytes.length - start,
        'Content-Range': `bytes ${start}-${blob.bytes.length - 1}/${blob.bytes.length}`,
      });
      return void res.end(blob.bytes.subarray(start));
    }
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': blob.bytes.length });
    res.end(blob.bytes);
  }

  #token(req: IncomingMessage, url: URL, res: ServerResponse): void {
    this.tokenRequests.push({
      query: url.search,
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    });
    const bearer = this.options.bearer!;
    const expected = `Basic ${Buffer.from(`${bearer.username}:${bearer.password}`).toString('base64')}`;
    const anonymousOk = bearer.anonymous && !req.headers.authorization;
    if (req.headers.authorization !== expected && !anonymousOk)
      return void res.writeHead(401).end('{"details":"incorrect username or password"}');
    const token = `tok-${this.#tokens.size + 1}-${Math.random().toString(36).slice(2)}`;
    this.#tokens.add(token);
    res
      .writeHead(200, { 'Content-Type': 'application/json' })
      .end(JSON.stringify({ token, expires_in: 300 }));
  }

  /** Applies the first live fault matching the path; true when it answered (or chose not to). */
  #fault(path: string, res: ServerResponse): boolean {
    const fault = this.options.faults?.find(
      (f) => f.match.test(path) && (f.times === undefined || f.times > 0),
    );
    if (!fault) return false;
    if (fault.times !== undefined) fault.times -= 1;
    if (fault.hang) return true;
    if (fault.status !== undefined) {
      res
        .writeHead(fault.status, fault.status === 429 ? { 'Retry-After': '0' } : {})
        .end('{"errors":[{"code":"TOOMANYREQUESTS"}]}');
      return true;
    }
    if (fault.body) {
      res.writeHead(200, { 'Content-Type': 'text/html' }).end(fault.body);
      return true;
    }
    if (fault.redirectTo) {
      res.writeHead(302, { Location: fault.redirectTo }).end();
      return true;
    }
    const digest = /(sha256:[a-f0-9]{64})/.exec(path)?.[1];
    const blob = digest ? this.options.store.blobs.get(digest) : undefined;
    if (!blob) return false;
    const cut = fault.stallAfter ?? fault.truncateAfter ?? 0;
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': blob.bytes.length });
    res.write(blob.bytes.subarray(0, cut));
    if (fault.truncateAfter !== undefined) setTimeout(() => res.socket?.destroy(), 20);
    return true;
  }
}
