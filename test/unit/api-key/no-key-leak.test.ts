import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { mockClient } from 'aws-sdk-client-mock';
import { CreateAccessKeyCommand, IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { Sensitive } from '../../../core/sensitive';
import { iamAccessKeyProvider } from '../../../adapters/iam-access-keys';
import { httpApiKeyProvider, parseHttpProviderConfig } from '../../../adapters/http-api-key-provider';
import { prepareNewKey } from '../../../core/rotation/api-key/prepare';
import { verifyNewKey } from '../../../core/rotation/api-key/verify';
import { parseApiKeySecret, serializeApiKeySecret } from '../../../core/rotation/api-key/secret';
import type { KeyLogFields } from '../../../core/rotation/api-key/provider';
import { FakeKeyProvider } from './support/fake-provider';

// Every value below is generated now; the test greps everything Rotor printed, logged or threw for them.
const apiKey = `sk_${randomBytes(24).toString('base64url')}`;
const adminToken = `adm_${randomBytes(24).toString('base64url')}`;
const secretAccessKey = randomBytes(30).toString('base64');
const accessKeyId = ['AK', 'IA', randomBytes(8).toString('hex').toUpperCase()].join('');
const secrets = [apiKey, adminToken, secretAccessKey];

const captured: string[] = [];
const log = {
  info: (message: string, fields?: KeyLogFields) => void captured.push(message, JSON.stringify(fields)),
  warn: (message: string, fields?: KeyLogFields) => void captured.push(message, JSON.stringify(fields)),
};
function capture(error: unknown): void {
  captured.push(
    String(error),
    inspect(error, { depth: 6 }),
    JSON.stringify(error),
    JSON.stringify((error as { context?: unknown }).context),
  );
}
async function expectFailure(run: () => Promise<unknown>): Promise<void> {
  let failed = false;
  try {
    captured.push(inspect(await run(), { depth: 6 }));
  } catch (error) {
    failed = true;
    capture(error);
  }
  expect(failed).toBe(true);
}

const output: string[] = [];
const writes = [process.stdout, process.stderr].map((stream) =>
  jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
    output.push(String(chunk));
    return true;
  }),
);
const consoles = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) =>
  jest
    .spyOn(console, level)
    .mockImplementation((...args: unknown[]) => void output.push(inspect(args, { depth: 6 }))),
);
afterAll(() => [...writes, ...consoles].forEach((spy) => spy.mockRestore()));

function answer(status: number, body: string): Response {
  return new Response(body, { status, headers: { 'content-type': 'application/json' } });
}
function httpProvider(respond: (url: string, init: RequestInit) => Response) {
  const url = 'https://api.example.com';
  return httpApiKeyProvider(
    parseHttpProviderConfig({
      name: 'acme',
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
      create: {
        method: 'POST',
        url: `${url}/keys`,
        body: '{"name":"{{name}}"}',
        response: { keyId: 'data.id', key: 'data.key' },
      },
      test: { method: 'GET', url: `${url}/me`, headers: { authorization: 'Bearer {{apiKey}}' } },
      list: { method: 'GET', url: `${url}/keys`, response: { items: 'data', keyId: 'id' } },
      revoke: { method: 'DELETE', url: `${url}/keys/{{keyId}}` },
    }),
    {
      adminCredential: async () => Sensitive.of(adminToken),
      fetch: (async (input: string | URL | Request, init?: RequestInit) =>
        respond(String(input), init ?? {})) as typeof fetch,
      sleep: async () => undefined,
    },
  );
}

