import type { Sensitive } from '../../../../core/sensitive';
import type {
  ConnectionTarget,
  DatabaseConnection,
  DatabaseCredentials,
  DatabaseDriver,
  LoginResult,
} from '../../../../core/rotation/database/ports';

interface FakeUser {
  password: string;
  grants: Set<string>;
  admin: boolean;
}

/**
 * A database in memory behind the DatabaseDriver port: users with passwords and grants, a switch to make it
 * unreachable, and a log of the operations (names only). Enough to run the database rotators without a
 * server; the real drivers are exercised by the integration tests.
 */
export class FakeDatabase implements DatabaseDriver {
  readonly users = new Map<string, FakeUser>();
  readonly operations: string[] = [];
  readonly targets: ConnectionTarget[] = [];
  reachable = true;
  /** When set, the next statement fails with this error (then clears). */
  failNextStatement?: Error;
  /** Statement name -> an error the next such statement throws (then clears). */
  readonly failOn = new Map<string, Error>();

  constructor(readonly family: 'postgres' | 'mysql') {}

  addUser(name: string, password: string, options: { admin?: boolean; grants?: string[] } = {}): void {
    this.users.set(name, { password, admin: options.admin ?? false, grants: new Set(options.grants ?? []) });
  }

  /** Changes a password behind the rotation's back (drift). */
  setPassword(name: string, password: string): void {
    this.users.get(name)!.password = password;
  }

  accepts(username: string, password: string): boolean {
    return this.reachable && this.users.get(username)?.password === password;
  }

  async connect(target: ConnectionTarget, credentials: DatabaseCredentials): Promise<LoginResult> {
    this.targets.push(target);
    this.operations.push(`connect ${credentials.username}`);
    if (!this.reachable) return { ok: false, reason: 'unreachable', detail: 'ECONNREFUSED' };
    const user = this.users.get(credentials.username);
    if (user === undefined || user.password !== credentials.password.reveal()) {
      return {
        ok: false,
        reason: 'rejected',
        detail: this.family === 'postgres' ? '28P01' : 'ER_ACCESS_DENIED_ERROR',
      };
    }
    return { ok: true, connection: this.#session(credentials.username) };
  }

  #session(sessionUser: string): DatabaseConnection {
    const statement = (name: string) => {
      this.operations.push(`${name} as ${sessionUser}`);
      if (!this.reachable) throw Object.assign(new Error('connection lost'), { code: 'ECONNRESET' });
      const planned = this.failOn.get(name);
      if (planned !== undefined) {
        this.failOn.delete(name);
        throw planned;
      }
      if (this.failNextStatement !== undefined) {
        const error = this.failNextStatement;
        delete this.failNextStatement;
        throw error;
      }
    };
    const requireAdmin = () => {
      if (!this.users.get(sessionUser)!.admin)
        throw Object.assign(new Error('permission denied'), { code: '42501' });
    };
    return {
      ping: async () => statement('ping'),
      setOwnPassword: async (password: Sensitive<string>) => {
        statement('setOwnPassword');
        this.users.get(sessionUser)!.password = password.reveal();
      },
      createUser: async (username, password) => {
        statement('createUser');
        requireAdmin();
        if (!this.users.has(username))
          this.users.set(username, { password: password.reveal(), grants: new Set(), admin: false });
      },
      setUserPassword: async (username, password) => {
        statement('setUserPassword');
        requireAdmin();
        this.users.get(username)!.password = password.reveal();
      },
      copyGrants: async (from, to) => {
        statement('copyGrants');
        requireAdmin();
        for (const grant of this.users.get(from)!.grants) this.users.get(to)!.grants.add(grant);
      },
      close: async () => {
        this.operations.push(`close ${sessionUser}`);
      },
    };
  }
}
