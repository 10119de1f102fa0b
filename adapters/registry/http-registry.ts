import { realSleep, type Sleep } from '../../core/clock';
import { Sensitive } from '../../core/sensitive';
import {
  BlobNotFoundError,
  BlobTooLargeError,
  RegistryAuthError,
  RegistryResponseError,
  RegistryUnavailableError,
  ScanConfigError,
} from '../../core/scanning/image/errors';
import type { ManifestBytes, RegistryClient } from '../../core/scanning/image/ports';
import { isLoopbackRegistry } from '../../core/scanning/image/target';

/** A registry login. The password (or token) travels wrapped, so it prints as [redacted]. */
export interface RegistryCredentials {
  readonly username: string;
  readonly password: Sensitive<string>;
}

/** Gives credentials when the registry asks; called again when they expire (ECR tokens last 12 hours). */
export type CredentialProvider = () => Promise<RegistryCredentials | undefined>;

/** How to reach a registry. */
export interface HttpRegistryOptions {
  /** `host[:port]`. */
  readonly registry: string;
  /** Plain HTTP instead of HTTPS; allowed for loopback registries only. @default false */
  readonly insecure?: boolean;
  readonly credentials?: RegistryCredentials | CredentialProvider;
  /** Time to wait for a response's headers. @default 30000 */
  readonly requestTimeoutMs?: number;
  /** Time to wait for the next chunk of a body. @default 60000 */
  readonly idleTimeoutMs?: number;
  /** Retries on 429, 5xx, timeouts and network errors; also how often a dropped blob download resumes. @default 4 */
  readonly maxRetries?: number;
  /** First backoff delay, doubled each retry, with jitter. @default 500 */
  readonly retryBaseDelayMs?: number;
  /** Longest backoff delay, `Retry-After` included. @default 10000 */
  readonly maxRetryDelayMs?: number;
  /** Redirects followed per request (registries redirect blobs to storage). @default 5 */
  readonly maxRedirects?: number;
  /** Largest manifest or token response read. @default 4 MiB */
  readonly maxManifestBytes?: number;
  /** For tests. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** For tests. @default realSleep */
  readonly sleep?: Sleep;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * The v2 registry client over Node's fetch: anonymous access, Basic auth, and the Bearer token challenge
 * (`WWW-Authenticate: Bearer realm=…,service=…,scope=…`). Every request has a timeout for its headers and
 * its body has an idle timeout; 429, 5xx and network errors are retried with exponential backoff and
 * jitter (honouring `Retry-After`); redirects are followed only to http(s), a bounded number of times, and
 * credentials are never sent to another origin (blob storage gets the presigned URL only). Error messages
 * name host and path, never a query string (presigned URLs carry signatures) or a credential.
 */
export class HttpRegistryClient implements RegistryClient {
  readonly #base: URL;
  readonly #options: Required<Omit<HttpRegistryOptions, 'credentials' | 'insecure' | 'registry'>>;
  readonly #credentials: CredentialProvider;
  #authorization: Sensitive<string> | undefined;
  readonly #tokens = new Map<string, { token: Sensitive<string>; expires: number }>();

  constructor(options: HttpRegistryOptions) {
    if (options.insecure && !isLoopbackRegistry(options.registry)) {
      throw new ScanConfigError(
        `insecure (plain HTTP) is allowed for loopback registries only, not ${options.registry}`,
      );
    }
    this.#base = new URL(`${options.insecure ? 'http' : 'https'}://${options.registry}`);
    const credentials = options.credentials;
    this.#credentials = typeof credentials === 'function' ? credentials : async () => credentials;
    this.#options = {
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
      maxRetries: options.maxRetries ?? 4,
      retryBaseDelayMs: options.retryBaseDelayMs ?? 500,
      maxRetryDelayMs: options.maxRetryDelayMs ?? 10_000,
      maxRedirects: options.maxRedirects ?? 5,
      maxManifestBytes: options.maxManifestBytes ?? 4 * 1024 * 1024,
      fetch: options.fetch ?? globalThis.fetch,
      sleep: options.sleep ?? realSleep,
    };
  }