describe('no key value in an error, a log line or the output', () => {
  it('HTTP provider: answers that hold the key but are unusable', async () => {
    const settings = { name: 'orders' };
    await expectFailure(() =>
      httpProvider(() => answer(201, `{"data":{"id":"k1","key":"${apiKey}"`)).createKey(settings),
    );
    await expectFailure(() =>
      httpProvider(() => answer(201, `{"data":{"key":"${apiKey}"}}`)).createKey(settings),
    );
    await expectFailure(() =>
      httpProvider(() => answer(201, `{"data":{"id":{},"secret":"${apiKey}"}}`)).createKey(settings),
    );
    await expectFailure(() =>
      httpProvider(() => answer(500, `{"error":"${apiKey} ${adminToken}"}`)).listKeys(settings),
    );
    await expectFailure(() =>
      httpProvider(() => answer(400, `{"error":"bad admin ${adminToken}"}`)).revokeKey('k1', settings),
    );
    await expectFailure(() =>
      httpProvider(() => answer(200, '{}'))
        .createKey({ name: `line\r\nbreak ${apiKey}` })
        .then(() => {
          throw new Error('created');
        }),
    );
    // A test request with the key in its header, refused.
    await expectFailure(() =>
      verifyNewKey({
        provider: httpProvider(() => answer(401, `{"error":"invalid key ${apiKey}"}`)),
        settings,
        key: { keyId: 'k1', secret: Sensitive.of(apiKey) },
        policy: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
        sleep: async () => undefined,
        log,
      }),
    );
    // An admin credential with a line break is refused before fetch could quote it.
    await expectFailure(() =>
      httpApiKeyProvider(
        parseHttpProviderConfig({
          name: 'acme',
          create: { method: 'POST', url: 'https://a.example/k', response: { keyId: 'id', key: 'key' } },
          test: { method: 'GET', url: 'https://a.example/me' },
          list: { method: 'GET', url: 'https://a.example/k', response: { items: 'data', keyId: 'id' } },
          revoke: { method: 'DELETE', url: 'https://a.example/k/{{keyId}}' },
        }),
        { adminCredential: async () => Sensitive.of(`${adminToken}\n`) },
      ).listKeys({}),
    );
  });

  it('IAM provider and the core logic', async () => {
    const iamMock = mockClient(IAMClient);
    const stsMock = mockClient(STSClient);
    iamMock.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [] });
    iamMock.on(CreateAccessKeyCommand).resolves({
      AccessKey: {
        AccessKeyId: accessKeyId,
        SecretAccessKey: secretAccessKey,
        UserName: 'svc',
        Status: 'Active',
        CreateDate: new Date(),
      },
    });
    stsMock.on(GetCallerIdentityCommand).rejects(
      Object.assign(new Error('The security token included in the request is invalid.'), {
        name: 'InvalidClientTokenId',
      }),
    );
    const iam = iamAccessKeyProvider({ iam: new IAMClient({ region: 'us-east-1' }), region: 'us-east-1' });
    const prepared = await prepareNewKey({
      provider: iam,
      settings: { userName: 'svc' },
      currentKeyId: 'AKIDCURRENT0000000',
      log,
    });
    captured.push(inspect(prepared, { depth: 6 }), JSON.stringify(prepared));
    await expectFailure(() =>
      verifyNewKey({
        provider: iam,
        settings: { userName: 'svc' },
        key: prepared.key,
        policy: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
        sleep: async () => undefined,
        log,
      }),
    );
    iamMock.restore();
    stsMock.restore();

    const fake = new FakeKeyProvider({ keyLimit: 1 });
    const current = fake.seed();
    secrets.push(current.secret.reveal());
    await expectFailure(() =>
      prepareNewKey({ provider: fake, settings: { owner: 'o' }, currentKeyId: current.keyId, log }),
    );

    const parsed = parseApiKeySecret(
      Sensitive.of(JSON.stringify({ provider: 'aws-iam', userName: 'svc', accessKeyId, secretAccessKey })),
    );
    captured.push(
      inspect(parsed, { depth: 6 }),
      JSON.stringify(parsed),
      String(serializeApiKeySecret(parsed)),
    );
    await expectFailure(async () =>
      parseApiKeySecret(
        Sensitive.of(JSON.stringify({ provider: 'acme', keyId: 3, apiKey, password: apiKey })),
      ),
    );
    await expectFailure(async () => parseApiKeySecret(Sensitive.of(`{"apiKey":"${apiKey}"`)));
  });

  it('found none of the generated values', () => {
    expect(captured.length).toBeGreaterThan(20);
    const text = [...captured, ...output].join('\n');
    for (const secret of secrets) expect(text).not.toContain(secret);
  });
});
