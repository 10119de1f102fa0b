import { HttpRegistryClient } from '../../../../adapters/registry/http-registry';
import { RegistryUnavailableError, RegistryResponseError } from '../../../../core/scanning/image/errors';
import { MANIFEST_ACCEPT } from '../../../../core/scanning/image/manifest';

/** A fetch that answers from a script, and records what it was asked. */
function scripted(answers: (() => Response | Promise<Response>)[]) {
  const calls: { url: string; headers: Record<string, string> }[] = [];
  const fetch = (async (url: URL, init: { headers: Record<string, string> }) => {
    calls.push({ url: String(url), headers: init.headers });
    const next = answers.shift();
    if (!next) throw new Error('unexpected request');
    return next();
  }) as unknown as typeof globalThis.fetch;
  return { fetch, calls };
}

const manifest = JSON.stringify({ schemaVersion: 2, manifests: [] });

describe('HttpRegistryClient retries (no sockets)', () => {
  it('backs off exponentially with jitter on 5xx and honours a capped Retry-After on 429', async () => {
    const delays: number[] = [];
    const { fetch } = scripted([
      () => new Response('busy', { status: 503 }),
      () => new Response('busy', { status: 502 }),
      () => new Response('slow down', { status: 429, headers: { 'Retry-After': '120' } }),
      () =>
        new Response(manifest, {
          status: 200,
          headers: { 'Content-Type': 'application/vnd.oci.image.index.v1+json' },
        }),
    ]);
    const client = new HttpRegistryClient({
      registry: 'registry.example',
      fetch,
      sleep: async (ms) => void delays.push(ms),
      retryBaseDelayMs: 100,
      maxRetryDelayMs: 1000,
    });

    const result = await client.getManifest('app', 'v1', MANIFEST_ACCEPT);

    expect(Buffer.from(result.bytes).toString()).toBe(manifest);
    expect(delays).toHaveLength(3);
    expect(delays[0]).toBeGreaterThanOrEqual(50);
    expect(delays[0]).toBeLessThanOrEqual(100);
    expect(delays[1]).toBeGreaterThanOrEqual(100);
    expect(delays[1]).toBeLessThanOrEqual(200);
    expect(delays[2]).toBe(1000); // Retry-After 120 s, capped
  });

  it('stops after maxRetries network errors with RegistryUnavailableError', async () => {
    const failing = () => Promise.reject(new TypeError('fetch failed'));
    const { fetch, calls } = scripted([failing, failing, failing]);
    const client = new HttpRegistryClient({
      registry: 'registry.example',
      fetch,
      sleep: async () => undefined,
      maxRetries: 2,
    });
    await expect(client.getManifest('app', 'v1', MANIFEST_ACCEPT)).rejects.toThrow(RegistryUnavailableError);
    expect(calls).toHaveLength(3);
    expect(calls[0]!.url).toBe('https://registry.example/v2/app/manifests/v1');
  });

  it('refuses a redirect without a Location', async () => {
    const { fetch } = scripted([() => new Response(null, { status: 302 })]);
    const client = new HttpRegistryClient({
      registry: 'registry.example',
      fetch,
      sleep: async () => undefined,
    });
    await expect(client.getBlob('app', `sha256:${'0'.repeat(64)}`)).rejects.toThrow(RegistryResponseError);
  });
});
