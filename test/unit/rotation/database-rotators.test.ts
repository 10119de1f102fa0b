import { randomUUID } from 'node:crypto';
import { Sensitive } from '../../../core/sensitive';
import {
  abandonRotation,
  createSecret,
  finishSecret,
  setSecret,
  testSecret,
  ROTATION_STEPS,
  type RotationDeps,
} from '../../../core/rotation/contract';
import {
  DatabaseUnreachableError,
  RdsUnavailableError,
  DatabaseNotAvailableError,
  DatabaseOperationError,
  DriftError,
  InvalidSecretError,
} from '../../../core/rotation/errors';
import { AWSCURRENT, AWSPREVIOUS } from '../../../core/rotation/ports';
import { mysqlRotator } from '../../../core/rotation/database/mysql';
import { postgresRotator } from '../../../core/rotation/database/postgres';
import { alternateUsername } from '../../../core/rotation/database/alternating-users';
import type { RdsDatabaseInfo, RdsPort, RdsTarget } from '../../../core/rotation/database/ports';
import type { DatabaseStrategy } from '../../../core/rotation/database/rotator';
import { databaseRotatorFor } from '../../../core/rotation/database/select';
import { FakeDatabase } from './support/fake-database';
import { MemorySecretStore } from './support/memory-secret-store';
import { describeRotatorContract, type RotatorHarness } from './support/rotator-contract';

const password = () => `pw-${randomUUID()}`;

function harness(
  family: 'postgres' | 'mysql',
  strategy: DatabaseStrategy,
  extra: Record<string, unknown> = {},
) {
  const db = new FakeDatabase(family);
  const store = new MemorySecretStore();
  const engine = family === 'postgres' ? 'postgres' : 'mariadb';
  const adminPassword = password();
  db.addUser('admin', adminPassword, { admin: true });
  const masterarn = store.create(
    'db-admin',
    JSON.stringify({ engine, host: 'db.internal', username: 'admin', password: adminPassword, ssl: false }),
  );
  const appPassword = password();
  db.addUser('app', appPassword, { grants: ['SELECT ON orders'] });
  const secret = {
    engine,
    host: 'db.internal',
    port: family === 'postgres' ? 5432 : 3306,
    username: 'app',
    password: appPassword,
    dbname: 'orders',
    ssl: false,
    masterarn,
    ...extra,
  };
  const secretId = store.create('orders-db', JSON.stringify(secret));
  const make = family === 'postgres' ? postgresRotator : mysqlRotator;
  const rotator = make({ driver: db, strategy }) as RotatorHarness['rotator'];
  const h: RotatorHarness = {
    rotator,
    store,
    secretId,
    keepsPrevious: strategy === 'alternating-users',
    accepts: async (value) => {
      const parsed = JSON.parse(value);
      return db.accepts(parsed.username, parsed.password);
    },
    setReachable: async (up) => {
      db.reachable = up;
    },
    drift: async () => {
      const user = JSON.parse(store.valueAt(secretId, AWSCURRENT)!).username;
      db.setPassword(user, password());
    },
    restore: async (value) => {
      const parsed = JSON.parse(value);
      db.setPassword(parsed.username, parsed.password);
    },
  };
  return { h, db, store, secretId, masterarn };
}

for (const family of ['postgres', 'mysql'] as const) {
  for (const strategy of ['single-user', 'alternating-users'] as const) {
    describeRotatorContract(
      `${family} ${strategy} over a fake driver`,
      async () => harness(family, strategy).h,
    );
  }
}

function depsOf(h: RotatorHarness): RotationDeps {
  return { store: h.store, rotatorFor: () => h.rotator };
}

async function runAll(h: RotatorHarness, token: string, deps = depsOf(h)) {
  for (const step of ROTATION_STEPS)
    await { createSecret, setSecret, testSecret, finishSecret }[step]({ secretId: h.secretId, token }, deps);
}

