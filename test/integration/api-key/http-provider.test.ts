import { Sensitive } from '../../../core/sensitive';
import { httpApiKeyProvider, parseHttpProviderConfig } from '../../../adapters/http-api-key-provider';
import type {
  HttpApiKeyProviderOptions,
  HttpProviderConfigInput,
} from '../../../adapters/http-api-key-provider';
import {
  KeyLimitError,
  KeyNotFoundError,
  KeyRejectedError,
  ProviderRequestError,
  ProviderResponseError,
  ProviderUnavailableError,
} from '../../../core/rotation/api-key/errors';
import { prepareNewKey } from '../../../core/rotation/api-key/prepare';
import type { KeyLogFields } from '../../../core/rotation/api-key/provider';
import { revokePrevious } from '../../../core/rotation/api-key/revoke';
import { verifyNewKey } from '../../../core/rotation/api-key/verify';
import { startFakeSaas } from '../../support/fake-saas';
import type { FakeSaas, SaasFault } from '../../support/fake-saas';

let saas: FakeSaas;
const settings = { name: 'orders-api' };
// Every error and log line of this file, for the leak check at the end.
const seenText: string[] = [];
const log = {
  info: (message: string, fields?: KeyLogFields) => void seenText.push(message, JSON.stringify(fields ?? {})),
  warn: (message: string, fields?: KeyLogFields) => void seenText.push(message, JSON.stringify(fields ?? {})),
};
const noSleep = async () => undefined;

function configFor(overrides: Partial<HttpProviderConfigInput> = {}): HttpProviderConfigInput {
  return {
    name: 'fake-saas',
    keyLimit: 2,
    // Generous for a loaded machine; the slow cases lower it.
    timeoutMs: 5000,
    retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 50 },
    create: {
      method: 'POST',
      url: `${saas.url}/v1/admin/keys`,
      body: '{"name":"{{name}}"}',
      response: { keyId: 'data.id', key: 'data.key' },
      limitStatus: [409],
    },
    test: { method: 'GET', url: `${saas.url}/v1/whoami`, headers: { authorization: 'Bearer {{apiKey}}' } },
    list: {
      method: 'GET',
      url: `${saas.url}/v1/admin/keys`,
      response: { items: 'data', keyId: 'id', status: 'status', createdAt: 'created_at' },
    },
    revoke: { method: 'DELETE', url: `${saas.url}/v1/admin/keys/{{keyId}}` },
    ...overrides,
  };
}

function provider(
  overrides: Partial<HttpProviderConfigInput> = {},
  options: Partial<HttpApiKeyProviderOptions> = {},
) {
  return httpApiKeyProvider(parseHttpProviderConfig(configFor(overrides)), {
    adminCredential: async () => Sensitive.of(saas.adminToken),
    ...options,
  });
}

async function caught(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    seenText.push(
      String(error),
      (error as Error).message,
      JSON.stringify((error as { context?: unknown }).context),
    );
    return error as Error;
  }
  throw new Error('expected a failure');
}

beforeAll(async () => {
  saas = await startFakeSaas({ keyLimit: 3 });
});
afterAll(async () => {
  await saas.close();
});
beforeEach(() => {
  saas.behave();
  saas.requests.length = 0;
});

