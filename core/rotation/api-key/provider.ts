import type { Sensitive } from '../../sensitive';
import type { BackoffPolicy } from './backoff';

/** A key as the provider issued it: its id (not secret) and the key material (secret). */
export interface IssuedKey {
  readonly keyId: string;
  readonly secret: Sensitive<string>;
}

/** Whether a key works: `rejected` carries a short reason written by Rotor (a status or an error code). */
export type KeyTestResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** A key's state at the provider. `inactive` keys still exist (and count against a key limit). */
export type KeyStatus = 'active' | 'inactive';

/** One key as the provider lists it; never its material. */
export interface KeySummary {
  readonly keyId: string;
  readonly status: KeyStatus;
  /** Absent when the provider does not say; such keys sort as the oldest. */
  readonly createdAt?: Date;
}

/**
 * The port a key provider implements (AWS IAM access keys, a SaaS admin API over HTTP). `S` is the
 * provider's non-secret settings for one key owner (an IAM user name, a key name).
 *
 * Errors: `KeyLimitError` when no key can be added, `KeyNotFoundError` from the revoking calls when the key
 * is gone, `ProviderUnavailableError` (retryable) for throttling, 5xx and network errors,
 * `ProviderResponseError` for an unusable answer, `ProviderRequestError` for other refusals.
 */
export interface KeyProvider<S> {
  /** Names the provider in errors and logs (`aws-iam`, `acme-http`). */
  readonly name: string;
  /** How many keys (active or inactive) one owner may hold; absent when unlimited. */
  readonly keyLimit?: number;
  /** How patiently `verifyNewKey` waits for a new key to work (IAM: seconds); absent for the default. */
  readonly propagation?: BackoffPolicy;
  createKey(settings: S): Promise<IssuedKey>;
  /** Tries the key; `rejected` is an answer, not an error (a new key may need time to propagate). */
  testKey(key: IssuedKey, settings: S): Promise<KeyTestResult>;
  listKeys(settings: S): Promise<readonly KeySummary[]>;
  /** Removes the key for good. */
  revokeKey(keyId: string, settings: S): Promise<void>;
  /** Two-phase providers: make the key stop working but keep it (reversible). */
  deactivateKey?(keyId: string, settings: S): Promise<void>;
  /** Two-phase providers: remove a key (usually one deactivated earlier). */
  deleteKey?(keyId: string, settings: S): Promise<void>;
}

/**
 * Where an HTTP provider reads its admin credential (another secret, read on each use so that rotating
 * the admin credential needs no restart). In tests, a function returning a generated value.
 */
export type AdminCredentialSource = () => Promise<Sensitive<string>>;

/** Safe fields for a log line: identifiers and outcomes, never values. */
export type KeyLogFields = Record<string, string | number | boolean | undefined>;

/** Where the key logic writes what it did. Never given a key value. */
export interface KeyRotationLog {
  info(message: string, fields?: KeyLogFields): void;
  warn(message: string, fields?: KeyLogFields): void;
}

/** A log that drops everything. */
export const silentKeyLog: KeyRotationLog = { info: () => undefined, warn: () => undefined };
