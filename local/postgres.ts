// A throwaway PostgreSQL from the installed Debian binaries, for `rotor local` and the tests.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

/** A free TCP port on 127.0.0.1 (asks the kernel, then releases it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** Runs a command as `user` when this process is root (the servers refuse to run as root). */
export function runAs(user: string, command: string, args: string[]): string {
  const asRoot = process.getuid?.() === 0;
  const [file, argv] = asRoot ? ['runuser', ['-u', user, '--', command, ...args]] : [command, args];
  return execFileSync(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
}

/** A throwaway folder the service user can write and every user can traverse. */
export function serviceDir(prefix: string, user: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  return dir;
}

/** A random password for test fixtures (generated, never a literal). */
export function fixturePassword(): string {
  return randomBytes(18).toString('base64url');
}

/** TLS material for a server: file paths readable by the server's user. */
export interface ServerTls {
  readonly certFile: string;
  readonly keyFile: string;
}

/**
 * Whether PostgreSQL on 127.0.0.1:`port` accepts a login as `username` with `password` (no TLS: the
 * throwaway servers run without it unless started with `tls`). A refused or failed login answers false.
 */
export async function postgresAccepts(
  port: number,
  username: string,
  password: string,
  database = 'postgres',
): Promise<boolean> {
  const client = new Client({
    host: '127.0.0.1',
    port,
    user: username,
    password,
    database,
    ssl: false,
    connectionTimeoutMillis: 5000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A running throwaway PostgreSQL with scram-sha-256 password authentication enforced on 127.0.0.1. */
export interface PostgresServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly dir: string;
  /** The superuser `postgres`. */
  readonly superuser: { readonly username: string; readonly password: string };
  /** Runs SQL as the superuser on database `postgres`. */
  sql(text: string, values?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Stops the server (fast shutdown); `start` brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and removes its folder. */
  destroy(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (newest === undefined) {
    throw new Error(
      'PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: install the Debian package postgresql (apt-get install -y postgresql)',
    );
  }
  return join(root, newest, 'bin');
}

/**
 * Starts PostgreSQL in a temp folder: initdb as `postgres` with scram-sha-256 and a pwfile, listening on
 * 127.0.0.1 only. With `tls`, `ssl=on` and only `hostssl` lines, so a login without TLS is refused.
 */
export async function startPostgres(options: { tls?: ServerTls } = {}): Promise<PostgresServer> {
  const bin = binDir();
  const dir = serviceDir('rotor-pg-', 'postgres');
  const data = join(dir, 'data');
  const superuser = { username: 'postgres', password: fixturePassword() };
  const pwfile = join(dir, 'pwfile');
  writeFileSync(pwfile, `${superuser.password}\n`, { mode: 0o644 });
  runAs('postgres', join(bin, 'initdb'), [
    '-D',
    data,
    '--auth=scram-sha-256',
    '--username=postgres',
    `--pwfile=${pwfile}`,
    '-E',
    'UTF8',
    '--locale=C.UTF-8',
  ]);
  rmSync(pwfile);
  if (options.tls !== undefined) {
    const hba = ['local all all scram-sha-256', 'hostssl all all 127.0.0.1/32 scram-sha-256', ''].join('\n');
    writeFileSync(join(data, 'pg_hba.conf'), hba);
    if (process.getuid?.() === 0) execFileSync('chown', ['postgres', join(data, 'pg_hba.conf')]);
  }
  let port = 0;
  const serverOptions = () => {
    const list = [`-p ${port}`, `-k ${dir}`, '-c listen_addresses=127.0.0.1'];
    if (options.tls !== undefined) {
      list.push(
        '-c ssl=on',
        `-c ssl_cert_file=${options.tls.certFile}`,
        `-c ssl_key_file=${options.tls.keyFile}`,
      );
    }
    return list.join(' ');
  };
  const pgCtl = (args: string[]) => runAs('postgres', join(bin, 'pg_ctl'), ['-D', data, ...args]);
  const start = async () => {
    pgCtl(['-o', serverOptions(), '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  };
  const stop = async () => {
    pgCtl(['-m', 'fast', '-w', 'stop']);
  };
  // Another process may take the free port before the server binds it: try a few ports.
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      await start();
      break;
    } catch (error) {
      if (attempt >= 3)
        throw new Error(`PostgreSQL did not start; see ${join(dir, 'server.log')}`, { cause: error });
    }
  }
  let running = true;
  // Best effort if the test process ends without afterAll: stop the server rather than orphan it.
  const onExit = () => {
    if (running) {
      try {
        pgCtl(['-m', 'immediate', 'stop']);
      } catch {
        // already stopped
      }
    }
  };
  process.once('exit', onExit);
  const server: PostgresServer = {
    host: '127.0.0.1',
    port,
    dir,
    superuser,
    async sql(text, values) {
      const client = new Client({
        host: '127.0.0.1',
        port,
        user: superuser.username,
        password: superuser.password,
        database: 'postgres',
        ssl: options.tls === undefined ? false : { rejectUnauthorized: false },
      });
      await client.connect();
      try {
        return (await client.query(text, values)).rows;
      } finally {
        await client.end();
      }
    },
    async stop() {
      await stop();
      running = false;
    },
    async start() {
      await start();
      running = true;
    },
    async destroy() {
      process.removeListener('exit', onExit);
      if (running) await stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}