describe('httpApiKeyProvider against a real HTTP server', () => {
  it('creates, tests, lists and revokes a key; the revoked key really gets 401', async () => {
    const http = provider();
    const key = await http.createKey(settings);
    expect(await saas.authenticate(key.secret.reveal())).toBe(200);
    await expect(http.testKey(key, settings)).resolves.toEqual({ ok: true });
    const listed = await http.listKeys(settings);
    expect(listed).toContainEqual({ keyId: key.keyId, status: 'active', createdAt: expect.any(Date) });

    await http.revokeKey(key.keyId, settings);
    expect(await saas.authenticate(key.secret.reveal())).toBe(401);
    await expect(http.testKey(key, settings)).resolves.toEqual({ ok: false, reason: 'status-401' });
    expect(await caught(http.revokeKey(key.keyId, settings))).toBeInstanceOf(KeyNotFoundError);
  });

  it('JSON-escapes placeholders in the body', async () => {
    const awkward = 'orders "api"\n\\ {{name}} é';
    const key = await provider().createKey({ name: awkward });
    expect(saas.keys().find((k) => k.id === key.keyId)?.name).toBe(awkward);
    await provider().revokeKey(key.keyId, settings);
  });

  it('rotates with overlap: new key works before the previous one is revoked', async () => {
    const http = provider();
    const current = saas.seedKey('orders-api');
    const prepared = await prepareNewKey({ provider: http, settings, currentKeyId: current.id, log });
    await verifyNewKey({ provider: http, settings, key: prepared.key, sleep: noSleep, log });
    expect(await saas.authenticate(current.key)).toBe(200);
    expect(await saas.authenticate(prepared.key.secret.reveal())).toBe(200);
    const outcome = await revokePrevious({
      provider: http,
      settings,
      previousKeyId: current.id,
      currentKeyId: prepared.key.keyId,
      trigger: 'next-rotation',
      gracePeriodMs: 0,
      clock: { now: () => new Date() },
      log,
    });
    expect(outcome).toEqual({ outcome: 'deleted' });
    expect(await saas.authenticate(current.key)).toBe(401);
    expect(await saas.authenticate(prepared.key.secret.reveal())).toBe(200);
    await http.revokeKey(prepared.key.keyId, settings);
  });

  it('answers KeyLimitError on the configured limit status', async () => {
    const http = provider({ keyLimit: undefined });
    const made = [
      await http.createKey(settings),
      await http.createKey(settings),
      await http.createKey(settings),
    ];
    expect(await caught(http.createKey(settings))).toBeInstanceOf(KeyLimitError);
    for (const key of made) await http.revokeKey(key.keyId, settings);
  });

  it('refuses a wrong admin credential with ProviderRequestError', async () => {
    const http = provider({}, { adminCredential: async () => Sensitive.of('not-the-admin-token') });
    const error = await caught(http.listKeys(settings));
    expect(error).toBeInstanceOf(ProviderRequestError);
    expect(error.message).toContain('admin credential was refused (401)');
  });
});

