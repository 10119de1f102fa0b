import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Sensitive } from '../../../core/sensitive';
import { httpApiKeyProvider, parseHttpProviderConfig } from '../../../adapters/http-api-key-provider';
import type { HttpProviderConfigInput } from '../../../adapters/http-api-key-provider';
import {
  KeyNotFoundError,
  ProviderResponseError,
  ProviderUnavailableError,
} from '../../../core/rotation/api-key/errors';

interface Sent {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  redirect?: string;
  signal?: AbortSignal;
}

const admin = `adm_${randomBytes(16).toString('hex')}`;
const url = 'https://api.example.com';
const config: HttpProviderConfigInput = {
  name: 'acme',
  retry: { attempts: 4, baseDelayMs: 100, maxDelayMs: 300 },
  create: {
    method: 'POST',
    url: `${url}/teams/{{team}}/keys`,
    body: '{"name":"{{name}}","team":"{{team}}"}',
    response: { keyId: 'data.id', key: 'data.key' },
  },
  test: { method: 'GET', url: `${url}/me`, headers: { 'x-api-key': '{{apiKey}}' } },
  list: {
    method: 'GET',
    url: `${url}/keys`,
    response: {
      items: 'items',
      keyId: 'id',
      status: 'state',
      activeValues: ['live', true],
      createdAt: 'created',
    },
  },
  revoke: { method: 'DELETE', url: `${url}/keys/{{keyId}}` },
};

function harness(respond: (sent: Sent, index: number) => Response) {
  const sent: Sent[] = [];
  const sleeps: number[] = [];
  const provider = httpApiKeyProvider(parseHttpProviderConfig(config), {
    adminCredential: async () => Sensitive.of(admin),
    fetch: (async (input: string | URL | Request, init?: RequestInit) => {
      const request: Sent = {
        url: String(input),
        method: init?.method ?? 'GET',
        headers: { ...(init?.headers as Record<string, string>) },
        ...(typeof init?.body === 'string' ? { body: init.body } : {}),
        ...(init?.redirect === undefined ? {} : { redirect: init.redirect }),
        ...(init?.signal ? { signal: init.signal } : {}),
      };
      sent.push(request);
      return respond(request, sent.length - 1);
    }) as typeof fetch,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
  });
  return { provider, sent, sleeps };
}
const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

