/**
 * How an AWS SDK v3 error is sorted, for every adapter: its code (the exception name), its HTTP status, and
 * whether it is throttling or otherwise worth a retry (5xx, network). Only the code is ever reported:
 * service messages are not ours to vouch for, and may quote what was sent.
 */
export interface AwsErrorInfo {
  readonly code: string;
  readonly status?: number;
  /** The service asked the caller to slow down. */
  readonly throttled: boolean;
  /** A retry may pass: throttling, a server fault, a network error. */
  readonly retryable: boolean;
}

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
]);
const TRANSIENT = new Set([
  'InternalServiceError',
  'InternalFailure',
  'ServiceFailure',
  'ServiceFailureException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'AbortError',
]);

/** Reads the code, status and retryability of an SDK (or socket) error. */
export function awsErrorInfo(error: unknown): AwsErrorInfo {
  const e = error as {
    name?: unknown;
    code?: unknown;
    $retryable?: unknown;
    $fault?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  const code =
    typeof e?.name === 'string' && e.name !== 'Error'
      ? e.name
      : typeof e?.code === 'string'
        ? e.code
        : 'UnknownError';
  const rawStatus = e?.$metadata?.httpStatusCode;
  const status = typeof rawStatus === 'number' ? rawStatus : undefined;
  const throttled = THROTTLING.has(code);
  const retryable =
    throttled ||
    TRANSIENT.has(code) ||
    (typeof e?.code === 'string' && TRANSIENT.has(e.code)) ||
    e?.$retryable !== undefined ||
    e?.$fault === 'server' ||
    (status !== undefined && status >= 500);
  return { code, ...(status === undefined ? {} : { status }), throttled, retryable };
}