describe('single user', () => {
  it('recovers with the AWSPREVIOUS password when the database still has it', async () => {
    const { h, db, store, secretId } = harness('postgres', 'single-user');
    await runAll(h, store.startRotation(secretId));
    db.setPassword('app', JSON.parse(store.valueAt(secretId, AWSPREVIOUS)!).password);
    await runAll(h, store.startRotation(secretId));
    expect(await h.accepts(store.valueAt(secretId, AWSCURRENT)!)).toBe(true);
  });

  it('recovers the password of a rotation given up after setSecret (abandonRotation)', async () => {
    const { h, store, secretId } = harness('postgres', 'single-user');
    const first = store.startRotation(secretId);
    await createSecret({ secretId: secretId, token: first }, depsOf(h));
    await setSecret({ secretId: secretId, token: first }, depsOf(h));
    await abandonRotation({ secretId, token: first }, depsOf(h));
    const token = store.startRotation(secretId);
    await runAll(h, token);
    expect(await h.accepts(store.valueAt(secretId, AWSCURRENT)!)).toBe(true);
    expect(store.versionWith(secretId, 'ROTOR_ABANDONED')).toBeUndefined();
  });

  it('names the drift when no known password works, and changes nothing', async () => {
    const { h, db, store, secretId } = harness('mysql', 'single-user');
    db.setPassword('app', password());
    const token = store.startRotation(secretId);
    await createSecret({ secretId, token }, depsOf(h));
    const error = await setSecret({ secretId, token }, depsOf(h)).catch((e) => e);
    expect(error).toBeInstanceOf(DriftError);
    expect(error.message).toContain('setSecret');
    expect(error.message).toContain('known-password');
    expect(db.operations.filter((op) => op.startsWith('setOwnPassword'))).toEqual([]);
  });

  it('refuses a pending version that names another user', async () => {
    const { h, store, secretId } = harness('postgres', 'single-user');
    const token = store.startRotation(secretId);
    await createSecret({ secretId, token }, depsOf(h));
    const pending = JSON.parse(store.valueAt(secretId, 'AWSPENDING')!);
    store.overwrite(secretId, token, JSON.stringify({ ...pending, username: 'postgres' }));
    const error = await setSecret({ secretId, token }, depsOf(h)).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidSecretError);
    expect(error.message).toContain('same-username');
  });

  it('refuses a pending version that points at another server', async () => {
    for (const strategy of ['single-user', 'alternating-users'] as const) {
      const { h, store, secretId } = harness('mysql', strategy);
      const token = store.startRotation(secretId);
      await createSecret({ secretId, token }, depsOf(h));
      const pending = JSON.parse(store.valueAt(secretId, 'AWSPENDING')!);
      store.overwrite(secretId, token, JSON.stringify({ ...pending, host: 'elsewhere.internal' }));
      const error = await setSecret({ secretId, token }, depsOf(h)).catch((e) => e);
      expect(error).toBeInstanceOf(InvalidSecretError);
      expect(error.message).toContain('same-server');
    }
  });

  it('turns a failing statement into DatabaseOperationError without the driver text', async () => {
    const { h, db, store, secretId } = harness('postgres', 'single-user');
    const token = store.startRotation(secretId);
    await createSecret({ secretId, token }, depsOf(h));
    db.failNextStatement = Object.assign(new Error('permission denied'), { code: '42501' });
    const error = await setSecret({ secretId, token }, depsOf(h)).catch((e) => e);
    expect(error).toBeInstanceOf(DatabaseOperationError);
    expect(error.message).toContain('set-own-password');
    expect(db.operations.filter((op) => op.startsWith('close'))).toHaveLength(1);
  });
});