describe('misbehaviours: a clear error, and AWSCURRENT keeps working', () => {
  // One rotation with overlap, as the Rotator will run it: list/create, test, revoke the previous key.
  async function rotate(currentKeyId: string, previousKeyId: string, timeoutMs?: number) {
    const http = provider(timeoutMs === undefined ? {} : { timeoutMs });
    const prepared = await prepareNewKey({ provider: http, settings, currentKeyId, log });
    await verifyNewKey({
      provider: http,
      settings,
      key: prepared.key,
      policy: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
      sleep: noSleep,
      log,
    });
    await revokePrevious({
      provider: http,
      settings,
      previousKeyId,
      currentKeyId: prepared.key.keyId,
      trigger: 'next-rotation',
      gracePeriodMs: 0,
      clock: { now: () => new Date() },
      log,
    });
  }

  // The slow cases: answers 4 s late against a 1 s timeout.
  const slow = { delayMs: 4000, timeoutMs: 1000 };
  const cases: [string, SaasFault, new (...args: never[]) => Error, string][] = [
    [
      'a slow create (no retry: it may have made a key)',
      { route: 'create', kind: 'slow', delayMs: slow.delayMs },
      ProviderUnavailableError,
      'no answer within 1000 ms (1 try)',
    ],
    [
      'a slow list, every try',
      { route: 'list', kind: 'slow', delayMs: slow.delayMs, times: 3 },
      ProviderUnavailableError,
      'no answer within 1000 ms (3 tries)',
    ],
    [
      '500s on list beyond the retries',
      { route: 'list', kind: 'status', status: 500, times: 3 },
      ProviderUnavailableError,
      'answered 500 (3 tries)',
    ],
    [
      'a 500 on create',
      { route: 'create', kind: 'status', status: 500 },
      ProviderUnavailableError,
      'answered 500 (1 try)',
    ],
    [
      '503s on the key test',
      { route: 'test', kind: 'status', status: 503, times: 6 },
      ProviderUnavailableError,
      'answered 503',
    ],
    [
      '429 asking for longer than the retry budget',
      { route: 'create', kind: 'rate-limit', retryAfterSeconds: 60 },
      ProviderUnavailableError,
      'answered 429 (1 try)',
    ],
    [
      'malformed JSON from create',
      { route: 'create', kind: 'malformed-json' },
      ProviderResponseError,
      'is not JSON',
    ],
    [
      'malformed JSON from list',
      { route: 'list', kind: 'malformed-json' },
      ProviderResponseError,
      'is not JSON',
    ],
    [
      'a create answer without the key',
      { route: 'create', kind: 'missing-field' },
      ProviderResponseError,
      'no key at data.key',
    ],
    [
      'a list answer without its list',
      { route: 'list', kind: 'missing-field' },
      ProviderResponseError,
      'no list at data',
    ],
    [
      'a redirect on create',
      { route: 'create', kind: 'redirect' },
      ProviderResponseError,
      'redirects are refused',
    ],
    [
      'a redirect on revoke',
      { route: 'revoke', kind: 'redirect' },
      ProviderResponseError,
      'answered a redirect (302)',
    ],
    [
      'an oversized answer',
      { route: 'create', kind: 'oversized', bytes: 300_000 },
      ProviderResponseError,
      'larger than 262144 bytes',
    ],
    [
      '500s on revoke beyond the retries',
      { route: 'revoke', kind: 'status', status: 502, times: 3 },
      ProviderUnavailableError,
      'answered 502',
    ],
  ];

  it.each(cases)('%s', async (_title, fault, errorClass, text) => {
    const previous = saas.seedKey('orders-api');
    const current = saas.seedKey('orders-api');
    saas.misbehave(fault);
    const error = await caught(
      rotate(current.id, previous.id, fault.kind === 'slow' ? slow.timeoutMs : undefined),
    );
    expect(error).toBeInstanceOf(errorClass);
    expect(error.message).toContain(text);
    expect(error.message).toContain('fake-saas');
    expect(await saas.authenticate(current.key)).toBe(200);
    // Clean up the keys of this case (the fake's limit is 3).
    saas.behave();
    for (const key of saas.keys()) await provider().revokeKey(key.id, settings);
  });

  it('retries 500s within its budget and succeeds', async () => {
    const current = saas.seedKey('orders-api');
    saas.misbehave({ route: 'list', kind: 'status', status: 500, times: 2 });
    const keys = await provider().listKeys(settings);
    expect(keys.map((k) => k.keyId)).toContain(current.id);
    expect(saas.requests.filter((r) => r.route === 'list').map((r) => r.status)).toEqual([500, 500, 200]);
    await provider().revokeKey(current.id, settings);
  });

  it('honours a short Retry-After on 429, even for a create', async () => {
    const waits: number[] = [];
    saas.misbehave({ route: 'create', kind: 'rate-limit', retryAfterSeconds: 0 });
    const http = provider({}, { sleep: async (ms) => void waits.push(ms) });
    const key = await http.createKey(settings);
    expect(waits).toEqual([0]);
    expect(await saas.authenticate(key.secret.reveal())).toBe(200);
    await http.revokeKey(key.keyId, settings);
  });

  it('carries the Retry-After it could not honour, for the engine to wait', async () => {
    saas.misbehave({ route: 'list', kind: 'rate-limit', retryAfterSeconds: 60 });
    const error = (await caught(provider().listKeys(settings))) as ProviderUnavailableError;
    expect(error.retryable).toBe(true);
    expect(error.where.retryAfterSeconds).toBe(60);
  });

  it('rejects a revoked current key with KeyRejectedError after bounded tries', async () => {
    const key = await provider().createKey(settings);
    await provider().revokeKey(key.keyId, settings);
    const error = await caught(
      verifyNewKey({
        provider: provider(),
        settings,
        key,
        policy: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
        sleep: noSleep,
      }),
    );
    expect(error).toBeInstanceOf(KeyRejectedError);
  });
});

describe('no key value leaks', () => {
  it('never shows a key or the admin token in an error or log line of this file', () => {
    const secrets = [saas.adminToken, ...saas.allKeysEverIssued()];
    expect(secrets.length).toBeGreaterThan(10);
    expect(seenText.length).toBeGreaterThan(20);
    const text = seenText.join('\n');
    for (const secret of secrets) expect(text).not.toContain(secret);
  });
});
