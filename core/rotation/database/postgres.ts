import type { Rotator } from '../rotator';
import { databaseRotator, type DatabaseRotatorOptions } from './rotator';
import type { DatabaseSecret } from './secret';

/**
 * A rotator for PostgreSQL users (`engine`: `postgres`, `aurora-postgresql`), with the driver of
 * `adapters/postgres.ts`. Alternating users: the clone is created `WITH LOGIN` and made a member of the
 * current user, so it holds the same privileges (as AWS's template does).
 *
 * @example
 *   const rotator = postgresRotator({ driver: postgresDriver(), strategy: 'single-user' });
 */
export function postgresRotator(options: DatabaseRotatorOptions): Rotator<DatabaseSecret> {
  return databaseRotator('postgres', options);
}
