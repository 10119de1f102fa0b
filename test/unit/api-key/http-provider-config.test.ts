import { parseHttpProviderConfig } from '../../../adapters/http-api-key-provider';
import { InvalidProviderConfigError } from '../../../core/rotation/api-key/errors';

const base = (url = 'https://api.example.com') => ({
  name: 'acme',
  create: {
    method: 'POST',
    url: `${url}/keys`,
    body: '{"name":"{{name}}"}',
    response: { keyId: 'data.id', key: 'data.key' },
  },
  test: { method: 'GET', url: `${url}/me`, headers: { authorization: 'Bearer {{apiKey}}' } },
  list: { method: 'GET', url: `${url}/keys`, response: { items: 'data', keyId: 'id' } },
  revoke: { method: 'DELETE', url: `${url}/keys/{{keyId}}` },
});

function failure(input: unknown): InvalidProviderConfigError {
  try {
    parseHttpProviderConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidProviderConfigError);
    return error as InvalidProviderConfigError;
  }
  throw new Error('expected InvalidProviderConfigError');
}

describe('parseHttpProviderConfig', () => {
  it('fills in the defaults: timeout, size bound, bounded retries, Bearer admin header', () => {
    const config = parseHttpProviderConfig(base());
    expect(config).toMatchObject({
      timeoutMs: 10_000,
      maxResponseBytes: 262_144,
      retry: { attempts: 4, baseDelayMs: 250, maxDelayMs: 8000 },
      admin: { header: 'authorization', value: 'Bearer {{admin}}' },
      create: { retryServerErrors: false, limitStatus: [] },
      test: { rejectStatus: [401, 403] },
      revoke: { notFoundStatus: [404] },
    });
  });

  it.each(['http://127.0.0.1:8080', 'http://localhost:1', 'http://[::1]:9'])(
    'allows http on loopback (%s)',
    (url) => {
      expect(() => parseHttpProviderConfig(base(url))).not.toThrow();
    },
  );

  it.each(['http://api.example.com', 'ftp://api.example.com', 'https://user:pw@api.example.com'])(
    'refuses %s, naming the field',
    (url) => {
      expect(failure(base(url)).message).toContain('create.url');
    },
  );

  it('refuses {{apiKey}} outside the test request and {{admin}} outside the admin header', () => {
    const config = base();
    const error = failure({
      ...config,
      create: { ...config.create, body: '{"k":"{{apiKey}}"}' },
      list: { ...config.list, headers: { 'x-admin': '{{admin}}' } },
    });
    expect(error.message).toContain('create: {{apiKey}}');
    expect(error.message).toContain('list: {{admin}}');
  });

  it('refuses unknown fields (a typo fails) and names them, not their values', () => {
    const error = failure({ ...base(), timeoutMS: 'value-that-must-not-show' });
    expect(error.message).not.toContain('value-that-must-not-show');
    expect(error.message).toContain('invalid provider configuration');
  });

  it('refuses a JSON path that is not a dot path', () => {
    const config = base();
    const error = failure({
      ...config,
      create: { ...config.create, response: { keyId: 'data[0].id', key: 'data.key' } },
    });
    expect(error.message).toContain('create.response.keyId');
  });
});
