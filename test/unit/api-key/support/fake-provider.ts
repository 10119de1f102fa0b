import { randomBytes } from 'node:crypto';
import { Sensitive } from '../../../../core/sensitive';
import { KeyLimitError, KeyNotFoundError } from '../../../../core/rotation/api-key/errors';
import type {
  IssuedKey,
  KeyProvider,
  KeyStatus,
  KeySummary,
  KeyTestResult,
} from '../../../../core/rotation/api-key/provider';

type Operation = 'createKey' | 'testKey' | 'listKeys' | 'revokeKey' | 'deactivateKey' | 'deleteKey';

interface StoredKey {
  keyId: string;
  secret: string;
  status: KeyStatus;
  createdAt: Date;
  /** testKey answers `rejected` this many more times (propagation delay). */
  rejectionsLeft: number;
}

/** Options of the fake: a key limit, two-phase revocation, a propagation delay counted in tests. */
export interface FakeProviderOptions {
  keyLimit?: number;
  twoPhase?: boolean;
  /** How many testKey calls a new key fails before it works. */
  propagationTests?: number;
}

/**
 * An in-memory KeyProvider with the rules that matter to the core logic: a key limit that counts inactive
 * keys, keys that work only when active, a propagation delay, scripted failures, and a record of calls.
 * Key material is random, generated at test time.
 */
export class FakeKeyProvider implements KeyProvider<{ owner: string }> {
  readonly name = 'fake';
  readonly keyLimit?: number;
  readonly deactivateKey?: (keyId: string) => Promise<void>;
  readonly deleteKey?: (keyId: string) => Promise<void>;
  readonly calls: string[] = [];
  private readonly keys = new Map<string, StoredKey>();
  private readonly failures = new Map<Operation, unknown[]>();
  private sequence = 0;

  constructor(private readonly options: FakeProviderOptions = {}) {
    this.keyLimit = options.keyLimit;
    if (options.twoPhase) {
      this.deactivateKey = async (keyId) => {
        this.record('deactivateKey', keyId);
        this.find(keyId, 'deactivateKey').status = 'inactive';
      };
      this.deleteKey = async (keyId) => {
        this.record('deleteKey', keyId);
        this.find(keyId, 'deleteKey');
        this.keys.delete(keyId);
      };
    }
  }

  /** Adds a key as if created earlier (the current key of a secret), returning it. */
  seed(status: KeyStatus = 'active'): IssuedKey {
    const key = this.issue();
    this.keys.get(key.keyId)!.status = status;
    this.keys.get(key.keyId)!.rejectionsLeft = 0;
    return key;
  }

  /** The next call of `operation` throws `error` (queue several by calling again). */
  failNext(operation: Operation, error: unknown): void {
    this.failures.set(operation, [...(this.failures.get(operation) ?? []), error]);
  }

  /** Deletes a key behind Rotor's back. */
  deleteOutOfBand(keyId: string): void {
    this.keys.delete(keyId);
  }

  /** How many keys exist (active or not), without counting as a call. */
  keyCount(): number {
    return this.keys.size;
  }

  status(keyId: string): KeyStatus | 'deleted' {
    return this.keys.get(keyId)?.status ?? 'deleted';
  }

  /** Whether the key would authenticate now (active and propagated), without counting as a test. */
  works(key: IssuedKey): boolean {
    const stored = this.keys.get(key.keyId);
    return stored?.status === 'active' && stored.secret === key.secret.reveal();
  }

  async createKey(): Promise<IssuedKey> {
    this.record('createKey');
    if (this.keyLimit !== undefined && this.keys.size >= this.keyLimit) {
      throw new KeyLimitError('limit reached', { provider: this.name, operation: 'createKey' });
    }
    return this.issue();
  }

  async testKey(key: IssuedKey): Promise<KeyTestResult> {
    this.record('testKey', key.keyId);
    const stored = this.keys.get(key.keyId);
    if (stored === undefined || stored.secret !== key.secret.reveal())
      return { ok: false, reason: 'unknown-key' };
    if (stored.status !== 'active') return { ok: false, reason: 'inactive' };
    if (stored.rejectionsLeft > 0) {
      stored.rejectionsLeft -= 1;
      return { ok: false, reason: 'not-propagated' };
    }
    return { ok: true };
  }

  async listKeys(): Promise<readonly KeySummary[]> {
    this.record('listKeys');
    return [...this.keys.values()].map(({ keyId, status, createdAt }) => ({ keyId, status, createdAt }));
  }

  async revokeKey(keyId: string): Promise<void> {
    this.record('revokeKey', keyId);
    this.find(keyId, 'revokeKey');
    this.keys.delete(keyId);
  }

  private issue(): IssuedKey {
    this.sequence += 1;
    const keyId = `key-${this.sequence}`;
    const secret = `fk_${randomBytes(18).toString('base64url')}`;
    this.keys.set(keyId, {
      keyId,
      secret,
      status: 'active',
      createdAt: new Date(Date.UTC(2026, 0, 1, 0, this.sequence)),
      rejectionsLeft: this.options.propagationTests ?? 0,
    });
    return { keyId, secret: Sensitive.of(secret) };
  }

  private find(keyId: string, operation: Operation): StoredKey {
    const stored = this.keys.get(keyId);
    if (stored === undefined)
      throw new KeyNotFoundError('no such key', { provider: this.name, operation, keyId });
    return stored;
  }

  private record(operation: Operation, keyId?: string): void {
    this.calls.push(keyId === undefined ? operation : `${operation} ${keyId}`);
    const queued = this.failures.get(operation);
    if (queued !== undefined && queued.length > 0) throw queued.shift();
  }
}
