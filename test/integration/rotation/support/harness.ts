import { randomBytes } from 'node:crypto';
import { createConnection } from 'mysql2/promise';
import { postgresDriver } from '../../../../adapters/postgres';
import { mysqlDriver } from '../../../../adapters/mysql';
import { postgresRotator } from '../../../../core/rotation/database/postgres';
import { mysqlRotator } from '../../../../core/rotation/database/mysql';
import type { DatabaseStrategy } from '../../../../core/rotation/database/rotator';
import { AWSCURRENT } from '../../../../core/rotation/ports';
import { MemorySecretStore } from '../../../unit/rotation/support/memory-secret-store';
import type { RotatorHarness } from '../../../unit/rotation/support/rotator-contract';
import { fixturePassword, postgresAccepts, type PostgresServer } from '../../../support/postgres';
import type { MariaDbServer } from '../../../support/mariadb';

const suffix = () => randomBytes(4).toString('hex');

/** Whether MariaDB accepts a login over TCP. */
export async function mariadbAccepts(port: number, username: string, password: string): Promise<boolean> {
  try {
    const connection = await createConnection({
      host: '127.0.0.1',
      port,
      user: username,
      password,
      connectTimeout: 5000,
    });
    await connection.end();
    return true;
  } catch {
    return false;
  }
}

/** One-time set-up on a PostgreSQL server: the admin that clones users, and a table to grant. */
export async function preparePostgres(
  server: PostgresServer,
): Promise<{ username: string; password: string }> {
  const admin = { username: 'rotor_admin', password: fixturePassword() };
  await server.sql(`CREATE ROLE rotor_admin WITH LOGIN CREATEROLE PASSWORD '${admin.password}'`);
  await server.sql('CREATE TABLE orders (id int primary key)');
  await server.sql('INSERT INTO orders VALUES (1)');
  return admin;
}

/** The parts of a harness that only the server knows: the rest is the same for every engine. */
function databaseHarness(parts: {
  rotator: RotatorHarness['rotator'];
  store: MemorySecretStore;
  secretId: string;
  strategy: DatabaseStrategy;
  accepts: (username: string, password: string) => Promise<boolean>;
  setPassword: (username: string, password: string) => Promise<void>;
  server: { start(): Promise<void>; stop(): Promise<void> };
}): RotatorHarness {
  const { store, secretId } = parts;
  return {
    rotator: parts.rotator,
    store,
    secretId,
    keepsPrevious: parts.strategy === 'alternating-users',
    accepts: async (value) => {
      const parsed = JSON.parse(value);
      return parts.accepts(parsed.username, parsed.password);
    },
    setReachable: async (up) => (up ? parts.server.start() : parts.server.stop()),
    drift: async () =>
      parts.setPassword(JSON.parse(store.valueAt(secretId, AWSCURRENT)!).username, fixturePassword()),
    restore: async (value) => {
      const parsed = JSON.parse(value);
      await parts.setPassword(parsed.username, parsed.password);
    },
  };
}

/** A fresh app user and secret on the PostgreSQL server for each test. */
export function postgresHarness(
  server: PostgresServer,
  admin: { username: string; password: string },
  strategy: DatabaseStrategy,
) {
  return async (): Promise<RotatorHarness> => {
    const username = `app_${suffix()}`;
    const password = fixturePassword();
    await server.sql(`CREATE ROLE ${username} WITH LOGIN PASSWORD '${password}'`);
    await server.sql(`GRANT SELECT ON orders TO ${username}`);
    const store = new MemorySecretStore();
    const base = { engine: 'postgres', host: '127.0.0.1', port: server.port, dbname: 'postgres', ssl: false };
    const masterarn = store.create(
      `pg-admin-${suffix()}`,
      JSON.stringify({ ...base, username: admin.username, password: admin.password }),
    );
    const secretId = store.create(
      `pg-app-${suffix()}`,
      JSON.stringify({ ...base, username, password, masterarn }),
    );
    return databaseHarness({
      rotator: postgresRotator({
        driver: postgresDriver(),
        strategy,
        connectTimeoutMs: 3000,
      }) as RotatorHarness['rotator'],
      store,
      secretId,
      strategy,
      accepts: (user, value) => postgresAccepts(server.port, user, value),
      setPassword: async (user, value) => void (await server.sql(`ALTER ROLE "${user}" PASSWORD '${value}'`)),
      server,
    });
  };
}

/** One-time set-up on a MariaDB server: a database to grant. */
export async function prepareMariaDb(server: MariaDbServer): Promise<void> {
  await server.sql('CREATE DATABASE appdb');
  await server.sql('CREATE TABLE appdb.orders (id int primary key)');
  await server.sql('INSERT INTO appdb.orders VALUES (1)');
}

/** A fresh app user (for 127.0.0.1) and secret on the MariaDB server for each test. */
export function mariadbHarness(server: MariaDbServer, strategy: DatabaseStrategy) {
  return async (): Promise<RotatorHarness> => {
    const username = `app_${suffix()}`;
    const password = fixturePassword();
    await server.sql("CREATE USER ?@'127.0.0.1' IDENTIFIED BY ?", [username, password]);
    await server.sql("GRANT SELECT ON appdb.* TO ?@'127.0.0.1'", [username]);
    const store = new MemorySecretStore();
    const base = { engine: 'mariadb', host: '127.0.0.1', port: server.port, ssl: false };
    const masterarn = store.create(
      `db-admin-${suffix()}`,
      JSON.stringify({ ...base, username: server.admin.username, password: server.admin.password }),
    );
    const secretId = store.create(
      `db-app-${suffix()}`,
      JSON.stringify({ ...base, dbname: 'appdb', username, password, masterarn }),
    );
    return databaseHarness({
      rotator: mysqlRotator({
        driver: mysqlDriver(),
        strategy,
        connectTimeoutMs: 3000,
      }) as RotatorHarness['rotator'],
      store,
      secretId,
      strategy,
      accepts: (user, value) => mariadbAccepts(server.port, user, value),
      setPassword: async (user, value) =>
        void (await server.sql("ALTER USER ?@'127.0.0.1' IDENTIFIED BY ?", [user, value])),
      server,
    });
  };
}
