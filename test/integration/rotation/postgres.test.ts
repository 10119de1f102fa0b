import { createSecret, finishSecret, setSecret, testSecret } from '../../../core/rotation/contract';
import { AWSCURRENT } from '../../../core/rotation/ports';
import { describeRotatorContract } from '../../unit/rotation/support/rotator-contract';
import { startPostgres, type PostgresServer } from '../../support/postgres';
import { postgresHarness, preparePostgres } from './support/harness';
import { Client } from 'pg';

let server: PostgresServer;
let admin: { username: string; password: string };

beforeAll(async () => {
  server = await startPostgres();
  admin = await preparePostgres(server);
});

afterAll(async () => {
  await server?.destroy();
});

describeRotatorContract('PostgreSQL single-user (real server)', () =>
  postgresHarness(server, admin, 'single-user')(),
);
describeRotatorContract('PostgreSQL alternating users (real server)', () =>
  postgresHarness(server, admin, 'alternating-users')(),
);

describe('PostgreSQL alternating users', () => {
  it('gives the clone the privileges of the original user', async () => {
    const h = await postgresHarness(server, admin, 'alternating-users')();
    const deps = { store: h.store, rotatorFor: () => h.rotator };
    const token = h.store.startRotation(h.secretId);
    for (const step of [createSecret, setSecret, testSecret, finishSecret])
      await step({ secretId: h.secretId, token }, deps);
    const clone = JSON.parse(h.store.valueAt(h.secretId, AWSCURRENT)!);
    expect(clone.username).toMatch(/_clone$/);
    const client = new Client({
      host: '127.0.0.1',
      port: server.port,
      user: clone.username,
      password: clone.password,
      database: 'postgres',
      ssl: false,
    });
    await client.connect();
    try {
      expect((await client.query('SELECT count(*)::int AS n FROM orders')).rows[0].n).toBe(1);
    } finally {
      await client.end();
    }
  });
});
