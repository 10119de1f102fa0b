import type { Sensitive } from '../../sensitive';
import type { DatabaseEngine, TlsMode } from './secret';

/** Where to connect. */
export interface ConnectionTarget {
  readonly engine: DatabaseEngine;
  readonly host: string;
  readonly port: number;
  readonly database?: string;
  readonly tls: TlsMode;
  /** PEM bundle of the CAs to trust for `verify-full` (the RDS bundle); the system store when absent. */
  readonly caBundle?: string;
  readonly connectTimeoutMs: number;
}

/** Who connects. */
export interface DatabaseCredentials {
  readonly username: string;
  readonly password: Sensitive<string>;
}

/**
 * The outcome of a login. A refused login is an expected outcome (setSecret probes with it), so it is a
 * value; `detail` is a safe code from the driver (`28P01`, `ER_ACCESS_DENIED_ERROR`, `ECONNREFUSED`).
 */
export type LoginResult =
  | { readonly ok: true; readonly connection: DatabaseConnection }
  | {
      readonly ok: false;
      readonly reason: 'rejected' | 'unreachable' | 'tls' | 'other';
      readonly detail: string;
    };

/** Opens sessions on one kind of database (PostgreSQL over pg, MySQL/MariaDB over mysql2). */
export interface DatabaseDriver {
  connect(target: ConnectionTarget, credentials: DatabaseCredentials): Promise<LoginResult>;
}

/**
 * The statements rotation needs, on a logged-in session. Implementations escape identifiers and literals
 * with the driver's own functions, and their errors carry no statement text or value.
 */
export interface DatabaseConnection {
  /** A read-only round trip (`SELECT now()`). */
  ping(): Promise<void>;
  /** The session's user changes its own password. */
  setOwnPassword(password: Sensitive<string>): Promise<void>;
  /**
   * Creates a login user where it is missing, with `password` (MySQL: for each host `likeUser` has).
   * Idempotent: an existing account keeps its password.
   */
  createUser(username: string, password: Sensitive<string>, likeUser: string): Promise<void>;
  /** Sets another user's password (an admin session). */
  setUserPassword(username: string, password: Sensitive<string>): Promise<void>;
  /** Gives `toUser` the privileges of `fromUser` (PostgreSQL: membership; MySQL: replayed grants, TLS requirements). */
  copyGrants(fromUser: string, toUser: string): Promise<void>;
  close(): Promise<void>;
}

/** An RDS instance or cluster named by a secret. */
export interface RdsTarget {
  readonly instanceId?: string;
  readonly clusterId?: string;
}

/** What RDS says about it. */
export interface RdsDatabaseInfo {
  /** `available`, `modifying`, `resetting-master-credentials`, `rebooting`... */
  readonly status: string;
  readonly endpoint?: { readonly host: string; readonly port: number };
  readonly masterUsername?: string;
  readonly engine?: string;
}

/** The RDS operations rotation uses (adapters/rds.ts over @aws-sdk/client-rds). */
export interface RdsPort {
  /** `undefined` when no such instance or cluster exists. */
  describe(target: RdsTarget): Promise<RdsDatabaseInfo | undefined>;
  /** ModifyDBInstance/ModifyDBCluster `MasterUserPassword`, applied immediately. */
  resetMasterPassword(target: RdsTarget, password: Sensitive<string>): Promise<void>;
}
