import { createConnection, format, type Connection, type RowDataPacket } from 'mysql2/promise';
import type { Sensitive } from '../core/sensitive';
import type {
  ConnectionTarget,
  DatabaseConnection,
  DatabaseCredentials,
  DatabaseDriver,
  LoginResult,
} from '../core/rotation/database/ports';
import { SOCKET_UNREACHABLE_CODES, TLS_FAILURE } from './socket-errors';

const REJECTED = new Set([
  'ER_ACCESS_DENIED_ERROR',
  'ER_ACCESS_DENIED_NO_PASSWORD_ERROR',
  'ER_HOST_NOT_PRIVILEGED',
]);
const UNREACHABLE = new Set([...SOCKET_UNREACHABLE_CODES, 'PROTOCOL_CONNECTION_LOST', 'ER_CON_COUNT_ERROR']);
const TLS = new RegExp(`${TLS_FAILURE.source}|HANDSHAKE_NO_SSL_SUPPORT`);

/** Which server answered: the statements for passwords differ. */
export interface ServerFlavor {
  readonly mariadb: boolean;
  readonly major: number;
  readonly minor: number;
}

/** Parses `SELECT VERSION()`: `10.11.6-MariaDB-0+deb12u1`, `8.0.36`, `5.7.44-log`. */
export function serverFlavor(version: string): ServerFlavor {
  const [major = 0, minor = 0] = version.split(/[.-]/).map((part) => Number.parseInt(part, 10));
  return { mariadb: /mariadb/i.test(version), major, minor };
}

/** MariaDB and MySQL 5.6 change a password with `PASSWORD()`; MySQL 5.7+ with `ALTER USER ... IDENTIFIED BY`. */
export function usesPasswordFunction(flavor: ServerFlavor): boolean {
  return flavor.mariadb || flavor.major < 5 || (flavor.major === 5 && flavor.minor < 7);
}

/**
 * The DatabaseDriver port over `mysql2` for MySQL and MariaDB. Values go through placeholders (mysql2
 * formats them with its own escaping); the server flavor is detected once per session. Errors keep only
 * the driver's code: mysql2 errors carry the statement (`sql`) and may quote values in their message.
 */
export function mysqlDriver(): DatabaseDriver {
  return {
    async connect(target: ConnectionTarget, credentials: DatabaseCredentials): Promise<LoginResult> {
      let connection: Connection;
      try {
        connection = await createConnection({
          host: target.host,
          port: target.port,
          user: credentials.username,
          password: credentials.password.reveal(),
          ...(target.database === undefined ? {} : { database: target.database }),
          connectTimeout: target.connectTimeoutMs,
          multipleStatements: false,
          ...(target.tls === 'disable'
            ? {}
            : {
                ssl: {
                  rejectUnauthorized: true,
                  ...(target.caBundle === undefined ? {} : { ca: target.caBundle }),
                },
              }),
        });
      } catch (error) {
        return classifyLoginError(error);
      }
      connection.on('error', () => undefined);
      return { ok: true, connection: mysqlConnection(connection) };
    },
  };
}

/** Sorts a failed login into rejected / unreachable / tls / other with a safe code. */
export function classifyLoginError(error: unknown): Extract<LoginResult, { ok: false }> {
  const code = codeOf(error);
  if (code !== undefined && REJECTED.has(code)) return { ok: false, reason: 'rejected', detail: code };
  if (code !== undefined && UNREACHABLE.has(code)) return { ok: false, reason: 'unreachable', detail: code };
  if (code !== undefined && TLS.test(code)) return { ok: false, reason: 'tls', detail: code };
  const message = error instanceof Error ? error.message : '';
  if (/ssl|tls|certificate/i.test(message)) return { ok: false, reason: 'tls', detail: code ?? 'tls' };
  return { ok: false, reason: 'other', detail: code ?? 'unknown' };
}

