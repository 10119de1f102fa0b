import type { Clock } from '../clock';
import { RotorError } from '../errors';

/** Where rotation locks are kept. The DynamoDB adapter implements it with conditional writes. */
export interface LockStore {
  /**
   * Takes the lock unless someone else holds it and it has not expired. The same owner taking it again
   * succeeds (a retried task), and moves the expiry.
   */
  tryAcquire(key: string, owner: string, expiresAt: number, now: number): Promise<boolean>;
  /** Releases the lock if this owner holds it; releasing a lock one does not hold does nothing. */
  release(key: string, owner: string): Promise<void>;
}

/** Another rotation of the same secret is running. Expected, not a fault: the workflow ends as skipped. */
export class LockHeldError extends RotorError {}

/** The key of a secret's rotation lock: one per secret, whatever name or ARN it is given by. */
export function rotationLockKey(secretArn: string): string {
  return `ROTATION#${secretArn}`;
}

/**
 * Takes a secret's rotation lock for `ttlSeconds`, so that two rotations of one secret never interleave;
 * an owner that crashed without releasing it loses it when it expires. Throws LockHeldError when another
 * owner holds it.
 */
export async function acquireRotationLock(
  store: LockStore,
  options: { secretArn: string; owner: string; ttlSeconds: number; clock: Clock },
): Promise<{ key: string; expiresAt: number }> {
  const key = rotationLockKey(options.secretArn);
  const now = Math.floor(options.clock.now().getTime() / 1000);
  const expiresAt = now + options.ttlSeconds;
  if (!(await store.tryAcquire(key, options.owner, expiresAt, now))) {
    throw new LockHeldError(`another rotation of ${options.secretArn} is in progress`, {
      context: { secretId: options.secretArn, owner: options.owner },
    });
  }
  return { key, expiresAt };
}
