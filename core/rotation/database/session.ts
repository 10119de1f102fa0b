import {
  CredentialRejectedError,
  DatabaseNotAvailableError,
  DatabaseOperationError,
  DatabaseTlsError,
  DatabaseUnreachableError,
  InvalidSecretError,
  RetryableRotationError,
  RotationError,
  type RotationErrorContext,
} from '../errors';
import type { RotatorContext } from '../rotator';
import type {
  ConnectionTarget,
  DatabaseConnection,
  DatabaseDriver,
  LoginResult,
  RdsPort,
  RdsTarget,
} from './ports';
import { FAMILY_DEFAULTS, familyOf, type DatabaseSecret } from './secret';

/** What the database strategies share: the driver, RDS, TLS trust and time limits. */
export interface DatabaseSettings {
  readonly driver: DatabaseDriver;
  readonly rds?: RdsPort;
  readonly caBundle?: string;
  readonly connectTimeoutMs: number;
  readonly masterPasswordRecovery: boolean;
}

/** Which credential a login used, for messages: never the credential itself. */
export type CredentialRole = 'pending' | 'current' | 'previous' | 'abandoned' | 'master';

/** Where the rotator is, as an error context. */
export function whereOf(context: RotatorContext, check?: string): RotationErrorContext {
  return {
    step: context.step,
    secretId: context.secretId,
    versionId: context.versionId,
    ...(check === undefined ? {} : { check }),
  };
}

/** The RDS identifiers a secret names, if any. */
export function rdsTargetOf(secret: DatabaseSecret): RdsTarget | undefined {
  if (secret.dbClusterIdentifier !== undefined) return { clusterId: secret.dbClusterIdentifier };
  if (secret.dbInstanceIdentifier !== undefined) return { instanceId: secret.dbInstanceIdentifier };
  return undefined;
}

/**
 * Where to connect for a secret. With an RDS identifier and an RDS port, RDS has the last word: the
 * instance or cluster must be `available` (else `DatabaseNotAvailableError`, retryable) and its endpoint
 * wins over a missing or stale `host`.
 */
export async function resolveTarget(
  secret: DatabaseSecret,
  settings: DatabaseSettings,
  context: RotatorContext,
): Promise<ConnectionTarget> {
  let host = secret.host;
  let port = secret.port;
  const rdsTarget = rdsTargetOf(secret);
  if (rdsTarget !== undefined && settings.rds !== undefined) {
    const rds = settings.rds;
    const info = await rdsCall(context, () => rds.describe(rdsTarget));
    const field = rdsTarget.clusterId !== undefined ? 'dbClusterIdentifier' : 'dbInstanceIdentifier';
    if (info === undefined) {
      throw new InvalidSecretError('RDS knows no such database', {
        ...whereOf(context, 'rds-exists'),
        fields: [field],
      });
    }
    if (info.status !== 'available') {
      throw new DatabaseNotAvailableError(
        `the RDS database is ${info.status}, not available`,
        whereOf(context, 'rds-available'),
      );
    }
    if (info.endpoint !== undefined) {
      if (host !== undefined && host !== info.endpoint.host) {
        context.log.warn(
          `${context.step}: the secret's host differs from the RDS endpoint; using the endpoint`,
          {
            secretId: context.secretId,
            host,
            endpoint: info.endpoint.host,
          },
        );
      }
      host = info.endpoint.host;
      port = info.endpoint.port;
    }
  }
  if (host === undefined) {
    throw new InvalidSecretError('no host, and no RDS identifier that can be resolved', {
      ...whereOf(context, 'host'),
      fields: ['host'],
    });
  }
  const dbname = secret.dbname ?? FAMILY_DEFAULTS[familyOf(secret.engine)].dbname;
  return {
    engine: secret.engine,
    host,
    port,
    ...(dbname === undefined ? {} : { database: dbname }),
    tls: secret.tls,
    ...(settings.caBundle === undefined ? {} : { caBundle: settings.caBundle }),
    connectTimeoutMs: settings.connectTimeoutMs,
  };
}

/**
 * Runs an RDS call and re-raises its errors for this secret: the adapter knows only the RDS identifier,
 * the operator needs the secret, step and version too.
 */
export async function rdsCall<T>(context: RotatorContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof RetryableRotationError || error instanceof RotationError) {
      const Kind = error.constructor as new (
        reason: string,
        where: RotationErrorContext,
        cause?: unknown,
      ) => Error;
      throw new Kind(error.reason, whereOf(context, error.where.check), error.cause);
    }
    throw error;
  }
}