describe('alternating users', () => {
  it('alternates between the user and its clone', () => {
    expect(alternateUsername('app')).toBe('app_clone');
    expect(alternateUsername('app_clone')).toBe('app');
  });

  it('creates the clone with the grants of the current user, then alternates back', async () => {
    const { h, db, store, secretId } = harness('mysql', 'alternating-users');
    await runAll(h, store.startRotation(secretId));
    expect(JSON.parse(store.valueAt(secretId, AWSCURRENT)!).username).toBe('app_clone');
    expect([...db.users.get('app_clone')!.grants]).toEqual(['SELECT ON orders']);
    await runAll(h, store.startRotation(secretId));
    expect(JSON.parse(store.valueAt(secretId, AWSCURRENT)!).username).toBe('app');
    expect([...db.users.keys()].sort()).toEqual(['admin', 'app', 'app_clone']);
    expect(db.operations.filter((op) => op.startsWith('setUserPassword as admin'))).toHaveLength(2);
  });

  it('redoes a clone left half-made by a crash: grants and password come on the retry', async () => {
    const { h, db, store, secretId } = harness('postgres', 'alternating-users');
    const token = store.startRotation(secretId);
    await createSecret({ secretId, token }, depsOf(h));
    db.failOn.set('setUserPassword', Object.assign(new Error('connection lost'), { code: 'ECONNRESET' }));
    const error = await setSecret({ secretId, token }, depsOf(h)).catch((e) => e);
    expect(error).toBeInstanceOf(DatabaseUnreachableError);
    expect(db.users.has('app_clone')).toBe(true);
    expect((await setSecret({ secretId, token }, depsOf(h))).outcome).toBe('applied');
    await testSecret({ secretId, token }, depsOf(h));
    await finishSecret({ secretId, token }, depsOf(h));
    expect([...db.users.get('app_clone')!.grants]).toEqual(['SELECT ON orders']);
    expect(await h.accepts(store.valueAt(secretId, AWSCURRENT)!)).toBe(true);
  });

  it('refuses a clone name longer than the engine allows', async () => {
    const { h, store, secretId } = harness('mysql', 'alternating-users', { username: 'a'.repeat(30) });
    const error = await createSecret({ secretId, token: store.startRotation(secretId) }, depsOf(h)).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(InvalidSecretError);
    expect(error.message).toContain('username-length');
  });

  it('needs masterarn', async () => {
    const { h, store, secretId } = harness('postgres', 'alternating-users', { masterarn: undefined });
    const token = store.startRotation(secretId);
    await createSecret({ secretId, token }, depsOf(h));
    const error = await setSecret({ secretId, token }, depsOf(h)).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidSecretError);
    expect(error.message).toContain('masterarn');
  });

  it('refuses a master secret for another host', async () => {
    const { h, store, secretId, masterarn } = harness('postgres', 'alternating-users');
    const master = JSON.parse(store.valueAt(masterarn, AWSCURRENT)!);
    store.overwrite(
      masterarn,
      store.versionWith(masterarn, AWSCURRENT)!,
      JSON.stringify({ ...master, host: 'other.internal' }),
    );
    const token = store.startRotation(secretId);
    await createSecret({ secretId, token }, depsOf(h));
    const error = await setSecret({ secretId, token }, depsOf(h)).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidSecretError);
    expect(error.message).toContain('master-host');
  });
});

class FakeRds implements RdsPort {
  info: RdsDatabaseInfo | undefined = {
    status: 'available',
    endpoint: { host: 'orders.abc.eu-west-1.rds.amazonaws.com', port: 5432 },
    masterUsername: 'app',
  };
  readonly resets: { target: RdsTarget; password: string }[] = [];
  readonly described: RdsTarget[] = [];
  async describe(target: RdsTarget) {
    this.described.push(target);
    return this.info;
  }
  async resetMasterPassword(target: RdsTarget, value: Sensitive<string>) {
    this.resets.push({ target, password: value.reveal() });
  }
}

