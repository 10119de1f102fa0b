import { createConnection } from 'mysql2/promise';
import { createSecret, finishSecret, setSecret, testSecret } from '../../../core/rotation/contract';
import { AWSCURRENT } from '../../../core/rotation/ports';
import { describeRotatorContract } from '../../unit/rotation/support/rotator-contract';
import { startMariaDb, type MariaDbServer } from '../../support/mariadb';
import { mariadbHarness, prepareMariaDb } from './support/harness';

let server: MariaDbServer;

beforeAll(async () => {
  server = await startMariaDb();
  await prepareMariaDb(server);
});

afterAll(async () => {
  await server?.destroy();
});

describeRotatorContract('MariaDB single-user (real server)', () => mariadbHarness(server, 'single-user')());
describeRotatorContract('MariaDB alternating users (real server)', () =>
  mariadbHarness(server, 'alternating-users')(),
);

describe('MariaDB alternating users', () => {
  it('gives the clone the grants of the original user, for the same host', async () => {
    const h = await mariadbHarness(server, 'alternating-users')();
    const deps = { store: h.store, rotatorFor: () => h.rotator };
    const token = h.store.startRotation(h.secretId);
    for (const step of [createSecret, setSecret, testSecret, finishSecret])
      await step({ secretId: h.secretId, token }, deps);
    const clone = JSON.parse(h.store.valueAt(h.secretId, AWSCURRENT)!);
    expect(clone.username).toMatch(/_clone$/);
    const hosts = (await server.sql('SELECT Host AS host FROM mysql.user WHERE User = ?', [
      clone.username,
    ])) as { host: string }[];
    expect(hosts.map((row) => row.host)).toEqual(['127.0.0.1']);
    const connection = await createConnection({
      host: '127.0.0.1',
      port: server.port,
      user: clone.username,
      password: clone.password,
      database: 'appdb',
    });
    try {
      const [rows] = await connection.query('SELECT COUNT(*) AS n FROM orders');
      expect((rows as { n: number }[])[0]!.n).toBe(1);
    } finally {
      await connection.end();
    }
  });
});
