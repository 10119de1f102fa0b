import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresDriver } from '../../../adapters/postgres';
import {
  createSecret,
  finishSecret,
  setSecret,
  testSecret,
  type RotationDeps,
} from '../../../core/rotation/contract';
import { DatabaseTlsError } from '../../../core/rotation/errors';
import { postgresRotator } from '../../../core/rotation/database/postgres';
import { AWSCURRENT } from '../../../core/rotation/ports';
import { MemorySecretStore } from '../../unit/rotation/support/memory-secret-store';
import { fixturePassword, startPostgres, type PostgresServer } from '../../support/postgres';
import { Client } from 'pg';

// A PostgreSQL that accepts TLS logins only (hostssl lines), with a certificate from a CA made by openssl
// for this run. A secret without `ssl` must use TLS and verify the certificate against the configured CA.

let server: PostgresServer;
let pki: string;
let caBundle: string;
let wrongCaBundle: string;

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
}

beforeAll(async () => {
  pki = mkdtempSync(join(tmpdir(), 'rotor-pki-'));
  chmodSync(pki, 0o755);
  const file = (name: string) => join(pki, name);
  for (const ca of ['ca', 'wrong-ca']) {
    openssl([
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      file(`${ca}.key`),
      '-out',
      file(`${ca}.crt`),
      '-days',
      '1',
      '-subj',
      `/CN=rotor test ${ca}`,
    ]);
  }
  openssl([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    file('server.key'),
    '-out',
    file('server.csr'),
    '-subj',
    '/CN=127.0.0.1',
  ]);
  writeFileSync(file('server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl([
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.crt'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-out',
    file('server.crt'),
    '-days',
    '1',
    '-extfile',
    file('server.ext'),
  ]);
  chmodSync(file('server.key'), 0o600);
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres', file('server.key'), file('server.crt')]);
  caBundle = readFileSync(file('ca.crt'), 'utf8');
  wrongCaBundle = readFileSync(file('wrong-ca.crt'), 'utf8');
  server = await startPostgres({ tls: { certFile: file('server.crt'), keyFile: file('server.key') } });
});

afterAll(async () => {
  await server?.destroy();
  rmSync(pki, { recursive: true, force: true });
});

async function appSecret() {
  const username = `tls_${Math.random().toString(16).slice(2, 10)}`;
  const password = fixturePassword();
  await server.sql(`CREATE ROLE ${username} WITH LOGIN PASSWORD '${password}'`);
  const store = new MemorySecretStore();
  // No `ssl` field: TLS with verification is the default.
  const secretId = store.create(
    `tls-${username}`,
    JSON.stringify({ engine: 'postgres', host: '127.0.0.1', port: server.port, username, password }),
  );
  return { store, secretId, username, password };
}

const steps = [createSecret, setSecret, testSecret, finishSecret];

describe('PostgreSQL over TLS', () => {
  it('refuses a login without TLS (the server takes TLS only)', async () => {
    const { username, password } = await appSecret();
    const client = new Client({
      host: '127.0.0.1',
      port: server.port,
      user: username,
      password,
      database: 'postgres',
      ssl: false,
    });
    await expect(client.connect()).rejects.toMatchObject({ code: '28000' });
    await client.end().catch(() => undefined);
  });

  it('rotates with TLS by default, verifying the server against the configured CA', async () => {
    const { store, secretId, username } = await appSecret();
    const deps: RotationDeps = {
      store,
      rotatorFor: () => postgresRotator({ driver: postgresDriver(), strategy: 'single-user', caBundle }),
    };
    const token = store.startRotation(secretId);
    for (const step of steps) await step({ secretId, token }, deps);
    const current = JSON.parse(store.valueAt(secretId, AWSCURRENT)!);
    expect(current.username).toBe(username);
    const client = new Client({
      host: '127.0.0.1',
      port: server.port,
      user: username,
      password: current.password,
      database: 'postgres',
      ssl: { ca: caBundle },
    });
    await client.connect();
    try {
      const rows = (await client.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).rows;
      expect(rows[0].ssl).toBe(true);
    } finally {
      await client.end();
    }
  });

  it('fails with DatabaseTlsError when the certificate does not verify against the CA', async () => {
    const { store, secretId } = await appSecret();
    const deps: RotationDeps = {
      store,
      rotatorFor: () =>
        postgresRotator({ driver: postgresDriver(), strategy: 'single-user', caBundle: wrongCaBundle }),
    };
    const token = store.startRotation(secretId);
    await createSecret({ secretId, token }, deps);
    const error = await setSecret({ secretId, token }, deps).catch((e) => e);
    expect(error).toBeInstanceOf(DatabaseTlsError);
    expect(error.message).toContain('setSecret');
    expect(store.versionWith(secretId, AWSCURRENT)).not.toBe(token);
  });

  it('fails with DatabaseTlsError against the system trust store, which does not know the test CA', async () => {
    const { store, secretId } = await appSecret();
    const deps: RotationDeps = {
      store,
      rotatorFor: () => postgresRotator({ driver: postgresDriver(), strategy: 'single-user' }),
    };
    const token = store.startRotation(secretId);
    await createSecret({ secretId, token }, deps);
    await expect(testSecret({ secretId, token }, deps)).rejects.toBeInstanceOf(DatabaseTlsError);
  });
});
