import { inspect } from 'node:util';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { Sensitive } from '../../../core/sensitive';
import { InvalidSecretError } from '../../../core/rotation/errors';
import { parseDatabaseSecret, serializeDatabaseSecret } from '../../../core/rotation/database/secret';

const where = { step: 'createSecret', secretId: 'orders-db', versionId: 'v1' };
const parse = (
  value: unknown,
  options: { family: 'postgres' | 'mysql'; master?: boolean } = { family: 'postgres' },
) =>
  parseDatabaseSecret(
    Sensitive.of(typeof value === 'string' ? value : JSON.stringify(value)),
    where,
    options,
  );
const valid = () => ({
  engine: 'postgres',
  host: 'db.internal',
  username: 'app',
  password: `pw-${randomUUID()}`,
});

describe('parseDatabaseSecret', () => {
  it('reads the AWS RDS secret format with defaults: port, TLS verified', () => {
    const secret = parse(valid());
    expect(secret).toMatchObject({
      engine: 'postgres',
      host: 'db.internal',
      port: 5432,
      username: 'app',
      tls: 'verify-full',
    });
    expect(parse({ ...valid(), engine: 'mariadb' }, { family: 'mysql' }).port).toBe(3306);
  });

  it('accepts a port given as a string, as some RDS secrets have it', () => {
    expect(parse({ ...valid(), port: '6432' }).port).toBe(6432);
  });

  it.each([
    [false, 'disable'],
    ['false', 'disable'],
    ['disable', 'disable'],
    [true, 'verify-full'],
    ['true', 'verify-full'],
    ['verify-full', 'verify-full'],
  ])('reads ssl %p as %s', (ssl, tls) => {
    expect(parse({ ...valid(), ssl }).tls).toBe(tls);
  });

  it('refuses an ssl value it does not know rather than guessing', () => {
    expect(() => parse({ ...valid(), ssl: 'prefer' })).toThrow(/fields: ssl/);
  });

  it('names every missing or invalid field and never the password', () => {
    const password = `pw-${randomUUID()}`;
    const error = (() => {
      try {
        parse({ engine: 'oracle', port: 70000, password, username: '' });
      } catch (e) {
        return e as InvalidSecretError;
      }
      throw new Error('no error');
    })();
    expect(error).toBeInstanceOf(InvalidSecretError);
    expect(error.message).toContain('engine');
    expect(error.message).toContain('host');
    expect(error.message).toContain('username');
    expect(error.message).toContain('port');
    expect(error.message).toContain('createSecret of secret orders-db');
    expect(inspect(error, { depth: 5 })).not.toContain(password);
  });

  it('refuses an engine of the other family', () => {
    expect(() => parse({ ...valid(), engine: 'mysql' })).toThrow(/fields: engine/);
  });

  it('does not quote the value when it is not JSON', () => {
    const text = `not-json-${randomUUID()}`;
    const error = (() => {
      try {
        parse(text);
      } catch (e) {
        return e as Error;
      }
      throw new Error('no error');
    })();
    expect(error.message).toContain('not JSON');
    expect(inspect(error, { depth: 5 })).not.toContain(text);
  });

  it('accepts a missing host when an RDS identifier names the database', () => {
    const { host: _host, ...rest } = valid();
    expect(parse({ ...rest, dbInstanceIdentifier: 'orders' }).host).toBeUndefined();
  });

  it('accepts an RDS-managed master secret with only username and password', () => {
    expect(parse({ username: 'admin', password: 'x' }, { family: 'mysql', master: true })).toMatchObject({
      engine: 'mysql',
      username: 'admin',
    });
  });

  it('keeps fields it does not know through a rotation', () => {
    const secret = parse({ ...valid(), proxy: 'rdsproxy.internal', masterarn: 'arn:admin' });
    const out = JSON.parse(serializeDatabaseSecret({ ...secret, password: Sensitive.of('new') }).reveal());
    expect(out).toMatchObject({
      proxy: 'rdsproxy.internal',
      masterarn: 'arn:admin',
      password: 'new',
      username: 'app',
    });
  });

  it('round-trips any valid secret', () => {
    fc.assert(
      fc.property(
        fc.record({
          username: fc.string({ minLength: 1 }).filter((s) => !s.includes('\0')),
          password: fc.string({ minLength: 1 }).filter((s) => !s.includes('\0')),
          port: fc.integer({ min: 1, max: 65535 }),
        }),
        (fields) => {
          const secret = parse({ ...valid(), ...fields });
          const again = parse(serializeDatabaseSecret(secret).reveal());
          expect(again.username).toBe(fields.username);
          expect(again.password.reveal()).toBe(fields.password);
          expect(again.port).toBe(fields.port);
        },
      ),
    );
  });
});