  async getManifest(
    repository: string,
    reference: string,
    accept: readonly string[],
  ): Promise<ManifestBytes> {
    const url = new URL(`/v2/${repository}/manifests/${reference}`, this.#base);
    const { response, controller } = await this.#get(url, repository, { Accept: accept.join(', ') });
    await this.#expectOk(response, url, `manifest ${reference} of ${repository}`);
    const bytes = await this.#readLimited(response, controller, url);
    const mediaType = response.headers.get('content-type') ?? undefined;
    const digest = response.headers.get('docker-content-digest') ?? undefined;
    return { bytes, ...(mediaType ? { mediaType } : {}), ...(digest ? { digest } : {}) };
  }

  async getBlob(repository: string, digest: string): Promise<AsyncIterable<Uint8Array>> {
    const url = new URL(`/v2/${repository}/blobs/${digest}`, this.#base);
    const what = `blob ${digest} of ${repository}`;
    const first = await this.#get(url, repository, {});
    await this.#expectOk(first.response, first.finalUrl, what);
    return this.#resumable(first, url, repository, what);
  }

  /**
   * A blob body that survives dropped connections and stalls: it asks again from where it stopped with
   * `Range: bytes=<n>-` (up to `maxRetries` times, with backoff). A server that ignores the range and
   * sends the whole blob again has its first n bytes skipped. The digest check downstream still covers
   * every byte.
   */
  async *#resumable(
    first: { response: Response; controller: AbortController; finalUrl: URL },
    url: URL,
    repository: string,
    what: string,
  ): AsyncGenerator<Uint8Array> {
    let current = first;
    let received = 0;
    let skip = 0;
    for (let resumes = 0; ; resumes += 1) {
      try {
        for await (const chunk of this.#body(current.response, current.controller, current.finalUrl)) {
          if (skip >= chunk.byteLength) {
            skip -= chunk.byteLength;
            continue;
          }
          const fresh = skip > 0 ? chunk.subarray(skip) : chunk;
          skip = 0;
          received += fresh.byteLength;
          yield fresh;
        }
        return;
      } catch (error) {
        if (!(error instanceof RegistryUnavailableError) || resumes >= this.#options.maxRetries) throw error;
        await this.#options.sleep(this.#backoff(resumes, null));
        current = await this.#get(url, repository, { Range: `bytes=${received}-` });
        const status = current.response.status;
        const range = current.response.headers.get('content-range') ?? '';
        if (status === 206 && range.startsWith(`bytes ${received}-`)) skip = 0;
        else if (status === 200) skip = received;
        else {
          await this.#expectOk(current.response, current.finalUrl, what);
          await discard(current.response);
          throw new RegistryResponseError(`${what}: cannot resume at byte ${received} (HTTP ${status})`, {
            cause: error,
          });
        }
      }
    }
  }

  /** GET with auth, redirects and retries; resolves with a 2xx-or-other final response (body unread). */
  async #get(
    url: URL,
    repository: string,
    headers: Record<string, string>,
  ): Promise<{ response: Response; controller: AbortController; finalUrl: URL }> {
    let current = url;
    let authenticated = false;
    for (let redirects = 0; ;) {
      const sameOrigin = current.origin === this.#base.origin;
      const auth = sameOrigin ? this.#authorization : undefined;
      const { response, controller } = await this.#send(current, {
        ...headers,
        ...(auth ? { Authorization: auth.reveal() } : {}),
      });
      if (response.status === 401 && sameOrigin && !authenticated) {
        await discard(response);
        await this.#authenticate(response.headers.get('www-authenticate'), repository);
        authenticated = true;
        continue;
      }
      if (REDIRECTS.has(response.status)) {
        await discard(response);
        redirects += 1;
        if (redirects > this.#options.maxRedirects) {
          throw new RegistryResponseError(
            `${describe(url)}: more than ${this.#options.maxRedirects} redirects`,
          );
        }
        const location = response.headers.get('location');
        let next: URL;
        try {
          next = new URL(location ?? '', current);
        } catch {
          throw new RegistryResponseError(`${describe(current)}: redirect without a usable Location`);
        }
        if (location === null || (next.protocol !== 'https:' && next.protocol !== 'http:')) {
          throw new RegistryResponseError(
            `${describe(current)}: redirect to a ${location === null ? 'missing' : next.protocol} location refused`,
          );
        }
        if (current.protocol === 'https:' && next.protocol === 'http:' && !isLoopbackRegistry(next.host)) {
          throw new RegistryResponseError(`${describe(current)}: redirect from https to plain http refused`);
        }
        current = next;
        continue;
      }
      return { response, controller, finalUrl: current };
    }
  }

  /** One request with retries on 429, 5xx, timeouts and network errors. */
  async #send(
    url: URL,
    headers: Record<string, string>,
  ): Promise<{ response: Response; controller: AbortController }> {
    const o = this.#options;
    for (let attempt = 0; ; attempt += 1) {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), o.requestTimeoutMs);
      let response: Response;
      try {
        response = await o.fetch(url, {
          method: 'GET',
          headers,
          redirect: 'manual',
          signal: controller.signal,
        });
      } catch (cause) {
        const why = controller.signal.aborted
          ? `no response within ${o.requestTimeoutMs} ms`
          : 'network error';
        if (attempt < o.maxRetries) {
          await o.sleep(this.#backoff(attempt, null));
          continue;
        }
        throw new RegistryUnavailableError(`${describe(url)}: ${why} (after ${attempt + 1} attempts)`, {
          cause,
        });
      } finally {
        clearTimeout(timer);
      }
      if (response.status === 429 || response.status >= 500) {
        await discard(response);
        if (attempt < o.maxRetries) {
          await o.sleep(this.#backoff(attempt, response.headers.get('retry-after')));
          continue;
        }
        throw new RegistryUnavailableError(
          `${describe(url)}: HTTP ${response.status} (after ${attempt + 1} attempts)`,
          {
            context: { status: response.status },
          },
        );
      }
      return { response, controller };
    }
  }

  #backoff(attempt: number, retryAfter: string | null): number {
    const o = this.#options;
    const seconds = retryAfter !== null ? Number(retryAfter) : NaN;
    if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, o.maxRetryDelayMs);
    const exponential = Math.min(o.retryBaseDelayMs * 2 ** attempt, o.maxRetryDelayMs);
    return exponential / 2 + Math.random() * (exponential / 2);
  }

  /** Answers a 401 challenge: Basic with the credentials, or Bearer by fetching a token from the realm. */
  async #authenticate(header: string | null, repository: string): Promise<void> {
    const challenge = parseChallenge(header ?? '');
    if (challenge === undefined)
      throw new RegistryAuthError(
        `${this.#base.host} answered 401 without a usable WWW-Authenticate challenge`,
      );
    const credentials = await this.#credentials();
    if (challenge.scheme === 'basic') {
      if (!credentials)
        throw new RegistryAuthError(`${this.#base.host} requires credentials (Basic) and none were given`);
      this.#authorization = Sensitive.of(basic(credentials));
      return;
    }
    if (challenge.scheme !== 'bearer')
      throw new RegistryAuthError(`${this.#base.host} asks for unsupported auth scheme ${challenge.scheme}`);
    const scope = challenge.params.scope ?? `repository:${repository}:pull`;
    const cached = this.#tokens.get(scope);
    if (
      cached &&
      cached.expires > Date.now() &&
      this.#authorization?.reveal() !== `Bearer ${cached.token.reveal()}`
    ) {
      this.#authorization = Sensitive.of(`Bearer ${cached.token.reveal()}`);
      return;
    }
    const token = await this.#fetchToken(challenge.params, scope, credentials);
    this.#authorization = Sensitive.of(`Bearer ${token.reveal()}`);
  }

  async #fetchToken(
    params: Record<string, string>,
    scope: string,
    credentials: RegistryCredentials | undefined,
  ): Promise<Sensitive<string>> {
    let realm: URL;
    try {
      realm = new URL(params.realm ?? '');
    } catch {
      throw new RegistryAuthError(`${this.#base.host}: the Bearer challenge has no valid realm`);
    }
    if (realm.protocol !== 'https:' && !(realm.protocol === 'http:' && isLoopbackRegistry(realm.host))) {
      throw new RegistryAuthError(`${this.#base.host}: token realm ${realm.host} is not https`);
    }
    if (params.service) realm.searchParams.set('service', params.service);
    realm.searchParams.set('scope', scope);
    const { response, controller } = await this.#send(
      realm,
      credentials ? { Authorization: basic(credentials) } : {},
    );
    if (response.status === 401 || response.status === 403) {
      await discard(response);
      throw new RegistryAuthError(
        `token service ${realm.host} refused the credentials (HTTP ${response.status})`,
        { context: { status: response.status } },
      );
    }
    if (response.status !== 200) {
      await discard(response);
      throw new RegistryAuthError(`token service ${realm.host} answered HTTP ${response.status}`, {
        context: { status: response.status },
      });
    }
    const body = await this.#readLimited(response, controller, realm);
    let json: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch (cause) {
      throw new RegistryAuthError(`token service ${realm.host} answered something that is not JSON`, {
        cause,
      });
    }
    const value =
      typeof json.token === 'string'
        ? json.token
        : typeof json.access_token === 'string'
          ? json.access_token
          : undefined;
    if (!value) throw new RegistryAuthError(`token service ${realm.host} answered without a token`);
    const token = Sensitive.of(value);
    const lifetime = typeof json.expires_in === 'number' && json.expires_in > 0 ? json.expires_in : 60;
    this.#tokens.set(scope, { token, expires: Date.now() + (lifetime - 5) * 1000 });
    return token;
  }

  async #expectOk(response: Response, url: URL, what: string): Promise<void> {
    if (response.status === 200) return;
    await discard(response);
    if (response.status === 404)
      throw new BlobNotFoundError(`${what} not found (${describe(url)})`, { context: { status: 404 } });
    if (response.status === 401 || response.status === 403) {
      throw new RegistryAuthError(`${what}: access denied (HTTP ${response.status})`, {
        context: { status: response.status },
      });
    }
    throw new RegistryResponseError(`${what}: unexpected HTTP ${response.status} from ${describe(url)}`, {
      context: { status: response.status },
    });
  }

  async #readLimited(response: Response, controller: AbortController, url: URL): Promise<Buffer> {
    const chunks: Uint8Array[] = [];
    let length = 0;
    for await (const chunk of this.#body(response, controller, url)) {
      length += chunk.byteLength;
      if (length > this.#options.maxManifestBytes) {
        throw new BlobTooLargeError(
          `${describe(url)}: response larger than ${this.#options.maxManifestBytes} bytes`,
        );
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }

  /** A response body as chunks, failing when no chunk comes for `idleTimeoutMs` or the connection drops. */
  async *#body(response: Response, controller: AbortController, url: URL): AsyncGenerator<Uint8Array> {
    if (!response.body) return;
    const reader = response.body.getReader();
    const idle = this.#options.idleTimeoutMs;
    let finished = false;
    try {
      for (;;) {
        const timer = setTimeout(() => controller.abort(), idle);
        let next: Awaited<ReturnType<typeof reader.read>>;
        try {
          next = await reader.read();
        } catch (cause) {
          const why = controller.signal.aborted ? `no data for ${idle} ms` : 'the connection dropped';
          throw new RegistryUnavailableError(`${describe(url)}: ${why} while reading the body`, { cause });
        } finally {
          clearTimeout(timer);
        }
        if (next.done) {
          finished = true;
          return;
        }
        yield next.value;
      }
    } finally {
      if (!finished) {
        controller.abort();
        await reader.cancel().catch(() => undefined);
      }
    }
  }
}

/** A parsed `WWW-Authenticate` challenge: lower-case scheme and its parameters. */
export function parseChallenge(
  header: string,
): { scheme: string; params: Record<string, string> } | undefined {
  const match = /^\s*([A-Za-z]+)\s*(.*)$/s.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  for (const p of match[2]!.matchAll(/([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
    params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3]!;
  }
  return { scheme: match[1]!.toLowerCase(), params };
}

function basic(credentials: RegistryCredentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password.reveal()}`).toString('base64')}`;
}

/** Host and path of a URL, never its query (presigned URLs carry signatures there). */
function describe(url: URL): string {
  return `${url.host}${url.pathname}`;
}

async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}