describe('httpApiKeyProvider requests', () => {
  it('sends the admin header on create, list and revoke, and only the key on test', async () => {
    const key = `sk_${randomBytes(16).toString('hex')}`;
    const { provider, sent } = harness((request) =>
      request.method === 'POST'
        ? json(201, { data: { id: 7, key } })
        : request.method === 'DELETE'
          ? new Response(null, { status: 204 })
          : json(200, { items: [] }),
    );
    const created = await provider.createKey({ name: 'n', team: 't' });
    expect(created.keyId).toBe('7');
    await provider.testKey(created, { name: 'n' });
    await provider.listKeys({});
    await provider.revokeKey('7', {});
    expect(sent.map((s) => s.headers.authorization)).toEqual([
      `Bearer ${admin}`,
      undefined,
      `Bearer ${admin}`,
      `Bearer ${admin}`,
    ]);
    expect(sent[1]!.headers['x-api-key']).toBe(key);
    expect(sent.every((s) => s.redirect === 'manual' && s.signal instanceof AbortSignal)).toBe(true);
    expect(sent[0]!.headers['content-type']).toBe('application/json');
  });

  it('JSON-escapes body placeholders and URL-encodes URL placeholders, whatever the value (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string(),
        fc.oneof(fc.string({ minLength: 1 }), fc.constantFrom('.', '..')),
        async (name, team) => {
          const { provider, sent } = harness(() => json(201, { data: { id: 'k', key: 'v' } }));
          if (team === '.' || team === '..') {
            await expect(provider.createKey({ name, team })).rejects.toThrow(/dot segment/);
            return sent.length === 0;
          }
          await provider.createKey({ name, team });
          const body = JSON.parse(sent[0]!.body!) as { name: string; team: string };
          const path = new URL(sent[0]!.url).pathname;
          return (
            body.name === name && body.team === team && path === `/teams/${encodeURIComponent(team)}/keys`
          );
        },
      ),
    );
  });

  it('refuses a key id that URLs would drop as a dot segment, sending nothing', async () => {
    const { provider, sent } = harness(() => new Response(null, { status: 204 }));
    for (const id of ['.', '..']) await expect(provider.revokeKey(id, {})).rejects.toThrow(/dot segment/);
    expect(sent).toHaveLength(0);
  });

  it('URL-encodes a key id, so it cannot walk to another path', async () => {
    const { provider, sent } = harness(() => new Response(null, { status: 204 }));
    await provider.revokeKey('../admin/users?x=1', {});
    expect(sent[0]!.url).toBe(`${url}/keys/..%2Fadmin%2Fusers%3Fx%3D1`);
  });

  it('reads status and creation date from the list, with configured active values', async () => {
    const { provider } = harness(() =>
      json(200, {
        items: [
          { id: 'a', state: 'live', created: '2026-01-02T00:00:00Z' },
          { id: 'b', state: 'revoked', created: 'not a date' },
          { id: 3, state: true },
        ],
      }),
    );
    await expect(provider.listKeys({})).resolves.toEqual([
      { keyId: 'a', status: 'active', createdAt: new Date('2026-01-02T00:00:00Z') },
      { keyId: 'b', status: 'inactive' },
      { keyId: '3', status: 'active' },
    ]);
  });

  it('names the path of a list item without an id', async () => {
    const { provider } = harness(() => json(200, { items: [{ id: 'a' }, { name: 'x' }] }));
    const error = await provider.listKeys({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderResponseError);
    expect((error as Error).message).toContain('no key id at items.1.id');
  });

  it('backs off exponentially with jitter, capped, on 5xx and gives up after the bounded tries', async () => {
    const { provider, sent, sleeps } = harness(() => json(503, {}));
    const error = await provider.listKeys({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect(sent).toHaveLength(4);
    // random 0.5 -> three quarters of min(max, base * 2^n): 75, 150, 225 (capped at 300).
    expect(sleeps).toEqual([75, 150, 225]);
  });

  it('retries network errors and timeouts on idempotent requests', async () => {
    const { provider, sent } = harness((_request, index) => {
      if (index === 0) throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });
      if (index === 1) throw new DOMException('The operation was aborted due to timeout', 'TimeoutError');
      return json(200, { items: [] });
    });
    await expect(provider.listKeys({})).resolves.toEqual([]);
    expect(sent).toHaveLength(3);
  });

  it('does not retry a create that timed out (it may have made a key), but does when it was refused', async () => {
    const timedOut = harness(() => {
      throw new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    });
    const error = await timedOut.provider.createKey({ name: 'n', team: 't' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect((error as ProviderUnavailableError).where.code).toBe('timeout');
    expect(timedOut.sent).toHaveLength(1);

    const refused = harness((_request, index) => {
      if (index === 0)
        throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
      return json(201, { data: { id: 'k', key: 'v' } });
    });
    await expect(refused.provider.createKey({ name: 'n', team: 't' })).resolves.toMatchObject({ keyId: 'k' });
  });

  it('honours Retry-After given as an HTTP date', async () => {
    const { provider, sleeps } = harness((_request, index) =>
      index === 0
        ? json(429, {}, { 'retry-after': new Date(Date.now() + 200_000).toUTCString() })
        : json(200, { items: [] }),
    );
    const error = await provider.listKeys({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect((error as ProviderUnavailableError).where.retryAfterSeconds).toBeGreaterThan(190);
    expect(sleeps).toEqual([]);
  });

  it('refuses an answer whose declared length is over the bound, without reading it', async () => {
    const { provider } = harness(
      () => new Response('{}', { status: 200, headers: { 'content-length': '999999999' } }),
    );
    await expect(provider.listKeys({})).rejects.toBeInstanceOf(ProviderResponseError);
  });

  it('turns a configured not-found status on revoke into KeyNotFoundError', async () => {
    const { provider } = harness(() => json(404, {}));
    await expect(provider.revokeKey('gone', {})).rejects.toBeInstanceOf(KeyNotFoundError);
  });
});
