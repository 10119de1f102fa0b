/** The tags and environment the rotation constructs write and the rotation functions read. */
export const ROTATION_TAGS = {
  /** `postgres`, `mysql`, `mariadb` (and later `certificate`, `api-key`). */
  kind: 'rotor:kind',
  /** `single-user` or `alternating-users` for databases. */
  strategy: 'rotor:strategy',
} as const;

export const ROTATION_ENV = {
  passwordLength: 'ROTOR_PASSWORD_LENGTH',
  excludeCharacters: 'ROTOR_PASSWORD_EXCLUDE_CHARACTERS',
} as const;

export type DatabaseEngine = 'postgres' | 'mysql' | 'mariadb';
export type DatabaseStrategyName = 'single-user' | 'alternating-users';
