import { z } from 'zod';
import { realSleep } from '../core/clock';
import type { Sleep } from '../core/clock';
import { Sensitive } from '../core/sensitive';
import { backoffDelay } from '../core/rotation/api-key/backoff';
import type { Random } from '../core/rotation/api-key/backoff';
import {
  InvalidProviderConfigError,
  KeyLimitError,
  KeyNotFoundError,
  ProviderRequestError,
  ProviderResponseError,
  ProviderUnavailableError,
} from '../core/rotation/api-key/errors';
import type { KeyErrorContext } from '../core/rotation/api-key/errors';
import type {
  AdminCredentialSource,
  IssuedKey,
  KeyProvider,
  KeySummary,
  KeyTestResult,
} from '../core/rotation/api-key/provider';
import type { KeySettingValue } from '../core/rotation/api-key/secret';

// ---------------------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------------------

const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}/g;
const JSON_PATH = /^(\$|[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*)$/;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const status = z.number().int().min(100).max(599);
const template = z.string().max(8192);
const jsonPath = z.string().regex(JSON_PATH, 'a dot path such as data.key, or $ for the whole answer');

const requestShape = {
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
  /** https, or http on a loopback host (tests); placeholders are URL-encoded. */
  url: z.string().min(1).max(2048),
  /** Header templates; placeholders must not produce CR, LF or NUL. */
  headers: z.record(z.string().regex(/^[A-Za-z0-9-]{1,64}$/), template).default({}),
  /** A JSON body template; placeholders are JSON-string-escaped, so write them inside quotes. */
  body: template.optional(),
};

/**
 * How to reach one SaaS admin API: four requests (create, test, list, revoke) as templates, where the
 * answers hold the key and its id, and the limits of each call. Placeholders: `{{keyId}}` (test, revoke),
 * `{{apiKey}}` (test only), `{{admin}}` (the admin header only), any other name from the secret's settings
 * (`{{name}}`).
 */
export const HttpProviderConfigSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/),
  /** How many keys one owner may hold (active or not); absent when unlimited. */
  keyLimit: z.number().int().positive().optional(),
  /** Where the admin credential goes on create, list and revoke. */
  admin: z
    .strictObject({
      header: z
        .string()
        .regex(/^[A-Za-z0-9-]{1,64}$/)
        .default('authorization'),
      value: template.default('Bearer {{admin}}'),
    })
    .default({ header: 'authorization', value: 'Bearer {{admin}}' }),
  /** Per request, answer body included. @default 10000 */
  timeoutMs: z.number().int().min(10).max(120_000).default(10_000),
  /** Larger answers are refused. @default 262144 */
  maxResponseBytes: z
    .number()
    .int()
    .min(256)
    .max(16 * 1024 * 1024)
    .default(256 * 1024),
  /** Tries per request (first included) on 429, 5xx and network errors. */
  retry: z
    .strictObject({
      attempts: z.number().int().min(1).max(10).default(4),
      baseDelayMs: z.number().int().min(0).max(60_000).default(250),
      maxDelayMs: z.number().int().min(0).max(300_000).default(8_000),
    })
    .default({ attempts: 4, baseDelayMs: 250, maxDelayMs: 8_000 }),
  /**
   * How patiently a new key is tested before it counts as rejected (most SaaS keys work at once).
   * @default 3 tries, 500 ms then 1 s apart
   */
  propagation: z
    .strictObject({
      attempts: z.number().int().min(1).max(20).default(3),
      baseDelayMs: z.number().int().min(0).max(60_000).default(500),
      maxDelayMs: z.number().int().min(0).max(300_000).default(5_000),
    })
    .default({ attempts: 3, baseDelayMs: 500, maxDelayMs: 5_000 }),
  create: z.strictObject({
    ...requestShape,
    response: z.strictObject({ keyId: jsonPath, key: jsonPath }),
    /** Statuses that mean "too many keys" (KeyLimitError). */
    limitStatus: z.array(status).default([]),
    /**
     * Retry a create on 5xx and timeouts too. Off by default: a create that timed out may have made a key
     * (an orphan, retired later under the key limit); turn it on when the API is idempotent.
     */
    retryServerErrors: z.boolean().default(false),
  }),
  test: z.strictObject({
    ...requestShape,
    /** Statuses that mean "this key is not accepted". */
    rejectStatus: z.array(status).default([401, 403]),
  }),
  list: z.strictObject({
    ...requestShape,
    response: z.strictObject({
      items: jsonPath,
      keyId: jsonPath,
      status: jsonPath.optional(),
      /** Values at `status` that mean active; anything else is inactive. */
      activeValues: z.array(z.union([z.string(), z.boolean()])).default(['active']),
      createdAt: jsonPath.optional(),
    }),
  }),
  revoke: z.strictObject({
    ...requestShape,
    /** Statuses that mean the key is already gone (KeyNotFoundError). */
    notFoundStatus: z.array(status).default([404]),
  }),
});

