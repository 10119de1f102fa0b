import { InvalidSecretError } from '../errors';
import type { SecretDescription } from '../ports';
import type { Rotator } from '../rotator';
import type { DatabaseDriver } from './ports';
import { databaseRotator, type DatabaseRotatorOptions, type DatabaseStrategy } from './rotator';
import type { DatabaseFamily, DatabaseSecret } from './secret';

/** The tag naming the kind of secret (`postgres`, `mysql`, `mariadb`), as the ManagedSecret construct writes it. */
export const KIND_TAG = 'rotor:kind';
/** The tag naming the strategy (`single-user`, `alternating-users`); single user when absent. */
export const STRATEGY_TAG = 'rotor:strategy';

const FAMILIES: Readonly<Record<string, DatabaseFamily>> = {
  postgres: 'postgres',
  'aurora-postgresql': 'postgres',
  mysql: 'mysql',
  mariadb: 'mysql',
  'aurora-mysql': 'mysql',
};

/** Options of `databaseRotatorFor`: a driver per family and the settings every rotator shares. */
export interface DatabaseRotatorSelection extends Omit<DatabaseRotatorOptions, 'driver' | 'strategy'> {
  readonly drivers: { readonly postgres?: DatabaseDriver; readonly mysql?: DatabaseDriver };
}

/**
 * A `rotatorFor` for the engine: picks the database rotator from the secret's tags (`rotor:kind`,
 * `rotor:strategy`). Throws `InvalidSecretError` naming the tag when it is missing or unknown.
 *
 * @example
 *   const deps = { store, rotatorFor: databaseRotatorFor({ drivers: { postgres: postgresDriver(), mysql: mysqlDriver() } }) };
 */
export function databaseRotatorFor(
  selection: DatabaseRotatorSelection,
): (secret: SecretDescription) => Rotator<DatabaseSecret> {
  const { drivers, ...shared } = selection;
  const cache = new Map<string, Rotator<DatabaseSecret>>();
  return (secret) => {
    const family = FAMILIES[secret.tags[KIND_TAG] ?? ''];
    const strategyTag = secret.tags[STRATEGY_TAG] ?? 'single-user';
    const where = { secretId: secret.arn };
    if (family === undefined) {
      throw new InvalidSecretError(`the ${KIND_TAG} tag names no database engine Rotor rotates`, {
        ...where,
        check: KIND_TAG,
      });
    }
    if (strategyTag !== 'single-user' && strategyTag !== 'alternating-users') {
      throw new InvalidSecretError(`the ${STRATEGY_TAG} tag is neither single-user nor alternating-users`, {
        ...where,
        check: STRATEGY_TAG,
      });
    }
    const driver = drivers[family];
    if (driver === undefined) {
      throw new InvalidSecretError(`no ${family} driver is configured`, { ...where, check: 'driver' });
    }
    const key = `${family}/${strategyTag}`;
    let rotator = cache.get(key);
    if (rotator === undefined) {
      rotator = databaseRotator(family, { ...shared, driver, strategy: strategyTag as DatabaseStrategy });
      cache.set(key, rotator);
    }
    return rotator;
  };
}
