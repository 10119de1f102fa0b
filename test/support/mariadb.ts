import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { fixturePassword, freePort, serviceDir } from '../../local/postgres';

/** A running throwaway MariaDB with password authentication enforced for TCP logins on 127.0.0.1. */
export interface MariaDbServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly dir: string;
  /** An account with every privilege and GRANT OPTION, created for 127.0.0.1 (root logs in by socket only). */
  readonly admin: { readonly username: string; readonly password: string };
  /** Runs SQL as the admin over TCP (placeholders allowed). */
  sql(text: string, values?: unknown[]): Promise<unknown>;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

function requireBinary(path: string): string {
  if (!existsSync(path)) {
    throw new Error(
      `${path} not found: install the Debian package mariadb-server (apt-get install -y mariadb-server)`,
    );
  }
  return path;
}

/**
 * Starts MariaDB in a temp folder: mariadb-install-db and mariadbd with --no-defaults --user=mysql,
 * TCP on 127.0.0.1 with --skip-name-resolve, root by socket only; then creates an admin for 127.0.0.1.
 */
export async function startMariaDb(): Promise<MariaDbServer> {
  const installDb = requireBinary('/usr/bin/mariadb-install-db');
  const mariadbd = requireBinary('/usr/sbin/mariadbd');
  const client = requireBinary('/usr/bin/mariadb');
  const dir = serviceDir('rotor-mariadb-', 'mysql');
  const data = join(dir, 'data');
  const socket = join(dir, 'mysqld.sock');
  // A temporary folder of its own: servers bootstrapping at once in the shared /tmp collide on temp-table names.
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp);
  if (process.getuid?.() === 0) execFileSync('chown', ['mysql', tmp]);
  const env = { ...process.env, TMPDIR: tmp };
  execFileSync(
    installDb,
    [
      '--no-defaults',
      '--user=mysql',
      `--datadir=${data}`,
      '--auth-root-authentication-method=socket',
      '--skip-test-db',
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    },
  );
  let port = 0;
  let child: ChildProcess | undefined;

  const start = async () => {
    child = spawn(
      mariadbd,
      [
        '--no-defaults',
        '--user=mysql',
        `--datadir=${data}`,
        `--socket=${socket}`,
        `--port=${port}`,
        '--bind-address=127.0.0.1',
        `--pid-file=${join(dir, 'mysqld.pid')}`,
        `--log-error=${join(dir, 'err.log')}`,
        '--skip-name-resolve',
        `--tmpdir=${tmp}`,
      ],
      { stdio: 'ignore', env },
    );
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        execFileSync(client, ['--no-defaults', `--socket=${socket}`, '-u', 'root', '-e', 'SELECT 1'], {
          stdio: 'ignore',
        });
        return;
      } catch {
        if (Date.now() > deadline || child.exitCode !== null)
          throw new Error(`MariaDB did not start; see ${join(dir, 'err.log')}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };
  const stop = async () => {
    const running = child;
    if (running === undefined || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGTERM');
    });
    child = undefined;
  };

  // Another process may take the free port before the server binds it: try a few ports.
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      await start();
      break;
    } catch (error) {
      await stop();
      if (attempt >= 3) throw error;
    }
  }
  // Best effort if the test process ends without afterAll: stop the server rather than orphan it.
  const onExit = () => child?.kill('SIGTERM');
  process.once('exit', onExit);
  const admin = { username: 'rotor_admin', password: fixturePassword() };
  const root = (sql: string) =>
    execFileSync(client, ['--no-defaults', `--socket=${socket}`, '-u', 'root', '-e', sql], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  try {
    root(
      `CREATE USER '${admin.username}'@'127.0.0.1' IDENTIFIED BY '${admin.password}'; GRANT ALL PRIVILEGES ON *.* TO '${admin.username}'@'127.0.0.1' WITH GRANT OPTION;`,
    );
  } catch (error) {
    process.removeListener('exit', onExit);
    await stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    host: '127.0.0.1',
    port,
    dir,
    admin,
    async sql(text, values) {
      const connection = await createConnection({
        host: '127.0.0.1',
        port,
        user: admin.username,
        password: admin.password,
      });
      try {
        const [rows] = await connection.query(text, values);
        return rows;
      } finally {
        await connection.end();
      }
    },
    stop,
    start,
    async destroy() {
      process.removeListener('exit', onExit);
      await stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
