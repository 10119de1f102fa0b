import type { DatabaseStrategy } from '../../../core/rotation/database/rotator';
import type { RotatorHarness } from '../../unit/rotation/support/rotator-contract';
import { startMariaDb, type MariaDbServer } from '../../support/mariadb';
import { startPostgres, type PostgresServer } from '../../support/postgres';
import { faultCases, formatMatrix, runFaultCase, type MatrixRow } from './support/fault-matrix';
import { mariadbHarness, postgresHarness, prepareMariaDb, preparePostgres } from './support/harness';

// Every fault, on both real databases and both strategies. Each case ends with the rotation completed and
// the AWSCURRENT credentials logging in; the table printed at the end is the evidence.

let postgres: PostgresServer;
let mariadb: MariaDbServer;
let pgAdmin: { username: string; password: string };
const sink = { rows: [] as MatrixRow[], texts: [] as string[], secrets: new Set<string>() };

beforeAll(async () => {
  [postgres, mariadb] = await Promise.all([startPostgres(), startMariaDb()]);
  pgAdmin = await preparePostgres(postgres);
  await prepareMariaDb(mariadb);
});

afterAll(async () => {
  console.log(`Rotation fault matrix (${sink.rows.length} cases)\n${formatMatrix(sink.rows)}`);
  await Promise.all([postgres?.destroy(), mariadb?.destroy()]);
});

const targets: [string, DatabaseStrategy, () => () => Promise<RotatorHarness>][] = [
  ['postgres single-user', 'single-user', () => postgresHarness(postgres, pgAdmin, 'single-user')],
  [
    'postgres alternating',
    'alternating-users',
    () => postgresHarness(postgres, pgAdmin, 'alternating-users'),
  ],
  ['mariadb single-user', 'single-user', () => mariadbHarness(mariadb, 'single-user')],
  ['mariadb alternating', 'alternating-users', () => mariadbHarness(mariadb, 'alternating-users')],
];

describe.each(targets)('fault matrix: %s', (target, _strategy, factory) => {
  it.each(faultCases().map((c) => [`${c.step}: ${c.fault}`, c] as const))(
    '%s -> the rotation completes',
    async (_name, fault) => {
      const row = await runFaultCase(target, fault, factory(), sink);
      expect(row).toMatchObject({ recovered: true, currentLogsIn: true });
    },
  );
});

describe('the fault matrix as a whole', () => {
  it('covered every case and leaked no password, old or new, into logs or errors', () => {
    expect(sink.rows).toHaveLength(targets.length * faultCases().length);
    expect(sink.secrets.size).toBeGreaterThan(sink.rows.length);
    const text = sink.texts.join('\n');
    for (const secret of sink.secrets) expect(text).not.toContain(secret);
  });

  it('raised the expected error class for each fault', () => {
    const byFault = (fault: string) =>
      new Set(sink.rows.filter((r) => r.fault.startsWith(fault)).map((r) => r.error));
    expect(byFault('Secrets Manager throttles')).toEqual(new Set(['SecretStoreUnavailableError']));
    expect(byFault('database unreachable')).toEqual(new Set(['DatabaseUnreachableError']));
    // Single user: no known password works; alternating: the current login check refuses first.
    expect(byFault('password drift')).toEqual(new Set(['DriftError', 'CredentialRejectedError']));
  });
});
