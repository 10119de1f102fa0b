import type { Rotator } from '../rotator';
import { databaseRotator, type DatabaseRotatorOptions } from './rotator';
import type { DatabaseSecret } from './secret';

/**
 * A rotator for MySQL and MariaDB users (`engine`: `mysql`, `mariadb`, `aurora-mysql`), with the driver of
 * `adapters/mysql.ts`. Alternating users: the clone gets the current user's hosts, replayed grants
 * (`SHOW GRANTS FOR`) and TLS requirements.
 *
 * @example
 *   const rotator = mysqlRotator({ driver: mysqlDriver(), strategy: 'alternating-users' });
 */
export function mysqlRotator(options: DatabaseRotatorOptions): Rotator<DatabaseSecret> {
  return databaseRotator('mysql', options);
}