/** A parsed HTTP provider configuration (defaults filled in). */
export type HttpProviderConfig = z.output<typeof HttpProviderConfigSchema>;
/** A configuration as written (defaults optional). */
export type HttpProviderConfigInput = z.input<typeof HttpProviderConfigSchema>;
type Operation = 'create' | 'test' | 'list' | 'revoke';
type RequestSpec = HttpProviderConfig[Operation];

/** The settings of one key owner: the secret's non-secret fields (`name`...), used by placeholders. */
export type HttpKeySettings = Readonly<Record<string, KeySettingValue>>;

// Which reserved placeholders each request may use; other names come from the settings.
const RESERVED: Record<Operation, readonly string[]> = {
  create: [],
  test: ['keyId', 'apiKey'],
  list: [],
  revoke: ['keyId'],
};
const ALL_RESERVED = ['keyId', 'apiKey', 'admin'];

function placeholders(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((match) => match[1]!);
}

function checkUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url.replace(PLACEHOLDER, 'x'));
  } catch {
    return 'not a URL';
  }
  if (parsed.username !== '' || parsed.password !== '') return 'credentials in the URL';
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol === 'http:' && LOOPBACK.has(parsed.hostname)) return undefined;
  return 'https required (http only on a loopback host)';
}

/**
 * Parses an HTTP provider configuration. Errors name the paths at fault (`create.url`), never values.
 */
export function parseHttpProviderConfig(input: unknown): HttpProviderConfig {
  const result = HttpProviderConfigSchema.safeParse(input);
  const name =
    typeof (input as { name?: unknown })?.name === 'string' &&
    /^[\w.-]{1,64}$/.test((input as { name: string }).name)
      ? (input as { name: string }).name
      : 'http';
  const fail = (fields: string[], reason: string) =>
    new InvalidProviderConfigError(`${reason} (fields: ${[...new Set(fields)].join(', ')})`, {
      provider: name,
      operation: 'configure',
      field: fields.join(','),
    });
  if (!result.success) {
    throw fail(
      result.error.issues.map((issue) => issue.path.map(String).join('.') || '(root)'),
      'invalid provider configuration',
    );
  }
  const config = result.data;
  const problems: string[] = [];
  for (const operation of ['create', 'test', 'list', 'revoke'] as const) {
    const spec = config[operation];
    const urlProblem = checkUrl(spec.url);
    if (urlProblem !== undefined) throw fail([`${operation}.url`], urlProblem);
    const texts = [spec.url, spec.body ?? '', ...Object.values(spec.headers)];
    for (const used of texts.flatMap(placeholders)) {
      if (ALL_RESERVED.includes(used) && !RESERVED[operation].includes(used))
        problems.push(`${operation}: {{${used}}}`);
    }
  }
  for (const used of placeholders(config.admin.value)) {
    if (used !== 'admin') problems.push(`admin.value: {{${used}}}`);
  }
  if (problems.length > 0) throw fail(problems, 'placeholders used where they are not allowed');
  return config;
}

// ---------------------------------------------------------------------------------------------------------
// Templates and JSON paths
// ---------------------------------------------------------------------------------------------------------

type Escape = (value: string) => string;
const forUrl: Escape = encodeURIComponent;
const forJson: Escape = (value) => JSON.stringify(value).slice(1, -1);
const forHeader: Escape = (value) => value;

