import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The fake's four endpoints, as a fault names them. */
export type SaasRoute = 'create' | 'list' | 'revoke' | 'test';

/** A misbehaviour for the next `times` requests (default 1) to `route` (or any route). */
export type SaasFault = { readonly route: SaasRoute | 'any'; readonly times?: number } & (
  | { readonly kind: 'slow'; readonly delayMs: number }
  | { readonly kind: 'status'; readonly status: number }
  | { readonly kind: 'rate-limit'; readonly retryAfterSeconds: number }
  | { readonly kind: 'malformed-json' }
  | { readonly kind: 'missing-field' }
  | { readonly kind: 'redirect' }
  | { readonly kind: 'oversized'; readonly bytes: number }
);

/** One key as the fake stores it. */
export interface SaasKey {
  readonly id: string;
  readonly name: string;
  readonly key: string;
  readonly createdAt: string;
}

/** A running fake SaaS: its base URL, admin token, keys, the requests it saw, and fault injection. */
export interface FakeSaas {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The admin token (generated at start). */
  readonly adminToken: string;
  /** Queues a misbehaviour; faults apply in the order queued. */
  misbehave(fault: SaasFault): void;
  /** Drops the faults not yet used. */
  behave(): void;
  keys(): readonly SaasKey[];
  /** Every key value issued since start, revoked ones too (for leak checks). */
  allKeysEverIssued(): readonly string[];
  /** Adds a key directly (the current key of a secret), returning it. */
  seedKey(name: string): SaasKey;
  /** Each request seen: route and the status answered (0 when the answer was withheld). */
  readonly requests: { route: SaasRoute | 'unknown'; status: number }[];
  /** What the protected endpoint answers to this key: 200 or 401. */
  authenticate(key: string): Promise<number>;
  close(): Promise<void>;
}

/** Options: a key limit (409 `key_limit` beyond it). */
export interface FakeSaasOptions {
  readonly keyLimit?: number;
}

const KEY_PREFIX = ['fs', 'live'].join('_');

/**
 * A small SaaS admin API on 127.0.0.1 (port 0) that manages API keys and enforces them:
 *
 * - `POST /v1/admin/keys` `{ name }` -> 201 `{ data: { id, key, name, created_at } }` (409 over the limit)
 * - `GET /v1/admin/keys` -> `{ data: [{ id, name, status, created_at }] }`
 * - `DELETE /v1/admin/keys/:id` -> 204, or 404
 * - `GET /v1/whoami` with `Authorization: Bearer <key>` -> 200 `{ id }`, or 401 for a revoked or unknown key
 *
 * Admin routes need `Authorization: Bearer <adminToken>`. Faults: slow answers, a status (500...), 429 with
 * Retry-After, malformed JSON, an answer without its key field, a redirect, an oversized answer.
 */