describe('RDS', () => {
  function rdsHarness(options: { recovery?: boolean; extra?: Record<string, unknown> } = {}) {
    const base = harness('postgres', 'single-user', { dbInstanceIdentifier: 'orders', ...options.extra });
    const rds = new FakeRds();
    const rotator = postgresRotator({
      driver: base.db,
      strategy: 'single-user',
      rds,
      masterPasswordRecovery: options.recovery ?? false,
    });
    const h = { ...base.h, rotator: rotator as RotatorHarness['rotator'] };
    return { ...base, h, rds };
  }

  it('connects to the endpoint RDS reports when the host is stale', async () => {
    const { h, db, store, secretId, rds } = rdsHarness();
    await runAll(h, store.startRotation(secretId));
    expect(rds.described).toContainEqual({ instanceId: 'orders' });
    expect(db.targets.every((t) => t.host === 'orders.abc.eu-west-1.rds.amazonaws.com')).toBe(true);
  });

  it('resolves the endpoint when the secret has no host', async () => {
    const { h, db, store, secretId } = rdsHarness({ extra: { host: undefined } });
    await runAll(h, store.startRotation(secretId));
    expect(db.targets[0]!.host).toBe('orders.abc.eu-west-1.rds.amazonaws.com');
  });

  it('refuses to rotate while the instance is not available, retryably', async () => {
    const { h, store, secretId, rds } = rdsHarness();
    const token = store.startRotation(secretId);
    await createSecret({ secretId, token }, depsOf(h));
    rds.info = { ...rds.info!, status: 'modifying' };
    const error = await setSecret({ secretId, token }, depsOf(h)).catch((e) => e);
    expect(error).toBeInstanceOf(DatabaseNotAvailableError);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('modifying');
  });

  it('names the identifier RDS does not know', async () => {
    const { h, store, secretId, rds } = rdsHarness();
    rds.info = undefined;
    const token = store.startRotation(secretId);
    const error = await createSecret({ secretId, token }, depsOf(h)).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidSecretError);
    expect(error.message).toContain('dbInstanceIdentifier');
  });

  it('writes the endpoint RDS reports into the pending version', async () => {
    const { h, store, secretId } = rdsHarness();
    const token = store.startRotation(secretId);
    await createSecret({ secretId, token }, depsOf(h));
    expect(JSON.parse(store.valueAt(secretId, 'AWSPENDING')!)).toMatchObject({
      host: 'orders.abc.eu-west-1.rds.amazonaws.com',
      port: 5432,
      dbInstanceIdentifier: 'orders',
    });
  });

  it('finds the database of an RDS-managed admin secret (username and password only) through its RDS tag', async () => {
    const db = new FakeDatabase('postgres');
    const store = new MemorySecretStore();
    const rds = new FakeRds();
    const endpoint = rds.info!.endpoint!.host;
    const adminPassword = password();
    db.addUser('admin', adminPassword, { admin: true });
    const masterarn = store.create(
      'rds!db-admin',
      JSON.stringify({ username: 'admin', password: adminPassword }),
      {
        tags: { 'aws:rds:primarydbinstancearn': 'arn:aws:rds:eu-west-1:123456789012:db:orders' },
      },
    );
    const appPassword = password();
    db.addUser('app', appPassword);
    const secretId = store.create(
      'orders-db',
      JSON.stringify({
        engine: 'postgres',
        host: endpoint,
        username: 'app',
        password: appPassword,
        ssl: false,
        masterarn,
      }),
    );
    const rotator = postgresRotator({ driver: db, strategy: 'alternating-users', rds });
    const token = store.startRotation(secretId);
    for (const step of [createSecret, setSecret, testSecret, finishSecret]) {
      await step({ secretId, token }, { store, rotatorFor: () => rotator });
    }
    expect(rds.described).toContainEqual({ instanceId: 'arn:aws:rds:eu-west-1:123456789012:db:orders' });
    expect(db.accepts('app_clone', JSON.parse(store.valueAt(secretId, AWSCURRENT)!).password)).toBe(true);
  });

  it('resets a drifted master password through RDS when recovery is enabled', async () => {
    const { h, db, store, secretId, rds } = rdsHarness({ recovery: true });
    db.setPassword('app', password());
    const token = store.startRotation(secretId);
    await createSecret({ secretId, token }, depsOf(h));
    await setSecret({ secretId, token }, depsOf(h));
    const pending = JSON.parse(store.valueAt(secretId, 'AWSPENDING')!);
    expect(rds.resets).toEqual([{ target: { instanceId: 'orders' }, password: pending.password }]);
    // RDS applies it asynchronously; testSecret waits for `available`.
    rds.info = { ...rds.info!, status: 'resetting-master-credentials' };
    await expect(testSecret({ secretId, token }, depsOf(h))).rejects.toBeInstanceOf(
      DatabaseNotAvailableError,
    );
  });

  it('does not reset through RDS when recovery is off, or the user is not the master user', async () => {
    const off = rdsHarness();
    off.db.setPassword('app', password());
    const token = off.store.startRotation(off.secretId);
    await createSecret({ secretId: off.secretId, token }, depsOf(off.h));
    await expect(setSecret({ secretId: off.secretId, token }, depsOf(off.h))).rejects.toBeInstanceOf(
      DriftError,
    );
    const other = rdsHarness({ recovery: true });
    other.rds.info = { ...other.rds.info!, masterUsername: 'postgres' };
    other.db.setPassword('app', password());
    const token2 = other.store.startRotation(other.secretId);
    await createSecret({ secretId: other.secretId, token: token2 }, depsOf(other.h));
    await expect(
      setSecret({ secretId: other.secretId, token: token2 }, depsOf(other.h)),
    ).rejects.toBeInstanceOf(DriftError);
    expect([...off.rds.resets, ...other.rds.resets]).toEqual([]);
  });
});

