import { Sensitive } from '../../sensitive';
import { InvalidSecretError, type RotationErrorContext } from '../errors';

/** The `engine` values of AWS's RDS secrets that Rotor rotates. */
export const DATABASE_ENGINES = [
  'postgres',
  'aurora-postgresql',
  'mysql',
  'mariadb',
  'aurora-mysql',
] as const;
export type DatabaseEngine = (typeof DATABASE_ENGINES)[number];

/** The two wire protocols behind the engines. */
export type DatabaseFamily = 'postgres' | 'mysql';

/** How the connection is protected: TLS with certificate and host name verification, or none. */
export type TlsMode = 'verify-full' | 'disable';

/** The family of an engine. */
export function familyOf(engine: DatabaseEngine): DatabaseFamily {
  return engine === 'postgres' || engine === 'aurora-postgresql' ? 'postgres' : 'mysql';
}

/** Defaults and limits per family. */
export const FAMILY_DEFAULTS: Readonly<
  Record<DatabaseFamily, { port: number; dbname?: string; maxUsernameLength: number }>
> = {
  // PostgreSQL truncates identifiers at 63 bytes (NAMEDATALEN - 1).
  postgres: { port: 5432, dbname: 'postgres', maxUsernameLength: 63 },
  // MySQL 5.7+ allows 32 characters (MariaDB 80); 32 works on both.
  mysql: { port: 3306, maxUsernameLength: 32 },
};

/**
 * A database secret, in the JSON format of AWS's RDS secrets:
 * `{ engine, host, port, username, password, dbname, masterarn, dbInstanceIdentifier, dbClusterIdentifier, ssl }`.
 */
export interface DatabaseSecret {
  readonly engine: DatabaseEngine;
  /** Absent only when an RDS identifier lets Rotor look the endpoint up. */
  readonly host?: string;
  readonly port: number;
  readonly username: string;
  readonly password: Sensitive<string>;
  readonly dbname?: string;
  /** The secret holding the admin credentials (alternating users). */
  readonly masterarn?: string;
  readonly dbInstanceIdentifier?: string;
  readonly dbClusterIdentifier?: string;
  /** From `ssl`: TLS with verification unless the secret says `false` or `"disable"`. */
  readonly tls: TlsMode;
  /** The stored JSON without the password, so that a rotation keeps fields it does not know. */
  readonly fields: Readonly<Record<string, unknown>>;
}

/** What parsing expects: the family of the rotator; a master secret may lack `engine` and `host` (RDS-managed). */
export interface ParseOptions {
  readonly family: DatabaseFamily;
  readonly master?: boolean;
}

const TLS_VALUES: Readonly<Record<string, TlsMode>> = {
  true: 'verify-full',
  'verify-full': 'verify-full',
  false: 'disable',
  disable: 'disable',
};

/** Parses a database secret; throws `InvalidSecretError` naming the fields at fault, never their values. */
export function parseDatabaseSecret(
  text: Sensitive<string>,
  where: RotationErrorContext,
  options: ParseOptions,
): DatabaseSecret {
  let value: unknown;
  try {
    value = JSON.parse(text.reveal());
  } catch {
    // The parser's message quotes the text: it must not become the cause.
    throw new InvalidSecretError('the secret value is not JSON', { ...where, check: 'json' });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidSecretError('the secret value is not a JSON object', { ...where, check: 'json-object' });
  }
  const record = value as Record<string, unknown>;
  const invalid: string[] = [];
  const text_ = (field: string, required: boolean): string | undefined => {
    const v = record[field];
    if (v === undefined || v === null) {
      if (required) invalid.push(field);
      return undefined;
    }
    if (typeof v !== 'string' || v.length === 0 || v.includes('\0')) {
      invalid.push(field);
      return undefined;
    }
    return v;
  };

  const engineText = text_('engine', !options.master);
  let engine: DatabaseEngine | undefined;
  if (engineText !== undefined) {
    if (
      (DATABASE_ENGINES as readonly string[]).includes(engineText) &&
      familyOf(engineText as DatabaseEngine) === options.family
    ) {
      engine = engineText as DatabaseEngine;
    } else invalid.push('engine');
  }
  const dbInstanceIdentifier = text_('dbInstanceIdentifier', false);
  const dbClusterIdentifier = text_('dbClusterIdentifier', false);
  const host = text_(
    'host',
    !options.master && dbInstanceIdentifier === undefined && dbClusterIdentifier === undefined,
  );
  const username = text_('username', true);
  const password = text_('password', true);
  const dbname = text_('dbname', false);
  const masterarn = text_('masterarn', false);
  const port = parsePort(record.port, FAMILY_DEFAULTS[options.family].port, invalid);
  const tls = parseTls(record.ssl, invalid);

  if (invalid.length > 0) {
    throw new InvalidSecretError('missing or invalid fields', { ...where, fields: invalid, check: 'fields' });
  }
  const { password: _password, ...fields } = record;
  return {
    engine: engine ?? (options.family === 'postgres' ? 'postgres' : 'mysql'),
    ...(host === undefined ? {} : { host }),
    port,
    username: username!,
    password: Sensitive.of(password!),
    ...(dbname === undefined ? {} : { dbname }),
    ...(masterarn === undefined ? {} : { masterarn }),
    ...(dbInstanceIdentifier === undefined ? {} : { dbInstanceIdentifier }),
    ...(dbClusterIdentifier === undefined ? {} : { dbClusterIdentifier }),
    tls,
    fields,
  };
}

/** The JSON to store: the known fields over the original ones, so unknown fields survive a rotation. */
export function serializeDatabaseSecret(secret: DatabaseSecret): Sensitive<string> {
  const { fields } = secret;
  return Sensitive.of(
    JSON.stringify({
      ...fields,
      engine: secret.engine,
      ...(secret.host === undefined ? {} : { host: secret.host }),
      port: secret.port,
      username: secret.username,
      password: secret.password.reveal(),
    }),
  );
}

function parsePort(value: unknown, fallback: number, invalid: string[]): number {
  if (value === undefined || value === null) return fallback;
  const port = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    invalid.push('port');
    return fallback;
  }
  return port;
}

function parseTls(value: unknown, invalid: string[]): TlsMode {
  if (value === undefined || value === null) return 'verify-full';
  const key =
    typeof value === 'boolean' ? String(value) : typeof value === 'string' ? value.toLowerCase() : undefined;
  const mode = key === undefined ? undefined : TLS_VALUES[key];
  if (mode === undefined) {
    invalid.push('ssl');
    return 'verify-full';
  }
  return mode;
}