export async function startFakeSaas(options: FakeSaasOptions = {}): Promise<FakeSaas> {
  const adminToken = randomBytes(24).toString('base64url');
  const keys = new Map<string, SaasKey>();
  const issued: string[] = [];
  const faults: SaasFault[] = [];
  const counts = new Map<SaasFault, number>();
  const requests: FakeSaas['requests'] = [];
  const timers = new Set<NodeJS.Timeout>();
  let sequence = 0;

  const newKey = (name: string): SaasKey => {
    sequence += 1;
    const key: SaasKey = {
      id: `key_${sequence}`,
      name,
      key: `${KEY_PREFIX}_${randomBytes(24).toString('base64url')}`,
      createdAt: new Date(Date.UTC(2026, 0, 1, 0, sequence)).toISOString(),
    };
    keys.set(key.id, key);
    issued.push(key.key);
    return key;
  };

  const takeFault = (route: SaasRoute): SaasFault | undefined => {
    const fault = faults.find((f) => f.route === route || f.route === 'any');
    if (fault === undefined) return undefined;
    const used = (counts.get(fault) ?? 0) + 1;
    counts.set(fault, used);
    if (used >= (fault.times ?? 1)) faults.splice(faults.indexOf(fault), 1);
    return fault;
  };

  const routeOf = (req: IncomingMessage): { route: SaasRoute | 'unknown'; id?: string } => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/v1/admin/keys' && req.method === 'POST') return { route: 'create' };
    if (path === '/v1/admin/keys' && req.method === 'GET') return { route: 'list' };
    const match = /^\/v1\/admin\/keys\/([^/]+)$/.exec(path);
    if (match && req.method === 'DELETE') return { route: 'revoke', id: decodeURIComponent(match[1]!) };
    if (path === '/v1/whoami' && req.method === 'GET') return { route: 'test' };
    return { route: 'unknown' };
  };

  const bearer = (req: IncomingMessage): string | undefined =>
    /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];

  const readBody = async (req: IncomingMessage): Promise<string> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const { route, id } = routeOf(req);
    // The harness's own probe (authenticate) is neither recorded nor subject to faults.
    const probe = req.headers['x-fake-saas-probe'] === '1';
    const entry = { route, status: 0 };
    if (!probe) requests.push(entry);
    const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      entry.status = status;
      const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
      res.writeHead(status, { ...(text === '' ? {} : { 'content-type': 'application/json' }), ...headers });
      res.end(text);
    };
    const requestBody = await readBody(req);
    if (route === 'unknown') return send(404, { error: 'not_found' });

    const fault = probe ? undefined : takeFault(route);
    if (fault?.kind === 'slow') {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, fault.delayMs);
        timers.add(timer);
      });
      if (res.destroyed || req.destroyed) return;
    }
    if (fault?.kind === 'status') return send(fault.status, { error: 'internal' });
    if (fault?.kind === 'rate-limit') {
      return send(429, { error: 'rate_limited' }, { 'retry-after': String(fault.retryAfterSeconds) });
    }
    if (fault?.kind === 'redirect')
      return send(302, undefined, { location: 'https://elsewhere.invalid/v1/admin/keys' });

    if (route === 'test') {
      const presented = bearer(req);
      const found = [...keys.values()].find((k) => k.key === presented);
      if (found === undefined) return send(401, { error: 'invalid_api_key' });
      if (fault?.kind === 'malformed-json') return send(200, '{"id": ');
      return send(200, { id: found.id });
    }

    if (bearer(req) !== adminToken) return send(401, { error: 'invalid_admin_token' });

    if (route === 'create') {
      let name = 'unnamed';
      try {
        const parsed = JSON.parse(requestBody) as { name?: unknown };
        if (typeof parsed.name === 'string') name = parsed.name;
      } catch {
        return send(400, { error: 'invalid_json' });
      }
      if (options.keyLimit !== undefined && keys.size >= options.keyLimit)
        return send(409, { error: 'key_limit' });
      const key = newKey(name);
      const data = { id: key.id, key: key.key, name: key.name, created_at: key.createdAt };
      if (fault?.kind === 'malformed-json')
        return send(201, `{"data": {"id": "${key.id}", "key": "${key.key}"`);
      if (fault?.kind === 'missing-field') return send(201, { data: { id: key.id, name: key.name } });
      if (fault?.kind === 'oversized') return send(201, { data, padding: 'x'.repeat(fault.bytes) });
      return send(201, { data });
    }
    if (route === 'list') {
      const data = [...keys.values()].map((k) => ({
        id: k.id,
        name: k.name,
        status: 'active',
        created_at: k.createdAt,
      }));
      if (fault?.kind === 'malformed-json') return send(200, '{"data": [');
      if (fault?.kind === 'missing-field') return send(200, { items: data });
      if (fault?.kind === 'oversized') return send(200, { data, padding: 'x'.repeat(fault.bytes) });
      return send(200, { data });
    }
    // revoke
    if (id === undefined || !keys.delete(id)) return send(404, { error: 'unknown_key' });
    return send(204);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    adminToken,
    requests,
    misbehave: (fault) => void faults.push(fault),
    behave: () => void faults.splice(0),
    keys: () => [...keys.values()],
    allKeysEverIssued: () => [...issued],
    seedKey: newKey,
    async authenticate(key: string): Promise<number> {
      const response = await fetch(`${url}/v1/whoami`, {
        headers: { authorization: `Bearer ${key}`, 'x-fake-saas-probe': '1' },
      });
      await response.arrayBuffer();
      return response.status;
    },
    async close(): Promise<void> {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

/** The HTTP provider configuration (see adapters/http-api-key-provider.ts) that drives this fake's admin API. */
export function fakeSaasProviderConfig(url: string, keyLimit = 3) {
  return {
    name: 'fake-saas',
    keyLimit,
    timeoutMs: 5000,
    retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 50 },
    propagation: { attempts: 2, baseDelayMs: 5, maxDelayMs: 20 },
    create: {
      method: 'POST',
      url: `${url}/v1/admin/keys`,
      body: '{"name":"{{name}}"}',
      response: { keyId: 'data.id', key: 'data.key' },
      limitStatus: [409],
    },
    test: { method: 'GET', url: `${url}/v1/whoami`, headers: { authorization: 'Bearer {{apiKey}}' } },
    list: {
      method: 'GET',
      url: `${url}/v1/admin/keys`,
      response: { items: 'data', keyId: 'id', status: 'status', createdAt: 'created_at' },
    },
    revoke: { method: 'DELETE', url: `${url}/v1/admin/keys/{{keyId}}` },
  };
}