/**
 * The server both versions point at. The pending version must name the server of the current one (as
 * resolved: through RDS when it names an instance or cluster), so a rotation never changes a password
 * somewhere else.
 */
export async function sameServer(
  current: DatabaseSecret,
  pending: DatabaseSecret,
  settings: DatabaseSettings,
  context: RotatorContext,
): Promise<ConnectionTarget> {
  const currentTarget = await resolveTarget(current, settings, context);
  const pendingTarget =
    pending.host === current.host && rdsTargetOf(pending) === undefined && pending.port === current.port
      ? currentTarget
      : await resolveTarget(pending, settings, context);
  if (pendingTarget.host !== currentTarget.host || pendingTarget.port !== currentTarget.port) {
    throw new InvalidSecretError('the pending version names another server than the current one', {
      ...whereOf(context, 'same-server'),
      fields: ['host', 'port'],
    });
  }
  return { ...pendingTarget, tls: pending.tls };
}

/**
 * The secret with the endpoint RDS reports, when it names an instance or cluster and RDS is configured:
 * createSecret writes a fresh host and port into the pending version.
 */
export async function withFreshEndpoint(
  secret: DatabaseSecret,
  settings: DatabaseSettings,
  context: RotatorContext,
): Promise<DatabaseSecret> {
  if (settings.rds === undefined || rdsTargetOf(secret) === undefined) return secret;
  const target = await resolveTarget(secret, settings, context);
  return { ...secret, host: target.host, port: target.port };
}

/** Logs in; a refusal is a value, a database that does not answer is `DatabaseUnreachableError`. */
export async function tryLogin(
  settings: DatabaseSettings,
  target: ConnectionTarget,
  secret: DatabaseSecret,
  role: CredentialRole,
  context: RotatorContext,
): Promise<DatabaseConnection | undefined> {
  const result = await settings.driver.connect(target, {
    username: secret.username,
    password: secret.password,
  });
  if (result.ok) return result.connection;
  if (result.reason === 'rejected') {
    context.log.info(`${context.step}: the database refused the ${role} credentials`, {
      secretId: context.secretId,
      detail: result.detail,
    });
    return undefined;
  }
  throw loginError(result, role, context);
}

/** Logs in with credentials that must work; a refusal is `CredentialRejectedError`. */
export async function login(
  settings: DatabaseSettings,
  target: ConnectionTarget,
  secret: DatabaseSecret,
  role: CredentialRole,
  context: RotatorContext,
): Promise<DatabaseConnection> {
  const connection = await tryLogin(settings, target, secret, role, context);
  if (connection === undefined) {
    throw new CredentialRejectedError(
      `the database refused the ${role} credentials`,
      whereOf(context, `${role}-login`),
    );
  }
  return connection;
}

function loginError(
  result: Extract<LoginResult, { ok: false }>,
  role: CredentialRole,
  context: RotatorContext,
): Error {
  const where = whereOf(context, `${role}-login`);
  switch (result.reason) {
    case 'unreachable':
      return new DatabaseUnreachableError(
        `the database did not answer a login with the ${role} credentials (${result.detail})`,
        where,
      );
    case 'tls':
      return new DatabaseTlsError(
        `TLS failed on a login with the ${role} credentials (${result.detail})`,
        where,
      );
    default:
      return new DatabaseOperationError(
        `a login with the ${role} credentials failed (${result.detail})`,
        where,
      );
  }
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  '57P01',
  '57P03',
]);

/** Runs statements on a session and always closes it; driver errors become `DatabaseOperationError`. */
export async function withSession<T>(
  connection: DatabaseConnection,
  context: RotatorContext,
  what: string,
  work: (connection: DatabaseConnection) => Promise<T>,
): Promise<T> {
  try {
    return await work(connection);
  } catch (error) {
    if (error instanceof RotationError || error instanceof RetryableRotationError) throw error;
    if (NETWORK_CODES.has(String((error as { code?: unknown }).code))) {
      throw new DatabaseUnreachableError(
        `the database connection broke during ${what}`,
        whereOf(context, what),
        error,
      );
    }
    // Adapters strip statement text and values from their errors; the cause keeps the driver's code.
    throw new DatabaseOperationError(`${what} failed in the database`, whereOf(context, what), error);
  } finally {
    await connection.close().catch(() => undefined);
  }
}
