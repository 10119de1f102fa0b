import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { checkServerIdentity, connect, createServer, type PeerCertificate } from 'node:tls';
import type { CertificateSecret } from '../core/rotation/certificate/secret-format';

/** The outcome of a handshake: success with what was negotiated, or the TLS error (code and message). */
export type TlsHandshakeResult =
  | { readonly ok: true; readonly servername: string; readonly protocol: string | null }
  | { readonly ok: false; readonly servername: string; readonly code?: string; readonly error: string };

/** Options of `tlsHandshake`. */
export interface TlsHandshakeOptions {
  /** The name the client checks: a DNS name or an IP address. @default the first SAN of the certificate */
  readonly servername?: string;
  /** @default 10000 */
  readonly timeoutMs?: number;
}

/**
 * testSecret's end-to-end check: serves the pending certificate and key (with its chain) from a TLS server
 * on 127.0.0.1 and connects a client that trusts only `caPem` and checks the certificate against the SAN.
 * Reports success or the TLS error; it never throws for a failed handshake, and never reports key material.
 */
export async function tlsHandshake(
  pending: CertificateSecret,
  caPem: string,
  options: TlsHandshakeOptions = {},
): Promise<TlsHandshakeResult> {
  const servername = options.servername ?? firstSan(pending) ?? '';
  let server;
  try {
    server = createServer({
      key: pending.privateKey.reveal(),
      cert: `${pending.certificate.trim()}\n${pending.chain.trim()}\n`,
    });
  } catch (error) {
    // A key that does not match the certificate fails here, in OpenSSL; its message names no key material.
    return {
      ok: false,
      servername,
      code: (error as { code?: string }).code,
      error: (error as Error).message,
    };
  }
  server.on('secureConnection', (socket) => socket.end());
  server.on('tlsClientError', () => undefined);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const isIp = /^[0-9.]+$|:/.test(servername);
  try {
    return await new Promise<TlsHandshakeResult>((resolve) => {
      const socket = connect({
        host: '127.0.0.1',
        port,
        ca: caPem,
        // SNI carries DNS names only (RFC 6066); an IP SAN is checked by checkServerIdentity alone.
        ...(isIp ? {} : { servername }),
        checkServerIdentity: (_host: string, cert: PeerCertificate) => checkServerIdentity(servername, cert),
      });
      const timer = setTimeout(() => {
        socket.destroy();
        resolve({ ok: false, servername, code: 'ETIMEDOUT', error: 'The TLS handshake timed out' });
      }, options.timeoutMs ?? 10_000);
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        resolve({ ok: true, servername, protocol: socket.getProtocol() });
        socket.end();
      });
      socket.once('error', (error: Error & { code?: string }) => {
        clearTimeout(timer);
        resolve({ ok: false, servername, code: error.code, error: error.message });
      });
    });
  } finally {
    server.close();
  }
}

function firstSan(secret: CertificateSecret): string | undefined {
  const san = secret.subjectAltNames[0];
  return san?.slice(san.indexOf(':') + 1);
}
