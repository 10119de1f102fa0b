import { classifyLoginError as classifyPostgres, postgresDriver } from '../../../../adapters/postgres';
import {
  classifyLoginError as classifyMysql,
  mysqlDriver,
  rewriteGrant,
  serverFlavor,
  usesPasswordFunction,
} from '../../../../adapters/mysql';
import { Sensitive } from '../../../../core/sensitive';
import { freePort } from '../../../support/postgres';

const error = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('the PostgreSQL driver', () => {
  it.each([
    ['28P01', 'rejected'],
    ['28000', 'rejected'],
    ['ECONNREFUSED', 'unreachable'],
    ['57P03', 'unreachable'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls'],
    ['42501', 'other'],
  ])('sorts a login failing with %s as %s', (code, reason) => {
    expect(classifyPostgres(error(code))).toMatchObject({ ok: false, reason, detail: code });
  });

  it('sorts a connection timeout as unreachable and a server without TLS as a TLS failure', () => {
    expect(classifyPostgres(new Error('Connection terminated due to connection timeout'))).toMatchObject({
      reason: 'unreachable',
    });
    expect(classifyPostgres(new Error('The server does not support SSL connections'))).toMatchObject({
      reason: 'tls',
    });
  });

  it('fails fast against a closed port', async () => {
    const port = await freePort();
    const result = await postgresDriver().connect(
      { engine: 'postgres', host: '127.0.0.1', port, tls: 'disable', connectTimeoutMs: 2000 },
      { username: 'app', password: Sensitive.of('unused') },
    );
    expect(result).toMatchObject({ ok: false, reason: 'unreachable', detail: 'ECONNREFUSED' });
  });
});

describe('the MySQL/MariaDB driver', () => {
  it.each([
    ['ER_ACCESS_DENIED_ERROR', 'rejected'],
    ['ECONNREFUSED', 'unreachable'],
    ['PROTOCOL_CONNECTION_LOST', 'unreachable'],
    ['HANDSHAKE_NO_SSL_SUPPORT', 'tls'],
    ['ER_BAD_DB_ERROR', 'other'],
  ])('sorts a login failing with %s as %s', (code, reason) => {
    expect(classifyMysql(error(code))).toMatchObject({ ok: false, reason });
  });

  it('tells MariaDB, MySQL 5.6 and MySQL 8 apart for password statements', () => {
    expect(usesPasswordFunction(serverFlavor('10.11.6-MariaDB-0+deb12u1'))).toBe(true);
    expect(usesPasswordFunction(serverFlavor('5.6.51-log'))).toBe(true);
    expect(usesPasswordFunction(serverFlavor('5.7.44'))).toBe(false);
    expect(usesPasswordFunction(serverFlavor('8.0.36'))).toBe(false);
  });

  it('re-addresses a MariaDB grant and drops the password hash it prints', () => {
    const hash = `*${'A1'.repeat(20)}`;
    expect(
      rewriteGrant(
        `GRANT USAGE ON *.* TO \`app\`@\`127.0.0.1\` IDENTIFIED BY PASSWORD '${hash}'`,
        'app',
        '127.0.0.1',
        "'app_clone'@'127.0.0.1'",
      ),
    ).toBe("GRANT USAGE ON *.* TO 'app_clone'@'127.0.0.1'");
  });

  it('keeps what follows the grantee (WITH GRANT OPTION, REQUIRE) and handles MySQL 5.7 quoting', () => {
    expect(
      rewriteGrant("GRANT SELECT ON `appdb`.* TO 'app'@'%' WITH GRANT OPTION", 'app', '%', "'c'@'%'"),
    ).toBe("GRANT SELECT ON `appdb`.* TO 'c'@'%' WITH GRANT OPTION");
    expect(
      rewriteGrant(
        "GRANT USAGE ON *.* TO `app`@`%` IDENTIFIED VIA ed25519 USING 'x' REQUIRE SSL",
        'app',
        '%',
        "'c'@'%'",
      ),
    ).toBe("GRANT USAGE ON *.* TO 'c'@'%' REQUIRE SSL");
  });

  it('re-addresses a role grant and ignores a line for another grantee', () => {
    expect(rewriteGrant('GRANT `reporting` TO `app`@`%`', 'app', '%', "'c'@'%'")).toBe(
      "GRANT `reporting` TO 'c'@'%'",
    );
    expect(rewriteGrant('GRANT USAGE ON *.* TO `other`@`%`', 'app', '%', "'c'@'%'")).toBeUndefined();
  });

  it('fails fast against a closed port', async () => {
    const port = await freePort();
    const result = await mysqlDriver().connect(
      { engine: 'mariadb', host: '127.0.0.1', port, tls: 'disable', connectTimeoutMs: 2000 },
      { username: 'app', password: Sensitive.of('unused') },
    );
    expect(result).toMatchObject({ ok: false, reason: 'unreachable' });
  });
});