function render(
  text: string,
  values: Readonly<Record<string, string>>,
  escape: Escape,
  where: KeyErrorContext,
): string {
  return text.replace(PLACEHOLDER, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) {
      throw new InvalidProviderConfigError(`placeholder {{${name}}} has no value in the secret's settings`, {
        ...where,
        field: name,
      });
    }
    // URLs drop `.` and `..` segments even percent-encoded: such a value would aim the request elsewhere.
    if (escape === forUrl && (value === '.' || value === '..')) {
      throw new InvalidProviderConfigError(
        `placeholder {{${name}}} would be a dot segment in the URL, which would change the path`,
        { ...where, field: name },
      );
    }
    return escape(value);
  });
}

/** The value at a dot path (`data.key`, `items.0.id`, `$` for the whole answer). */
function at(value: unknown, path: string): unknown {
  if (path === '$') return value;
  let node: unknown = value;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = Array.isArray(node) ? node[Number(part)] : (node as Record<string, unknown>)[part];
  }
  return node;
}

function idAt(value: unknown, path: string): string | undefined {
  const found = at(value, path);
  if (typeof found === 'string' && found.length > 0) return found;
  if (typeof found === 'number' && Number.isFinite(found)) return String(found);
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------------------

/** Options of the HTTP provider: the admin credential, and for tests the clock and randomness. */
export interface HttpApiKeyProviderOptions {
  /** Reads the admin credential (another secret) for create, list and revoke. */
  readonly adminCredential: AdminCredentialSource;
  /** @default Node's fetch */
  readonly fetch?: typeof fetch;
  readonly sleep?: Sleep;
  readonly random?: Random;
}

interface Answer {
  readonly status: number;
  readonly body: Buffer;
}

interface SendOptions {
  readonly values: Readonly<Record<string, string>>;
  readonly admin: boolean;
  readonly keyId?: string;
  /** Whether 5xx and timeouts may be retried (not for a create that is not idempotent). */
  readonly retryAmbiguous: boolean;
}

const UNSAFE_HEADER_VALUE = /[\r\n\0]/;

function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const tries = (count: number): string => `${count} ${count === 1 ? 'try' : 'tries'}`;

function networkCode(error: unknown): string {
  const named = error as { name?: unknown; cause?: { code?: unknown; name?: unknown } };
  if (named?.name === 'TimeoutError' || named?.cause?.name === 'TimeoutError') return 'timeout';
  if (typeof named?.cause?.code === 'string') return named.cause.code;
  return 'network-error';
}

// A certificate that does not verify is a configuration or an attack, not an outage: never retried.
const TLS_FAILURE =
  /^(CERT_|ERR_TLS_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_SSL_)/;

// A connection refused or a DNS failure means the request never left: safe to retry even a create.
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * The KeyProvider of a SaaS admin API over HTTP(S), from a configuration (see `HttpProviderConfigSchema`).
 * TLS is verified, redirects are refused, each request has a timeout and a bounded answer size, and 429,
 * 5xx and network errors are retried with exponential backoff and jitter (Retry-After honoured up to
 * `retry.maxDelayMs`). Errors name the provider, operation, status and JSON path, never an answer body.
 *
 * @example
 *   const provider = httpApiKeyProvider(parseHttpProviderConfig(config), {
 *     adminCredential: async () => readAdminSecret(),
 *   });
 */
export function httpApiKeyProvider(
  config: HttpProviderConfig,
  options: HttpApiKeyProviderOptions,
): KeyProvider<HttpKeySettings> {
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? realSleep;
  const context = (operation: Operation, extra: Partial<KeyErrorContext> = {}): KeyErrorContext => ({
    provider: config.name,
    operation,
    ...extra,
  });

  async function readCapped(response: Response, operation: Operation, keyId?: string): Promise<Buffer> {
    const tooLarge = () =>
      new ProviderResponseError(
        `the answer is larger than ${config.maxResponseBytes} bytes`,
        context(operation, { keyId }),
      );
    const declared = Number(response.headers.get('content-length') ?? '0');
    if (declared > config.maxResponseBytes) {
      await response.body?.cancel().catch(() => undefined);
      throw tooLarge();
    }
    if (response.body === null) return Buffer.alloc(0);
    const reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > config.maxResponseBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge();
      }
      chunks.push(value);
    }
    return Buffer.concat(chunks);
  }

  async function send(operation: Operation, spec: RequestSpec, request: SendOptions): Promise<Answer> {
    const where = context(operation, request.keyId === undefined ? {} : { keyId: request.keyId });
    const url = render(spec.url, request.values, forUrl, where);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(spec.headers))
      headers[name] = render(value, request.values, forHeader, where);
    if (request.admin) {
      const admin = (await options.adminCredential()).reveal();
      headers[config.admin.header] = render(config.admin.value, { admin }, forHeader, where);
    }
    // Checked here, before fetch: its own error for a bad header value quotes the value.
    for (const [name, value] of Object.entries(headers)) {
      if (UNSAFE_HEADER_VALUE.test(value)) {
        throw new InvalidProviderConfigError(`header ${name} would hold a line break or NUL`, {
          ...where,
          field: name,
        });
      }
    }
    const body = spec.body === undefined ? undefined : render(spec.body, request.values, forJson, where);
    if (body !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
      headers['content-type'] = 'application/json';
    }
    if (!Object.keys(headers).some((name) => name.toLowerCase() === 'accept'))
      headers.accept = 'application/json';
    const host = new URL(url).host;
    const attempts = config.retry.attempts;

    for (let attempt = 1; ; attempt += 1) {
      const last = attempt >= attempts;
      let response: Response;
      try {
        response = await doFetch(url, {
          method: spec.method,
          headers,
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(config.timeoutMs),
        });
      } catch (error) {
        const code = networkCode(error);
        if (TLS_FAILURE.test(code)) {
          throw new ProviderRequestError(`the TLS certificate of ${host} did not verify (${code})`, {
            ...where,
            code,
          });
        }
        if (!last && (request.retryAmbiguous || NOT_SENT.has(code))) {
          await sleep(backoffDelay(attempt - 1, config.retry, options.random));
          continue;
        }
        // No cause: fetch's errors may quote request details.
        throw new ProviderUnavailableError(
          `${spec.method} ${host} failed: ${code === 'timeout' ? `no answer within ${config.timeoutMs} ms` : code} (${tries(attempt)})`,
          { ...where, code },
        );
      }

      const { status } = response;
      if (status >= 300 && status < 400) {
        await response.body?.cancel().catch(() => undefined);
        throw new ProviderResponseError(
          `${spec.method} ${host} answered a redirect (${status}); redirects are refused`,
          {
            ...where,
            code: String(status),
          },
        );
      }
      const transient = status === 429 || status >= 500;
      if (transient) {
        await response.body?.cancel().catch(() => undefined);
        const retryable = status === 429 || request.retryAmbiguous;
        const asked =
          status === 429 ? retryAfterMs(response.headers.get('retry-after'), Date.now()) : undefined;
        const retryAfterSeconds = asked === undefined ? undefined : Math.ceil(asked / 1000);
        if (!last && retryable && (asked === undefined || asked <= config.retry.maxDelayMs)) {
          await sleep(asked ?? backoffDelay(attempt - 1, config.retry, options.random));
          continue;
        }
        throw new ProviderUnavailableError(`${spec.method} ${host} answered ${status} (${tries(attempt)})`, {
          ...where,
          code: String(status),
          ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
        });
      }
      try {
        return { status, body: await readCapped(response, operation, request.keyId) };
      } catch (error) {
        if (error instanceof ProviderResponseError) throw error;
        const code = networkCode(error);
        if (!last && request.retryAmbiguous) {
          await sleep(backoffDelay(attempt - 1, config.retry, options.random));
          continue;
        }
        throw new ProviderUnavailableError(
          `${spec.method} ${host}: the answer was cut off: ${code} (${tries(attempt)})`,
          { ...where, code },
        );
      }
    }
  }

  function json(answer: Answer, operation: Operation, keyId?: string): unknown {
    try {
      return JSON.parse(answer.body.toString('utf8'));
    } catch {
      // Not the parser's message: it quotes the text, which may hold a key.
      throw new ProviderResponseError(
        `the answer (${answer.status}) is not JSON`,
        context(operation, { keyId, field: '$' }),
      );
    }
  }

  function refused(operation: Operation, status: number, keyId?: string): ProviderRequestError {
    const reason =
      status === 401 || status === 403
        ? `the admin credential was refused (${status})`
        : `the request was refused (${status})`;
    return new ProviderRequestError(reason, context(operation, { keyId, code: String(status) }));
  }

  const values = (settings: HttpKeySettings, extra: Record<string, string> = {}): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(settings)) out[name] = String(value);
    return { ...out, ...extra };
  };

  return {
    name: config.name,
    ...(config.keyLimit === undefined ? {} : { keyLimit: config.keyLimit }),
    propagation: config.propagation,

    async createKey(settings: HttpKeySettings): Promise<IssuedKey> {
      const spec = config.create;
      const answer = await send('create', spec, {
        values: values(settings),
        admin: true,
        retryAmbiguous: spec.retryServerErrors,
      });
      if (spec.limitStatus.includes(answer.status)) {
        throw new KeyLimitError(
          `the provider refused another key (${answer.status})`,
          context('create', { code: String(answer.status) }),
        );
      }
      if (answer.status < 200 || answer.status >= 300) throw refused('create', answer.status);
      const body = json(answer, 'create');
      const keyId = idAt(body, spec.response.keyId);
      if (keyId === undefined) {
        throw new ProviderResponseError(
          `the answer has no key id at ${spec.response.keyId}`,
          context('create', { field: spec.response.keyId }),
        );
      }
      const key = at(body, spec.response.key);
      if (typeof key !== 'string' || key.length === 0) {
        throw new ProviderResponseError(
          `the answer has no key at ${spec.response.key}`,
          context('create', { keyId, field: spec.response.key }),
        );
      }
      return { keyId, secret: Sensitive.of(key) };
    },

    async testKey(key: IssuedKey, settings: HttpKeySettings): Promise<KeyTestResult> {
      const spec = config.test;
      const answer = await send('test', spec, {
        values: values(settings, { keyId: key.keyId, apiKey: key.secret.reveal() }),
        admin: false,
        keyId: key.keyId,
        retryAmbiguous: true,
      });
      if (answer.status >= 200 && answer.status < 300) return { ok: true };
      if (spec.rejectStatus.includes(answer.status)) return { ok: false, reason: `status-${answer.status}` };
      throw new ProviderRequestError(
        `the test request was refused (${answer.status})`,
        context('test', { keyId: key.keyId, code: String(answer.status) }),
      );
    },

    async listKeys(settings: HttpKeySettings): Promise<readonly KeySummary[]> {
      const spec = config.list;
      const answer = await send('list', spec, {
        values: values(settings),
        admin: true,
        retryAmbiguous: true,
      });
      if (answer.status < 200 || answer.status >= 300) throw refused('list', answer.status);
      const items = at(json(answer, 'list'), spec.response.items);
      if (!Array.isArray(items)) {
        throw new ProviderResponseError(
          `the answer has no list at ${spec.response.items}`,
          context('list', { field: spec.response.items }),
        );
      }
      return items.map((item, index) => {
        const keyId = idAt(item, spec.response.keyId);
        if (keyId === undefined) {
          const field = `${spec.response.items}.${index}.${spec.response.keyId}`;
          throw new ProviderResponseError(`the answer has no key id at ${field}`, context('list', { field }));
        }
        const state = spec.response.status === undefined ? undefined : at(item, spec.response.status);
        const active = state === undefined || spec.response.activeValues.some((value) => value === state);
        const created = spec.response.createdAt === undefined ? undefined : at(item, spec.response.createdAt);
        const createdAt =
          typeof created === 'string' || typeof created === 'number' ? new Date(created) : undefined;
        return {
          keyId,
          status: active ? 'active' : 'inactive',
          ...(createdAt === undefined || Number.isNaN(createdAt.getTime()) ? {} : { createdAt }),
        };
      });
    },

    async revokeKey(keyId: string, settings: HttpKeySettings): Promise<void> {
      const spec = config.revoke;
      const answer = await send('revoke', spec, {
        values: values(settings, { keyId }),
        admin: true,
        keyId,
        retryAmbiguous: true,
      });
      if (spec.notFoundStatus.includes(answer.status)) {
        throw new KeyNotFoundError(
          `the provider does not know the key (${answer.status})`,
          context('revoke', { keyId, code: String(answer.status) }),
        );
      }
      if (answer.status < 200 || answer.status >= 300) throw refused('revoke', answer.status, keyId);
    },
  };
}
