import { Client } from 'pg';
import type { Sensitive } from '../core/sensitive';
import type {
  ConnectionTarget,
  DatabaseConnection,
  DatabaseCredentials,
  DatabaseDriver,
  LoginResult,
} from '../core/rotation/database/ports';
import { SOCKET_UNREACHABLE_CODES, TLS_FAILURE } from './socket-errors';

/** Options of the PostgreSQL driver. */
export interface PostgresDriverOptions {
  /** Longest a statement may run; @default 10000 */
  readonly statementTimeoutMs?: number;
}

const REJECTED = new Set(['28P01', '28000']);
// 57P03: the server is starting up or shutting down.
const UNREACHABLE = new Set([...SOCKET_UNREACHABLE_CODES, '57P03']);
const TLS = TLS_FAILURE;

/**
 * The DatabaseDriver port over `pg`. Utility statements (`ALTER ROLE ... PASSWORD`) take no bind
 * parameters, so identifiers and literals go through `escapeIdentifier`/`escapeLiteral` of the client;
 * queries use parameters. Errors are stripped of statement text and values: only the SQLSTATE or
 * socket code remains.
 */
export function postgresDriver(options: PostgresDriverOptions = {}): DatabaseDriver {
  const statementTimeoutMs = options.statementTimeoutMs ?? 10_000;
  return {
    async connect(target: ConnectionTarget, credentials: DatabaseCredentials): Promise<LoginResult> {
      const client = new Client({
        host: target.host,
        port: target.port,
        ...(target.database === undefined ? {} : { database: target.database }),
        user: credentials.username,
        password: credentials.password.reveal(),
        connectionTimeoutMillis: target.connectTimeoutMs,
        statement_timeout: statementTimeoutMs,
        query_timeout: statementTimeoutMs + 1000,
        application_name: 'rotor-rotation',
        ssl:
          target.tls === 'disable'
            ? false
            : { rejectUnauthorized: true, ...(target.caBundle === undefined ? {} : { ca: target.caBundle }) },
      });
      // A connection that drops later emits 'error' on the client; the next query reports it.
      client.on('error', () => undefined);
      try {
        await client.connect();
      } catch (error) {
        await client.end().catch(() => undefined);
        return classifyLoginError(error);
      }
      return { ok: true, connection: postgresConnection(client) };
    },
  };
}

/** Sorts a failed login into rejected / unreachable / tls / other with a safe code. */
export function classifyLoginError(error: unknown): Extract<LoginResult, { ok: false }> {
  const code = codeOf(error);
  const message = error instanceof Error ? error.message : '';
  if (code !== undefined && REJECTED.has(code)) return { ok: false, reason: 'rejected', detail: code };
  if (code !== undefined && UNREACHABLE.has(code)) return { ok: false, reason: 'unreachable', detail: code };
  if (/timeout|terminated unexpectedly|Connection terminated/i.test(message))
    return { ok: false, reason: 'unreachable', detail: 'timeout' };
  if (/does not support SSL/i.test(message))
    return { ok: false, reason: 'tls', detail: 'server without TLS' };
  if (code !== undefined && TLS.test(code)) return { ok: false, reason: 'tls', detail: code };
  return { ok: false, reason: 'other', detail: code ?? 'unknown' };
}

function postgresConnection(client: Client): DatabaseConnection {
  const run = async (sql: string, values?: unknown[]) => {
    try {
      return await client.query(sql, values);
    } catch (error) {
      throw sanitized(error);
    }
  };
  const literal = (password: Sensitive<string>) => client.escapeLiteral(password.reveal());
  const id = (name: string) => client.escapeIdentifier(name);
  return {
    async ping() {
      await run('SELECT now()');
    },
    async setOwnPassword(password) {
      await run(`ALTER ROLE CURRENT_USER WITH PASSWORD ${literal(password)}`);
    },
    async createUser(username, password) {
      const exists = await run('SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1', [username]);
      if ((exists.rowCount ?? 0) > 0) return;
      try {
        await run(`CREATE ROLE ${id(username)} WITH LOGIN PASSWORD ${literal(password)}`);
      } catch (error) {
        // A concurrent duplicate invocation created it first.
        if ((error as { code?: string }).code !== '42710') throw error;
      }
    },
    async setUserPassword(username, password) {
      await run(`ALTER ROLE ${id(username)} WITH PASSWORD ${literal(password)}`);
    },
    async copyGrants(fromUser, toUser) {
      // Membership gives `toUser` every privilege of `fromUser` (as AWS's template does). Skipped when either
      // is already a member of the other: the original user and its clone alternate, and a membership
      // loop is an error.
      const result = await run(
        "SELECT pg_has_role($1, $2, 'MEMBER') AS a, pg_has_role($2, $1, 'MEMBER') AS b",
        [toUser, fromUser],
      );
      const row = result.rows[0] as { a: boolean; b: boolean };
      if (!row.a && !row.b) await run(`GRANT ${id(fromUser)} TO ${id(toUser)}`);
    },
    async close() {
      await client.end();
    },
  };
}

/** A driver error without its message (which may quote the statement): the SQLSTATE or socket code. */
function sanitized(error: unknown): Error {
  const code = codeOf(error) ?? 'unknown';
  return Object.assign(new Error(`PostgreSQL error ${code}`), { code });
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}