function mysqlConnection(connection: Connection): DatabaseConnection {
  const run = async <T = RowDataPacket[]>(sql: string, values: unknown[] = []): Promise<T> => {
    try {
      const [rows] = await connection.query(sql, values);
      return rows as T;
    } catch (error) {
      throw sanitized(error);
    }
  };
  let flavor: ServerFlavor | undefined;
  const detect = async () =>
    (flavor ??= serverFlavor(String((await run<RowDataPacket[]>('SELECT VERSION() AS v'))[0]!.v)));
  const hostsOf = async (username: string) =>
    (await run<RowDataPacket[]>('SELECT Host AS host FROM mysql.user WHERE User = ?', [username])).map(
      (row) => String(row.host),
    );

  return {
    async ping() {
      await run('SELECT NOW()');
    },
    async setOwnPassword(password: Sensitive<string>) {
      if (usesPasswordFunction(await detect())) await run('SET PASSWORD = PASSWORD(?)', [password.reveal()]);
      else await run('ALTER USER USER() IDENTIFIED BY ?', [password.reveal()]);
    },
    async createUser(username, password, likeUser) {
      const hosts = await hostsOf(likeUser);
      if (hosts.length === 0)
        throw Object.assign(new Error('the template user has no account'), { code: 'NO_TEMPLATE_USER' });
      const existing = new Set(await hostsOf(username));
      for (const host of hosts.filter((h) => !existing.has(h))) {
        await run('CREATE USER ?@? IDENTIFIED BY ?', [username, host, password.reveal()]);
      }
    },
    async setUserPassword(username, password) {
      const passwordFunction = usesPasswordFunction(await detect()) && !(await detect()).mariadb;
      for (const host of await hostsOf(username)) {
        if (passwordFunction)
          await run('SET PASSWORD FOR ?@? = PASSWORD(?)', [username, host, password.reveal()]);
        else await run('ALTER USER ?@? IDENTIFIED BY ?', [username, host, password.reveal()]);
      }
    },
    async copyGrants(fromUser, toUser) {
      for (const host of await hostsOf(fromUser)) {
        const rows = await run<RowDataPacket[]>('SHOW GRANTS FOR ?@?', [fromUser, host]);
        for (const row of rows) {
          const grant = rewriteGrant(
            String(Object.values(row)[0]),
            fromUser,
            host,
            format('?@?', [toUser, host]),
          );
          if (grant !== undefined) await run(grant);
        }
        await copyTlsRequirement(run, fromUser, toUser, host);
      }
    },
    async close() {
      await connection.end();
    },
  };
}

/**
 * A `SHOW GRANTS` line re-addressed to another account: the grantee after ` TO ` replaced, and any
 * `IDENTIFIED BY PASSWORD '<hash>'` / `IDENTIFIED VIA ...` clause dropped (MariaDB prints the hash).
 * `undefined` when the line does not name the grantee as expected.
 */
export function rewriteGrant(
  line: string,
  user: string,
  host: string,
  newGrantee: string,
): string | undefined {
  const candidates = [
    `\`${user.replace(/`/g, '``')}\`@\`${host.replace(/`/g, '``')}\``,
    `'${user.replace(/'/g, "\\'")}'@'${host.replace(/'/g, "\\'")}'`,
    `'${user}'@'${host}'`,
  ];
  for (const grantee of candidates) {
    const at = line.lastIndexOf(` TO ${grantee}`);
    if (at < 0) continue;
    const rest = line
      .slice(at + ` TO ${grantee}`.length)
      .replace(/ IDENTIFIED (BY PASSWORD '[^']*'|VIA .*?)(?= REQUIRE | WITH |$)/, '');
    return `${line.slice(0, at)} TO ${newGrantee}${rest}`;
  }
  return undefined;
}

async function copyTlsRequirement(
  run: <T>(sql: string, values?: unknown[]) => Promise<T>,
  fromUser: string,
  toUser: string,
  host: string,
): Promise<void> {
  const rows = await run<RowDataPacket[]>(
    'SELECT ssl_type, ssl_cipher, x509_issuer, x509_subject FROM mysql.user WHERE User = ? AND Host = ?',
    [fromUser, host],
  );
  const row = rows[0];
  if (row === undefined) return;
  const text = (value: unknown) =>
    value === null || value === undefined
      ? ''
      : Buffer.isBuffer(value)
        ? value.toString('utf8')
        : String(value);
  const type = text(row.ssl_type).toUpperCase();
  if (type === '') {
    await run('ALTER USER ?@? REQUIRE NONE', [toUser, host]);
  } else if (type === 'ANY') {
    await run('ALTER USER ?@? REQUIRE SSL', [toUser, host]);
  } else if (type === 'X509') {
    await run('ALTER USER ?@? REQUIRE X509', [toUser, host]);
  } else {
    const parts: string[] = [];
    const values: unknown[] = [toUser, host];
    for (const [keyword, value] of [
      ['CIPHER', row.ssl_cipher],
      ['ISSUER', row.x509_issuer],
      ['SUBJECT', row.x509_subject],
    ] as const) {
      if (text(value) !== '') {
        parts.push(`${keyword} ?`);
        values.push(text(value));
      }
    }
    await run(`ALTER USER ?@? REQUIRE ${parts.length === 0 ? 'SSL' : parts.join(' AND ')}`, values);
  }
}

/** A driver error without its message and statement: the code and number only. */
function sanitized(error: unknown): Error {
  const code = codeOf(error) ?? 'unknown';
  const errno = (error as { errno?: unknown } | undefined)?.errno;
  return Object.assign(new Error(`MySQL error ${code}`), {
    code,
    ...(typeof errno === 'number' ? { errno } : {}),
  });
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}
