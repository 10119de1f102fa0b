/** Socket and DNS error codes that mean "the server could not be reached": a retry later may pass. */
export const SOCKET_UNREACHABLE_CODES: readonly string[] = [
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
];

/** Error messages of TLS failures (certificate, handshake), from Node's and OpenSSL's codes. */
export const TLS_FAILURE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL|EPROTO/;
