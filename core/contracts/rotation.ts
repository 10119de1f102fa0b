/** The tags and environment the rotation constructs write and the rotation functions read. */
export const ROTATION_TAGS = {
  /** `postgres`, `mysql`, `mariadb` (and later `certificate`, `api-key`). */
  kind: 'rotor:kind',
  /** `single-user` or `alternating-users` for databases. */
  strategy: 'rotor:strategy',
  /**
   * When the rotation workflow last moved AWSCURRENT (ISO 8601), written by its End state: Secrets Manager's
   * LastRotatedDate moves only for rotations it drives itself.
   */
  rotatedAt: 'rotor:rotated-at',
  /** Days between scheduled rotations (written by ManagedSecret); the daily sweep rotates a secret past it. */
  intervalDays: 'rotor:interval-days',
  /** ECS services declared as consumers, space-separated `cluster/service` (names or ARNs). */
  consumers: 'rotor:consumers',
  /** Clusters (space-separated) that consumer discovery scans; absent: every cluster; `none`: declared only. */
  consumerClusters: 'rotor:consumer-clusters',
  /** Certificates: ISO-8601 validity of AWSCURRENT, written after finishSecret; the sweep renews by them. */
  notBefore: 'rotor:not-before',
  notAfter: 'rotor:not-after',
  /** Certificates: renew this many days before notAfter instead of at two thirds of the lifetime. */
  renewBeforeDays: 'rotor:renew-before-days',
} as const;

export const ROTATION_ENV = {
  passwordLength: 'ROTOR_PASSWORD_LENGTH',
  excludeCharacters: 'ROTOR_PASSWORD_EXCLUDE_CHARACTERS',
} as const;

export type DatabaseEngine = 'postgres' | 'mysql' | 'mariadb';
export type DatabaseStrategyName = 'single-user' | 'alternating-users';