describe('databaseRotatorFor', () => {
  const description = (tags: Record<string, string>) => ({
    arn: 'arn:db',
    name: 'db',
    versionIdsToStages: {},
    tags,
  });
  const select = databaseRotatorFor({
    drivers: { postgres: new FakeDatabase('postgres'), mysql: new FakeDatabase('mysql') },
  });

  it('picks the family from rotor:kind and the strategy from rotor:strategy', () => {
    expect(select(description({ 'rotor:kind': 'postgres' })).kind).toBe('postgres');
    expect(select(description({ 'rotor:kind': 'mariadb', 'rotor:strategy': 'alternating-users' })).kind).toBe(
      'mysql',
    );
    expect(select(description({ 'rotor:kind': 'mysql' }))).toBe(
      select(description({ 'rotor:kind': 'aurora-mysql' })),
    );
  });

  it('names the tag when it is missing or unknown', () => {
    expect(() => select(description({}))).toThrow(/rotor:kind/);
    expect(() => select(description({ 'rotor:kind': 'postgres', 'rotor:strategy': 'three-users' }))).toThrow(
      /rotor:strategy/,
    );
  });
});

describe('RDS errors during a rotation', () => {
  it('name the secret, the step and the RDS operation, and stay retryable when RDS throttles', async () => {
    const db = new FakeDatabase('postgres');
    db.addUser('app', password());
    const store = new MemorySecretStore();
    const secretId = store.create(
      'orders-db',
      JSON.stringify({
        engine: 'postgres',
        host: 'h',
        username: 'app',
        password: 'x',
        ssl: false,
        dbInstanceIdentifier: 'orders',
      }),
    );
    const rds: RdsPort = {
      describe: async () => {
        throw new RdsUnavailableError('RDS could not answer DescribeDBInstances for orders (Throttling)', {
          secretId: 'orders',
          check: 'DescribeDBInstances',
        });
      },
      resetMasterPassword: async () => undefined,
    };
    const deps = {
      store,
      rotatorFor: () =>
        postgresRotator({ driver: db, strategy: 'single-user', rds }) as RotatorHarness['rotator'],
    };
    const token = store.startRotation(secretId);
    const error = await createSecret({ secretId, token }, deps).catch((e) => e);
    expect(error).toBeInstanceOf(RdsUnavailableError);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain(`createSecret of secret ${secretId} version ${token}`);
    expect(error.message).toContain('DescribeDBInstances');
  });
});
