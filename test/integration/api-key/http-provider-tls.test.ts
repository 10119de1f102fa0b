import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sensitive } from '../../../core/sensitive';
import { httpApiKeyProvider, parseHttpProviderConfig } from '../../../adapters/http-api-key-provider';
import { ProviderRequestError } from '../../../core/rotation/api-key/errors';

let dir: string;
let server: Server;
let requests = 0;

// A self-signed certificate made at test time: the provider must refuse it, not retry it, not skip checks.
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rotor-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  server = createServer(
    { key: await readFile(join(dir, 'key.pem')), cert: await readFile(join(dir, 'cert.pem')) },
    (_req, res) => {
      requests += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"data":[]}');
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('httpApiKeyProvider over TLS', () => {
  it('refuses a certificate that does not verify, without retrying, and never reaches the handler', async () => {
    const base = `https://localhost:${(server.address() as AddressInfo).port}`;
    const request = { method: 'GET' as const, url: `${base}/keys` };
    const config = parseHttpProviderConfig({
      name: 'tls-check',
      timeoutMs: 5000,
      retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
      create: { ...request, method: 'POST', response: { keyId: 'id', key: 'key' } },
      test: request,
      list: { ...request, response: { items: 'data', keyId: 'id' } },
      revoke: { ...request, method: 'DELETE' },
    });
    const sleeps: number[] = [];
    const http = httpApiKeyProvider(config, {
      adminCredential: async () => Sensitive.of('generated-admin'),
      sleep: async (ms) => void sleeps.push(ms),
    });
    const error = await http.listKeys({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderRequestError);
    expect((error as Error).message).toMatch(
      /TLS certificate of localhost:\d+ did not verify \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\)/,
    );
    expect(sleeps).toEqual([]);
    expect(requests).toBe(0);
  });
});
