import type { Sensitive } from '../../sensitive';
import type { Rotator, RotatorContext } from '../rotator';
import { applyAlternating, generateAlternating } from './alternating-users';
import type { DatabaseDriver, RdsPort } from './ports';
import {
  login,
  resolveTarget,
  tryLogin,
  whereOf,
  withFreshEndpoint,
  withSession,
  type DatabaseSettings,
} from './session';
import {
  parseDatabaseSecret,
  serializeDatabaseSecret,
  type DatabaseFamily,
  type DatabaseSecret,
} from './secret';
import { applySingleUser, generateSingleUser } from './single-user';

/** How a database secret rotates: the user changes its own password, or two users alternate. */
export type DatabaseStrategy = 'single-user' | 'alternating-users';

/** Options of a database rotator. */
export interface DatabaseRotatorOptions {
  readonly driver: DatabaseDriver;
  readonly strategy: DatabaseStrategy;
  /** Resolves endpoints and status from `dbInstanceIdentifier`/`dbClusterIdentifier`; without it they are ignored. */
  readonly rds?: RdsPort;
  /** PEM CA bundle trusted for TLS (the RDS global bundle); @default the system's trust store */
  readonly caBundle?: string;
  /** @default 5000 */
  readonly connectTimeoutMs?: number;
  /**
   * When no known password works for a single-user secret of the RDS master user, reset it through
   * ModifyDBInstance/ModifyDBCluster `MasterUserPassword` (needs `rds` and the permission).
   * @default false
   */
  readonly masterPasswordRecovery?: boolean;
  /** Longest username the clone may have; @default 63 (PostgreSQL), 32 (MySQL/MariaDB) */
  readonly maxUsernameLength?: number;
}

/** A rotator for database users of one family. */
export function databaseRotator(
  family: DatabaseFamily,
  options: DatabaseRotatorOptions,
): Rotator<DatabaseSecret> {
  const settings: DatabaseSettings = {
    driver: options.driver,
    ...(options.rds === undefined ? {} : { rds: options.rds }),
    ...(options.caBundle === undefined ? {} : { caBundle: options.caBundle }),
    connectTimeoutMs: options.connectTimeoutMs ?? 5000,
    masterPasswordRecovery: options.masterPasswordRecovery ?? false,
  };
  const alternating = options.strategy === 'alternating-users';
  return {
    kind: family,
    parse: (secretString: Sensitive<string>, context: RotatorContext) =>
      parseDatabaseSecret(secretString, whereOf(context), { family }),
    serialize: serializeDatabaseSecret,
    async generate(current, context) {
      const pending = alternating
        ? await generateAlternating(current, context, options.maxUsernameLength)
        : await generateSingleUser(current, context);
      return withFreshEndpoint(pending, settings, context);
    },
    async isApplied(pending, context) {
      const target = await resolveTarget(pending, settings, context);
      const connection = await tryLogin(settings, target, pending, 'pending', context);
      if (connection === undefined) return false;
      await connection.close().catch(() => undefined);
      return true;
    },
    apply: (versions, context) =>
      alternating
        ? applyAlternating(versions, settings, context)
        : applySingleUser(versions, settings, context),
    async verify(pending, context) {
      const target = await resolveTarget(pending, settings, context);
      const connection = await login(settings, target, pending, 'pending', context);
      await withSession(connection, context, 'pending-query', (session) => session.ping());
    },
  };
}
