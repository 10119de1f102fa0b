// 100 rotations of one PostgreSQL and one MariaDB secret, driven by RotateSecret on the Secrets Manager
// emulator through the bundled rotate-database handler, against real servers: p50 and p95 per rotation. The floor
// in the same run is the database work alone: one login plus one password change per rotation, as a client
// would do it without Rotor. Run: npx tsx bench/rotation/rotate.ts   (N=100 by default)
import {
  CreateSecretCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import { startSecretsManagerEmulator } from '../../local/secrets-manager';
import { bundleFunction } from '../support/bundle';
import { lambdaContext } from '../../test/support/lambda-context';
import { startMariaDb } from '../../test/support/mariadb';
import { fixturePassword, startPostgres } from '../../test/support/postgres';

const N = Number(process.env.N ?? 100);
const LAMBDA = 'arn:aws:lambda:us-east-1:000000000000:function:rotate-database';

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))];

async function main() {
  const [pg, maria] = await Promise.all([startPostgres(), startMariaDb()]);
  const emulator = await startSecretsManagerEmulator({ region: 'us-east-1' });
  try {
    await measure(pg, maria, emulator);
  } finally {
    await emulator.close();
    await Promise.all([pg.destroy(), maria.destroy()]);
  }
}

async function measure(
  pg: Awaited<ReturnType<typeof startPostgres>>,
  maria: Awaited<ReturnType<typeof startMariaDb>>,
  emulator: Awaited<ReturnType<typeof startSecretsManagerEmulator>>,
) {
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'x',
    AWS_SECRET_ACCESS_KEY: 'x',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: emulator.endpoint,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  // The bundle, as NodejsFunction builds it: what runs on Lambda.
  const { handler } = require(bundleFunction('rotate-database'));
  emulator.registerRotationHandler(
    LAMBDA,
    async (event) => void (await handler(event as never, lambdaContext() as never)),
  );
  const sm = new SecretsManagerClient({ endpoint: emulator.endpoint });

  const pgPassword = fixturePassword();
  await pg.sql(`CREATE ROLE bench_app LOGIN PASSWORD '${pgPassword}'`);
  const mariaPassword = fixturePassword();
  await maria.sql(`CREATE USER 'bench'@'127.0.0.1' IDENTIFIED BY '${mariaPassword}'`);
  const secrets = {
    postgres: {
      engine: 'postgres',
      host: '127.0.0.1',
      port: pg.port,
      username: 'bench_app',
      password: pgPassword,
      dbname: 'postgres',
      ssl: false,
    },
    mariadb: {
      engine: 'mariadb',
      host: '127.0.0.1',
      port: maria.port,
      username: 'bench',
      password: mariaPassword,
      ssl: false,
    },
  };

  const rows: string[] = [];
  for (const [kind, value] of Object.entries(secrets)) {
    const { ARN } = await sm.send(
      new CreateSecretCommand({
        Name: `bench/${kind}`,
        SecretString: JSON.stringify(value),
        Tags: [{ Key: 'rotor:kind', Value: kind }],
      }),
    );
    const times: number[] = [];
    for (let i = 0; i < N; i++) {
      const start = performance.now();
      const { VersionId } = await sm.send(
        new RotateSecretCommand({ SecretId: ARN, RotationLambdaARN: LAMBDA }),
      );
      const run = await emulator.rotations.waitFor(VersionId!);
      if (run.status !== 'succeeded')
        throw new Error(
          `rotation ${i} of ${kind} failed at ${run.failedStep}: ${(run.error as Error | undefined)?.name}`,
        );
      times.push(performance.now() - start);
    }
    // The floor: what a bare client does per rotation (log in, change the password, log in with the new one).
    const floor: number[] = [];
    let password = fixturePassword();
    if (kind === 'postgres') await pg.sql(`ALTER ROLE bench_app PASSWORD '${password}'`);
    else await maria.sql(`ALTER USER 'bench'@'127.0.0.1' IDENTIFIED BY '${password}'`);
    for (let i = 0; i < N; i++) {
      const next = fixturePassword();
      const start = performance.now();
      if (kind === 'postgres') {
        const c = new Client({
          host: '127.0.0.1',
          port: pg.port,
          user: 'bench_app',
          password,
          database: 'postgres',
        });
        await c.connect();
        await c.query(`ALTER ROLE bench_app PASSWORD ${c.escapeLiteral(next)}`);
        await c.end();
        const check = new Client({
          host: '127.0.0.1',
          port: pg.port,
          user: 'bench_app',
          password: next,
          database: 'postgres',
        });
        await check.connect();
        await check.end();
      } else {
        const c = await createConnection({ host: '127.0.0.1', port: maria.port, user: 'bench', password });
        await c.query('SET PASSWORD = PASSWORD(?)', [next]);
        await c.end();
        const check = await createConnection({
          host: '127.0.0.1',
          port: maria.port,
          user: 'bench',
          password: next,
        });
        await check.end();
      }
      password = next;
      floor.push(performance.now() - start);
    }
    const p50 = percentile(times, 50);
    const f50 = percentile(floor, 50);
    rows.push(
      `| ${kind} single-user | ${N} | ${p50.toFixed(1)} | ${percentile(times, 95).toFixed(1)} | ${f50.toFixed(1)} | ${(p50 / f50).toFixed(1)}x |`,
    );
  }
  console.log(
    '| secret | rotations | p50 ms | p95 ms | floor p50 ms (bare login + change + login) | p50 / floor |\n| --- | --- | --- | --- | --- | --- |',
  );
  console.log(rows.join('\n'));
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
